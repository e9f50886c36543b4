import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.timebank import actions, queries
from kangyang.timebank.models import Account, Entry

from .conftest import make_visit


def test_a_completed_visit_earns_its_hours_rounded_to_the_quarter(vol_account, elder_in_a, worker_a):
    visit = make_visit(elder_in_a, vol_account.user, minutes=52)
    entries = actions.deposit_for_care_visit(visit, by=worker_a)
    assert [e.amount_minutes for e in entries] == [-45, 45]
    vol_account.refresh_from_db()
    assert vol_account.balance_minutes == 45
    assert sum(e.amount_minutes for e in entries) == 0
    assert entries[0].txn == entries[1].txn == entries[0].seq
    assert entries[1].prev_hash == entries[0].hash


def test_the_same_visit_is_not_paid_twice(vol_account, elder_in_a, worker_a):
    visit = make_visit(elder_in_a, vol_account.user)
    actions.deposit_for_care_visit(visit, by=worker_a)
    with pytest.raises(ValidationError) as e:
        actions.deposit_for_care_visit(visit, by=worker_a)
    assert e.value.code == "duplicate"
    assert Entry.objects.count() == 2


def test_a_worker_of_another_community_cannot_confirm_hours(vol_account, elder_in_a, worker_b):
    with pytest.raises(PermissionDenied):
        actions.deposit_for_care_visit(make_visit(elder_in_a, vol_account.user), by=worker_b)


def test_an_elder_not_met_earns_nothing(vol_account, elder_in_a, worker_a):
    with pytest.raises(ValidationError) as e:
        actions.deposit_for_care_visit(make_visit(elder_in_a, vol_account.user, status="not_met"), by=worker_a)
    assert e.value.code == "wrong_status"


def test_under_18_cannot_register(volunteer, worker_a, today):
    with pytest.raises(ValidationError) as e:
        actions.open_volunteer_account(volunteer, real_name="小明", birth_date=today.replace(year=today.year - 17),
                                       phone="13912345678", by=worker_a)
    assert e.value.error_dict["birth_date"][0].code == "too_young"
    assert not Account.objects.filter(user=volunteer).exists()


def test_redemption_needs_the_age_and_the_balance(vol_account, senior_volunteer, elder_in_a, worker_a, funder):
    from kangyang.services.models import ServiceItem

    item = ServiceItem.objects.create(code="tb-clean", name="保洁", category="daily_living", unit="hour",
                                      duration_minutes=60)
    funder(vol_account, 120, by=worker_a, elder=elder_in_a)
    with pytest.raises(ValidationError) as e:
        actions.redeem(vol_account, item=item, by=vol_account.user)
    assert e.value.code == "too_young"
    funder(senior_volunteer, 60, by=worker_a, elder=elder_in_a)
    actions.redeem(senior_volunteer, item=item, by=senior_volunteer.user)
    with pytest.raises(ValidationError) as e:
        actions.redeem(senior_volunteer, item=item, by=senior_volunteer.user)
    assert e.value.code == "insufficient"
    senior_volunteer.refresh_from_db()
    assert senior_volunteer.balance_minutes == 0
    assert queries.verify().ok


def test_cap(vol_account, elder_in_a, worker_a, funder, settings):
    settings.TIMEBANK_CAP_HOURS = 2
    funder(vol_account, 120, by=worker_a, elder=elder_in_a)
    with pytest.raises(ValidationError) as e:
        funder(vol_account, 15, by=worker_a, elder=elder_in_a)
    assert e.value.code == "cap"


def test_transfer_to_family_and_donation(vol_account, elder_in_a, elder_in_b, worker_a, funder, settings):
    from kangyang.registry.actions import add_contact

    funder(vol_account, 600, by=worker_a, elder=elder_in_a)
    with pytest.raises(ValidationError) as e:
        actions.transfer_to_family(vol_account, to_elder=elder_in_a, minutes=60, by=vol_account.user)
    assert e.value.error_dict["elder"][0].code == "not_family"
    add_contact(elder_in_a, by=worker_a, name="刘志愿", relation="son", phone="13912345678")
    actions.transfer_to_family(vol_account, to_elder=elder_in_a, minutes=60, by=vol_account.user)
    assert elder_in_a.timebank_account.balance_minutes == 60
    settings.TIMEBANK_DONATION_LIMIT_HOURS = 2
    with pytest.raises(ValidationError) as e:  # an elder she does not help
        actions.donate(vol_account, to_elder=elder_in_b, minutes=120, by=vol_account.user)
    assert e.value.error_dict["elder"][0].code == "not_recipient"
    make_visit(elder_in_b, vol_account.user, minutes=30)
    actions.donate(vol_account, to_elder=elder_in_b, minutes=120, by=vol_account.user)
    with pytest.raises(ValidationError) as e:
        actions.donate(vol_account, to_elder=elder_in_b, minutes=15, by=vol_account.user)
    assert e.value.code == "limit"
    vol_account.refresh_from_db()
    assert vol_account.balance_minutes == 600 - 60 - 120
    result = queries.verify()
    assert result.ok, result.problem


