"""The rules of care calls (visits/actions/calls.py), called directly."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.notify.models import Delivery
from kangyang.ops import housekeeping
from kangyang.registry.models import Elder
from kangyang.visits import queries
from kangyang.visits.actions import calls as actions
from kangyang.visits.models import CareCall, Pairing, VisitDue
from kangyang.visits.tests.calls_fixtures import (  # noqa: F401
    due_call, make_elders, now, second_operator, told_worker_a,
)

O = CareCall.Outcome
HOUR = dt.timedelta(hours=1)


# -- the schedule ----------------------------------------------------------------------------
def test_an_elder_living_alone_gets_a_call_and_one_living_with_family_does_not(elder_in_a, elder_in_b, now):
    assert actions.schedule_care_calls(now) == 1
    [call] = CareCall.objects.all()
    assert call.elder == elder_in_a and call.outcome == O.PENDING and call.attempt == 1
    assert call.region_code == elder_in_a.region_code
    # A first call is spread over the interval, never later than it.
    assert now <= call.scheduled_for < now + dt.timedelta(days=7)


def test_living_alone_by_arrangement_or_by_category_and_only_while_active(community_a, now):
    by_arrangement, = make_elders(community_a, 1, living_arrangement="alone")
    by_category, = make_elders(community_a, 1, categories_text=",alone,")
    with_children, = make_elders(community_a, 1, living_arrangement="children", categories_text=",disabled,")
    deceased, = make_elders(community_a, 1, living_arrangement="alone", status=Elder.Status.DECEASED)
    actions.schedule_care_calls(now)
    called = set(CareCall.objects.values_list("elder_id", flat=True))
    assert called == {by_arrangement.pk, by_category.pk}
    assert with_children.pk not in called and deceased.pk not in called


def test_scheduling_twice_adds_nothing(elder_in_a, now):
    actions.schedule_care_calls(now)
    actions.schedule_care_calls(now + HOUR)
    assert CareCall.objects.count() == 1


def test_one_call_waiting_per_elder_is_kept_by_the_database(elder_in_a, now):
    due_call(elder_in_a, at=now)
    with pytest.raises(Exception):
        due_call(elder_in_a, at=now + HOUR)


def test_a_call_made_within_the_interval_holds_the_next_back_and_then_it_is_due_at_once(
        elder_in_a, operator, now, settings):
    settings.CARE_CALL_EVERY_DAYS = 7
    call = due_call(elder_in_a, at=now)
    actions.record_outcome(call, by=operator, outcome=O.WELL, now=now)
    assert actions.schedule_care_calls(now + dt.timedelta(days=6)) == 0
    later = now + dt.timedelta(days=7, minutes=1)
    assert actions.schedule_care_calls(later) == 1
    new = CareCall.objects.get(outcome=O.PENDING)
    assert new.scheduled_for == later and new.attempt == 1  # called before: due at once


def test_scheduling_a_district_is_set_based_not_a_query_per_elder(community_a, now, django_assert_max_num_queries):
    make_elders(community_a, 2500, living_arrangement="alone")
    # One query finds them; inserts go in batches (2,000 rows on PostgreSQL; SQLite's limit on
    # a statement's parameters cuts them smaller): dozens of queries, never thousands.
    with django_assert_max_num_queries(50):
        assert actions.schedule_care_calls(now) == 2500
    assert CareCall.objects.count() == 2500
    assert actions.schedule_care_calls(now) == 0


@pytest.mark.django_db(transaction=True)  # the chore closes its connection, as in the worker's thread
def test_the_worker_schedules_care_calls(elder_in_a, now):
    assert housekeeping.schedule_care_calls_once(now=now) == 1
    assert housekeeping.schedule_care_calls_once(now=now) == 0


# -- outcomes --------------------------------------------------------------------------------
def test_well_closes_the_call_and_opens_nothing(elder_in_a, operator, now):
    call = actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=O.WELL, note="身体好", now=now)
    assert call.outcome == O.WELL and call.operator == operator and call.called_at == now
    assert not CareCall.objects.filter(outcome=O.PENDING).exists() and not VisitDue.objects.exists()
    entry = AuditEntry.objects.get(verb="care_call.record")
    assert entry.actor == operator and entry.target_id == str(call.pk) and entry.changes == {"outcome": "well"}


def test_no_answer_is_tried_again_after_the_retry_delay(elder_in_a, operator, now, settings):
    settings.CARE_CALL_RETRY_MINUTES = 120
    actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=O.NO_ANSWER, now=now)
    retry = CareCall.objects.get(outcome=O.PENDING)
    assert retry.attempt == 2 and retry.scheduled_for == now + dt.timedelta(minutes=120)
    assert not VisitDue.objects.exists()
    # Not on the list before its time, on it after.
    assert queries.due_calls_for(operator, now=now + HOUR) == []
    assert queries.due_calls_for(operator, now=now + 2 * HOUR) == [retry]


def test_after_n_unanswered_calls_a_visit_is_due_within_24_hours_and_the_worker_is_told(
        elder_in_a, operator, told_worker_a, now, settings):
    settings.CARE_CALL_RETRIES = 3
    settings.CARE_CALL_RETRY_MINUTES = 60
    call, at = due_call(elder_in_a, at=now), now
    for attempt in (1, 2, 3):
        assert call.attempt == attempt
        call = actions.record_outcome(call, by=operator, outcome=O.NO_ANSWER, now=at)
        at += HOUR
        call = CareCall.objects.filter(outcome=O.PENDING).first() or call
    last = CareCall.objects.get(attempt=3)
    assert not CareCall.objects.filter(outcome=O.PENDING).exists()  # no fourth call
    visit = VisitDue.objects.get()
    assert last.visit_due == visit
    assert visit.reason == VisitDue.Reason.CARE_CALL and visit.status == VisitDue.Status.OPEN
    assert visit.due_by == now + 2 * HOUR + dt.timedelta(hours=24)
    assert visit.visitor == told_worker_a and visit.proposed_visitor == told_worker_a
    assert visit.region_code == elder_in_a.region_code and visit.month == dt.date(2026, 3, 1)
    [told] = Delivery.objects.filter(key__endswith=f":user:{told_worker_a.pk}")
    assert told.template == "care_call.no_answer" and told.kind == "care_call" and told.audience == "community_worker"
    assert AuditEntry.objects.filter(verb="visit_due.after_call", target_id=str(visit.pk)).exists()


def test_needs_help_closes_the_call_opens_a_visit_and_tells_the_worker(elder_in_a, operator, told_worker_a, now):
    call = actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=O.NEEDS_HELP,
                                  note="腿疼，想请人送饭", now=now)
    assert call.outcome == O.NEEDS_HELP
    visit = VisitDue.objects.get()
    assert call.visit_due == visit and visit.reason == VisitDue.Reason.CALL_HELP
    assert visit.note == "腿疼，想请人送饭" and visit.due_by == now + dt.timedelta(hours=24)
    assert visit.visitor == told_worker_a
    assert Delivery.objects.get().template == "care_call.needs_help"
    assert not CareCall.objects.filter(outcome=O.PENDING).exists()


def test_needs_help_needs_a_note(elder_in_a, operator, now):
    with pytest.raises(ValidationError) as e:
        actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=O.NEEDS_HELP, note="  ", now=now)
    assert list(e.value.message_dict) == ["note"]
    assert CareCall.objects.get().outcome == O.PENDING


@pytest.mark.parametrize("outcome", ["pending", "", "drop table", None])
def test_an_unknown_outcome_is_refused(elder_in_a, operator, now, outcome):
    with pytest.raises(ValidationError) as e:
        actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=outcome, now=now)
    assert list(e.value.message_dict) == ["outcome"]


def test_the_paired_community_worker_visits(elder_in_a, operator, worker_a, community_a, now):
    from kangyang.accounts.models import User

    paired = User.objects.create_user(username="worker_a2", password="x", role="community_worker",
                                      region=community_a, full_name="赵敏")
    Pairing.objects.create(elder=elder_in_a, region_code=elder_in_a.region_code, helper=paired,
                           kind=Pairing.Kind.COMMUNITY_WORKER, started_on=dt.date(2026, 1, 1))
    actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=O.NEEDS_HELP, note="药吃完了", now=now)
    assert VisitDue.objects.get().visitor == paired


def test_a_second_call_within_the_day_reuses_the_visit_and_tells_nobody_twice(elder_in_a, operator, told_worker_a,
                                                                               now):
    actions.record_outcome(due_call(elder_in_a, at=now), by=operator, outcome=O.NEEDS_HELP, note="a", now=now)
    actions.record_outcome(due_call(elder_in_a, at=now + HOUR), by=operator, outcome=O.NEEDS_HELP, note="b",
                           now=now + HOUR)
    assert VisitDue.objects.count() == 1 and Delivery.objects.count() == 1


def test_a_call_is_recorded_once(elder_in_a, operator, now):
    call = due_call(elder_in_a, at=now)
    stale = CareCall.objects.get(pk=call.pk)
    actions.record_outcome(call, by=operator, outcome=O.WELL, now=now)
    with pytest.raises(ValidationError) as e:
        actions.record_outcome(stale, by=operator, outcome=O.NO_ANSWER, now=now)
    assert e.value.code == "done"
    assert CareCall.objects.count() == 1  # no retry made by the refused second press


def test_a_call_not_due_yet_is_refused(elder_in_a, operator, now):
    call = due_call(elder_in_a, at=now + HOUR)
    for act in (lambda: actions.take_call(call, by=operator, now=now),
                lambda: actions.record_outcome(call, by=operator, outcome=O.WELL, now=now)):
        with pytest.raises(ValidationError) as e:
            act()
        assert e.value.code == "not_due"


# -- taking a call ---------------------------------------------------------------------------
def test_a_call_in_hand_is_refused_to_another_operator_until_the_claim_lapses(
        elder_in_a, operator, second_operator, now):
    call = actions.take_call(due_call(elder_in_a, at=now), by=operator, now=now)
    assert call.operator == operator and call.taken_at == now
    actions.take_call(call, by=operator, now=now + dt.timedelta(minutes=1))  # again: nothing changes
    assert AuditEntry.objects.filter(verb="care_call.take").count() == 1
    for act in (lambda: actions.take_call(call, by=second_operator, now=now),
                lambda: actions.record_outcome(call, by=second_operator, outcome=O.WELL, now=now)):
        with pytest.raises(ValidationError) as e:
            act()
        assert e.value.code == "taken" and operator.full_name in e.value.messages[0]
    later = now + actions.CLAIM_LAPSES + dt.timedelta(minutes=1)
    assert actions.take_call(call, by=second_operator, now=later).operator == second_operator


def test_the_operator_who_took_the_call_records_it(elder_in_a, operator, now):
    call = actions.take_call(due_call(elder_in_a, at=now), by=operator, now=now)
    call = actions.record_outcome(call, by=operator, outcome=O.WELL, now=now + dt.timedelta(minutes=3))
    assert call.taken_at == now and call.called_at == now + dt.timedelta(minutes=3)


def test_the_number_to_dial_is_revealed_with_the_call_as_reason(elder_in_a, operator, now):
    call = due_call(elder_in_a, at=now)
    assert queries.number_to_dial(call, by=operator) == "13807911234"
    entry = AuditEntry.objects.get(verb="elder.reveal")
    assert entry.actor == operator and entry.target_id == str(elder_in_a.pk) and str(call.pk) in entry.note


def test_staff_outside_the_elders_area_and_other_roles_may_not_call(
        elder_in_a, worker_b, provider, caregiver, volunteer, subdistrict, now):
    call = due_call(elder_in_a, at=now)
    for user in (worker_b, provider, caregiver, volunteer, subdistrict):
        with pytest.raises(PermissionDenied):
            actions.take_call(call, by=user, now=now)
        with pytest.raises(PermissionDenied):
            actions.record_outcome(call, by=user, outcome=O.WELL, now=now)
        with pytest.raises(PermissionDenied):
            queries.number_to_dial(call, by=user)
        assert queries.calls_for(user).count() == 0


def test_the_community_worker_calls_the_elders_of_her_community(elder_in_a, worker_a, now):
    call = actions.record_outcome(due_call(elder_in_a, at=now), by=worker_a, outcome=O.WELL, now=now)
    assert call.operator == worker_a


# -- reads -----------------------------------------------------------------------------------
def test_the_list_is_oldest_first_and_only_due_calls_of_active_elders(community_a, operator, now):
    old, new, later, gone = make_elders(community_a, 4, living_arrangement="alone")
    Elder.objects.filter(pk=gone.pk).update(status=Elder.Status.MOVED_OUT)
    c_new = due_call(new, at=now - HOUR)
    c_old = due_call(old, at=now - 3 * HOUR, attempt=2)
    due_call(later, at=now + HOUR)
    due_call(gone, at=now - 5 * HOUR)
    assert queries.due_calls_for(operator, now=now) == [c_old, c_new]


def test_counts_per_outcome_for_a_month(community_a, operator, now):
    a, b, c = make_elders(community_a, 3, living_arrangement="alone")
    actions.record_outcome(due_call(a, at=now), by=operator, outcome=O.WELL, now=now)
    actions.record_outcome(due_call(b, at=now), by=operator, outcome=O.NO_ANSWER, now=now)
    actions.record_outcome(due_call(c, at=now), by=operator, outcome=O.NEEDS_HELP, note="x", now=now)
    assert queries.outcome_counts(operator, month=dt.date(2026, 3, 1)) == {
        "well": 1, "needs_help": 1, "no_answer": 1, "total": 3}
    assert queries.outcome_counts(operator, month=dt.date(2026, 2, 1))["total"] == 0


# -- two operators at the same moment (PostgreSQL: two connections at once) ---------------------
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once: PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("step", ["take", "record"])
def test_two_operators_at_the_same_moment_only_one_gets_the_call(elder_in_a, operator, second_operator, now, step):
    call = due_call(elder_in_a, at=now)
    barrier, results = threading.Barrier(2), {}

    def go(user):
        try:
            mine = CareCall.objects.get(pk=call.pk)
            barrier.wait()
            if step == "take":
                actions.take_call(mine, by=user, now=now)
            else:
                actions.record_outcome(mine, by=user, outcome=O.NO_ANSWER, now=now)
            results[user.username] = "got"
        except ValidationError as e:
            results[user.username] = e.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(u,)) for u in (operator, second_operator)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(results.values()) == ["got", "taken"] if step == "take" else sorted(results.values()) in (
        ["done", "got"], ["got", "taken"])
    if step == "record":
        # One outcome, one retry: the loser made nothing.
        assert CareCall.objects.filter(elder=elder_in_a).count() == 2
        assert AuditEntry.objects.filter(verb="care_call.record").count() == 1


# -- the demo --------------------------------------------------------------------------------
def test_the_demo_gives_the_operator_a_believable_list_once(tree, community_a, community_b, operator):
    import random

    from kangyang.visits.demo_calls import seed_calls

    make_elders(community_a, 60, living_arrangement="alone")
    make_elders(community_b, 20, categories_text=",alone,")
    now = timezone.now()
    assert seed_calls(district=tree, rng=random.Random(7), now=now)
    due = queries.due_calls_for(operator, now=now)
    assert len(due) >= 9 and any(c.attempt > 1 for c in due)
    week = CareCall.objects.exclude(outcome=O.PENDING)
    assert week.count() >= 40 and all(now - dt.timedelta(days=8) < c.called_at < now for c in week)
    assert set(week.values_list("operator", flat=True)) == {operator.pk}
    assert week.filter(outcome=O.WELL).exists()
    # Every elder living alone has a call waiting or made this week.
    assert actions.schedule_care_calls(now) == 0
    assert not Delivery.objects.filter(status=Delivery.Status.QUEUED).exists()
    assert seed_calls(district=tree, rng=random.Random(7), now=now) == ""
