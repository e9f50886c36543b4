"""Nobody gets anything of an elder outside their scope, through any page, export, search
or API call.

The surfaces are discovered, not listed: every URL pattern and every API operation that
takes an `elder_id` must answer 404 for an out-of-scope elder, and every page and API list
that takes no argument must not mention that elder, also when searched for by name, pinyin
initials or the last four ID characters. A new endpoint joins this test by existing.

At city level the tree is Nanchang with two districts: Xihu (the test district) and
Qingyunpu, with one elder (`elder_in_c`). No account of Xihu ever reads her, the bureau
admin of Qingyunpu (`admin2`) never reads Xihu's elders, and the city bureau finds all three
wherever a district's bureau finds its own.
"""

import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from kangyang.accounts import scope
from kangyang.api import api

# viewer persona → the elder fixture they must never see. Every Xihu persona is also shown
# never to read the second district's elder (elder_in_c): HIDDEN adds her to each case.
CASES = [
    ("worker_a", "elder_in_b"),
    ("worker_b", "elder_in_a"),
    ("subdistrict", "elder_in_b"),
    ("provider", "elder_in_a"),
    ("caregiver", "elder_in_a"),
    ("volunteer", "elder_in_a"),
    ("inspector", "elder_in_a"),
    ("elder", "elder_in_b"),
    ("family", "elder_in_b"),
    # the city level: a district's bureau and hotline never read the other district's elders
    ("admin", "elder_in_c"),
    ("operator", "elder_in_c"),
    ("admin2", "elder_in_a"),
    ("admin2", "elder_in_b"),
]
# The import template's example row shows the format of an ID number with a made-up one.
NOT_ELDER_DATA = {"registry/imports/template/"}
SKIP_PREFIXES = ("admin/", "api/", "i18n/", "accounts/logout/", "static/")


@pytest.fixture
def city(tree):
    """Nanchang above the test district (Xihu), and a second district, Qingyunpu, with one
    community."""
    from kangyang.regions.models import Region

    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=tree.pk).update(parent=city)
    other = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    sub = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=other)
    Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=sub)
    return city


@pytest.fixture
def admin2(city):
    """Bureau admin of the second district (the demo's `admin2`): Qingyunpu only."""
    from kangyang.accounts.models import User

    return User.objects.create_user(username="admin2", password="kangyang-demo", role="bureau_admin",
                                    region=city.children.get(code="360104000000"))


@pytest.fixture
def city_bureau(city):
    """Bureau admin of the city (the demo's `city`): both districts."""
    from kangyang.accounts.models import User

    return User.objects.create_user(username="city", password="kangyang-demo", role="bureau_admin", region=city)


def _hidden(request, viewer: str, hidden: str) -> list:
    """The case's hidden elder, and for an account of Xihu the second district's elder too."""
    elders = [request.getfixturevalue(hidden)]
    if viewer != "admin2" and hidden != "elder_in_c":
        elders.append(request.getfixturevalue("elder_in_c"))
    return elders


@pytest.fixture
def elder_in_c(city, elder_in_a, elder_in_b):
    """An elder of the other district (the hidden elders of the CASES all exist together)."""
    from kangyang.accounts.models import User
    from kangyang.registry.actions import create_elder

    community = city.children.get(code="360104000000").children.get().children.get()
    worker = User.objects.create_user(username="worker_c", password="kangyang-demo", role="community_worker",
                                      region=community)
    return create_elder(by=worker, name="胡秀英", id_number="360104194402020022", community=community,
                        phone="13607918888")


def test_the_city_bureau_reads_both_districts(client, city_bureau, elder_in_c, api_token):
    body = client.get("/api/v1/elders", {"page_size": 200}, **api_token(city_bureau)).json()
    assert {e["name"] for e in body["items"]} == {"张桂兰", "李建国", "胡秀英"}
    client.force_login(city_bureau)
    assert "胡秀英" in client.get("/registry/elders/", {"q": "胡秀英"}).text


@pytest.mark.parametrize("user, names", [
    ("city_bureau", {"张桂兰", "李建国", "胡秀英"}),
    ("admin", {"张桂兰", "李建国"}),
    ("admin2", {"胡秀英"}),
])
def test_counts_and_exports_follow_the_area_city_district_and_second_district(
        client, request, api_token, user, names, elder_in_c):
    from kangyang.registry.models import Elder

    account = request.getfixturevalue(user)
    body = client.get("/api/v1/elders", {"page_size": 200}, **api_token(account)).json()
    assert body["count"] == len(names) == Elder.objects.visible_to(account).count()
    assert {e["name"] for e in body["items"]} == names
    client.force_login(account)
    exported = _text(client.get("/registry/elders/export/"))
    assert {n for n in ("张桂兰", "李建国", "胡秀英") if n in exported} == names


