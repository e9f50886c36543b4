"""The institutions' indicators against hand counts on a hand-built set (a closed institution,
a day-care centre and one not yet open must not count), coverage on a hand-built tree."""

import datetime as dt
from decimal import Decimal

import pytest

from kangyang.indicators.registry import Period, Query, site
from kangyang.institutions.models import CentralisedCareWish, Institution, Resident
from kangyang.institutions.tests.standards_helpers import institution
from kangyang.regions.models import Region

K = Institution.Kind
YEAR = Period(2025)  # as of 2025-12-31


@pytest.fixture
def community_c(subdistrict_1):
    return Region.objects.create(code="360103001002", name="筷子巷社区", level="community", parent=subdistrict_1)


@pytest.fixture
def hand_built(community_a, community_b, community_c):
    open_day = dt.date(2020, 1, 1)
    made = {
        "care_home": institution(community_a, name="甲养老院", kind=K.CARE_HOME, beds_total=100, beds_nursing=60,
                                 opened_on=open_day, medical=Institution.Medical.IN_HOUSE),
        "township": institution(community_a, name="乙敬老院", kind=K.TOWNSHIP_HOME, beds_total=50, beds_nursing=20,
                                medical=Institution.Medical.AGREEMENT, medical_agreement_until=dt.date(2026, 6, 30)),
        "embedded": institution(community_b, name="丙嵌入式", kind=K.EMBEDDED_HOME, beds_total=30, beds_nursing=25,
                                construction="new", opened_on=dt.date(2025, 5, 1),
                                medical=Institution.Medical.AGREEMENT, medical_agreement_until=dt.date(2025, 12, 30)),
        "centre": institution(community_b, name="丁街道中心", kind=K.SUBDISTRICT_CENTRE, beds_total=40,
                              beds_nursing=32, opened_on=dt.date(2025, 3, 1)),
        # Not counted as care institutions:
        "closed": institution(community_a, name="戊养老院", kind=K.CARE_HOME, beds_total=200, beds_nursing=0,
                              opened_on=open_day, closed_on=dt.date(2025, 6, 1), medical=Institution.Medical.IN_HOUSE),
        "day_care": institution(community_a, name="己日照", kind=K.DAY_CARE_CENTRE, beds_total=10, beds_nursing=0),
        "later": institution(community_a, name="庚养老院", kind=K.CARE_HOME, beds_total=80, beds_nursing=0,
                             opened_on=dt.date(2026, 1, 2)),
        "meal_a": institution(community_a, name="辛助餐点", kind=K.MEAL_POINT),
        "meal_c_closed": institution(community_c, name="壬助餐点", kind=K.MEAL_POINT, closed_on=dt.date(2024, 1, 1)),
        "old_embedded": institution(community_b, name="癸嵌入式", kind=K.EMBEDDED_HOME, construction="rebuilt",
                                    opened_on=dt.date(2024, 4, 1), beds_total=0),
    }
    return made


def figure(code, region_code="360103000000", period=YEAR):
    return site.get(code).figure(Query(region_code, period))


@pytest.mark.django_db
def test_nursing_bed_ratio_equals_a_hand_count(hand_built, subdistrict_1, subdistrict_2):
    # open residential institutions on 2025-12-31: 甲 100/60, 乙 50/20, 丙 30/25, 丁 40/32;
    # 戊 closed, 己 a day-care centre, 庚 opened in 2026, 癸 has no beds.
    f = figure("nursing_bed_ratio")
    assert (f.numerator, f.denominator) == (Decimal(137), Decimal(220))
    assert f.value == Decimal(137) * 100 / Decimal(220)
    by = site.get("nursing_bed_ratio").figures(Query("360103000000", YEAR), by="subdistrict")
    assert (by[subdistrict_1.code].numerator, by[subdistrict_1.code].denominator) == (80, 150)
    assert (by[subdistrict_2.code].numerator, by[subdistrict_2.code].denominator) == (57, 70)
    # In January 2026 the closed one still does not count and 庚 does (opened 2 January).
    later = figure("nursing_bed_ratio", period=Period(2026, 1))
    assert (later.numerator, later.denominator) == (Decimal(137), Decimal(300))


