"""The visit policy: tiers derived from the registry categories, age, living arrangement and
the latest assessment; the override with its reason; refreshing in bulk; event visits."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from kangyang.audit.models import AuditEntry
from kangyang.visits.actions import (
    ensure_default_tiers, override_tier, refresh_profiles, visit_due_after_event, visits_due_after_alarms,
)
from kangyang.visits.actions.tiers import Facts, check_policy, derive_tier
from kangyang.visits.models import Tier, VisitDue, VisitProfile
from kangyang.visits.tests.plan_helpers import at, gone, make_elder

TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def tiers(db):
    return {t.code: t for t in ensure_default_tiers()}


def facts(categories=(), age=70, living="spouse", level=None) -> Facts:
    return Facts(categories=frozenset(categories), age=age, living=living, level=level)


@pytest.mark.parametrize("case, expected", [
    (facts(["alone", "empty_nest"], age=85, living="alone"), "high_risk"),
    (facts(["empty_nest"], age=80), "high_risk"),
    (facts(["empty_nest"], age=79), "general"),
    (facts(["severely_disabled"]), "high_risk"),
    (facts(["disabled"], level=3), "high_risk"),
    (facts(["disabled"], level=1), "key"),
    (facts(["cognitively_impaired"]), "key"),
    (facts(["extreme_poverty"]), "key"),
    (facts(["bereaved"]), "key"),
    (facts(["low_income"]), "general"),
    (facts(["entitled"]), "general"),
    (facts([]), None),
    (facts([], level=4), None),  # not vulnerable: no tier, whatever the level
    (facts(["extreme_poverty"], living="institution"), None),  # 特困 in an institution
])
def test_the_default_policy_derives_the_tier(tiers, case, expected):
    tier = derive_tier(sorted(tiers.values(), key=lambda t: t.rank), case)
    assert (tier.code if tier else None) == expected


def test_a_tier_criterion_needs_every_key_of_an_alternative(tiers):
    tiers["key"].criteria = [{"categories_any": ["low_income"], "age_min": 75, "living_any": ["alone", ""]}]
    tiers["key"].save()
    ordered = sorted(tiers.values(), key=lambda t: t.rank)
    assert derive_tier(ordered, facts(["low_income"], age=76, living="alone")).code == "key"
    assert derive_tier(ordered, facts(["low_income"], age=76, living="")).code == "key"
    assert derive_tier(ordered, facts(["low_income"], age=74, living="alone")).code == "general"
    assert derive_tier(ordered, facts(["low_income"], age=76, living="children")).code == "general"


def test_refresh_makes_one_profile_per_vulnerable_elder(tiers, community_a):
    a = make_elder(community_a, categories=["disabled"])
    b = make_elder(community_a, birth=dt.date(1938, 1, 1), living="alone", categories=())
    c = make_elder(community_a, categories=(), living="children")
    result = refresh_profiles(today=TODAY)
    assert result.created == 2
    assert VisitProfile.objects.get(elder=a).tier.code == "key"
    assert VisitProfile.objects.get(elder=b).tier.code == "high_risk"
    assert not VisitProfile.objects.filter(elder=c).exists()
    again = refresh_profiles(today=TODAY)
    assert (again.created, again.changed, again.unchanged) == (0, 0, 2)


def test_without_any_tier_refresh_gives_no_elder_a_tier_and_clears_what_was_derived(tiers, community_a):
    a = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)
    VisitProfile.objects.filter(elder=a).update(derived_tier=None, tier=None)
    Tier.objects.all().delete()  # a bureau that has not set its policy up yet
    result = refresh_profiles(today=TODAY)  # PostgreSQL: the NULL tier is typed, not text
    assert result.created == 0
    assert VisitProfile.objects.get(elder=a).tier is None
    assert refresh_profiles(elder_ids=[a.pk], today=TODAY).created == 0


def test_refresh_follows_the_registry_and_keeps_the_override(tiers, community_a, worker_a):
    a = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)
    override_tier(a, tier=tiers["high_risk"], reason="刚出院", by=worker_a)
    a.categories = ["low_income"]
    a.save()
    refresh_profiles(today=TODAY)
    profile = VisitProfile.objects.get(elder=a)
    assert profile.derived_tier.code == "general" and profile.tier.code == "high_risk"
    a.categories = []
    a.save()
    refresh_profiles(today=TODAY)
    profile.refresh_from_db()
    assert profile.derived_tier is None and profile.tier.code == "high_risk"


def test_an_elder_who_stops_being_vulnerable_loses_her_tier(tiers, community_a):
    a = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)
    a.categories = []
    a.living_arrangement = "children"
    a.save()
    assert refresh_profiles(today=TODAY).changed == 1
    assert VisitProfile.objects.get(elder=a).tier is None


def test_an_elder_who_died_keeps_her_profile(tiers, community_a):
    a = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)
    gone(a, "deceased", dt.date(2026, 11, 20))
    refresh_profiles(today=TODAY)
    assert VisitProfile.objects.get(elder=a).tier.code == "key"


def test_refresh_follows_a_move_to_another_community(tiers, community_a, community_b):
    a = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)
    type(a).objects.filter(pk=a.pk).update(community=community_b, region_code=community_b.code)
    refresh_profiles(today=TODAY)
    assert VisitProfile.objects.get(elder=a).region_code == community_b.code


def test_the_latest_assessment_level_counts(tiers, community_a, monkeypatch):
    """A level of 3 or 4 (severe or complete loss) puts a disabled elder in the high-risk tier."""
    from django.db.models import Value

    from kangyang.assessment import queries as assessment_queries

    a = make_elder(community_a, categories=["disabled"])
    monkeypatch.setattr(assessment_queries, "current_level_subquery", lambda on, **kw: Value(3))
    refresh_profiles(today=TODAY)
    assert VisitProfile.objects.get(elder=a).tier.code == "high_risk"


def test_an_override_needs_a_reason_and_is_audited(tiers, community_a, worker_a):
    a = make_elder(community_a, categories=["low_income"])
    refresh_profiles(today=TODAY)
    with pytest.raises(ValidationError):
        override_tier(a, tier=tiers["key"], reason="  ", by=worker_a)
    profile = override_tier(a, tier=tiers["key"], reason="子女长期在外", by=worker_a)
    assert profile.tier.code == "key" and profile.overridden_by == worker_a
    entry = AuditEntry.objects.get(verb="visit_profile.override")
    assert entry.changes == {"tier": ["general", "key"]} and entry.note == "子女长期在外"
    profile = override_tier(a, tier=None, reason="情况好转", by=worker_a)
    assert profile.tier.code == "general" and profile.override_tier is None
    assert AuditEntry.objects.filter(verb="visit_profile.clear_override").exists()


def test_an_override_for_an_elder_without_a_profile_makes_one(tiers, community_a, worker_a):
    a = make_elder(community_a, categories=(), living="children")
    profile = override_tier(a, tier=tiers["general"], reason="邻居反映独自生活困难", by=worker_a)
    assert profile.pk and profile.tier.code == "general" and profile.derived_tier is None


def test_a_major_event_makes_a_visit_due_within_the_tiers_hours(tiers, community_a, worker_a):
    a = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)
    due = visit_due_after_event(a, reason="hospital", at=at(2026, 12, 3, 15))
    assert due.due_by == at(2026, 12, 4, 15) and due.reason == "hospital" and due.month == dt.date(2026, 12, 1)
    assert due.visitor == worker_a
    # The same event twice, or a later one while the first is open and due sooner: one visit.
    assert visit_due_after_event(a, reason="hospital", at=at(2026, 12, 3, 15)) == due
    assert visit_due_after_event(a, reason="hospital", at=at(2026, 12, 3, 16)) == due
    with pytest.raises(ValidationError):
        visit_due_after_event(a, reason="plan", at=at(2026, 12, 3, 15))


def test_resolved_real_alarms_make_visits_due(tiers, community_a, worker_a, operator):
    from kangyang.alarms.models import Alarm

    a = make_elder(community_a, categories=["alone"], living="alone", birth=dt.date(1940, 1, 1))
    b = make_elder(community_a, categories=["disabled"])
    refresh_profiles(today=TODAY)

    def alarm(elder, outcome, resolved):
        return Alarm.objects.create(elder=elder, region_code=elder.region_code, source="hotline", type="sos",
                                    priority=1, status="resolved", outcome=outcome, raised_at=resolved,
                                    received_at=resolved, resolved_at=resolved)

    alarm(a, "real_emergency", at(2026, 12, 4, 20))
    alarm(b, "false_alarm", at(2026, 12, 4, 21))
    now = at(2026, 12, 5, 9)
    assert visits_due_after_alarms(now=now) == 1
    assert visits_due_after_alarms(now=now) == 0
    due = VisitDue.objects.get(reason="alarm")
    assert due.elder == a and due.due_by == at(2026, 12, 5, 20)


def test_the_admin_refuses_a_policy_the_rules_cannot_read():
    check_policy(criteria=[{"categories_any": ["alone"], "age_min": 80}], counted_modes=["home"])
    for criteria, modes in [
        ({"categories_any": []}, ["home"]), ([{"colour": "red"}], ["home"]), ([{"categories_any": ["rich"]}], ["home"]),
        ([{"levels_any": [9]}], ["home"]), ([{"age_min": "old"}], ["home"]), ([{"age_min": 80}], []),
        ([{"age_min": 80}], ["telepathy"]), ([{}], ["home"]),
    ]:
        with pytest.raises(ValidationError):
            check_policy(criteria=criteria, counted_modes=modes)


def test_default_tiers_are_made_once(db):
    ensure_default_tiers()
    Tier.objects.filter(code="general").update(interval_days=60)
    ensure_default_tiers()
    assert Tier.objects.count() == 3 and Tier.objects.get(code="general").interval_days == 60


def test_the_database_derives_the_same_tier_as_the_rule(tiers, community_a):
    """refresh_profiles derives tiers in SQL (tier_expression); derive_tier is the same rule in
    Python (the profile page's "why"): both agree over a spread of elders."""
    from kangyang.visits.actions.tiers import facts_of

    elders = []
    for i, categories in enumerate([(), ("alone",), ("empty_nest",), ("disabled",), ("severely_disabled",),
                                    ("bereaved", "low_income"), ("extreme_poverty",), ("entitled",),
                                    ("cognitively_impaired",), ("left_behind",)]):
        for birth in (dt.date(1930, 6, 1), dt.date(1946, 12, 5), dt.date(1946, 12, 6), dt.date(1960, 1, 1)):
            for living in ("alone", "spouse", "children", "institution", ""):
                if (i + birth.day + len(living)) % 3:
                    continue
                elders.append(make_elder(community_a, categories=categories, birth=birth, living=living))
    refresh_profiles(today=TODAY)
    ordered = sorted(tiers.values(), key=lambda t: t.rank)
    tier_of = dict(VisitProfile.objects.values_list("elder_id", "tier__code"))
    for elder in elders:
        expected = derive_tier(ordered, facts_of(elder, on=TODAY))
        assert tier_of.get(elder.pk) == (expected.code if expected else None), (elder.categories, elder.birth_date,
                                                                                 elder.living_arrangement)
