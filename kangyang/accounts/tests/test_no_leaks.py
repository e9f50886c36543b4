"""Nobody gets anything of an elder outside their scope, through any page, export, search
or API call.

The surfaces are discovered, not listed: every URL pattern and every API operation that
takes an `elder_id` must answer 404 for an out-of-scope elder, and every page and API list
that takes no argument must not mention that elder, also when searched for by name, pinyin
initials or the last four ID characters. A new endpoint joins this test by existing.
"""

import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import load_workbook

from kangyang.api import api

# viewer persona → the elder fixture they must never see
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
def elder_in_c(city, elder_in_a, elder_in_b):
    """An elder of the other district (the hidden elders of the CASES all exist together)."""
    from kangyang.accounts.models import User
    from kangyang.registry.actions import create_elder

    community = city.children.get(code="360104000000").children.get().children.get()
    worker = User.objects.create_user(username="worker_c", password="kangyang-demo", role="community_worker",
                                      region=community)
    return create_elder(by=worker, name="胡秀英", id_number="360104194402020022", community=community,
                        phone="13607918888")


def test_the_city_bureau_reads_both_districts(client, city, elder_in_c, api_token):
    from kangyang.accounts.models import User

    city_bureau = User.objects.create_user(username="city", password="kangyang-demo", role="bureau_admin", region=city)
    body = client.get("/api/v1/elders", {"page_size": 200}, **api_token(city_bureau)).json()
    assert {e["name"] for e in body["items"]} == {"张桂兰", "李建国", "胡秀英"}
    client.force_login(city_bureau)
    assert "胡秀英" in client.get("/registry/elders/", {"q": "胡秀英"}).text


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
    user, elder = request.getfixturevalue(viewer), request.getfixturevalue(hidden)
    client.force_login(user)
    with_elder, _ = _page_routes()
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
    user, elder = request.getfixturevalue(viewer), request.getfixturevalue(hidden)
    client.force_login(user)
    _, plain = _page_routes()
    searches = ["", elder.name, elder.name_initials, elder._id_number()[-4:], "13907919876", "13807911234"]
    for route in plain:
        for q in searches:
            r = client.get("/" + route, {"q": q} if q else {})
            if r.status_code != 200:
                continue
            text = _text(r)
            for mark in _marks(elder, searched=q):
                assert mark not in text, f"/{route}?q={q} shows {mark!r} to {viewer}"


@pytest.mark.parametrize("viewer, hidden", CASES)
def test_api_operations_never_give_an_out_of_scope_elder(client, request, api_token, viewer, hidden, elder_in_a, elder_in_b):
    user, elder = request.getfixturevalue(viewer), request.getfixturevalue(hidden)
    headers = api_token(user)
    for method, path in _api_operations():
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
                for mark in _marks(elder, searched=q):
                    assert mark not in text, f"GET {path}?q={q} shows {mark!r} to {viewer}"


def test_no_full_id_number_in_any_list_page_export_or_api_list(client, admin, api_token, elder_in_a, elder_in_b):
    """Even the bureau admin, who sees everyone, sees masked numbers in lists."""
    client.force_login(admin)
    _, plain = _page_routes()
    full = re.compile(r"\d{17}[\dX]")
    for route in plain:
        if route in NOT_ELDER_DATA:
            continue
        r = client.get("/" + route)
        if r.status_code == 200:
            assert not full.search(_text(r)), f"/{route} shows a full ID number"
    headers = api_token(admin)
    for method, path in _api_operations():
        if method == "GET" and "{" not in path:
            r = client.get(path, **headers)
            assert not full.search(r.content.decode()), f"GET {path} shows a full ID number"
