"""The standards check: every rule at its boundary, missing data, a bureau's edited copy, the
shortfall page and its scope."""

from decimal import Decimal

import pytest

from kangyang.institutions import standards as S
from kangyang.institutions.models import Institution
from kangyang.institutions.tests.standards_helpers import institution

K = Institution.Kind


def checks_of(**fields):
    fields.setdefault("construction", "existing")
    return {c.code: c for c in S.check(Institution(region_code="360103001001", **fields), S.shipped())}


@pytest.mark.parametrize("beds,passed", [(39, False), (40, True)])
def test_subdistrict_centre_beds(beds, passed):
    c = checks_of(kind=K.SUBDISTRICT_CENTRE, beds_total=beds, beds_nursing=beds)[S.SUBDISTRICT_BEDS]
    assert (c.required, c.actual, c.passed) == (Decimal(40), Decimal(beds), passed)


@pytest.mark.parametrize("nursing,passed", [(7999, False), (8000, True)])
def test_subdistrict_centre_nursing_share(nursing, passed):
    c = checks_of(kind=K.SUBDISTRICT_CENTRE, beds_total=10000, beds_nursing=nursing)[S.SUBDISTRICT_NURSING]
    assert c.actual == Decimal(nursing) / 100 and c.required == 80 and c.passed is passed


@pytest.mark.parametrize("area,passed", [("749.9", False), ("750", True)])
def test_embedded_home_area(area, passed):
    c = checks_of(kind=K.EMBEDDED_HOME, floor_area_m2=Decimal(area), beds_total=30)[S.EMBEDDED_AREA]
    assert c.passed is passed and c.actual == Decimal(area)


@pytest.mark.parametrize("beds,passed", [(24, False), (25, True)])
def test_embedded_home_beds(beds, passed):
    assert checks_of(kind=K.EMBEDDED_HOME, floor_area_m2=Decimal(800), beds_total=beds)[S.EMBEDDED_BEDS].passed is passed


@pytest.mark.parametrize("complete,area,passed", [
    (False, 199, False), (False, 200, True), (True, 200, False), (True, 349, False), (True, 350, True)])
def test_day_care_centre_area(complete, area, passed):
    c = checks_of(kind=K.DAY_CARE_CENTRE, complete_community=complete, floor_area_m2=Decimal(area))[S.DAY_CARE_AREA]
    assert c.passed is passed and c.required == (350 if complete else 200)


@pytest.mark.parametrize("construction,nursing,passed", [
    ("new", 59, False), ("new", 60, True), ("rebuilt", 49, False), ("rebuilt", 50, True)])
def test_township_home_share(construction, nursing, passed):
    c = checks_of(kind=K.TOWNSHIP_HOME, construction=construction, beds_total=100, beds_nursing=nursing)
    assert c[S.TOWNSHIP_NURSING].passed is passed
    assert S.NEW_NURSING not in c  # a township home is held to its own share only


def test_existing_township_home_and_care_home_have_no_rule():
    assert checks_of(kind=K.TOWNSHIP_HOME, beds_total=100, beds_nursing=0) == {}
    assert checks_of(kind=K.CARE_HOME, beds_total=100, beds_nursing=0) == {}
    assert checks_of(kind=K.MEAL_POINT) == {}


@pytest.mark.parametrize("kind", [K.CARE_HOME, K.EMBEDDED_HOME])
@pytest.mark.parametrize("nursing,passed", [(7999, False), (8000, True)])
def test_new_institution_nursing_share(kind, nursing, passed):
    c = checks_of(kind=kind, construction="new", beds_total=10000, beds_nursing=nursing, floor_area_m2=Decimal(900))
    assert c[S.NEW_NURSING].passed is passed and c[S.NEW_NURSING].required == 80


def test_new_subdistrict_centre_shows_its_share_once():
    c = checks_of(kind=K.SUBDISTRICT_CENTRE, construction="new", beds_total=50, beds_nursing=10)
    assert set(c) == {S.SUBDISTRICT_BEDS, S.SUBDISTRICT_NURSING}


def test_missing_data_is_not_recorded_not_passed():
    c = checks_of(kind=K.EMBEDDED_HOME, floor_area_m2=None, beds_total=30)
    assert c[S.EMBEDDED_AREA].passed is None and c[S.EMBEDDED_AREA].actual is None
    assert c[S.EMBEDDED_AREA].state == "missing"
    share = checks_of(kind=K.TOWNSHIP_HOME, construction="new", beds_total=0, beds_nursing=0)[S.TOWNSHIP_NURSING]
    assert share.passed is None


