"""Fixtures of the alarm tests: a pendant for each of the two test elders, a clock."""

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def now():
    """A fixed instant; actions take `now=` so that tests control the clock."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def pendant_a(elder_in_a, worker_a):
    """The SOS pendant of the elder of community A."""
    from kangyang.alarms.actions import register_device

    return register_device(by=worker_a, device_id="P-A-001", kind="sos_pendant", vendor="康联智能",
                           model="KY-P1", installed_on=dt.date(2025, 3, 1), elder=elder_in_a)


@pytest.fixture
def pendant_b(elder_in_b, worker_b):
    """The SOS pendant of the elder of community B."""
    from kangyang.alarms.actions import register_device

    return register_device(by=worker_b, device_id="P-B-001", kind="sos_pendant", vendor="颐安科技",
                           model="YA-200", elder=elder_in_b)


@pytest.fixture
def alarm_a(pendant_a, now):
    """A raised SOS from the pendant of community A's elder."""
    from kangyang.alarms.actions import raise_alarm

    return raise_alarm(source="device", type="sos", device=pendant_a, msg_id="m-1", raised_at=now, now=now)[0]


@pytest.fixture
def alarm_b(pendant_b, now):
    from kangyang.alarms.actions import raise_alarm

    return raise_alarm(source="device", type="fall", device=pendant_b, msg_id="m-1", raised_at=now, now=now)[0]


@pytest.fixture
def second_operator(tree):
    """Another operator of the district's alarm centre."""
    from kangyang.accounts.models import User

    return User.objects.create_user(username="operator2", password="kangyang-demo", role="hotline_operator",
                                    region=tree, full_name="吴丽")
