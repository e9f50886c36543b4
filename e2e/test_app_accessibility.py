"""Every page of the app (e2e/app_pages.py: PAGES) in a real Chromium at a 360 × 740 phone
viewport, on a seeded demo district, as the demo account it is for:

* axe-core finds no WCAG 2.1 A/AA violation;
* at 200 % text (the phone's font setting) the text is larger and nothing scrolls sideways;
* line height ≥ 1.3 and every control at least 44 × 44 px (links inside a sentence aside);
* the elder's pages, in elder mode: body text ≥ 18 px, main controls ≥ 60 × 60 px.

Each test walks every page and reports every page's problems at once, readably."""

from io import StringIO

import pytest
from django.core.management import call_command

from e2e.app_pages import PAGES, describe_violations, measure, phone_context, problems, run_axe, sign_in, zoom200

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def demo_district():
    """A small seeded demo district: the demo accounts with their elders, orders and route."""
    call_command("demo", "--no-serve", "--elders", "120", stdout=StringIO())


def walk(browser, live_server, pages):
    """(page, Playwright page) for each listed page, one signed-in phone per account."""
    contexts = {}
    try:
        for app_page in pages:
            if app_page.account not in contexts:
                context = phone_context(browser)
                tab = context.new_page()
                tab.set_default_timeout(15_000)
                sign_in(tab, live_server.url, app_page.account)
                contexts[app_page.account] = (context, tab)
            tab = contexts[app_page.account][1]
            response = tab.goto(app_page.url(tab, live_server.url))
            assert response.ok, f"{app_page.path} as {app_page.account}: HTTP {response.status}"
            tab.wait_for_load_state("load")
            yield app_page, tab
    finally:
        for context, _tab in contexts.values():
            context.close()


def report(found: dict) -> str:
    return "\n".join(f"{page.path} as {page.account or 'nobody'} ({page.description}):\n{text}"
                     for page, text in found.items())


def test_every_app_page_passes_axe_text_zoom_and_target_sizes(browser, live_server, demo_district):
    found = {}
    for app_page, tab in walk(browser, live_server, PAGES):
        lines = []
        violations = run_axe(tab)
        if violations:
            lines.append(describe_violations(violations))
        zoomed = zoom200(tab)
        if zoomed["bodyAfter"] < 1.9 * zoomed["bodyBefore"]:
            lines.append(f"  at 200 % the body text stays {zoomed['bodyAfter']} px (was {zoomed['bodyBefore']} px):"
                         " sizes in px do not follow the phone's font setting")
        if zoomed["overflow"]:
            lines.append(f"  at 200 % text the page is {zoomed['scrollWidth']} px wide on a {zoomed['clientWidth']} px"
                         f" screen; sticking out: {zoomed['wide']}")
        figures = measure(tab)
        elder_mode = app_page.elder and figures["elderMode"]
        lines += [f"  {p}" for p in problems(app_page, figures, elder_mode=elder_mode)]
        if lines:
            found[app_page] = "\n".join(lines)
    assert not found, "\n" + report(found)


def test_elder_pages_in_elder_mode_have_large_text_and_main_controls(browser, live_server, demo_district):
    """The elder mode figures, on every elder page (which the elder account sees in elder mode
    by default)."""
    found, without = {}, []
    for app_page, tab in walk(browser, live_server, [p for p in PAGES if p.elder]):
        figures = measure(tab)
        if not figures["elderMode"]:
            without.append(app_page.path)
            continue
        lines = problems(app_page, figures, elder_mode=True)
        if lines:
            found[app_page] = "\n".join(f"  {line}" for line in lines)
    assert not found, "\n" + report(found)
    assert not without, f"no elder mode on: {', '.join(without)}"


BAD_PAGE = """<!doctype html><html lang="zh-CN"><head><title>坏页面</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>
  body { font-size: 14px; line-height: 1.1; margin: 0; }
  .grey { color: #bbb; }
  .wide { width: 30rem; }
  button { width: 30px; height: 30px; padding: 0; }
</style></head><body><main>
  <p class="grey">灰色的小字</p>
  <p class="wide">这一段比手机屏幕还宽</p>
  <button class="main">呼救</button> <button>?</button>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
</main></body></html>"""


def test_the_harness_catches_what_it_checks(browser):
    """The measuring itself, on a page that breaks each rule: low contrast and an image
    without text (axe), small text with tight lines, small controls, and an element that
    sticks out at 200 %."""
    from e2e.app_pages import AppPage

    context = phone_context(browser)
    tab = context.new_page()
    try:
        tab.set_content(BAD_PAGE)
        rules = {v["id"] for v in run_axe(tab)}
        assert {"color-contrast", "image-alt"} <= rules, rules
        figures = measure(tab)
        found = problems(AppPage("elder", "/bad/", "a bad page", True), figures, elder_mode=True)
        assert any(f.startswith("body text 14 px") for f in found), found
        assert any(f.startswith("body line height 1.1") for f in found), found
        assert any(f.startswith("main control 30×30 < 60×60") for f in found), found
        assert any(f.startswith("control 30×30 < 44×44") for f in found), found
        zoomed = zoom200(tab)
        assert zoomed["overflow"] and zoomed["scrollWidth"] > zoomed["clientWidth"] == 360, zoomed
        assert zoomed["bodyAfter"] == zoomed["bodyBefore"] == 14  # px text does not follow the setting
    finally:
        context.close()
