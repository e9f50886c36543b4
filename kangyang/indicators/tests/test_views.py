"""The indicator pages through the test client, as the conftest personas: the dashboard (from
the snapshots), one indicator's breakdown, ranking and trend, the records behind a figure cut
to the reader's area, the bureau's targets (versions, bad YAML) and its entered figures."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kangyang.audit.models import AuditEntry
from kangyang.indicators import presentation, views
from kangyang.indicators import targets as T
from kangyang.indicators.actions import take_snapshot
from kangyang.indicators.models import ManualValue, Snapshot, TargetSet
from kangyang.indicators.registry import PERCENT, Figure, Period
from kangyang.health.tests.contract_helpers import contract_for
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder

pytestmark = pytest.mark.django_db

CITY = "360100000000"


def _born(today: dt.date, age: int) -> dt.date:
    return today.replace(year=today.year - age) - dt.timedelta(days=20)


@pytest.fixture
def people(worker_a, worker_b, community_a, community_b, today):
    """Community A: three elders (70, 85, 66; the 85- and 66-year-olds have a family doctor);
    community B: two (62 and 75)."""
    made = {}
    for n, (key, by, community, age) in enumerate([
        ("a70", worker_a, community_a, 70), ("a85", worker_a, community_a, 85), ("a66", worker_a, community_a, 66),
        ("b62", worker_b, community_b, 62), ("b75", worker_b, community_b, 75),
    ], start=1):
        made[key] = create_elder(by=by, name=f"{'张' if key[0] == 'a' else '李'}{key}",
                                 id_number=residentid.make(community.code[:6], _born(today, age), n),
                                 community=community)
    for key in ("a85", "a66"):
        contract_for(made[key], on=today)
    return made


@pytest.fixture
def this_year(today):
    return Period(today.year)


@pytest.fixture
def snapshot(people, this_year, today):
    """The worker's snapshots of the running year and month."""
    take_snapshot(this_year)
    take_snapshot(Period(today.year, today.month))
    return this_year


def _row(page: str, code: str) -> str:
    match = re.search(rf'<tr id="indicator-{code}".*?</tr>', page, re.S)
    assert match, f"no row for {code}"
    return match.group()


def _figure(page: str, code: str) -> str:
    return re.search(r'class="figure"[^>]*>([^<]*)<', _row(page, code)).group(1).strip()


# -- the dashboard ----------------------------------------------------------------------------

def test_the_bureau_admin_sees_her_districts_figures_from_the_snapshot(client, admin, district, snapshot):
    client.force_login(admin)
    page = client.get("/indicators/").text
    assert _figure(page, "elders") == "5"
    assert _figure(page, "elders_age_70_79") == "2"
    # A share, with its counts: 2 of the 4 aged 65 or over.
    assert _figure(page, "elder_family_doctor_rate") == "50.0%"
    assert re.search(r">2</a> / <a [^>]*>4<", _row(page, "elder_family_doctor_rate"))
    assert 'id="computed-at"' in page and Snapshot.objects.filter(region_code=district.code).exists()


@pytest.mark.parametrize("persona, region, elders", [
    ("subdistrict", "360103001000", "3"), ("worker_a", "360103001001", "3"), ("worker_b", "360103002001", "2"),
])
def test_each_area_role_opens_on_its_own_area(client, request, snapshot, persona, region, elders):
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/indicators/").text
    assert f'value="{region}" selected' in page
    assert _figure(page, "elders") == elders


@pytest.mark.parametrize("persona, region", [
    ("worker_a", "360103000000"), ("worker_a", "360103002001"), ("subdistrict", "360103002000"),
    ("admin", CITY),  # a district's bureau does not see the city (nor another district)
])
def test_a_region_outside_the_readers_area_is_refused(client, request, snapshot, persona, region):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/indicators/?region={region}").status_code == 403
    assert client.get(f"/indicators/indicator/?code=elders&region={region}").status_code == 403


@pytest.mark.parametrize("persona", ["operator", "provider", "caregiver", "volunteer", "elder", "family", "inspector"])
def test_roles_without_the_indicators_get_the_403_page(client, request, snapshot, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/indicators/", "/indicators/indicator/?code=elders", "/indicators/records/?code=elders",
                "/indicators/targets/", "/indicators/values/"):
        assert client.get(url).status_code == 403, url


def test_a_stranger_is_asked_to_sign_in(client, db):
    r = client.get("/indicators/")
    assert r.status_code == 302 and "/accounts/login" in r["Location"]


