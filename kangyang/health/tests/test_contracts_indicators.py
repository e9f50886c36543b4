"""The contract rates on a hand-built population equal the hand count: a contract that ended the
day before the as-of date, one ended early and a 64-year-old do not count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kangyang.health.actions import contracts as actions
from kangyang.health.models import Condition, Disability, ResidentCount
from kangyang.health.tests.contract_helpers import contract_for, package, team
from kangyang.indicators.registry import Period, Query, site
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.visits.actions.tiers import ensure_default_tiers
from kangyang.visits.models import Tier, VisitProfile

pytestmark = pytest.mark.django_db
AS_OF = timezone.localdate()  # the running month's figures are as of today
YEAR = Period(AS_OF.year, AS_OF.month)
D = dt.timedelta


def _born(age: int, days: int = 10) -> dt.date:
    day = AS_OF.replace(day=28) if AS_OF.month == 2 and AS_OF.day == 29 else AS_OF
    return day.replace(year=day.year - age) - D(days=days)


@pytest.fixture
def people(worker_a, worker_b, community_a, community_b):
    """Community A: 70 contracted; 80 contracted, high-risk tier; 66 whose contract ended the day
    before the as-of date; 75 ended early on it; 64 (turns 65 the day after) contracted,
    hypertension; 62 disabled, no contract. Community B: 90 contracted, key tier; 68 no contract,
    key tier."""
    ensure_default_tiers()
    tiers = {t.code: t for t in Tier.objects.all()}
    ta, tb = team(community_a.code), team(community_b.code)
    made = {}
    specs = [("a70", worker_a, community_a, _born(70)), ("a80", worker_a, community_a, _born(80)),
             ("a66", worker_a, community_a, _born(66)), ("a75", worker_a, community_a, _born(75)),
             ("a64", worker_a, community_a, _born(65, days=-1)), ("a62", worker_a, community_a, _born(62)),
             ("b90", worker_b, community_b, _born(90)), ("b68", worker_b, community_b, _born(68))]
    for n, (key, by, community, birth) in enumerate(specs, start=1):
        made[key] = create_elder(by=by, name=f"张{key}", id_number=residentid.make(community.code[:6], birth, n),
                                 community=community)
    for key, t in (("a70", ta), ("a80", ta), ("a64", ta), ("b90", tb)):
        contract_for(made[key], with_team=t, on=AS_OF - D(days=100))
    # Ends the day before the as-of date.
    actions.sign_contract(elder=made["a66"], team=ta, package=package(), signed_on=AS_OF - D(days=200),
                          ends_on=AS_OF - D(days=1))
    # Ended early on the as-of date itself: no longer in force that day.
    ended = contract_for(made["a75"], with_team=ta, on=AS_OF - D(days=100))
    actions.end_contract(ended, reason="搬家", on=AS_OF)
    Condition.objects.create(elder=made["a64"], code="I10", name="高血压", programme="hypertension")
    Condition.objects.create(elder=made["a62"], code="M17", name="膝关节病")  # not on a programme
    Disability.objects.create(elder=made["a62"], kind="physical", grade=2)
    for key, tier in (("a80", "high_risk"), ("b90", "key"), ("b68", "key"), ("a70", "general")):
        VisitProfile.objects.update_or_create(elder=made[key], defaults={
            "region_code": made[key].region_code, "tier": tiers[tier]})
    return made


def figure(code, region="360103000000"):
    return site.get(code).figure(Query(region, YEAR))


def test_the_65_plus_rate(people, community_a, community_b):
    # 65+ on the as-of date: a70 a80 a66 a75 (A), b90 b68 (B) = 6; contracted that day: a70 a80 b90 = 3.
    f = figure("elder_family_doctor_rate")
    assert (f.numerator, f.denominator) == (3, 6) and f.value == Decimal(50)
    assert (figure("elder_family_doctor_rate", community_a.code).numerator,
            figure("elder_family_doctor_rate", community_a.code).denominator) == (2, 4)
    assert figure("elder_family_doctor_rate", community_b.code).value == Decimal(50)


def test_the_key_groups_rate(people):
    # Key groups: the six 65+, a64 (hypertension), a62 (disability) = 8; contracted: a70 a80 b90 a64 = 4.
    f = figure("family_doctor_rate_key_groups")
    assert (f.numerator, f.denominator) == (4, 8)


def test_the_priority_elders_rate(people):
    # Tier rank ≤ 2: a80 (high risk), b90, b68 (key) = 3; contracted: a80, b90 = 2. a70 is "general".
    f = figure("family_doctor_rate_priority_elders")
    assert (f.numerator, f.denominator) == (2, 3)


def test_the_all_residents_rate_takes_the_latest_count_per_community(people, community_a, community_b):
    ResidentCount.objects.create(region=community_a, as_of=AS_OF - D(days=400), residents=1000, contracted=100)
    ResidentCount.objects.create(region=community_a, as_of=AS_OF, residents=1000, contracted=500)
    ResidentCount.objects.create(region=community_a, as_of=AS_OF + D(days=1), residents=1000, contracted=900)
    ResidentCount.objects.create(region=community_b, as_of=AS_OF - D(days=30), residents=3000, contracted=1200)
    f = figure("family_doctor_rate_all")
    assert (f.numerator, f.denominator) == (1700, 4000)
    assert f.value == Decimal(1700) * 100 / Decimal(4000)
    assert figure("family_doctor_rate_all", community_a.code).value == Decimal(50)
    by = site.get("family_doctor_rate_all").figures(Query("360103000000", YEAR), by="subdistrict")
    assert {k: v.numerator for k, v in by.items()} == {community_a.code[:9] + "000": 500,
                                                       community_b.code[:9] + "000": 1200}


def test_the_registry_no_longer_declares_the_65_plus_rate():
    from kangyang.health import indicators as health
    from kangyang.registry import indicators as registry

    assert "elder_family_doctor_rate" not in {i.code for i in registry.INDICATORS}
    assert "elder_family_doctor_rate" in {i.code for i in health.INDICATORS}
