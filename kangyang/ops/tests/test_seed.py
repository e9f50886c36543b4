from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone

from kangyang.lib import residentid
from kangyang.registry.models import Contact, Elder, HealthRecord


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed", *args, stdout=out)
    return out.getvalue()


def test_seeding_twice_with_the_same_seed_adds_new_distinct_elders(db):
    seed("--elders", "500", "--seed", "1")
    first = set(Elder.objects.values_list("id_number_hash", flat=True))
    out = seed("--elders", "500", "--seed", "1")
    assert Elder.objects.count() == 1000
    hashes = set(Elder.objects.values_list("id_number_hash", flat=True))
    assert len(hashes) == 1000 and first < hashes
    numbers = [e._id_number() for e in Elder.objects.all()]
    assert len(set(numbers)) == 1000
    for number in numbers:
        residentid.parse(number)
    assert "1000" in out


def test_seed_refuses_a_negative_count(db):
    with pytest.raises(CommandError):
        seed("--elders", "-1")


def test_seeded_elders_have_plausible_shares(db):
    """Wide bounds around the assumed shares (registry/demo.py), for 3,000 elders."""
    seed("--elders", "3000", "--seed", "3")
    elders = list(Elder.objects.all())
    n = len(elders)
    today = timezone.localdate()
    bands = Counter(min(3, (e.age(today) - 60) // 10) for e in elders)
    assert 0.50 < bands[0] / n < 0.60 and 0.25 < bands[1] / n < 0.35
    assert 0.09 < bands[2] / n < 0.16 and 0.01 < bands[3] / n < 0.05
    categories = Counter(c for e in elders for c in e.categories)
    assert 0.38 < categories["empty_nest"] / n < 0.52
    assert 0.09 < categories["alone"] / n < 0.15
    assert 0.04 < categories["disabled"] / n < 0.09
    assert 0.02 < categories["low_income"] / n < 0.06
    assert 0.62 < sum(bool(e.phone_masked) for e in elders) / n < 0.78
    old = [e for e in elders if e.age(today) >= 80]
    assert sum(e.sex == "F" for e in old) / len(old) > 0.5  # women a majority at older ages
    assert 1.0 < Contact.objects.count() / n < 1.7
    with_conditions = HealthRecord.objects.exclude(chronic_conditions="").count()
    assert 0.6 < with_conditions / n < 0.9
    assert Elder.objects.filter(status="deceased").exists()
    couples = Elder.objects.values("household").annotate(k=Count("id")).filter(k=2)
    assert couples.exists()  # couples share a household
