import datetime as dt

import pytest
from django.utils import timezone

from kangyang.timebank import actions


@pytest.fixture
def vol_account(volunteer, worker_a):
    """The volunteer persona's account: registered at 30 by the community worker."""
    return actions.open_volunteer_account(
        volunteer, real_name="刘志愿", birth_date=dt.date(1995, 3, 1), phone="13912345678", by=worker_a)


@pytest.fixture
def senior_volunteer(community_a, worker_a):
    """A retired volunteer of 65: old enough to spend hours."""
    from kangyang.accounts.models import User

    user = User.objects.create_user(username="senior_vol", password="kangyang-demo", role="volunteer", region=community_a)
    return actions.open_volunteer_account(
        user, real_name="陈退休", birth_date=dt.date(1960, 1, 1), phone="13912340000", by=worker_a)


def make_visit(elder, visitor, *, minutes=60, status="done", started_at=None):
    from kangyang.visits.models import CareVisit

    start = started_at or timezone.now() - dt.timedelta(hours=3)
    return CareVisit.objects.create(
        elder=elder, region_code=elder.region_code, visitor=visitor, mode="home", status=status,
        started_at=start, ended_at=start + dt.timedelta(minutes=minutes),
    )


@pytest.fixture
def visit_factory():
    return make_visit


def fund(account, minutes, *, by, elder):
    """Deposit `minutes` into a volunteer's account through a completed visit."""
    return actions.deposit_for_care_visit(make_visit(elder, account.user, minutes=minutes), by=by)


@pytest.fixture
def funder():
    return fund
