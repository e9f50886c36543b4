"""Browser journeys: a real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright."""

import os
import shutil

import pytest

CHROMIUM = os.getenv("KANGYANG_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def tablet(browser):
    """A 10-inch tablet, as community workers carry."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    """A cheap Android phone as caregivers carry: 360×640 CSS pixels, touch, Chinese, location
    allowed and set at community A's compound (move it with page.context.set_geolocation)."""
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="zh-CN", timezone_id="Asia/Shanghai",
        geolocation={"latitude": 28.66, "longitude": 115.89, "accuracy": 15}, permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def app_phone(browser):
    """A phone as the app's pages are checked on (e2e/app_pages.py): 360×740 CSS pixels, touch,
    Chinese, location allowed in Nanchang (move it with page.context.set_geolocation)."""
    from e2e.app_pages import phone_context

    context = phone_context(browser)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desk(browser):
    """A function: a fresh browser context (one person's desk, a 1366×768 office screen and
    its own session) → its page; for journeys where two people work at once."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "kangyang-demo")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
