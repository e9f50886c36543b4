"""The app's home screen (issue 14 §2): for the elder, the SOS button and then the cards the
apps declare (kangyang.lib.cards: the home screen names none of them); for a family
member, one part per bound elder with the same cards and no SOS."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from kangyang.alarms.actions import raise_alarm
from kangyang.lib import cards
from kangyang.registry.actions import add_contact
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.tests.conftest import HOME


def card_codes(page: str, elder_pk: int) -> list[str]:
    part = page.split(f'data-elder="{elder_pk}"', 1)[1].split('class="elder-home"', 1)[0]
    return re.findall(r'data-card="([\w.]+)"', part)


@pytest.fixture
def noon(today):
    """Today's lunchtime, inside the caregiver's shift whatever the hour the suite runs at."""
    return timezone.make_aware(dt.datetime.combine(today, dt.time(11, 55)))


@pytest.fixture
def lunch(elder, elder_in_a, carer, catalogue, caregiver, noon):
    """Her lunch today; the caregiver set off."""
    order = actions.place_order(by=elder, elder=elder_in_a, item=catalogue["meal"], flexible=True, urgent=True,
                                window_start=noon - dt.timedelta(minutes=5),
                                window_end=noon + dt.timedelta(minutes=55), now=noon)
    order = actions.accept_order(order, by=caregiver, now=noon)
    return actions.start_travel(order, by=caregiver, now=noon)


def test_the_elder_sees_sos_first_then_the_cards_in_their_order(client, elder, elder_in_a, lunch):
    raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="home-1")
    client.force_login(elder)
    page = client.get("/app/").content.decode()
    codes = card_codes(page, elder_in_a.pk)
    assert codes == ["alarms.recent", "services.orders", "allowances.paid", "payments.shares"]  # her lunch has a share to pay
    assert page.index("data-sos-hold") < page.index('data-card="alarms.recent"')
    set_off = timezone.localtime(lunch.events.get(kind="en_route").at).strftime("%H:%M")
    part = page.split('data-card="services.orders"')[1]
    assert f'data-order="{lunch.pk}"' in part and "熊秀梅" in part and set_off in part
    assert f'/app/order/?elder={elder_in_a.pk}' in part  # the button to order


def test_the_card_says_when_the_caregiver_arrived_and_asks_to_confirm_when_she_left(client, elder, lunch, caregiver, noon):
    arrived = noon + dt.timedelta(minutes=20)
    actions.check_in(lunch, by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=arrived)
    client.force_login(elder)
    page = client.get("/app/").content.decode()
    assert 'data-status="checked_in"' in page and timezone.localtime(arrived).strftime("%H:%M") in page
    from kangyang.services.models import Order

    actions.check_out(Order.objects.get(pk=lunch.pk), by=caregiver, fix=Fix(*HOME, accuracy_m=10),
                      now=arrived + dt.timedelta(minutes=15))
    page = client.get("/app/").content.decode()
    assert "orders-to-confirm" in page and f"/app/orders/{lunch.pk}/#rate" in page


def test_family_sees_a_part_per_bound_elder_with_the_same_cards_and_no_sos(client, family, elder_in_a, funded_elder,
                                                                        worker_a, elder_in_b):
    add_contact(funded_elder, by=worker_a, name="王芳", relation="other", phone="13607915555", user=family)
    client.force_login(family)
    page = client.get("/app/").content.decode()
    assert set(map(int, re.findall(r'class="elder-home" data-elder="(\d+)"', page))) == {elder_in_a.pk, funded_elder.pk}
    assert "data-sos-hold" not in page and 'href="/app/sos/"' not in page
    assert card_codes(page, elder_in_a.pk) == card_codes(page, funded_elder.pk) == ["services.orders", "allowances.paid"]
    assert "李建国" not in page


def test_a_card_an_app_declares_shows_without_the_home_screen_naming_it(client, elder, monkeypatch):
    extra = cards.Card(code="visits.next", title="下次探访", template="alarms/cards/alarms.html",
                       context=lambda user, e: {"alarms": []}, order=15)
    hidden = cards.Card(code="health.none", title="健康", template="alarms/cards/alarms.html",
                        context=lambda user, e: None, order=16)
    monkeypatch.setattr(cards.site, "_cards", sorted([*cards.site.all(), extra, hidden], key=lambda c: (c.order, c.code)))
    client.force_login(elder)
    page = client.get("/app/").content.decode()
    assert "下次探访" in page and 'data-card="visits.next"' in page and 'data-card="health.none"' not in page
    assert page.index('data-card="visits.next"') < page.index('data-card="services.orders"')
