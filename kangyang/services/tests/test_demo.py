"""Home services of `kangyang demo`: providers and caregivers, a week of orders delivered
along planned routes, last month's statements, and the demo accounts' own work."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from kangyang.services import actions, queries
from kangyang.services.models import Caregiver, Order, Provider, RoutePlan, Settlement, ServiceVisit
from kangyang.allowances.eligibility import month_start, previous_month


@pytest.fixture(scope="module")
def demo(shared_data):
    """One demo district for every test of this module (see conftest.py `shared_data`)."""
    yield from shared_data(lambda: call_command("demo", "--no-serve", "--elders", "300", stdout=StringIO()))


def test_the_providers_deliver_and_the_blacklisted_one_receives_nothing(demo):
    assert Provider.objects.count() == 6 + 2  # Xihu's and the second district's (kangyang/ops/demo.py)
    barred = Provider.objects.get(organisation__blacklisted_at__isnull=False)
    assert not barred.orders.exists()
    assert Order.objects.filter(status=Order.Status.SETTLED).exists()
    assert not Order.objects.exclude(price=F("allowance_amount") + F("voucher_amount") + F("self_amount")).exists()
    for provider in Provider.objects.receiving_orders():
        assert provider.caregivers.filter(user__isnull=False).exists()


def test_last_months_statements_reconcile_with_the_ledger(demo):
    month = previous_month(month_start(timezone.localdate()))
    statements = Settlement.objects.filter(month=month)
    assert statements.exists()
    for s in statements:
        assert actions.reconcile(s) == []
        assert s.order_count == s.orders.count() > 0


def test_the_caregiver_account_has_a_route_today_and_some_visits_wait_for_review(demo):
    me = Caregiver.objects.get(user__username="caregiver")
    today = timezone.localdate()
    assert queries.caregiver_day(me, today).count() >= 3
    assert RoutePlan.objects.filter(day=today, provider=me.provider).exists()
    assert ServiceVisit.objects.filter(review=ServiceVisit.Review.PENDING).exists() or ServiceVisit.objects.filter(
        review=ServiceVisit.Review.ACCEPTED).exists()


def test_the_elder_account_has_orders_from_her_daughter_and_a_second_run_adds_none(demo):
    mine = Order.objects.filter(elder__user__username="elder")
    assert mine.filter(created_by__username="family", channel="app").count() == 3
    assert mine.filter(status=Order.Status.CONFIRMED, rating=5).exists() or mine.filter(
        status=Order.Status.SETTLED).exists()
    before = Order.objects.count()
    call_command("demo", "--no-serve", stdout=StringIO())
    assert Order.objects.count() == before