def test_wherever_a_district_bureau_finds_its_elder_the_city_finds_both_districts(
        client, api_token, admin, admin2, city_bureau, elder_in_a, elder_in_c):
    """Discovered like the leaks: every page, export, search and API list where Xihu's admin
    finds her elder shows the city bureau Xihu's elder and Qingyunpu's, and Qingyunpu's
    admin hers (by the record's link or masked ID; a name typed in may be echoed back)."""
    _, plain = _page_routes()
    checked = 0
    for route in plain:
        for q in ("", elder_in_a.name, elder_in_a.name_initials):
            client.force_login(admin)
            r = client.get("/" + route, {"q": q} if q else {})
            if r.status_code != 200 or not {elder_in_a.id_number_masked, f"/elders/{elder_in_a.pk}/"} & set(
                    m for m in _marks(elder_in_a) if m in _text(r)):
                continue
            checked += 1
            for viewer, elder, term in ((city_bureau, elder_in_a, q), (city_bureau, elder_in_c, q and elder_in_c.name),
                                        (admin2, elder_in_c, q and elder_in_c.name)):
                client.force_login(viewer)
                text = _text(client.get("/" + route, {"q": term} if term else {}))
                assert elder.id_number_masked in text or f"/elders/{elder.pk}/" in text, (
                    f"/{route}?q={term} does not show {elder.name} to {viewer.username}")
    assert checked >= 2  # the elder list and its export at least
    for method, path in _api_operations():
        if method != "GET" or "{" in path:
            continue
        found = client.get(path, {"q": elder_in_a.name, "page_size": 200}, **api_token(admin)).content.decode()
        if elder_in_a.id_number_masked not in found:
            continue
        for viewer, elder in ((city_bureau, elder_in_a), (city_bureau, elder_in_c), (admin2, elder_in_c)):
            text = client.get(path, {"q": elder.name, "page_size": 200}, **api_token(viewer)).content.decode()
            assert elder.id_number_masked in text, f"GET {path}?q={elder.name} does not show her to {viewer.username}"


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def _page_routes():
    routes = [r for r in _patterns() if not r.startswith(SKIP_PREFIXES)]
    with_elder = [r for r in routes if re.search(r"<int:elder_id>", r) and r.count("<") == 1]
    plain = [r for r in routes if "<" not in r and not r.startswith("^")]
    return with_elder, plain


def _api_operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method in methods:
            yield method.upper(), path


def _text(response) -> str:
    if "spreadsheetml" in response.get("Content-Type", ""):
        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    return response.content.decode("utf-8", errors="replace")


def _marks(elder, *, searched: str = "") -> list[str]:
    """What would betray the elder. The search box echoes the term typed into it, so a
    searched name alone proves nothing; the record's link and masked ID do."""
    marks = [elder.id_number_masked, f"/elders/{elder.pk}/", "360103194503120026", "360103193807150019",
             "360104194402020022"]
    return marks if searched == elder.name else [elder.name, *marks]


def test_the_discovery_finds_the_registry_surfaces():
    with_elder, plain = _page_routes()
    assert "registry/elders/<int:elder_id>/" in with_elder
    assert "registry/elders/export/" in plain
    ops = set(_api_operations())
    assert ("GET", "/api/v1/elders/{elder_id}") in ops


@pytest.mark.parametrize("viewer, hidden", CASES)
def test_pages_with_an_elder_id_answer_404_out_of_scope(client, request, viewer, hidden, elder_in_a, elder_in_b):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    with_elder, _ = _page_routes()
    for elder in _hidden(request, viewer, hidden):
        for route in with_elder:
            url = "/" + route.replace("<int:elder_id>", str(elder.pk))
            for method in ("get", "post"):
                r = getattr(client, method)(url, {"reason": "test", "status": "deceased", "name": "x"})
                assert r.status_code in (404, 405), f"{method.upper()} {url} → {r.status_code}"
                assert elder.name not in r.content.decode(errors="replace")


