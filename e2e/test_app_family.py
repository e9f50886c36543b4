"""The family's part of the app (issue 14 §3) in a real Chromium at a phone's size: the
elder's alarm is raised and her daughter, signed in on her phone, finds the notice on
/app/notifications/; then she pays her mother's share of an order through the demo's
payment provider and sees it paid."""

import pytest

from e2e.conftest import sign_in
from kangyang.alarms import actions as alarms
from kangyang.notify.models import Delivery
from kangyang.payments.models import Payment
from kangyang.services import actions as services
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    catalogue, home_provider, local, meal, tomorrow,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]




def _no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_daughter_is_told_of_her_mothers_alarm_and_pays_her_share(
    live_server, app_phone, elder, family, elder_in_a, home_provider, meal, tomorrow,
):
    page = app_phone
    elder_in_a.contacts.filter(user=family).update(tell_of_alarms=True)  # the elder's consent
    alarm, created = alarms.raise_alarm(source="app", type="sos", elder=elder_in_a, by=elder, msg_id="app-sos-1")
    assert created
    [told] = Delivery.objects.filter(key=f"alarm:{alarm.pk}:family:user:{family.pk}")
    assert told.status == Delivery.Status.SENT  # by SMS: her phone has not subscribed to push

    sign_in(page, live_server, "family")
    page.goto(f"{live_server.url}/app/notifications/")
    notice = page.locator(f"li.notice[data-delivery='{told.pk}']")
    notice.wait_for()
    assert elder_in_a.name in notice.inner_text() and "呼救" in notice.inner_text()
    assert page.locator("#push-box [data-push=on]").is_visible()  # "tell me on this phone"
    assert _no_sideways_scrolling(page)

    order = services.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(tomorrow, 11),
                                 dispatch=False)
    page.goto(f"{live_server.url}/app/orders/{order.pk}/pay/")
    page.locator("form[action$='/pay/'] button.main").click()
    page.wait_for_url("**/app/pay/fake/**")
    assert page.locator(".demo-payment").is_visible()  # clearly a demo
    assert _no_sideways_scrolling(page)
    box = page.locator(".pay-choice button.main").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    page.locator(".pay-choice button.main").click()
    page.wait_for_url("**/app/pay/*/")
    result = page.locator(".payment-result")
    assert result.get_attribute("data-status") == "paid"
    assert "已支付" in result.inner_text() or "paid" in result.inner_text()
    assert Payment.objects.get(order=order).status == Payment.Status.PAID
