"""The readings topic's demo: meters of elders followed for hypertension or diabetes, 90 days of
classified readings through the ingestion's store path, urgent ones with their alerts (one open),
and the `elder` account's blood-pressure meter with one reading not controlled."""

import random

import pytest

from kangyang.alarms.models import Device
from kangyang.health import demo_readings
from kangyang.health.models import Condition, HealthAlert, Reading
from kangyang.health.rules import forget_cached_rules

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_meters_readings_and_alerts(district, elder_in_a, elder_in_b, elder, doctor_user):
    forget_cached_rules()
    Condition.objects.create(elder=elder_in_b, code="I10", programme="hypertension")
    text = demo_readings.seed(district=district, rng=random.Random(3), elders=0)
    assert text
    meter = Device.objects.get(device_id=f"BP{elder_in_b.pk:08d}")
    assert (meter.kind, meter.elder) == ("bp_meter", elder_in_b)
    readings = Reading.objects.filter(device=meter)
    assert 175 <= readings.count() <= 185  # twice a day for 90 days, and the urgent one
    assert not readings.filter(rule="").exists()  # every one classified
    alert = HealthAlert.objects.get()
    assert alert.reading.device == meter and alert.reading.classification == "urgent" and alert.status == "open"

    assert demo_readings.seed_accounts(accounts={"elder": elder, "doctor": doctor_user}, district=district,
                                       rng=random.Random(4))
    own = Reading.objects.filter(device__device_id=f"BP{elder_in_a.pk:08d}")
    assert 55 <= own.count() <= 65 and own.filter(classification="uncontrolled").exists()
    # Seeding again adds nothing.
    before = Reading.objects.count()
    assert demo_readings.seed(district=district, rng=random.Random(3), elders=0) == ""
    assert demo_readings.seed_accounts(accounts={"elder": elder}, district=district, rng=random.Random(4)) == ""
    assert Reading.objects.count() == before


@pytest.fixture
def doctor_user():
    from kangyang.accounts.models import User

    return User.objects.create_user(username="doctor_d", password="kangyang-demo", role="doctor", full_name="刘敏")