@pytest.mark.django_db
def test_medical_care_integration_two_definitions(hand_built):
    coverage = figure("medical_care_integration_rate")
    capable = figure("medical_care_capable_institution_share")
    # residential and open: 甲 (in-house), 乙 (agreement to 2026-06-30), 丙 (agreement ended 2025-12-30), 丁 (none);
    # 癸 (an embedded home without beds, open) counts too.
    assert (coverage.numerator, coverage.denominator) == (2, 5)
    assert (capable.numerator, capable.denominator) == (1, 5)


@pytest.mark.django_db
def test_coverage_on_a_hand_built_tree(hand_built, subdistrict_1, subdistrict_2):
    # communities: A (day-care centre, meal point), B (embedded homes), C (only a closed meal point)
    community = figure("community_facility_coverage")
    assert (community.numerator, community.denominator) == (2, 3)
    meal = figure("meal_point_coverage")
    assert (meal.numerator, meal.denominator) == (1, 3)
    sub = figure("subdistrict_facility_coverage")
    assert (sub.numerator, sub.denominator) == (1, 2)  # only subdistrict 2 has a centre
    by = site.get("community_facility_coverage").figures(Query("360103000000", YEAR), by="subdistrict")
    assert (by[subdistrict_1.code].numerator, by[subdistrict_1.code].denominator) == (1, 2)
    # Before the centre opened (2025-03-01) no subdistrict had one.
    assert figure("subdistrict_facility_coverage", period=Period(2025, 2)).numerator == 0


@pytest.mark.django_db
def test_new_centres_and_embedded_homes_by_opening_date(hand_built):
    assert figure("new_subdistrict_centres").value == 1
    assert figure("embedded_homes_built").value == 1  # 丙 new in 2025; 癸 rebuilt, opened 2024
    assert figure("embedded_homes_built", period=Period(2024)).value == 1
    assert figure("new_subdistrict_centres", period=Period(2025, 4)).value == 0


@pytest.mark.django_db
def test_centralised_care_of_extremely_poor_elders(hand_built, elder_in_a, elder_in_b):
    from kangyang.registry.models import Elder

    Elder.objects.filter(pk__in=[elder_in_a.pk, elder_in_b.pk]).update(categories_text=",extreme_poverty,")
    Resident.objects.create(institution=hand_built["township"], elder=elder_in_a, region_code="360103001001",
                            admitted_on=dt.date(2025, 2, 1), centralised_care=True)
    CentralisedCareWish.objects.create(elder=elder_in_b, willing=True)
    f = figure("extreme_poverty_centralised_care_rate")
    assert (f.numerator, f.denominator) == (1, 2)
    CentralisedCareWish.objects.filter(elder=elder_in_b).update(willing=False)
    f = figure("extreme_poverty_centralised_care_rate")
    assert (f.numerator, f.denominator) == (1, 1)
    # Before the admission she was neither in care nor wishing it.
    assert figure("extreme_poverty_centralised_care_rate", period=Period(2025, 1)).denominator == 0


def test_declared_with_the_plans_codes():
    from kangyang.indicators.targets import shipped

    codes = {i.code for i in site.all() if i.app_label == "institutions"}
    assert codes == {
        "nursing_bed_ratio", "medical_care_integration_rate", "medical_care_capable_institution_share",
        "community_facility_coverage", "subdistrict_facility_coverage", "meal_point_coverage",
        "extreme_poverty_centralised_care_rate", "new_subdistrict_centres", "embedded_homes_built"}
    assert codes <= set(shipped())
    for i in site.all():
        if i.app_label == "institutions":
            assert str(i.numerator_text) and str(i.as_of_text) and (not i.is_share or str(i.denominator_text))


@pytest.mark.django_db
@pytest.mark.parametrize("code,of,expected", [
    ("medical_care_integration_rate", "numerator", {"甲养老院", "乙敬老院"}),
    ("community_facility_coverage", "numerator", {"桃花社区", "朝阳社区"}),
    ("community_facility_coverage", "denominator", {"桃花社区", "朝阳社区", "筷子巷社区"}),
])
def test_dashboard_lists_the_records_behind(client, admin, hand_built, code, of, expected):
    client.force_login(admin)
    response = client.get("/indicators/records/", {"code": code, "of": of, "year": 2025})
    assert response.status_code == 200
    body = response.content.decode()
    names = {"甲养老院", "乙敬老院", "丙嵌入式", "丁街道中心", "戊养老院", "桃花社区", "朝阳社区", "筷子巷社区"}
    assert {n for n in names if n in body} >= expected
    assert not ({n for n in names if n in body} - expected - {"桃花社区", "朝阳社区"})  # region names of the rows
