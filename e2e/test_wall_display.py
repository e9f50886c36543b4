"""The command room's wall display at 1920×1080 in a real Chromium: the operator opens it and
reads the figures the platform computed (open alarms, today's visits, an indicator from the
snapshot); a new alarm appears at the next poll without a reload; when the connection goes,
the figures stay and the page says since when they are; all under the Content-Security-Policy
and without scrolling."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH
from kangyang.alarms.actions import acknowledge_alarm, raise_alarm
from kangyang.indicators.actions import take_snapshot
from kangyang.indicators.registry import Period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wall(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_wall_shows_the_rooms_figures_and_keeps_them_when_the_connection_goes(
    settings, live_server, wall, operator, elder_in_a, elder_in_b, today,
):
    settings.WALL_REFRESH_SECONDS = 5
    now = timezone.now()
    raise_alarm(source="app", type="sos", elder=elder_in_a, now=now - dt.timedelta(minutes=3))
    handled, _ = raise_alarm(source="app", type="fall", elder=elder_in_b, now=now - dt.timedelta(minutes=6))
    acknowledge_alarm(handled, by=operator, now=now - dt.timedelta(minutes=6) + dt.timedelta(seconds=20))
    take_snapshot(Period(today.year), roots=["360103000000"])

    wall.context.add_init_script(WATCH)
    sign_in(wall, live_server, "operator")
    response = wall.goto(f"{live_server.url}/indicators/wall/")
    assert response.status == 200
    count = wall.locator('[data-field="alarms.waiting"]')
    assert count.inner_text() == "1"  # the one open SOS the test raised
    assert wall.locator('[data-field="alarms.handling"]').inner_text() == "1"
    rows = wall.locator("#wall-alarm-list tbody tr")
    assert rows.count() == 2 and rows.nth(0).get_attribute("data-status") == "raised"
    assert "桃花社区" in rows.nth(0).inner_text() and "张桂兰" not in wall.content()
    # The framework's figure, from the snapshot: two elders on the registry.
    elders = wall.locator('#wall-indicator-list [data-code="elders"] .value')
    assert elders.inner_text() == "2"
    # The map: the two communities' outlines on a plain background, each labelled with its count.
    wall.locator('#wall-map[data-map-ready="true"]').wait_for()
    assert wall.locator("#wall-map path.kmap-area").count() == 2
    assert sorted(wall.locator("#wall-map .kmap-value").all_inner_texts()) == ["1", "1"]
    assert wall.locator("#wall-map .leaflet-tile").count() == 0
    state = wall.locator("#wall-state")
    assert state.get_attribute("data-state") == "live"
    # One screen, nothing to scroll.
    assert wall.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [1920, 1080]

    # A new alarm comes in: the next poll shows it, without reloading the page.
    wall.evaluate("window.__notReloaded = true")
    raise_alarm(source="app", type="fall", elder=elder_in_a)
    expect(count).to_have_text("2", timeout=15_000)
    assert wall.evaluate("window.__notReloaded") is True
    last_good = wall.locator("body").get_attribute("data-at")

    # The connection goes: the figures stay, the state line says since when they are.
    wall.route("**/indicators/wall/data.json*", lambda route: route.abort())
    expect(state).to_have_attribute("data-state", "stale", timeout=15_000)
    assert count.inner_text() == "2" and wall.locator("body").get_attribute("data-at") == last_good
    shown = timezone.localtime(dt.datetime.fromisoformat(last_good.replace("Z", "+00:00"))).strftime("%H:%M:%S")
    assert shown in state.inner_text()
    wall.unroute("**/indicators/wall/data.json*")
    expect(state).to_have_attribute("data-state", "live", timeout=15_000)
    assert wall.evaluate("window.__cspViolations") == []