@pytest.mark.parametrize("viewer, hidden", CASES)
def test_pages_lists_searches_and_exports_never_mention_an_out_of_scope_elder(
    client, request, viewer, hidden, elder_in_a, elder_in_b
):
    user, elders = request.getfixturevalue(viewer), _hidden(request, viewer, hidden)
    client.force_login(user)
    _, plain = _page_routes()
    searches = [""]
    for elder in elders:
        searches += [elder.name, elder.name_initials, elder._id_number()[-4:]]
    searches += ["13907919876", "13807911234", "13607918888"]
    for route in plain:
        for q in searches:
            r = client.get("/" + route, {"q": q} if q else {})
            if r.status_code != 200:
                continue
            text = _text(r)
            for elder in elders:
                for mark in _marks(elder, searched=q):
                    assert mark not in text, f"/{route}?q={q} shows {mark!r} to {viewer}"


@pytest.mark.parametrize("viewer, hidden", CASES)
def test_api_operations_never_give_an_out_of_scope_elder(client, request, api_token, viewer, hidden, elder_in_a, elder_in_b):
    user, elders = request.getfixturevalue(viewer), _hidden(request, viewer, hidden)
    headers = api_token(user)
    for method, path in _api_operations():
        for elder in elders:
            if "{elder_id}" in path:
                url = path.replace("{elder_id}", str(elder.pk))
                body = {"reason": "test", "status": "deceased", "name": "x"}
                r = client.generic(method, url, data=__import__("json").dumps(body),
                                   content_type="application/json", **headers)
                assert r.status_code == 404, f"{method} {url} → {r.status_code}"
            elif method == "GET" and "{" not in path:
                for q in ["", elder.name, elder.name_initials, elder._id_number()[-4:]]:
                    r = client.get(path, {"q": q, "page_size": 200} if q else {"page_size": 200}, **headers)
                    text = r.content.decode()
                    for other in elders:
                        for mark in _marks(other, searched=q if other == elder else ""):
                            assert mark not in text, f"GET {path}?q={q} shows {mark!r} to {viewer}"


def test_no_full_id_number_in_any_list_page_export_or_api_list(client, admin, api_token, elder_in_a, elder_in_b):
    """Even the bureau admin, who sees everyone, sees masked numbers in lists."""
    client.force_login(admin)
    _, plain = _page_routes()
    full = re.compile(r"\d{17}[\dX]")
    # SHA-256 hashes in hex (the time bank's ledger and digests) may hold 18 digits in a row.
    hashes = re.compile(r"\b[0-9a-f]{64}\b")
    for route in plain:
        if route in NOT_ELDER_DATA:
            continue
        r = client.get("/" + route)
        if r.status_code == 200:
            assert not full.search(hashes.sub("", _text(r))), f"/{route} shows a full ID number"
    headers = api_token(admin)
    for method, path in _api_operations():
        if method == "GET" and "{" not in path:
            r = client.get(path, **headers)
            assert not full.search(hashes.sub("", r.content.decode())), f"GET {path} shows a full ID number"


# -- health data (issue 17, PIPL art. 28) ---------------------------------------------------
# Health data are read only by the elder's family-doctor team, the elder and family, and the
# staff whose area covers her (audited). The health surfaces are discovered too: every page under
# /health/ and every GET of /api/v1/health, so a topic's list joins this test by existing.
HEALTH_VIEWERS = ["worker_b", "provider", "caregiver", "other_doctor"]
# A doctor whose team serves the elder's community opens this page to offer her a contract
# (scope.may_sign_for): it shows her name and the sign form, and none of her health data (the
# marks are checked on it as on every page).
OFFERS_A_CONTRACT = "health/elders/<int:elder_id>/contracts/"


@pytest.fixture
def health_world(community_a, community_b, elder_in_a, elder_in_b):
    """Both elders with a full health record; elder_in_a has a contract with the team of the
    `doctor`, and `doctor2` is a doctor of a team of community B with no contract with her."""
    from kangyang.health.tests.records_world import contract, full_record, team_with_doctor

    team, doctor = team_with_doctor("doctor", area_code=community_a.code, centre="南浦街道社区卫生服务中心")
    _team2, doctor2 = team_with_doctor("doctor2", area_code=community_b.code, centre="朝阳洲街道社区卫生服务中心")
    contract(elder_in_a, team)
    full_record(elder_in_a)
    full_record(elder_in_b)
    return {"doctor": doctor, "other_doctor": doctor2}


def _health_hidden(viewer: str, elder_in_a, elder_in_b) -> list:
    """worker_b reads her own community's elder_in_b; the others read no one's health data."""
    return [elder_in_a] if viewer == "worker_b" else [elder_in_a, elder_in_b]


def _health_object_ids(elder) -> set[str]:
    """The pks of everything of the health app hanging on the elder (to fill a route's other ids)."""
    from django.apps import apps

    ids = set()
    for model in apps.get_app_config("health").get_models():
        if any(f.name == "elder" for f in model._meta.fields):
            ids |= {str(pk) for pk in model._default_manager.filter(elder=elder).values_list("pk", flat=True)}
    return ids or {"1"}