def test_nobody_else_moves_a_volunteers_hours(vol_account, elder_in_b, worker_a, funder, elder_in_a):
    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    with pytest.raises(PermissionDenied):
        actions.donate(vol_account, to_elder=elder_in_b, minutes=15, by=worker_a)


def test_activity_attendance_is_confirmed_by_its_organiser_then_deposited(vol_account, worker_a, subdistrict, community_a):
    from django.utils import timezone

    start = timezone.now() - dt.timedelta(days=1)
    activity = actions.create_activity(title="重阳节活动", region_code=community_a.code, starts_at=start,
                                       ends_at=start + dt.timedelta(hours=2, minutes=5), by=subdistrict)
    with pytest.raises(PermissionDenied):
        actions.confirm_attendance(activity, account=vol_account, by=worker_a)
    attendance = actions.confirm_attendance(activity, account=vol_account, by=subdistrict)
    assert attendance.minutes == 120
    with pytest.raises(PermissionDenied):
        actions.deposit_for_attendance(attendance, by=subdistrict)  # confirmed by the community worker
    actions.deposit_for_attendance(attendance, by=worker_a)
    with pytest.raises(ValidationError):
        actions.deposit_for_attendance(attendance, by=worker_a)
    vol_account.refresh_from_db()
    assert vol_account.balance_minutes == 120


def test_quarter_hours():
    q = actions.quarter_hours
    assert q(dt.timedelta(minutes=7)) == 0
    assert q(dt.timedelta(minutes=7, seconds=30)) == 15
    assert q(dt.timedelta(minutes=22, seconds=29)) == 15
    assert q(dt.timedelta(minutes=22, seconds=30)) == 30
    assert q(dt.timedelta(hours=1)) == 60


def test_the_community_sees_the_hours_waiting_for_confirmation(vol_account, elder_in_a, worker_a, worker_b, subdistrict,
                                                               community_a):
    from django.utils import timezone

    visit = make_visit(elder_in_a, vol_account.user, minutes=60)
    start = timezone.now() - dt.timedelta(days=1)
    activity = actions.create_activity(title="义诊", region_code=community_a.code, starts_at=start,
                                       ends_at=start + dt.timedelta(hours=1), by=worker_a)
    attendance = actions.confirm_attendance(activity, account=vol_account, by=worker_a)
    assert list(queries.visits_to_confirm(worker_a)) == [visit]
    assert list(queries.attendances_to_confirm(worker_a)) == [attendance]
    assert not queries.visits_to_confirm(worker_b).exists() and not queries.visits_to_confirm(subdistrict).exists()
    actions.deposit_for_care_visit(visit, by=worker_a)
    actions.deposit_for_attendance(attendance, by=worker_a)
    assert not queries.visits_to_confirm(worker_a).exists()
    assert not queries.attendances_to_confirm(worker_a).exists()


def test_statement_and_history(vol_account, elder_in_a, worker_a, funder, today):
    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    funder(vol_account, 30, by=worker_a, elder=elder_in_a)
    issued = Account.objects.get(system_code="issued")
    assert [e.counterpart_id for e in queries.history(vol_account)] == [issued.pk, issued.pk]
    s = queries.statement(vol_account, start=today, end=today)
    assert (s.opening, s.closing, s.totals) == (0, 90, {"deposit": 90})
    assert queries.balance(vol_account) == 90


def test_family_sees_the_elder_s_account(family, elder_in_a, worker_a):
    from kangyang.registry.actions import add_contact

    account = actions.open_elder_account(elder_in_a)
    add_contact(elder_in_a, by=worker_a, name="王芳", relation="daughter", phone="13607915556", user=family)
    assert list(Account.objects.visible_to(family)) == [account]
