"""The home-services card of the app's home screen (issue 14): her next orders with the
caregiver on the way or arrived in words, those to confirm, the recent ones; to her and her
family only."""

import datetime as dt

from django.utils import timezone

from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.cards import orders_card
from kangyang.services.models import Order
from kangyang.services.tests.conftest import HOME, local


def test_coming_to_confirm_and_recent_orders_in_words(elder, family, elder_in_a, carer, catalogue, caregiver,
                                                       tomorrow, worker_a):
    cleaning = actions.place_order(by=elder, elder=elder_in_a, item=catalogue["cleaning"], window_start=local(tomorrow, 9))
    meal = actions.place_order(by=family, elder=elder_in_a, item=catalogue["meal"], window_start=local(tomorrow, 11))
    meal = actions.start_travel(actions.accept_order(meal, by=caregiver), by=caregiver)
    bath = actions.place_order(by=elder, elder=elder_in_a, item=catalogue["bathing"], window_start=local(tomorrow, 15))
    actions.check_in(bath, by=caregiver, fix=Fix(*HOME, accuracy_m=10))
    actions.check_out(Order.objects.get(pk=bath.pk), by=caregiver, fix=Fix(*HOME, accuracy_m=10),
                      now=timezone.now() + dt.timedelta(minutes=60))
    gone = actions.place_order(by=elder, elder=elder_in_a, item=catalogue["comfort"], window_start=local(tomorrow, 16))
    actions.cancel_order(gone, by=family, reason="不需要了")

    card = orders_card(elder, elder_in_a)
    assert [r["order"].pk for r in card["coming"]] == [cleaning.pk, meal.pk]  # by time
    assert [r["order"].pk for r in card["to_confirm"]] == [bath.pk]
    assert [r["order"].pk for r in card["recent"]] == [gone.pk]
    on_the_way = card["coming"][1]
    assert "熊秀梅" in on_the_way["state"]
    assert timezone.localtime(meal.events.get(kind="en_route").at).strftime("%H:%M") in on_the_way["state"]
    assert card["may_order"] and orders_card(family, elder_in_a)["may_order"]


def test_nobody_else_gets_her_card(elder_in_a, elder_in_b, worker_a, caregiver, provider, elder):
    for user in (worker_a, caregiver, provider):  # staff have their own pages
        assert orders_card(user, elder_in_a) is None
    assert orders_card(elder, elder_in_b) is None
