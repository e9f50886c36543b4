"""The elder's app on a cheap phone (360×740, touch) in a real Chromium (issue 14): she orders
lunch from the menu, seeing what she pays before she confirms; the provider's caregiver sets
off, checks in and out (through the services actions, as the caregiver's own page does); she
sees it in words, confirms and rates. Then she presses and holds SOS: the operator's console
shows it, her daughter's home screen shows it, and her page follows it as the hotline takes it.
Offline, the SOS page offers the hotline's number instead."""

import re

import pytest

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH
from kangyang.alarms import actions as alarm_actions
from kangyang.alarms.models import Alarm
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.models import Order
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    HOME, carer, catalogue, home_provider,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def elder_phone(app_phone):
    """The elder's phone, location allowed at her home; every page runs under the
    Content-Security-Policy with no violation."""
    app_phone.context.set_geolocation({"latitude": HOME[0], "longitude": HOME[1], "accuracy": 20})
    app_phone.context.add_init_script(WATCH)
    yield app_phone
    assert app_phone.evaluate("window.__cspViolations") == []


def fits_the_phone(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360


def test_the_elder_orders_lunch_follows_the_caregiver_confirms_and_rates(
    live_server, elder_phone, elder, elder_in_a, carer, caregiver, settings,
):
    import datetime as dt

    settings.EARLY_CHECK_IN = dt.timedelta(hours=48)  # lunch is tomorrow; the caregiver comes now
    page = elder_phone
    sign_in(page, live_server, "elder")
    page.goto(f"{live_server.url}/app/")
    fits_the_phone(page)
    page.locator('[data-card="services.orders"] a.button.main').click()
    page.wait_for_url(re.compile(r"/app/order/"))
    fits_the_phone(page)
    page.locator('label.choice[data-item="meal"]').click()
    page.locator('input[name=day][value=tomorrow]').check()
    page.locator('input[name=window][value=noon]').check()
    page.locator('form.order-form button[type=submit]').click()
    # The confirm page: the split before anything is placed.
    own = page.locator('dd[data-share="own"]').inner_text()
    assert page.locator('dd[data-share="price"]').inner_text() == "¥15.00" and own == "¥15.00"
    assert not Order.objects.exists()
    fits_the_phone(page)
    page.locator('form input[name=step][value=place] ~ p button.main').click()
    page.wait_for_url(re.compile(r"/app/orders/\d+/$"))
    order = Order.objects.get()
    assert (order.elder, order.channel, order.created_by, order.self_amount) == (elder_in_a, "app", elder, 15)
    assert page.locator(".messages li").count() == 1  # the spoken confirmation

    # The caregiver's side, as her own page does it.
    order = actions.accept_order(Order.objects.get(pk=order.pk), by=caregiver)
    actions.start_travel(order, by=caregiver)
    page.reload()
    page.locator('#order-state[data-status="en_route"]', has_text="熊秀梅").wait_for()
    actions.check_in(Order.objects.get(pk=order.pk), by=caregiver, fix=Fix(*HOME, accuracy_m=10))
    page.reload()
    page.locator('#order-state[data-status="checked_in"]').wait_for()
    actions.check_out(Order.objects.get(pk=order.pk), by=caregiver, fix=Fix(*HOME, accuracy_m=10),
                      now=Order.objects.get(pk=order.pk).service_visit.checked_in_at + dt.timedelta(minutes=15))
    page.goto(f"{live_server.url}/app/")
    page.locator(f'.orders-to-confirm li[data-order="{order.pk}"] a.button.main').click()
    page.locator('#order-state[data-status="checked_out"]').wait_for()
    buttons = page.locator("#rate button[name=rating]")
    assert buttons.count() == 5
    for i in range(5):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    page.fill("#rate textarea[name=comment]", "饭菜热乎，谢谢")
    page.locator('#rate button[name=rating][value="5"]').click()
    page.locator('#order-state[data-status="confirmed"]').wait_for()
    order.refresh_from_db()
    assert (order.status, order.rating, order.rating_comment) == ("confirmed", 5, "饭菜热乎，谢谢")
    fits_the_phone(page)


def test_the_elder_holds_sos_and_the_operator_and_her_daughter_see_it(
    live_server, elder_phone, desk, browser, elder, family, operator, elder_in_a,
):
    page = elder_phone
    page.context.set_geolocation({"latitude": HOME[0] + 0.003, "longitude": HOME[1], "accuracy": 20})  # in the park
    sign_in(page, live_server, "elder")
    page.goto(f"{live_server.url}/app/")
    # A short press does not send it: it opens the confirm page (one more press).
    page.locator("#sos-home").click()
    page.wait_for_url(re.compile(r"/app/sos/$"))
    assert not Alarm.objects.exists()
    page.go_back()
    page.wait_for_url(re.compile(r"/app/$"))
    # Held for two seconds, with words and a progress bar while held.
    box = page.locator("#sos-home").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(800)
    assert page.locator(".sos-progress").is_visible() and page.locator(".sos-words").inner_text().strip()
    page.wait_for_timeout(1600)
    page.mouse.up()
    page.wait_for_url(re.compile(r"/app/sos/\d+/$"))
    alarm = Alarm.objects.get()
    assert (alarm.elder, alarm.source, alarm.type) == (elder_in_a, "app", "sos")
    assert (round(alarm.lat, 4), round(alarm.lng, 4)) == (round(HOME[0] + 0.003, 4), HOME[1])  # the phone's, not home
    page.locator('#sos-state[data-status="raised"]').wait_for()
    fits_the_phone(page)

    console = desk()
    sign_in(console, live_server, "operator")
    console.goto(f"{live_server.url}/alarms/console/")
    console.locator(f'#alarm-queue [data-alarm-id="{alarm.pk}"]', has_text="张桂兰").wait_for()

    daughter = desk()
    daughter.set_viewport_size({"width": 360, "height": 740})
    sign_in(daughter, live_server, "family")
    daughter.goto(f"{live_server.url}/app/")
    daughter.locator(f'[data-card="alarms.recent"] [data-alarm="{alarm.pk}"]').wait_for()
    assert daughter.locator("[data-sos-hold]").count() == 0

    # The hotline takes it: her page says so by itself (htmx polling).
    alarm_actions.acknowledge_alarm(alarm, by=operator)
    page.locator('#sos-state[data-status="acknowledged"]').wait_for(timeout=15_000)


def test_offline_the_sos_page_offers_the_hotline(live_server, elder_phone, elder):
    page = elder_phone
    sign_in(page, live_server, "elder")
    page.goto(f"{live_server.url}/app/sos/")
    page.context.set_offline(True)
    page.locator("form[data-sos-submit] button.main").click()
    tel = page.locator("[data-sos-offline] a[data-sos-tel]")
    tel.wait_for()
    assert tel.get_attribute("href") == "tel:12349"
    assert not Alarm.objects.exists()
