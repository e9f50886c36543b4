"""The background worker tells of expiring licences by itself: at start (also with --batch) and
once a day after, never twice for the same warning (issue 12 §2)."""

import datetime as dt
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kangyang.accounts.models import Licence, LicenceWarning
from kangyang.accounts.organisations import add_licence
from kangyang.notify.actions import save_preference
from kangyang.notify.models import Delivery
from kangyang.ops.housekeeping import PeriodicPrune


@pytest.fixture
def expiring(provider, admin, provider_org):
    save_preference(provider, by=provider, phone="13907910006", sms=True)
    save_preference(admin, by=admin, phone="13907910001", sms=True)
    return add_licence(provider_org, by=None, kind=Licence.Kind.ELDER_CARE, number="赣民养7654321",
                       expires=timezone.localdate() + dt.timedelta(days=12))


@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_of_an_expiring_licence_when_it_starts_and_not_again(settings, expiring):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for _run in range(2):
        call_command("worker", "--batch", stdout=StringIO())
    assert list(LicenceWarning.objects.values_list("number", "threshold", "recipients")) == [("赣民养7654321", 30, 2)]
    assert Delivery.objects.filter(template="licence.expiring").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_housekeeping_thread_makes_the_licence_pass_once_a_day(expiring):
    thread = PeriodicPrune(every=0.02)
    thread.licences_checked_on = timezone.localdate()  # made today already: the passes leave it
    thread.start()
    try:
        _wait_for(lambda: thread.passes >= 3)
        assert not LicenceWarning.objects.exists()
        thread.licences_checked_on = timezone.localdate() - dt.timedelta(days=1)  # a new day
        _wait_for(lambda: LicenceWarning.objects.exists())
        _wait_for(lambda: thread.licences_checked_on == timezone.localdate())
    finally:
        thread.stop()
        thread.join(timeout=5)
    assert LicenceWarning.objects.count() == 1


def _wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not done in time"
        time.sleep(0.02)