def test_a_period_nobody_computed_shows_no_number_until_computed_now(client, admin, people, district, today):
    client.force_login(admin)
    page = client.get("/indicators/").text
    assert _figure(page, "elders") == "—"  # never a zero that was not counted
    assert 'data-status="no_data"' in _row(page, "elders")
    r = client.post("/indicators/compute/", {"region": district.code, "year": today.year})
    assert r.status_code == 302 and r["Location"] == f"/indicators/?region={district.code}&year={today.year}"
    assert _figure(client.get(r["Location"]).text, "elders") == "5"


def test_compute_now_refreshes_the_readers_own_area_only(client, worker_a, people, community_a, today):
    client.force_login(worker_a)
    r = client.post("/indicators/compute/", {"region": community_a.code, "year": today.year, "month": today.month})
    assert r.status_code == 302
    assert set(Snapshot.objects.values_list("region_code", flat=True)) == {community_a.code}


def test_a_past_period_is_not_computed_again(client, admin, people, district, today):
    client.force_login(admin)
    r = client.post("/indicators/compute/", {"region": district.code, "year": today.year - 1})
    assert r.status_code == 400 and not Snapshot.objects.exists()


def test_plan_indicators_nobody_computes_say_no_data_and_binding_misses_come_first(client, admin, snapshot):
    client.force_login(admin)
    page = client.get("/indicators/").text
    life = _row(page, "life_expectancy")
    assert 'data-status="no_data"' in life and _figure(page, "life_expectancy") == "—"
    plans = page[page.index('id="plans-heading"'):]
    plans = plans[:plans.index("</section>")]
    order = re.findall(r'<tr id="indicator-([a-z0-9_]+)"', plans)
    binding = {code for code, plan in T.shipped().items() if plan.kind == "binding"}
    # every binding indicator without data is a miss, listed before every other plan indicator
    first = order[:len(binding)]
    assert set(first) == binding
    assert all('class="tag miss"' in _row(page, code) for code in first)
    assert not any('class="tag miss"' in _row(page, code) for code in order[len(binding):])
    # the platform's own indicators follow under their groups
    assert page.index('id="plans-heading"') < page.index('id="indicator-elders_alone"')


def test_a_share_is_never_rounded_onto_its_nearest_target():
    """77.96% against Xihu's 78 and another plan's 76: "77.96%", never "78.0%"."""
    plan = T.PlanIndicator(code="x", name_zh="x", category="health", unit="percent", kind="binding", op=">=",
                           targets={"p1": {"op": ">=", 2025: Decimal(78)}, "p2": {"op": ">=", 2025: Decimal(76)}})
    targets = T.targets_for(plan, 2025)
    assert presentation.guard_for(Decimal("77.96"), targets) == 78
    assert presentation.format_value(Decimal("77.96"), PERCENT, guard=presentation.guard_for(Decimal("77.96"), targets)) == "77.96%"
    assert presentation.format_value(Decimal("77.96"), PERCENT) == "78.0%"  # what the guard prevents
    assert presentation.format_value(Decimal("1234.5"), "yuan") == "¥1,234.50"
    assert presentation.format_value(Decimal("12345"), "count") == "12,345"
    assert presentation.format_value(None, "count") == "—"


# -- one indicator ------------------------------------------------------------------------------

