"""The volunteer's visits on a cheap phone (360×740) in a real Chromium: she opens /app/visits/,
loses the connection in the stairwell, opens the board again from the phone and records the
visit anyway; the board says a record waits
to be sent; the connection comes back and it is sent by itself, with the phone's location
checked against the home; the phone sending the same record again keeps it once."""

import json
import time

import pytest

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH
from kangyang.visits.models import CareVisit, VisitDue
from kangyang.visits.tests.records_fixtures import due_a, make_due, tier_high  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(sync, what, n=None):
    """Whether the sync state shows its text `what` (sent, sending, waiting-one, waiting-other),
    with the number put in: in whatever language the page is in."""
    text = sync.get_attribute(f"data-text-{what}")
    if n is not None:
        text = text.replace("{n}", str(n))
    return text in sync.inner_text()


def test_volunteer_records_a_visit_offline_and_it_is_sent_once(app_phone, live_server, volunteer, elder_in_a, due_a):  # noqa: F811
    page = app_phone
    page.context.add_init_script(WATCH)
    sign_in(page, live_server, "volunteer")
    page.goto(f"{live_server.url}/app/visits/")
    stop = page.locator(f'#visit-board li[data-elder="{elder_in_a.pk}"]')
    assert stop.locator("h2").inner_text() == "张桂兰"
    assert stop.locator("a[data-navigate]").get_attribute("href").startswith("geo:28.660000,115.890000")
    page.locator('#sync-state[data-state="sent"]').wait_for()
    key = f"kangyang:visits:{volunteer.pk}"
    # The app's service worker takes the page over (the next load of it is always controlled).
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    # In the stairwell: no connection; she opens the board again (the kept copy, with its script
    # from the worker's cache) and records the visit anyway.
    page.context.set_offline(True)
    page.reload()
    page.locator('#sync-state[data-state="sent"]').wait_for()
    form = stop.locator("form[data-visit-form]")
    form.locator('input[name=mode][value="home"]').check()
    form.locator('[data-finding="health"] input[value="ok"]').check()
    form.locator('[data-finding="mood"] input[value="ok"]').check()
    form.locator('[data-finding="safety"] input[value="concern"]').check()
    form.locator('input[name="n_safety"]').fill("楼道灯坏了")
    form.locator("textarea[name=notes]").fill("老人精神很好")
    form.locator('button[data-step="record"]').tap()

    sync = page.locator('#sync-state[data-state="waiting"]')
    sync.wait_for()
    assert said(sync, "waiting-one", 1), sync.inner_text()
    assert page.locator('#visit-queue[data-state="queued"]').is_visible()
    queued = page.evaluate(f"() => JSON.parse(localStorage.getItem('{key}'))")
    assert len(queued) == 1 and queued[0]["fields"]["n_safety"] == "楼道灯坏了"
    assert queued[0]["fields"]["lat"] and queued[0]["fields"]["client_id"]
    time.sleep(1.5)
    assert not CareVisit.objects.exists()

    # The connection is back: the record goes by itself, and the board says so.
    page.context.set_offline(False)
    page.locator('#visit-board [data-result="done"]').wait_for()
    sync = page.locator('#sync-state[data-state="sent"]')
    sync.wait_for()
    assert said(sync, "sent")
    visit = CareVisit.objects.get()
    assert visit.visitor_id == volunteer.pk and visit.location_ok is True and visit.distance_m == 0
    assert visit.findings["safety"] == {"state": "concern", "note": "楼道灯坏了"}
    assert VisitDue.objects.get(pk=due_a.pk).status == "done"
    assert page.locator(f'#visit-board li[data-visit="{visit.pk}"]').is_visible()

    # The phone sends the same record again (an answer lost on the way back): kept once.
    page.evaluate("""([key, item]) => {
        localStorage.setItem(key, JSON.stringify([item]));
        window.dispatchEvent(new Event("online"));
    }""", [key, queued[0]])
    page.wait_for_function(f"() => localStorage.getItem({json.dumps(key)}) === null")
    page.locator('#sync-state[data-state="sent"]').wait_for()
    assert CareVisit.objects.count() == 1

    # Fits the phone; no inline script was needed.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert page.evaluate("window.__cspViolations") == []


def test_a_record_waits_on_the_phone_while_she_is_signed_out(app_phone, live_server, volunteer, elder_in_a, due_a):  # noqa: F811
    """The session ended while the phone was offline: the record is not lost, it waits until she
    signs in again (with a fresh CSRF token), then goes."""
    page = app_phone
    sign_in(page, live_server, "volunteer")
    page.goto(f"{live_server.url}/app/visits/")
    page.locator('#sync-state[data-state="sent"]').wait_for()
    key = f"kangyang:visits:{volunteer.pk}"
    page.context.set_offline(True)
    form = page.locator(f'#visit-board li[data-elder="{elder_in_a.pk}"] form[data-visit-form]')
    form.locator('input[name=mode][value="phone"]').check()
    form.locator('button[data-step="record"]').tap()
    page.locator('#sync-state[data-state="waiting"]').wait_for()

    page.context.clear_cookies()  # signed out meanwhile
    page.context.set_offline(False)
    page.locator('#visit-queue[data-state="sign-in"]').wait_for()
    assert page.evaluate(f"() => JSON.parse(localStorage.getItem('{key}')).length") == 1
    assert not CareVisit.objects.exists()

    sign_in(page, live_server, "volunteer")
    page.goto(f"{live_server.url}/app/visits/")
    page.locator('#sync-state[data-state="sent"]').wait_for()
    page.wait_for_function(f"() => localStorage.getItem({json.dumps(key)}) === null")
    visit = CareVisit.objects.get()
    assert visit.mode == "phone" and visit.visitor_id == volunteer.pk