def _fill(route: str, elder, ids: set[str]) -> list[str]:
    """The route with elder_id as the elder's pk and any other parameter as each of `ids`."""
    urls = [re.sub(r"<int:elder_id>|\{elder_id\}", str(elder.pk), route)]
    while True:
        found = re.search(r"<(?:\w+:)?\w+>|\{\w+\}", urls[0])
        if not found:
            return urls
        urls = [u.replace(found.group(0), v, 1) for u in urls for v in sorted(ids)]


@pytest.mark.parametrize("viewer", HEALTH_VIEWERS)
def test_no_health_page_or_health_api_shows_an_elders_health_data_outside_scope(
        client, request, api_token, health_world, elder_in_a, elder_in_b, viewer):
    from kangyang.health.tests.records_world import marks

    user = health_world.get(viewer) or request.getfixturevalue(viewer)
    hidden = _health_hidden(viewer, elder_in_a, elder_in_b)
    client.force_login(user)
    pages = [r for r in _patterns() if r.startswith("health/")]
    assert "health/elders/<int:elder_id>/" in pages
    for elder in hidden:
        ids = _health_object_ids(elder)
        for route in pages:
            for url in _fill(route, elder, ids):
                r = client.get("/" + url)
                if "elder_id" in route and not (route == OFFERS_A_CONTRACT and scope.may_sign_for(user, elder)):
                    assert r.status_code in (404, 405), f"GET /{url} → {r.status_code} for {viewer}"
                text = _text(r)
                for mark in marks(elder):
                    assert mark not in text, f"/{url} shows {mark!r} to {viewer}"
    headers = api_token(user)
    operations = [p for m, p in _api_operations() if m == "GET" and p.startswith("/api/v1/health/")]
    assert "/api/v1/health/records/{elder_id}" in operations
    for elder in hidden:
        ids = _health_object_ids(elder)
        for path in operations:
            for url in _fill(path, elder, ids):
                r = client.get(url, {"page_size": 200}, **headers)
                if "{elder_id}" in path:
                    assert r.status_code == 404, f"GET {url} → {r.status_code} for {viewer}"
                text = r.content.decode()
                for mark in [*marks(elder), elder.id_number_masked]:
                    assert mark not in text, f"GET {url} shows {mark!r} to {viewer}"
    from kangyang.audit.models import AuditEntry

    assert not AuditEntry.objects.filter(verb="health.record.read", actor=user).exists()


@pytest.mark.parametrize("reader", ["worker_a", "doctor", "admin", "operator"])
def test_each_health_read_by_permitted_staff_writes_one_audit_entry(
        client, request, api_token, health_world, elder_in_a, reader):
    from kangyang.audit.models import AuditEntry
    from kangyang.health.tests.records_world import marks

    user = health_world.get(reader) or request.getfixturevalue(reader)
    headers = api_token(user)
    client.force_login(user)
    reads = AuditEntry.objects.filter(verb="health.record.read", actor=user, target_id=str(elder_in_a.pk))
    page = client.get(f"/health/elders/{elder_in_a.pk}/")
    assert page.status_code == 200 and marks(elder_in_a)[0] in page.content.decode()
    assert reads.count() == 1
    assert client.get(f"/api/v1/health/records/{elder_in_a.pk}", **headers).status_code == 200
    assert client.get(f"/health/elders/{elder_in_a.pk}/").status_code == 200
    assert reads.count() == 3
    from django.utils import translation

    from kangyang.health.actions.records import READ_VIA

    with translation.override("zh-hans"):  # the requests' language
        assert set(reads.values_list("note", flat=True)) == {str(READ_VIA["page"]), str(READ_VIA["api"])}


@pytest.mark.parametrize("reader", ["elder", "family"])
def test_the_elders_and_familys_own_reads_need_no_audit_entry(client, request, api_token, health_world, elder_in_a,
                                                               reader):
    from kangyang.audit.models import AuditEntry
    from kangyang.health.tests.records_world import marks

    user = request.getfixturevalue(reader)
    client.force_login(user)
    assert marks(elder_in_a)[2] in client.get("/app/health/").content.decode()
    assert client.get(f"/health/elders/{elder_in_a.pk}/").status_code == 200
    assert client.get(f"/api/v1/health/records/{elder_in_a.pk}", **api_token(user)).status_code == 200
    assert not AuditEntry.objects.filter(verb="health.record.read").exists()