def test_the_drill_down_breaks_down_ranks_and_trends(client, admin, district, snapshot, today):
    client.force_login(admin)
    page = client.get(f"/indicators/indicator/?code=elders&region={district.code}&year={today.year}").text
    breakdown = json.loads(re.search(r'<script id="breakdown-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert breakdown["labels"] == ["南浦街道", "朝阳洲街道"] and breakdown["values"] == [3, 2]
    ranking = json.loads(re.search(r'<script id="ranking-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert ranking["labels"] == ["南浦街道", "朝阳洲街道"] and ranking["texts"] == ["3", "2"]
    trend = json.loads(re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert [v for v in trend["values"] if v is not None] == [5]  # this month's snapshot, the months before without one
    assert len(trend["values"]) == today.month
    # the charts are drawn by the vendored library and our own script, nothing inline
    assert "vendor/echarts/echarts.min.js" in page and "js/indicators.js" in page
    assert not re.search(r"<script(?![^>]*(src=|application/json))", page)


def test_the_ranking_puts_the_best_first_and_lower_is_better_first_when_so(db):
    a, b, c, d = (Figure(Decimal(v)) if v is not None else Figure(None) for v in (5, 9, 5, None))
    ranked = views._ranked([("a", a), ("b", b), ("c", c), ("d", d)], lower_is_better=False)
    assert [(rank, name) for rank, (name, _f) in ranked] == [(1, "b"), (2, "a"), (2, "c"), (None, "d")]
    ranked = views._ranked([("a", a), ("b", b), ("c", c), ("d", d)], lower_is_better=True)
    assert [(rank, name) for rank, (name, _f) in ranked] == [(1, "a"), (1, "c"), (3, "b"), (None, "d")]


def test_an_unknown_indicator_is_not_found(client, admin, snapshot):
    client.force_login(admin)
    assert client.get("/indicators/indicator/?code=life_expectancy").status_code == 404  # entered, not computed
    assert client.get("/indicators/records/?code=nonsense").status_code == 404


# -- the records behind a figure ------------------------------------------------------------------

def test_the_bureau_admin_lists_the_records_behind_a_district_figure(client, admin, district, snapshot, people):
    client.force_login(admin)
    page = client.get(f"/indicators/records/?code=elders&region={district.code}").text
    for elder in people.values():
        assert elder.name in page and f"/registry/elders/{elder.pk}/" in page
        assert elder.id_number_masked in page
    assert not re.search(r"\d{17}[\dX]", page)  # never a full ID number


def test_a_worker_sees_only_her_communitys_records_behind_a_district_figure(client, worker_a, district, snapshot, people):
    client.force_login(worker_a)
    page = client.get(f"/indicators/records/?code=elders&region={district.code}").text
    assert {people["a70"].name, people["a85"].name, people["a66"].name} <= set(re.findall(r"张a\d+", page))
    assert "李" not in "".join(re.findall(r'<table id="record-table">.*?</table>', page, re.S))
    assert client.get("/indicators/records/?code=elders&region=360103002001").status_code == 403


def test_the_records_of_a_share_list_numerator_and_denominator(client, subdistrict, snapshot, people):
    client.force_login(subdistrict)
    numerator = client.get("/indicators/records/?code=elder_family_doctor_rate&region=360103001000").text
    assert people["a85"].name in numerator and people["a70"].name not in numerator
    denominator = client.get("/indicators/records/?code=elder_family_doctor_rate&region=360103001000&of=denominator").text
    assert all(people[k].name in denominator for k in ("a70", "a85", "a66"))


def test_the_records_are_paginated(client, admin, district, snapshot, people, monkeypatch):
    monkeypatch.setattr(views, "RECORDS_PER_PAGE", 2)
    client.force_login(admin)
    first = client.get(f"/indicators/records/?code=elders&region={district.code}").text
    third = client.get(f"/indicators/records/?code=elders&region={district.code}&page=3").text
    assert 'class="pager"' in first and "page=2" in first
    shown = lambda page: set(re.findall(r"[张李][ab]\d+", page))  # noqa: E731
    assert len(shown(third)) == 1 and not shown(third) & shown(first)


# -- the bureau's targets -------------------------------------------------------------------------

def test_the_bureau_admin_saves_versions_of_her_targets(client, admin, district, snapshot):
    client.force_login(admin)
    page = client.get("/indicators/targets/").text
    assert "elder_family_doctor_rate" in page  # the shipped file, to start from
    changed = T.shipped_text().replace("targets: {xihu-2023: {2023: 76, 2024: 77, 2025: 78}}",
                                       "targets: {xihu-2023: {2023: 76, 2024: 77, 2025: 78, 2026: 66}}")
    assert changed != T.shipped_text()
    r = client.post("/indicators/targets/", {"text": changed, "note": "2026 目标"})
    assert r.status_code == 302
    r = client.post("/indicators/targets/", {"text": changed.replace("2026: 66}", "2026: 67}"), "note": "调整"})
    assert list(TargetSet.objects.filter(region_code=district.code).values_list("version", "note", "created_by")) == [
        (2, "调整", admin.pk), (1, "2026 目标", admin.pk)]
    page = client.get("/indicators/targets/").text
    assert "/indicators/targets/1/" in page and "/indicators/targets/2/" in page and "调整" in page
    version = client.get("/indicators/targets/2/").text
    assert "- " in version and "2026: 67" in version  # what changed since version 1
    # the dashboard measures against the version in force
    dashboard = client.get(f"/indicators/?year={Period(2026).year}").text
    assert "≥ 67%" in _row(dashboard, "elder_family_doctor_rate")


def test_bad_yaml_is_refused_with_the_entry_named(client, admin, district):
    client.force_login(admin)
    bad = "indicators:\n  - code: a\n    op: '>='\n  - code: b\n    targets: {p: {20x5: 3}}\n"
    r = client.post("/indicators/targets/", {"text": bad, "note": "试试"})
    assert r.status_code == 200 and not TargetSet.objects.exists()
    errors = " ".join(re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', r.text, re.S))
    assert "2" in errors
    r = client.post("/indicators/targets/", {"text": "indicators: [ {code: a, op: '≥'} ]", "note": "试试"})
    assert r.status_code == 200 and "errorlist" in r.text and not TargetSet.objects.exists()
    r = client.post("/indicators/targets/", {"text": T.shipped_text(), "note": ""})
    assert r.status_code == 200 and not TargetSet.objects.exists()  # say what changed


@pytest.mark.parametrize("persona", ["subdistrict", "worker_a"])
def test_only_the_bureau_admin_edits_targets_and_enters_figures(client, request, snapshot, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/indicators/targets/").status_code == 403
    assert client.post("/indicators/targets/", {"text": T.shipped_text(), "note": "x"}).status_code == 403
    assert client.get("/indicators/values/").status_code == 403
    assert not TargetSet.objects.exists()


# -- figures entered by hand ----------------------------------------------------------------------

def test_the_bureau_enters_a_figure_with_its_document_and_downloads_it_audited(client, admin, district, snapshot, today):
    client.force_login(admin)
    page = client.get("/indicators/values/").text
    assert 'value="life_expectancy"' in page and 'value="elder_family_doctor_rate"' not in page  # computed
    r = client.post("/indicators/values/", {
        "code": "life_expectancy", "region": district.code, "year": today.year, "value": "78.9",
        "source": "西湖区统计公报", "as_of": today.isoformat(),
        "attachment": SimpleUploadedFile("公报.pdf", b"%PDF-1.4 bulletin", content_type="application/pdf"),
    })
    assert r.status_code == 302
    entry = ManualValue.objects.get()
    assert (entry.code, entry.value, entry.entered_by) == ("life_expectancy", Decimal("78.9"), admin)
    page = client.get("/indicators/values/").text
    assert "西湖区统计公报" in page and f"/indicators/values/{entry.pk}/attachment/" in page
    dashboard = client.get("/indicators/").text
    assert _figure(dashboard, "life_expectancy").startswith("78.9") and 'data-status="met"' in _row(dashboard, "life_expectancy")
    download = client.get(f"/indicators/values/{entry.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 bulletin"
    assert AuditEntry.objects.filter(verb="indicator_value.download", actor=admin, target_id=str(entry.pk)).exists()


def test_a_computed_indicator_cannot_be_entered_by_hand(client, admin, district, today):
    client.force_login(admin)
    r = client.post("/indicators/values/", {
        "code": "elder_family_doctor_rate", "region": district.code, "year": today.year, "value": "99",
        "source": "x", "as_of": today.isoformat()})
    assert r.status_code == 200 and not ManualValue.objects.exists()


@pytest.mark.parametrize("persona, status", [("subdistrict", 404), ("worker_a", 404), ("operator", 403)])
def test_an_entered_figures_document_is_the_bureaus_only(client, request, admin, district, today, persona, status):
    from kangyang.indicators.actions import enter_value

    entry = enter_value(by=admin, code="life_expectancy", region_code=district.code, year=today.year, value=78,
                        source="公报", as_of=today, attachment=SimpleUploadedFile("a.pdf", b"%PDF"))
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/indicators/values/{entry.pk}/attachment/").status_code == status
    assert not AuditEntry.objects.filter(verb="indicator_value.download").exists()


# -- landing and navigation --------------------------------------------------------------------------

def test_the_bureau_admin_lands_on_the_dashboard_and_the_nav_shows_it(client, admin, worker_a, operator):
    client.force_login(admin)
    assert client.get("/")["Location"] == "/indicators/"
    client.force_login(worker_a)
    assert client.get("/")["Location"] == "/registry/elders/"
    assert 'href="/indicators/"' in client.get("/registry/elders/").text
    client.force_login(operator)
    assert 'href="/indicators/"' not in client.get("/registry/elders/").text
