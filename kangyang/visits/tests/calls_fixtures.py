"""Fixtures of the care-call tests (test_calls.py, test_calls_views.py)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

_ids = itertools.count(1)


@pytest.fixture
def now():
    # A fixed moment in the afternoon (Asia/Shanghai), so a retry stays on the same day.
    return timezone.make_aware(dt.datetime(2026, 3, 10, 14, 0))


@pytest.fixture
def second_operator(tree):
    """Another hotline operator of the district."""
    from kangyang.accounts.models import User

    return User.objects.create_user(username="operator2", password="kangyang-demo", role="hotline_operator",
                                    region=tree, full_name="吴丽")


@pytest.fixture
def told_worker_a(worker_a):
    """worker_a, reachable by e-mail (her account's address: no preference set)."""
    worker_a.email = "worker-a@example.org"
    worker_a.save(update_fields=["email"])
    return worker_a


def make_elders(community, n: int, **fields):
    """`n` elders of the community, inserted in bulk (no ID check: not what is tested)."""
    from kangyang.registry.models import Elder

    elders = []
    for _ in range(n):
        i = next(_ids)
        elders.append(Elder(
            name=f"测试{i}", name_initials="cs", sex="F", birth_date=dt.date(1940, 1, 1),
            id_number_encrypted="x", id_number_hash=f"test-hash-{i}", id_last4_hash="x",
            community=community, registered_community=community, region_code=community.code, **fields,
        ))
    return Elder.objects.bulk_create(elders)


def due_call(elder, *, at, attempt: int = 1):
    """A pending call to the elder, due at `at`."""
    from kangyang.visits.models import CareCall

    return CareCall.objects.create(elder=elder, region_code=elder.region_code, scheduled_for=at, attempt=attempt)
