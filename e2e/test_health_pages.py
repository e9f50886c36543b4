"""Health services in a real Chromium: the family doctor's panel shows an urgent reading's alert and
acknowledges it with one tap; the elder's health page draws the blood-pressure trend as an SVG with
its target lines; axe-core finds no WCAG 2.1 A/AA violation on either page at a desk's and a cheap
phone's width, under the Content-Security-Policy."""

import datetime as dt

import pytest
from django.utils import timezone

from e2e.app_pages import describe_violations, phone_context, run_axe, sign_in
from e2e.test_content_security_policy import WATCH
from kangyang.health.actions.alerts import raise_alerts
from kangyang.health.models import HealthAlert
from kangyang.health.tests.alerts_world import store, world  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desk": {"width": 1366, "height": 768}, "phone": None}


def open_page(browser, width: str):
    if WIDTHS[width] is None:
        context = phone_context(browser)
    else:
        context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def readings(world):  # noqa: F811 - the fixture imported above
    """Thirty days of the elder's blood pressure, mostly controlled, and one urgent reading with its alert."""
    now = timezone.now()
    for day in range(30, 0, -1):
        high = day % 7 == 0
        store(world.elder_a, classification="uncontrolled" if high else "controlled",
              at=now - dt.timedelta(days=day), systolic=158 if high else 132, diastolic=92 if high else 80)
    urgent = store(world.elder_a, at=now - dt.timedelta(minutes=3))
    [alert] = raise_alerts([urgent], now=now, tell=False)
    return alert


@pytest.mark.parametrize("width", ["desk", "phone"])
def test_the_doctor_acknowledges_an_alert_and_reads_the_trend(browser, live_server, world, readings, width):  # noqa: F811
    context, page = open_page(browser, width)
    try:
        sign_in(page, live_server.url, world.doctor_a.username)
        page.goto(f"{live_server.url}/health/")
        row = page.locator(f'[data-alert="{readings.pk}"]')
        row.wait_for()
        assert page.evaluate("document.documentElement.lang") == "zh-hans"
        violations = run_axe(page)
        assert violations == [], "panel:\n" + describe_violations(violations)

        page.locator(f'[data-acknowledge="{readings.pk}"]').click()
        page.wait_for_load_state("networkidle")
        page.wait_for_function(f"() => !document.querySelector('[data-acknowledge=\"{readings.pk}\"]')")
        readings.refresh_from_db()
        assert readings.status == HealthAlert.Status.ACKNOWLEDGED
        assert readings.acknowledged_by_id == world.doctor_a.pk

        page.goto(f"{live_server.url}/health/elders/{world.elder_a.pk}/")
        chart = page.locator('[data-trend="blood_pressure"] svg')
        chart.wait_for()
        # 31 readings, two series (systolic and diastolic): 62 points; the 65+ targets 150 and 90.
        assert page.locator('[data-trend="blood_pressure"] svg .pt').count() == 62
        targets = set(page.locator('[data-trend="blood_pressure"] svg line.target').evaluate_all(
            "lines => lines.map(l => l.dataset.target)"))
        assert {"150", "90"} <= targets
        violations = run_axe(page)
        assert violations == [], "elder's health page:\n" + describe_violations(violations)
    finally:
        context.close()
