"""The monthly visit rate on a hand-built month (October 2026) with the edge cases of the issue,
against the rule written in queries/rate.py: who is due, what counts as visited, where."""

import datetime as dt
from decimal import Decimal

import pytest

from kangyang.indicators.registry import Period, Query, site
from kangyang.visits.actions import ensure_default_tiers, refresh_profiles
from kangyang.visits.queries.rate import rate_by_region
from kangyang.visits.queries.rate import due_elders, unvisited_for, visited_of
from kangyang.visits.tests.plan_helpers import at, gone, make_elder, visit

OCT = dt.date(2026, 10, 1)


@pytest.fixture
def month(tree, community_a, community_b, worker_a, worker_b, volunteer):
    """October 2026, elder by elder (the name says the case)."""
    ensure_default_tiers()
    old = dt.date(1940, 3, 1)  # 86 in 2026: with "living alone", high risk
    e = {}
    e["weekly_twice"] = make_elder(community_a, birth=old, living="alone", categories=())
    e["key_home"] = make_elder(community_a, categories=["disabled"])
    e["key_phone_only"] = make_elder(community_a, categories=["disabled"])
    e["key_video_only"] = make_elder(community_a, categories=["bereaved"])
    e["high_proxy"] = make_elder(community_a, categories=["severely_disabled"])
    e["died_mid_month_visited"] = make_elder(community_a, categories=["extreme_poverty"])
    e["died_mid_month_unvisited"] = make_elder(community_a, categories=["extreme_poverty"])
    e["died_before_month"] = make_elder(community_a, categories=["extreme_poverty"])
    e["moved_out_mid_month"] = make_elder(community_a, categories=["disabled"])
    e["moved_in_mid_month"] = make_elder(community_a, categories=["disabled"], created_at=at(2026, 10, 20))
    e["registered_after_month"] = make_elder(community_a, categories=["disabled"], created_at=at(2026, 11, 2))
    e["not_met"] = make_elder(community_a, categories=["disabled"])
    e["before_midnight"] = make_elder(community_a, categories=["disabled"])
    e["after_midnight"] = make_elder(community_a, categories=["disabled"])
    e["in_institution"] = make_elder(community_a, categories=["disabled"], living="institution")
    e["not_vulnerable"] = make_elder(community_a, categories=(), living="children")
    # Registered (户籍) in community A, living in community B: counted in B.
    e["lives_in_b"] = make_elder(community_b, categories=["disabled"], registered=community_a)
    e["b_unvisited"] = make_elder(community_b, categories=["cognitively_impaired"])
    # Three general-tier elders with consecutive ids: exactly one is due in October (id mod 3 = 0).
    general = [make_elder(community_b, categories=["low_income"]) for _ in range(3)]
    refresh_profiles(today=dt.date(2026, 10, 1))
    home = dict(visitor=worker_a, mode="home")
    visit(e["weekly_twice"], when=at(2026, 10, 3), **home)
    visit(e["weekly_twice"], when=at(2026, 10, 10), **home)
    visit(e["key_home"], when=at(2026, 10, 8), **home)
    visit(e["key_phone_only"], worker_a, when=at(2026, 10, 8), mode="phone")
    visit(e["key_video_only"], worker_a, when=at(2026, 10, 8), mode="video")
    visit(e["high_proxy"], volunteer, when=at(2026, 10, 9), mode="proxy")
    visit(e["died_mid_month_visited"], when=at(2026, 10, 5), **home)
    visit(e["moved_out_mid_month"], when=at(2026, 10, 2), **home)
    visit(e["moved_in_mid_month"], when=at(2026, 10, 25), **home)
    visit(e["registered_after_month"], when=at(2026, 11, 3), **home)
    visit(e["not_met"], when=at(2026, 10, 8), status="not_met", **home)
    # 23:30 on 31 October in Nanchang is 15:30 UTC, inside October; 00:30 on 1 November is
    # 16:30 UTC on 31 October, outside it; 23:30 on 30 September likewise.
    visit(e["before_midnight"], when=at(2026, 10, 31, 23, 30), **home)
    visit(e["before_midnight"], when=at(2026, 9, 30, 23, 30), **home)
    visit(e["after_midnight"], when=at(2026, 11, 1, 0, 30), **home)
    visit(e["after_midnight"], when=at(2026, 9, 30, 23, 30), **home)
    visit(e["in_institution"], when=at(2026, 10, 8), **home)
    visit(e["lives_in_b"], worker_b, when=at(2026, 10, 12), mode="home")
    for g in general:
        visit(g, worker_b, when=at(2026, 10, 14), mode="phone")
    gone(e["died_mid_month_visited"], "deceased", dt.date(2026, 10, 15))
    gone(e["died_mid_month_unvisited"], "deceased", dt.date(2026, 10, 15))
    gone(e["died_before_month"], "deceased", dt.date(2026, 9, 30))
    gone(e["moved_out_mid_month"], "moved_out", dt.date(2026, 10, 20))
    e["general_due"] = next(g for g in general if g.pk % 3 == 0)
    e["general_not_due"] = [g for g in general if g.pk % 3 != 0]
    return e


