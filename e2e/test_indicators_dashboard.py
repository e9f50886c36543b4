"""The bureau admin's dashboard in a real Chromium: she lands on it, finds the figures the
framework computed, drills down to a chart drawn without breaking the Content-Security-Policy,
and opens the records behind a figure."""

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH
from kangyang.indicators.actions import take_snapshot
from kangyang.indicators.registry import Period, Query, site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bureau_admin_finds_the_computed_figures_and_their_records(live_server, desk, admin, elder_in_a, elder_in_b):
    today = timezone.localdate()
    period = Period(today.year)
    take_snapshot(period)
    expected = site.get("elders").figure(Query(admin.region.code, period)).value
    alone = site.get("elders_alone").figure(Query(admin.region.code, period)).value
    page = desk()
    page.context.add_init_script(WATCH)
    sign_in(page, live_server, "admin")
    page.wait_for_url("**/indicators/")  # where a bureau admin lands
    figure = page.locator("#indicator-elders .figure")
    assert figure.inner_text().strip() == str(expected) == "2"
    assert page.locator("#indicator-elders_alone .figure").inner_text().strip() == str(alone)
    assert page.locator("#computed-at").inner_text()

    # The indicator's own page: the breakdown chart is drawn (labels on the bars) from json_script.
    page.locator("#indicator-elders th a").click()
    page.wait_for_url("**/indicators/indicator/**")
    page.locator('.chart[data-chart="bar"][data-drawn="true"]').wait_for()
    page.locator('.chart[data-chart="ranking"][data-drawn="true"]').wait_for()
    assert page.locator(".chart canvas").count() >= 2
    assert page.evaluate("window.__cspViolations") == []

    # Back to the dashboard, and one click from the figure to the records behind it.
    page.go_back()
    page.locator("#indicator-elders .figure").click()
    page.wait_for_url("**/indicators/records/**")
    table = page.locator("#record-table")
    assert elder_in_a.name in table.inner_text() and elder_in_b.name in table.inner_text()
    assert "360103********0026" in table.inner_text()
    assert page.evaluate("window.__cspViolations") == []
