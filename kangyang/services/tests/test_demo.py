"""Home services of `kangyang demo`: providers and caregivers, a week of orders delivered
along planned routes, last month's statements, and the demo accounts' own work."""

import datetime as dt
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
    assert mine.filter(created_by__username="family", channel="app").count() == 5
    assert mine.filter(status=Order.Status.CONFIRMED, rating=5).exists() or mine.filter(
        status=Order.Status.SETTLED).exists()
    # What her app shows today (issue 14): lunch on the way (while caregivers are on shift), a
    # visit to confirm and rate.
    lunch = mine.filter(item__code="meal", window_start__lte=timezone.now()).latest("window_start")
    on_shift = dt.time(8) <= timezone.localtime().time() <= dt.time(19)
    assert lunch.status == Order.Status.EN_ROUTE or (not on_shift and lunch.status == Order.Status.CREATED)
    assert mine.filter(status=Order.Status.CHECKED_OUT, item__code="visit_care").exists()
    before = Order.objects.count()
    call_command("demo", "--no-serve", stdout=StringIO())
    assert Order.objects.count() == before


def test_the_caregiver_account_is_never_booked_twice_and_her_phone_list_is_in_time_order(demo):
    import datetime as dt

    me = Caregiver.objects.get(user__username="caregiver")
    today = timezone.localdate()
    for day in (today, today + dt.timedelta(days=1)):
        orders = list(queries.caregiver_day(me, day).exclude(status=Order.Status.NO_SHOW))
        assert orders, day
        starts = [o.stop.start if hasattr(o, "stop") else o.window_start for o in orders]
        assert starts == sorted(starts)  # the phone list, in time order
        for a, b in zip(orders, orders[1:]):  # one visit ends before the next starts
            a_start = a.stop.start if hasattr(a, "stop") else a.window_start
            b_start = b.stop.start if hasattr(b, "stop") else b.window_start
            assert a_start + dt.timedelta(minutes=a.planned_minutes) <= b_start, (a.pk, b.pk)
    holding = Order.objects.filter(caregiver=me, status__in=queries.IN_PLAN).exclude(warning={})
    assert not holding.exists()  # her day keeps every rule


def test_one_order_of_tomorrow_was_dispatched_by_override_and_shows_its_warning(demo, client):
    from django.contrib.auth import get_user_model
    from django.utils import translation

    overridden = Order.objects.exclude(override_reason="")
    assert overridden.count() == 1
    order = overridden.get()
    assert "off_shift" in order.warning_codes and order.assigned_by_hand
    assert order.caregiver.user.username != "caregiver"
    client.force_login(get_user_model().objects.get(username="provider"))
    with translation.override("en"):
        page = client.get(f"/services/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-warning="{",".join(order.warning_codes)}"' in page and order.override_reason in page
