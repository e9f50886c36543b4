"""The month's plan: its lines per tier, idempotence, the proposed visitor, the community
worker's adjustments, pairings, settling by visits, overdue reminders, the worker's chores."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.audit.models import AuditEntry
from kangyang.visits.actions import (
    assign_visitor, cancel_visit_due, create_pairing, end_pairing, ensure_default_tiers, make_monthly_plan,
    refresh_profiles, remind_overdue, settle_open_dues, settle_visit,
)
from kangyang.visits.actions.plans import months_per_visit, windows
from kangyang.visits.models import VisitDue
from kangyang.visits.tests.plan_helpers import at, make_elder, visit

DEC = dt.date(2026, 12, 1)
START = at(2026, 12, 1, 0, 5)  # the plan is made just after midnight on the 1st


@pytest.fixture
def elders(tree, community_a, community_b, worker_a, worker_b, volunteer):
    ensure_default_tiers()
    e = {
        "high": make_elder(community_a, birth=dt.date(1938, 1, 1), living="alone", categories=()),
        "key": make_elder(community_a, categories=["disabled"]),
        "key2": make_elder(community_a, categories=["bereaved"]),
        "b": make_elder(community_b, categories=["cognitively_impaired"]),
    }
    e["general"] = [make_elder(community_a, categories=["low_income"], living="children") for _ in range(3)]
    refresh_profiles(today=dt.date(2026, 11, 30))
    return e


def test_a_weekly_tier_has_four_windows_the_last_one_longer():
    assert windows(7, DEC, 1) == [
        (dt.date(2026, 12, 1), dt.date(2026, 12, 7)), (dt.date(2026, 12, 8), dt.date(2026, 12, 14)),
        (dt.date(2026, 12, 15), dt.date(2026, 12, 21)), (dt.date(2026, 12, 22), dt.date(2026, 12, 31))]
    assert len(windows(7, dt.date(2026, 2, 1), 1)) == 4


def test_a_monthly_tier_has_one_window_and_a_quarterly_one_in_its_month_of_the_quarter():
    assert windows(30, DEC, 5) == [(DEC, dt.date(2026, 12, 31))]
    assert months_per_visit(91) == 3 and months_per_visit(182) == 6 and months_per_visit(365) == 12
    # elder id 5: 5 mod 3 = 2, the quarter's third month: December (October–December).
    assert windows(91, DEC, 5) == [(dt.date(2026, 10, 1), dt.date(2026, 12, 31))]
    assert windows(91, dt.date(2026, 11, 1), 5) == []
    assert windows(91, dt.date(2026, 10, 1), 6) == [(dt.date(2026, 10, 1), dt.date(2026, 10, 31))]


def test_the_plan_has_the_lines_each_tier_asks(elders):
    made = make_monthly_plan(DEC, now=START)
    lines = VisitDue.objects.filter(month=DEC)
    assert lines.filter(elder=elders["high"]).count() == 4
    assert lines.filter(elder=elders["key"]).count() == 1
    assert lines.filter(elder__in=elders["general"]).count() == 1  # one of three ids is due in December
    assert made.created == lines.count() == 4 + 1 + 1 + 1 + 1
    line = lines.get(elder=elders["key"])
    assert line.due_by == at(2026, 12, 31, 23, 59) + dt.timedelta(seconds=59)
    assert line.created_at == at(2026, 12, 1, 0, 0) and line.reason == "plan" and line.tier.code == "key"


def test_making_the_plan_twice_adds_nothing(elders):
    make_monthly_plan(DEC, now=START)
    n = VisitDue.objects.count()
    again = make_monthly_plan(DEC, now=START)
    assert again.created == 0 and VisitDue.objects.count() == n


def test_a_rerun_adds_a_newcomer_but_no_window_already_past(elders, community_a, worker_a):
    make_monthly_plan(DEC, now=START)
    line = VisitDue.objects.get(elder=elders["key"])
    cancel_visit_due(line, note="住院", by=worker_a)
    late = make_elder(community_a, birth=dt.date(1938, 1, 1), living="alone", categories=())
    refresh_profiles(today=dt.date(2026, 12, 16))
    made = make_monthly_plan(DEC, now=at(2026, 12, 16))
    assert made.created == 2  # the newcomer's last two weeks; the cancelled line stays cancelled
    assert VisitDue.objects.filter(elder=late).count() == 2
    assert VisitDue.objects.get(elder=elders["key"]).status == "cancelled"


def test_the_plan_of_one_region_leaves_the_others(elders, community_a):
    make_monthly_plan(DEC, region_code=community_a.code, now=START)
    assert not VisitDue.objects.filter(elder=elders["b"]).exists()


def test_the_plan_balances_the_communitys_visitors(elders, worker_a, volunteer):
    make_monthly_plan(DEC, now=START)
    loads = {u: VisitDue.objects.filter(visitor=u).count() for u in (worker_a, volunteer)}
    # Seven lines in community A: the weekly elder's four go to one visitor, the rest to the other.
    assert sorted(loads.values()) == [3, 4]
    assert VisitDue.objects.filter(elder=elders["high"]).values("visitor").distinct().count() == 1
    for line in VisitDue.objects.all():
        assert line.proposed_visitor_id == line.visitor_id


def test_a_paired_helper_is_proposed_first(elders, worker_a, volunteer):
    create_pairing(elders["key"], helper=volunteer, kind="volunteer", started_on=dt.date(2026, 11, 1), by=worker_a)
    create_pairing(elders["key2"], helper=volunteer, kind="neighbour", started_on=dt.date(2026, 11, 1), by=worker_a)
    make_monthly_plan(DEC, now=START)
    assert VisitDue.objects.get(elder=elders["key"]).visitor == volunteer
    assert VisitDue.objects.get(elder=elders["key2"]).visitor == volunteer


def test_last_months_visitor_keeps_the_elder(elders, worker_a, volunteer):
    make_monthly_plan(dt.date(2026, 11, 1), now=at(2026, 11, 1, 0, 5))
    nov = VisitDue.objects.get(elder=elders["key"], month=dt.date(2026, 11, 1))
    other = volunteer if nov.visitor == worker_a else worker_a
    assign_visitor(nov, visitor=other, by=worker_a)
    make_monthly_plan(DEC, now=START)
    assert VisitDue.objects.get(elder=elders["key"], month=DEC).visitor == other


def test_a_community_without_visitors_gets_lines_without_a_visitor(elders, worker_b):
    worker_b.is_active = False
    worker_b.save()
    make_monthly_plan(DEC, now=START)
    assert VisitDue.objects.get(elder=elders["b"]).visitor is None


def test_assigning_checks_the_visitor_and_the_planner(elders, worker_a, worker_b, volunteer):
    make_monthly_plan(DEC, now=START)
    line = VisitDue.objects.get(elder=elders["key"])
    with pytest.raises(ValidationError):
        assign_visitor(line, visitor=worker_b, by=worker_a)  # another community's worker
    with pytest.raises(PermissionDenied):
        assign_visitor(line, visitor=volunteer, by=worker_b)
    with pytest.raises(PermissionDenied):
        assign_visitor(line, visitor=volunteer, by=volunteer)
    assign_visitor(line, visitor=volunteer, by=worker_a)
    assert AuditEntry.objects.filter(verb="visit_due.assign").exists()


def test_cancelling_needs_a_note_and_only_an_open_line(elders, worker_a):
    make_monthly_plan(DEC, now=START)
    line = VisitDue.objects.get(elder=elders["key"])
    with pytest.raises(ValidationError):
        cancel_visit_due(line, note=" ", by=worker_a)
    cancel_visit_due(line, note="随子女外出过年", by=worker_a)
    assert cancel_visit_due(line, note="again", by=worker_a).note == "随子女外出过年"
    with pytest.raises(ValidationError):
        assign_visitor(line, visitor=worker_a, by=worker_a)


def test_pairings_are_checked(elders, worker_a, worker_b, volunteer, caregiver):
    with pytest.raises(ValidationError):
        create_pairing(elders["key"], helper=worker_b, kind="community_worker", started_on=dt.date(2026, 12, 1),
                       by=worker_a)
    with pytest.raises(ValidationError):
        create_pairing(elders["key"], helper=caregiver, kind="volunteer", started_on=dt.date(2026, 12, 1), by=worker_a)
    with pytest.raises(ValidationError):
        create_pairing(elders["key"], helper=volunteer, kind="friend", started_on=dt.date(2026, 12, 1), by=worker_a)
    pairing = create_pairing(elders["key"], helper=volunteer, kind="volunteer", started_on=dt.date(2026, 12, 1),
                             by=worker_a)
    with pytest.raises(ValidationError):
        create_pairing(elders["key"], helper=volunteer, kind="volunteer", started_on=dt.date(2026, 12, 2), by=worker_a)
    with pytest.raises(ValidationError):
        end_pairing(pairing, ended_on=dt.date(2026, 11, 30), by=worker_a)
    with pytest.raises(PermissionDenied):
        end_pairing(pairing, ended_on=dt.date(2026, 12, 3), by=worker_b)
    end_pairing(pairing, ended_on=dt.date(2026, 12, 3), by=worker_a)
    assert end_pairing(pairing, ended_on=dt.date(2026, 12, 9), by=worker_a).ended_on == dt.date(2026, 12, 3)


def test_an_ended_pairing_proposes_nobody_next_month(elders, worker_a, volunteer):
    pairing = create_pairing(elders["key"], helper=volunteer, kind="volunteer", started_on=dt.date(2026, 10, 1),
                             by=worker_a)
    end_pairing(pairing, ended_on=dt.date(2026, 11, 15), by=worker_a)
    make_monthly_plan(DEC, now=START)
    line = VisitDue.objects.get(elder=elders["key"])
    assert line.visitor is not None  # balanced, not necessarily the volunteer


def test_a_counted_visit_settles_the_lines_opened_before_it(elders, worker_a):
    make_monthly_plan(DEC, now=START)
    high = elders["high"]
    phone = visit(high, worker_a, when=at(2026, 12, 9), mode="phone")
    assert settle_visit(phone) == 0  # a phone call does not count for the high-risk tier
    home = visit(high, worker_a, when=at(2026, 12, 9))
    assert settle_visit(home) == 2  # week 1 (late) and week 2; weeks 3 and 4 are not open yet
    statuses = list(VisitDue.objects.filter(elder=high).order_by("due_by").values_list("status", "visit_id"))
    assert statuses == [("done", home.pk), ("done", home.pk), ("open", None), ("open", None)]
    not_met = visit(high, worker_a, when=at(2026, 12, 16), status="not_met")
    assert settle_visit(not_met) == 0


def test_the_sweep_settles_like_the_visit_does(elders, worker_a):
    make_monthly_plan(DEC, now=START)
    home = visit(elders["high"], worker_a, when=at(2026, 12, 9))
    visit(elders["key"], worker_a, when=at(2026, 12, 9), mode="video")  # not counted for the key tier
    general = VisitDue.objects.get(elder__in=elders["general"])
    phone = visit(general.elder, worker_a, when=at(2026, 12, 2), mode="phone")
    assert settle_open_dues(now=at(2026, 12, 10)) == 3
    assert settle_open_dues(now=at(2026, 12, 10)) == 0
    assert VisitDue.objects.get(pk=general.pk).visit == phone
    assert VisitDue.objects.filter(visit=home).count() == 2
    assert VisitDue.objects.get(elder=elders["key"]).status == "open"


def test_overdue_visitors_are_reminded_once(elders, worker_a, volunteer, mailoutbox):
    from kangyang.notify.models import Delivery

    worker_a.email = "worker_a@example.org"
    worker_a.save()
    make_monthly_plan(DEC, now=START)
    now = at(2026, 12, 8, 9)
    told = remind_overdue(now=now)
    week1 = VisitDue.objects.filter(elder=elders["high"]).order_by("due_by").first()
    overdue_visitors = set(VisitDue.objects.filter(status="open", due_by__lt=now).values_list("visitor_id", flat=True))
    assert week1.visitor_id in overdue_visitors and told == len(overdue_visitors) == 1
    assert VisitDue.objects.filter(reminded_at=now).count() == 1
    assert remind_overdue(now=now + dt.timedelta(hours=1)) == 0
    if week1.visitor == worker_a:
        assert Delivery.objects.filter(template="visit.overdue", kind="visit").count() == 1


def test_a_line_visited_in_time_is_not_reminded(elders, worker_a, volunteer):
    make_monthly_plan(DEC, now=START)
    visit(elders["high"], worker_a, when=at(2026, 12, 3))
    assert remind_overdue(now=at(2026, 12, 8, 9)) == 0


def test_the_workers_chores(elders):
    from kangyang.visits.actions.chores import daily_visit_chores, hourly_visit_chores

    assert daily_visit_chores(now=START) == 8
    assert daily_visit_chores(now=START) == 0
    assert hourly_visit_chores(now=at(2026, 12, 8, 9)) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_chores_in_its_own_pass(tree, community_a, worker_a):
    """housekeeping.visits_once, as the worker's thread calls it (on its own connection): a
    fresh installation gets the default tiers and the month's plan."""
    from kangyang.ops import housekeeping
    from kangyang.visits.models import Tier

    make_elder(community_a, categories=["disabled"])
    assert housekeeping.visits_once() == 0
    assert Tier.objects.count() == 3
    assert VisitDue.objects.filter(reason="plan").count() == 1