DUE_IN_A = {"weekly_twice", "key_home", "key_phone_only", "key_video_only", "high_proxy", "died_mid_month_visited",
            "died_mid_month_unvisited", "moved_out_mid_month", "moved_in_mid_month", "not_met", "before_midnight",
            "after_midnight"}
VISITED_IN_A = {"weekly_twice", "key_home", "high_proxy", "died_mid_month_visited", "moved_out_mid_month",
                "moved_in_mid_month", "before_midnight"}


def test_the_denominator_is_the_elders_due_where_they_live(month, community_a, community_b):
    in_a = set(due_elders(OCT, region_code=community_a.code).values_list("pk", flat=True))
    assert in_a == {month[k].pk for k in DUE_IN_A}
    in_b = set(due_elders(OCT, region_code=community_b.code).values_list("pk", flat=True))
    assert in_b == {month["lives_in_b"].pk, month["b_unvisited"].pk, month["general_due"].pk}


def test_the_numerator_is_the_elders_with_a_counted_visit_in_the_month(month):
    due = [month[k].pk for k in DUE_IN_A]
    assert visited_of(due, OCT) == {month[k].pk for k in VISITED_IN_A}


def test_the_rate_per_community_subdistrict_and_district(month, tree, community_a, community_b, subdistrict_1):
    by_community = rate_by_region(tree.code, OCT, by="community")
    a, b = by_community[community_a.code], by_community[community_b.code]
    assert (a.numerator, a.denominator) == (Decimal(7), Decimal(12))
    assert a.value == Decimal(7) * 100 / Decimal(12)
    # B: the elder registered in A but living in B (visited), the unvisited one, the quarterly
    # elder due in October (a phone call counts for the general tier).
    assert (b.numerator, b.denominator) == (Decimal(2), Decimal(3))
    district = rate_by_region(tree.code, OCT)[tree.code]
    assert (district.numerator, district.denominator) == (Decimal(9), Decimal(15))
    sub = rate_by_region(subdistrict_1.code, OCT)[subdistrict_1.code]
    assert (sub.numerator, sub.denominator) == (Decimal(7), Decimal(12))


def test_the_indicator_is_declared_under_the_plans_code(month, tree):
    indicator = site.get("vulnerable_monthly_visit_rate")
    assert indicator is not None and indicator.unit == "percent"
    figure = indicator.figure(Query(tree.code, Period(2026, 10)))
    assert (figure.numerator, figure.denominator) == (Decimal(9), Decimal(15))
    # The records behind the number: the elders due, and those visited.
    assert indicator.records(Query(tree.code, Period(2026, 10)), denominator=True).count() == 15
    assert indicator.records(Query(tree.code, Period(2026, 10))).count() == 9


def test_the_plans_target_of_100_percent_applies(month, tree):
    from kangyang.indicators.queries import rows_for

    row = next(r for r in rows_for(tree.code, Period(2026, 10)) if r.code == "vulnerable_monthly_visit_rate")
    assert row.plan is not None
    assert any(t.value == 100 for t, _status in row.targets)


def test_a_quarterly_elder_counts_a_visit_made_earlier_in_the_quarter(month, community_b, worker_b):
    """The general elder due in November or December, phoned on 14 October, is visited in her month."""
    for g in month["general_not_due"]:
        due_month = dt.date(2026, 10 + g.pk % 3, 1)
        assert set(due_elders(due_month, region_code=community_b.code).values_list("pk", flat=True)) >= {g.pk}
        assert visited_of([g.pk], due_month) == {g.pk}


def test_a_worker_lists_the_unvisited_elders_of_her_own_community_only(month, worker_a, worker_b, admin, tree):
    mine = set(unvisited_for(worker_a, region_code=tree.code, month=OCT).values_list("pk", flat=True))
    assert mine == {month[k].pk for k in DUE_IN_A - VISITED_IN_A}
    theirs = set(unvisited_for(worker_b, region_code=tree.code, month=OCT).values_list("pk", flat=True))
    assert theirs == {month["b_unvisited"].pk}
    assert len(unvisited_for(admin, region_code=tree.code, month=OCT)) == 6


def test_a_running_month_counts_up_to_now(month, community_a, worker_a, settings):
    """While a month runs, the elders registered and the visits made so far count."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at(2026, 10, 9, 9)):
        due = set(due_elders(OCT, region_code=community_a.code).values_list("pk", flat=True))
        assert month["moved_in_mid_month"].pk not in due
        assert visited_of([month["weekly_twice"].pk, month["key_home"].pk, month["high_proxy"].pk], OCT) == {
            month["weekly_twice"].pk, month["key_home"].pk}
