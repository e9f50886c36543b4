"""The volunteer's time bank on a phone (360×740): she signs in and lands on her time bank, sees
her balance in words and where her hours came from, takes a visit due nearby (the elder shown by
family name only until it is hers) and signs up for an activity; the page fits the screen, its
controls are large enough to press, and the Content-Security-Policy is never violated."""

import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = """() => ({
  overflow: document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth,
  small: Array.from(document.querySelectorAll("main button, main .button, .bottom-nav a"))
    .filter((el) => { const r = el.getBoundingClientRect();
                      return r.width > 0 && (r.width < 43.5 || r.height < 43.5); })
    .map((el) => el.outerHTML.slice(0, 80)),
})"""


@pytest.fixture
def volunteer_with_hours(volunteer, worker_a, elder_in_a):
    """The volunteer persona registered, with 1.5 hours for a visit to 张桂兰, an open visit due of
    another elder of her community and an activity next week."""
    from kangyang.registry.actions import create_elder
    from kangyang.timebank import actions
    from kangyang.visits.models import CareVisit, VisitDue

    account = actions.open_volunteer_account(volunteer, real_name="万晓东", birth_date=dt.date(1990, 4, 1),
                                             phone="13912345678", by=worker_a)
    start = timezone.now() - dt.timedelta(days=1)
    visit = CareVisit.objects.create(elder=elder_in_a, region_code=elder_in_a.region_code, visitor=volunteer,
                                     mode="home", started_at=start, ended_at=start + dt.timedelta(minutes=90))
    actions.deposit_for_care_visit(visit, by=worker_a)
    other = create_elder(by=worker_a, name="王秀英", id_number="360103194108150022", community=elder_in_a.community,
                         phone="13807915678", address="桃花小区5栋101", categories=["alone"],
                         compound=elder_in_a.community.compounds.first())
    due = VisitDue.objects.create(elder=other, region_code=other.region_code, month=timezone.localdate().replace(day=1),
                                  due_by=timezone.now() + dt.timedelta(days=3))
    soon = timezone.now() + dt.timedelta(days=7)
    activity = actions.create_activity(title="重阳节包饺子", region_code=elder_in_a.region_code, starts_at=soon,
                                       ends_at=soon + dt.timedelta(hours=2), place="社区活动室", by=worker_a)
    return account, due, activity


def test_volunteer_sees_her_balance_and_takes_a_need_nearby(app_phone, live_server, volunteer_with_hours):
    account, due, activity = volunteer_with_hours
    page = app_phone
    page.context.add_init_script(WATCH)
    sign_in(page, live_server, "volunteer")
    assert page.url == f"{live_server.url}/app/visits/"  # her day first; the time bank one tap away
    page.locator('.bottom-nav a[href="/app/timebank/"]').click()
    page.wait_for_url(f"{live_server.url}/app/timebank/")

    balance = page.locator(".timebank-balance")
    assert balance.locator(".balance-figure strong").inner_text() == "1.5"
    assert balance.get_attribute("data-balance-minutes") == "90"
    assert "1.5" in balance.locator(".balance-words").inner_text()
    history = page.locator(".history-list li").first
    assert "张桂兰" in history.inner_text() and "1.5" in history.inner_text()
    # the bottom navigation: her time bank, marked as the page she is on
    assert page.locator('.bottom-nav a[aria-current="page"]').get_attribute("href") == "/app/timebank/"

    need = page.locator(f'[data-need="visit-{due.pk}"]')
    assert "王**" in need.inner_text() and "王秀英" not in page.content()
    fits = page.evaluate(FITS)
    assert fits["overflow"] <= 0 and fits["small"] == [], fits

    need.locator("button.main").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/app/timebank/"
    assert page.locator(".messages li.success").count() == 1
    assert page.locator(f'[data-need="visit-{due.pk}"]').count() == 0
    due.refresh_from_db()
    assert due.visitor_id == account.user_id

    page.locator(f'[data-need="activity-{activity.pk}"] button.main').click()
    page.wait_for_load_state()
    assert page.locator(f'[data-need="activity-{activity.pk}"] .state').count() == 1
    assert activity.signups.filter(account=account).exists()
    assert page.evaluate("window.__cspViolations") == []
