"""The caregiver's day on a cheap phone (360×640, touch) in a real Chromium: today's route in
order, accept, check in at the elder's door with the phone's location and out again; a check
2 km from the home goes through flagged; a check-in made without a connection is kept on the
phone and sent when the connection is back, with the time it was made. Nothing is wider than
the screen and every control is at least 44 px tall."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.models import Order, ServiceVisit
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    HOME, carer, catalogue, home_provider, local, metres_north,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every control a finger presses, with its height and font size (hidden ones left out).
CONTROLS = """() => Array.from(document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary'))
  .filter(el => el.offsetParent !== null)
  .map(el => ({what: el.outerHTML.slice(0, 80), height: el.getBoundingClientRect().height,
               font: parseFloat(getComputedStyle(el).fontSize)}))"""


def where(page, lat_lng, accuracy=12):
    page.context.set_geolocation({"latitude": lat_lng[0], "longitude": lat_lng[1], "accuracy": accuracy})


def stop(page, order):
    return page.locator(f'#route li[data-order="{order.pk}"]')


def wait_status(page, order, status):
    page.locator(f'#route li[data-order="{order.pk}"][data-status="{status}"]').wait_for()


def said(sync, what, value=None):
    """Whether the sync state shows its text `what` (sent, waiting, count, last), with `value`
    put in for its {n} or {time}: in whatever language the page is in."""
    text = sync.get_attribute(f"data-text-{what}")
    if value is not None:
        text = text.replace("{n}", value).replace("{time}", value)
    return text in sync.inner_text()


def assert_fits_the_phone(page):
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    small = [c for c in page.evaluate(CONTROLS) if c["height"] < 44 or c["font"] < 16]
    assert not small, small


@pytest.fixture
def day(settings, worker_a, caregiver, elder_in_a, catalogue, carer, today):
    """Today's meals for the elder at 08:00 (already delivered), and from 09:00, 14:00 and
    16:00 (any time until late in the day), placed early in the day or at least three hours
    ago, so that the test runs the same at any hour: the caregiver checks in now, which is
    neither after the window nor flagged as early (KANGYANG_EARLY_CHECK_IN_HOURS widened)."""
    settings.EARLY_CHECK_IN = dt.timedelta(hours=24)
    early = min(timezone.now() - dt.timedelta(hours=3), local(today, 6))
    meals = [actions.place_order(by=worker_a, elder=elder_in_a, item=catalogue["meal"],
                                 window_start=local(today, 8), now=early)]
    meals += [actions.place_order(by=worker_a, elder=elder_in_a, item=catalogue["meal"], flexible=True,
                                  window_start=local(today, hour), window_end=local(today, 23, 50), now=early)
              for hour in (9, 14, 16)]
    done = meals[0]
    actions.accept_order(done, by=caregiver, now=local(today, 7))
    actions.check_in(done, by=caregiver, fix=Fix(*HOME, accuracy_m=10), now=local(today, 8, 2))
    actions.check_out(Order.objects.get(pk=done.pk), by=caregiver, fix=Fix(*HOME, accuracy_m=10),
                      now=local(today, 8, 15))
    return meals


def test_a_caregiver_works_through_the_day_on_a_phone(live_server, phone, caregiver, elder_in_a, day):
    page = phone
    done, first, second, third = day
    sign_in(page, live_server, "caregiver")
    page.wait_for_url("**/app/route/")  # the caregiver lands on today's route, in the app

    # today's route in order, the delivered meal shown done, a way to navigate to the home
    order_of_stops = page.locator("#route li[data-order]").evaluate_all("els => els.map(e => +e.dataset.order)")
    assert order_of_stops == [o.pk for o in day]
    assert "is-done" in stop(page, done).get_attribute("class")
    assert stop(page, first).locator("a[data-navigate]").get_attribute("href") ==\
        "geo:28.660000,115.890000?q=28.660000,115.890000"
    assert elder_in_a.name in stop(page, first).inner_text()
    assert_fits_the_phone(page)

    # accept, set off, check in at the door: within the radius
    stop(page, first).locator('button[data-step="accept"]').tap()
    wait_status(page, first, "accepted")
    stop(page, first).locator('button[data-step="travel"]').tap()
    wait_status(page, first, "en_route")
    where(page, metres_north(HOME, 30))
    stop(page, first).locator('button[data-step="check-in"]').tap()
    result = page.locator('#route [data-result="ok"]')
    result.wait_for()
    assert result.get_attribute("data-distance") == "30"
    service_visit = ServiceVisit.objects.get(order=first)
    assert service_visit.check_in_ok is True and service_visit.check_in_distance_m == 30 and service_visit.check_in_accuracy_m == 12
    wait_status(page, first, "checked_in")
    assert_fits_the_phone(page)

    # check out with notes
    stop(page, first).locator("textarea[name=notes]").fill("饭菜已送到，老人精神很好")
    stop(page, first).locator('button[data-step="check-out"]').tap()
    wait_status(page, first, "checked_out")
    service_visit.refresh_from_db()
    assert service_visit.checked_out_at is not None and service_visit.notes == "饭菜已送到，老人精神很好"

    # the next one, checked in 2 km away: it goes through, flagged for the supervisor
    stop(page, second).locator('button[data-step="accept"]').tap()
    wait_status(page, second, "accepted")
    where(page, metres_north(HOME, 2000))
    stop(page, second).locator('button[data-step="check-in"]').tap()
    flagged = page.locator('#route [data-result="flagged"]')
    flagged.wait_for()
    assert flagged.get_attribute("data-distance") == "2000" and "2000" in flagged.inner_text()
    service_visit = ServiceVisit.objects.get(order=second)
    assert service_visit.review == ServiceVisit.Review.PENDING and service_visit.flags.filter(code="far_check_in").exists()
    where(page, metres_north(HOME, 10))
    stop(page, second).locator('button[data-step="check-out"]').tap()
    wait_status(page, second, "checked_out")

    # the last one with the connection gone: the check-in waits on the phone…
    stop(page, third).locator('button[data-step="accept"]').tap()
    wait_status(page, third, "accepted")
    page.context.set_offline(True)
    pressed = timezone.now()
    stop(page, third).locator('button[data-step="check-in"]').tap()
    page.locator('#check-queue[data-state="queued"]').wait_for()
    assert page.evaluate(f"JSON.parse(localStorage.getItem('kangyang:checks:{caregiver.pk}')).length") == 1
    # the sync state says so in words: one check waits on the phone, for a connection
    sync = page.locator('#sync-state[data-state="waiting"]')
    sync.wait_for()
    assert said(sync, "waiting") and said(sync, "count", "1")
    time.sleep(2)
    assert not ServiceVisit.objects.filter(order=third).exists()
    # …and goes by itself when the connection is back, with the time it was made
    back = timezone.now()
    page.context.set_offline(False)
    wait_status(page, third, "checked_in")
    page.locator('#route [data-result="ok"]').wait_for()
    service_visit = ServiceVisit.objects.get(order=third)
    assert pressed - dt.timedelta(seconds=1) <= service_visit.checked_in_at <= back - dt.timedelta(seconds=1)
    assert service_visit.check_in_ok is True
    assert page.evaluate(f"localStorage.getItem('kangyang:checks:{caregiver.pk}')") is None
    assert page.locator("#check-queue").is_hidden()
    # …and the sync state: all sent, nothing waiting, and the time of that last send
    sync = page.locator('#sync-state[data-state="sent"]')
    sync.wait_for()
    assert said(sync, "sent") and said(sync, "count", "0") and sync.is_visible()
    times = {timezone.localtime(t).strftime("%H:%M") for t in (back, timezone.now())}
    assert any(said(sync, "last", t) for t in times), sync.inner_text()
    assert_fits_the_phone(page)