def test_parse_falls_back_to_shipped_numbers():
    edited = S.parse("facility_standards:\n  subdistrict_centre: {min_beds: 50}\n  day_care_centre: {min_floor_area_m2: x}\n")
    assert edited.subdistrict_min_beds == 50
    assert edited.subdistrict_min_nursing_share == 80  # missing: shipped
    assert edited.day_care_min_area == 200  # not a number: shipped
    assert S.parse("not: [valid") == S.shipped()


@pytest.mark.django_db
def test_bureau_edited_copy_applies_to_its_region(admin, community_a):
    from kangyang.indicators.actions import save_target_set
    from kangyang.indicators.targets import shipped_text

    centre = institution(community_a, name="南浦街道综合养老服务中心", kind=K.SUBDISTRICT_CENTRE, beds_total=45,
                         beds_nursing=45)
    assert {c.code: c.passed for c in S.check(centre)}[S.SUBDISTRICT_BEDS] is True
    text = shipped_text().replace("    min_beds: 40", "    min_beds: 50")
    save_target_set(by=admin, region_code="360103000000", text=text, note="50 beds")
    checked = {c.code: c for c in S.check(centre)}[S.SUBDISTRICT_BEDS]
    assert (checked.required, checked.passed) == (50, False)
    assert S.Book().for_region(centre.region_code).subdistrict_min_beds == 50


@pytest.fixture
def shortfall_set(community_a, community_b):
    return {
        "short_a": institution(community_a, name="甲中心", kind=K.SUBDISTRICT_CENTRE, beds_total=39, beds_nursing=39),
        "ok_a": institution(community_a, name="乙中心", kind=K.SUBDISTRICT_CENTRE, beds_total=40, beds_nursing=32),
        "missing_a": institution(community_a, name="丙日照", kind=K.DAY_CARE_CENTRE),
        "short_b": institution(community_b, name="丁嵌入式", kind=K.EMBEDDED_HOME, floor_area_m2=Decimal("749.9"),
                               beds_total=25),
        "closed_b": institution(community_b, name="戊嵌入式", kind=K.EMBEDDED_HOME, floor_area_m2=Decimal(10),
                                beds_total=1, closed_on="2020-01-01"),
    }


def _listed(response):
    body = response.content.decode()
    return {name for name in ("甲中心", "乙中心", "丙日照", "丁嵌入式", "戊嵌入式") if name in body}


@pytest.mark.django_db
def test_shortfall_page_lists_failing_rules_with_numbers(client, admin, shortfall_set):
    client.force_login(admin)
    response = client.get("/institutions/standards/")
    assert response.status_code == 200
    assert _listed(response) == {"甲中心", "丙日照", "丁嵌入式"}
    body = response.content.decode()
    assert f'data-institution="{shortfall_set["short_a"].pk}" data-rule="{S.SUBDISTRICT_BEDS}" data-state="short"' in body
    assert f'data-institution="{shortfall_set["missing_a"].pk}" data-rule="{S.DAY_CARE_AREA}" data-state="missing"' in body
    assert "749.9 m²" in body and "750 m²" in body
    assert _listed(client.get("/institutions/standards/?missing=0")) == {"甲中心", "丁嵌入式"}
    assert _listed(client.get("/institutions/standards/?kind=embedded_home")) == {"丁嵌入式"}
    assert _listed(client.get("/institutions/standards/?subdistrict=360103001000")) == {"甲中心", "丙日照"}


@pytest.mark.django_db
def test_shortfall_page_scope(client, worker_b, provider, shortfall_set):
    client.force_login(worker_b)
    page = client.get("/institutions/standards/")
    assert _listed(page) == {"丁嵌入式"}
    assert "/institutions/subsidies/" not in page.content.decode()  # no subsidies tab for a community worker
    client.force_login(provider)
    assert client.get("/institutions/standards/").status_code == 403


@pytest.mark.django_db
def test_include_renders_checks(community_a):
    from django.template.loader import render_to_string

    home = institution(community_a, name="嵌入式", kind=K.EMBEDDED_HOME, beds_total=24)
    html = render_to_string("institutions/_standards.html", {"checks": S.check(home)})
    assert f'data-rule="{S.EMBEDDED_AREA}" data-state="missing"' in html
    assert f'data-rule="{S.EMBEDDED_BEDS}" data-state="short"' in html
