"""The public directory of institutions and an institution's page in a real Chromium, signed
out: the map draws a marker for each institution with a location (from map.json, no tiles),
the filters narrow the list and the map, and axe-core finds no WCAG 2.1 A/AA violation at a
desk's and a phone's width, under the Content-Security-Policy."""

import pytest

from e2e.app_pages import describe_violations, phone_context, run_axe
from e2e.test_content_security_policy import WATCH
from kangyang.institutions.tests import public_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desk": {"width": 1366, "height": 768}, "phone": None}


@pytest.fixture
def world(admin, worker_a, worker_b, community_a, community_b):
    return public_world.build(admin=admin, worker_a=worker_a, worker_b=worker_b,
                              community_a=community_a, community_b=community_b)


def open_page(browser, width: str):
    if WIDTHS[width] is None:
        context = phone_context(browser)
    else:
        context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.parametrize("width", ["desk", "phone"])
def test_the_directory_and_a_detail_page_pass_axe_and_the_map_shows_markers(browser, live_server, world, width):
    context, page = open_page(browser, width)
    try:
        response = page.goto(f"{live_server.url}/public/institutions/")
        assert response.status == 200 and "/accounts/login" not in page.url
        page.locator('#public-map[data-map-ready="true"]').wait_for()
        # Three institutions have a location (the meal point has none): three markers, no tiles.
        assert page.locator("#public-map .kmap-point").count() == 3
        assert page.locator("#public-map .leaflet-tile").count() == 0
        assert page.locator("#directory-table tbody tr").count() == 4
        assert page.evaluate("document.documentElement.lang") == "zh-hans"
        violations = run_axe(page)
        assert violations == [], "directory:\n" + describe_violations(violations)

        # Filter: at least three stars → the care home and the township home, on the list and the map.
        page.select_option("#id_stars", "3")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url(lambda url: "stars=3" in url)
        page.locator('#public-map[data-map-ready="true"]').wait_for()
        assert page.locator("#directory-table tbody tr").count() == 2
        assert page.locator("#public-map .kmap-point").count() == 2

        page.get_by_role("link", name="康宁颐养院").click()
        page.wait_for_url(lambda url: url.endswith(f"/public/institutions/{world['home'].pk}/"))
        assert "康宁养老服务有限公司" in page.content()
        assert not any(s in page.content() for s in public_world.secrets())
        violations = run_axe(page)
        assert violations == [], "detail:\n" + describe_violations(violations)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()


def test_an_unknown_institution_is_a_page_in_words(browser, live_server, world):
    context, page = open_page(browser, "phone")
    try:
        response = page.goto(f"{live_server.url}/public/institutions/{world['closed'].pk}/")
        assert response.status == 404
        assert page.locator("h1").inner_text().strip() != ""
        violations = run_axe(page)
        assert violations == [], describe_violations(violations)
    finally:
        context.close()
