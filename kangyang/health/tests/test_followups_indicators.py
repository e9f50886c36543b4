"""The follow-up indicators on a hand-built population equal the hand count (3 vs 4 follow-ups,
last year's not counted, the deceased not counted, the latest follow-up of the year decides
"controlled"); and the demo's year of follow-ups."""

import datetime as dt
import itertools
import random
from decimal import Decimal


from kangyang.health import demo_followups, rules
from kangyang.health.indicators import INDICATORS
from kangyang.health.models import Condition, Contract, FollowUp, MedicalInstitution, ServicePackage, Team
from kangyang.indicators.registry import Period, Query
from kangyang.registry.models import Elder

_ids = itertools.count(1)
BY_CODE = {i.code: i for i in INDICATORS}


def make_elder(community, *, born=dt.date(1950, 5, 1), **fields):
    i = next(_ids)
    return Elder.objects.create(
        name=f"病人{i}", name_initials="br", sex="F", birth_date=born, id_number_encrypted="x",
        id_number_hash=f"fu-hash-{i}", id_last4_hash="x", community=community, registered_community=community,
        region_code=community.code, **fields)


def patient(community, programme, **fields):
    elder = make_elder(community, **fields)
    Condition.objects.create(elder=elder, code="I10" if programme == "hypertension" else "E11", programme=programme)
    return elder


def follow_ups(elder, programme, classes_and_days):
    for cls, day in classes_and_days:  # one by one: the pk order is the order given
        FollowUp.objects.create(elder=elder, programme=programme, followed_on=day, classification=cls)


def figure(code, region_code, year):
    f = BY_CODE[code].figure(Query(region_code=region_code, period=Period(year)))
    return f.numerator, f.denominator


def test_rates_equal_the_hand_count(community_a, community_b, today):
    this_year = [today - dt.timedelta(days=min(n, today.timetuple().tm_yday - 1)) for n in (30, 20, 10, 0)]
    last_year = dt.date(today.year - 1, 11, 30)
    c, u = "controlled", "uncontrolled"
    a = patient(community_a, "hypertension")  # 4 this year, last controlled: managed, controlled
    follow_ups(a, "hypertension", [(u, this_year[0]), (u, this_year[1]), (c, this_year[2]), (c, this_year[3])])
    b = patient(community_a, "hypertension")  # 3 this year (+2 last year): not managed; last uncontrolled
    follow_ups(b, "hypertension", [(c, last_year), (c, last_year), (c, this_year[0]), (c, this_year[1]),
                                   (u, this_year[2])])
    c_ = patient(community_a, "hypertension")  # 5 last year, none this year: not managed, not followed up
    follow_ups(c_, "hypertension", [(c, last_year)] * 5)
    d = patient(community_a, "hypertension", status=Elder.Status.DECEASED, status_date=today)  # not counted
    follow_ups(d, "hypertension", [(c, day) for day in this_year])
    e = make_elder(community_a)  # no condition: not a patient, whatever her follow-ups
    follow_ups(e, "hypertension", [(c, day) for day in this_year])
    f = patient(community_a, "hypertension")  # 5 on one day, the last recorded uncontrolled
    follow_ups(f, "hypertension", [(c, today)] * 4 + [(u, today)])
    g = patient(community_b, "diabetes")  # the other programme, the other community
    follow_ups(g, "diabetes", [(c, day) for day in this_year])
    follow_ups(g, "hypertension", [(c, day) for day in this_year])  # not her programme: not counted
    assert figure("hypertension_managed_rate", community_a.code, today.year) == (2, 4)  # a, f of a, b, c, f
    assert figure("hypertension_controlled_rate", community_a.code, today.year) == (1, 3)  # a of a, b, f
    assert figure("hypertension_managed_rate", community_b.code, today.year) == (0, 0)
    assert figure("diabetes_managed_rate", community_b.code, today.year) == (1, 1)
    assert figure("diabetes_controlled_rate", community_b.code, today.year) == (1, 1)
    district = community_a.parent.parent.code
    value = BY_CODE["hypertension_managed_rate"].figure(Query(region_code=district, period=Period(today.year))).value
    assert value == Decimal(50)
    # A call is not one of the four face-to-face follow-ups (面对面随访).
    FollowUp.objects.create(elder=b, programme="hypertension", followed_on=today, classification=c,
                            mode=FollowUp.Mode.PHONE)
    assert figure("hypertension_managed_rate", community_a.code, today.year) == (2, 4)
    # 3 → 4: b's fourth face-to-face follow-up this year makes her managed
    follow_ups(b, "hypertension", [(c, today)])
    assert figure("hypertension_managed_rate", community_a.code, today.year) == (3, 4)
    assert figure("hypertension_controlled_rate", community_a.code, today.year) == (2, 3)


def test_demo_gives_a_year_of_follow_ups(district, community_a, today):
    centre = MedicalInstitution.objects.create(name="演示中心", kind="health_centre", region_code=community_a.code)
    team = Team.objects.create(name="演示团队", institution=centre, area_code=community_a.code)
    package = ServicePackage.objects.create(code="basic", name="基础包", kind="basic")
    patients = []
    for n in range(40):
        elder = patient(community_a, "hypertension" if n % 3 else "diabetes", born=dt.date(1940 + n % 30, 3, 1))
        if n % 2:
            Contract.objects.create(elder=elder, team=team, package=package, signed_on=today,
                                    starts_on=today - dt.timedelta(days=10), ends_on=today + dt.timedelta(days=300))
        patients.append(elder)
    rules.forget_cached_rules()
    text = demo_followups.seed(district=district, rng=random.Random(7), elders=40)
    assert text
    made = list(FollowUp.objects.select_related("rule_set", "elder"))
    assert {f.elder_id for f in made} == {p.pk for p in patients}
    counts = {p.pk: sum(f.elder_id == p.pk for f in made) for p in patients}
    assert 0.6 <= sum(n >= 4 for n in counts.values()) / len(counts) < 1
    classes = [f.classification for f in made]
    assert classes.count("controlled") > classes.count("uncontrolled") > classes.count("urgent")
    active = rules.active_rule_set()
    for f in made:  # each class is the rule set's for the stored values and the age on the day
        assert f.rule_set == active and f.followed_on <= today
        reading = ({"kind": "blood_pressure", "systolic": f.systolic, "diastolic": f.diastolic,
                    "age": f.elder.age(f.followed_on)} if f.programme == "hypertension"
                   else {"kind": "fasting_glucose", "mmol_l": float(f.fasting_glucose)})
        assert rules.classify(reading, rules=active.rules).rule == f.rule
    with_contract = {p.pk for i, p in enumerate(patients) if i % 2}
    assert all((f.team_id == team.pk) == (f.elder_id in with_contract) for f in made)
