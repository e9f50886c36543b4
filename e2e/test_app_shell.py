"""The app shell on a phone (360×740): the elder signs in and the app is in elder mode (large
text, lines apart, large targets, nothing wider than the screen, also at 200% text); she turns
elder mode off and on with the switch and hears it confirmed; the service worker keeps the pages
she has seen, so without a connection they still open, and a page she has not seen says there
is no connection and offers to call the hotline; signing out forgets the kept pages."""

import pytest

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Pages of the shell that extend templates/portal/app_base.html (the lead adds /app/ once the
# home screen does too).
SHELL_PAGES = ["/app/settings/", "/app/"]

# Records what app.js asks the browser to say (headless Chromium has no voices to listen to).
LISTEN = """
window.__said = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = function (u) { window.__said.push(u.text + "|" + u.lang); };
}
"""

MEASURE = """() => {
  const px = (v) => parseFloat(v);
  const body = getComputedStyle(document.body);
  const box = (el) => el.getBoundingClientRect();
  const visible = (el) => { const r = box(el); return r.width > 0 && r.height > 0; };
  const small = (selector, min) => Array.from(document.querySelectorAll(selector)).filter(visible)
    .filter((el) => box(el).width < min - 0.5 || box(el).height < min - 0.5)
    .map((el) => el.outerHTML.slice(0, 80) + " " + Math.round(box(el).width) + "x" + Math.round(box(el).height));
  return {
    elder: document.body.classList.contains("elder-mode"),
    fontSize: px(body.fontSize),
    lineHeight: px(body.lineHeight) / px(body.fontSize),
    paragraphLineHeight: Array.from(document.querySelectorAll("main p")).map((p) => px(getComputedStyle(p).lineHeight) / px(getComputedStyle(p).fontSize)),
    mains: document.querySelectorAll(".main").length,
    smallMains: small(".main", 60),
    smallControls: small("button, .button, .bottom-nav a, fieldset.choices label, input:not([type=hidden]):not([type=radio]), select", 44),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


@pytest.fixture
def phone740(app_phone):
    app_phone.context.add_init_script(LISTEN)
    app_phone.context.add_init_script(WATCH)
    return app_phone


def measure(page):
    return page.evaluate(MEASURE)


def test_elder_mode_on_a_phone_and_its_switch(phone740, live_server, elder):
    page = phone740
    sign_in(page, live_server, "elder")
    assert page.url == f"{live_server.url}/app/"

    for path in SHELL_PAGES:
        page.goto(f"{live_server.url}{path}")
        m = measure(page)
        assert m["elder"], path
        assert m["fontSize"] >= 18, (path, m)
        assert m["lineHeight"] >= 1.3 and all(h >= 1.3 for h in m["paragraphLineHeight"]), (path, m)
        assert m["mains"] and m["smallMains"] == [], (path, m)
        assert m["smallControls"] == [], (path, m)
        assert m["overflow"] <= 0, (path, m)
        # The phone's text at 200% (elder mode's 125% doubled): still nothing wider than the screen.
        page.evaluate("document.documentElement.style.fontSize = '250%'")
        assert measure(page)["overflow"] <= 0, path
        page.evaluate("document.documentElement.style.fontSize = ''")
        assert page.evaluate("window.__cspViolations") == [], path

    # Read aloud is offered (Chromium can speak) and reads the page in Chinese.
    page.goto(f"{live_server.url}/app/settings/")
    read = page.get_by_role("button", name="朗读本页")
    assert read.is_visible()
    read.click()
    said = page.evaluate("window.__said")
    assert said and all(s.endswith("|zh-CN") for s in said) and any("设置" in s for s in said)

    # The switch, on the first screen without scrolling: off, then on again; each time said aloud
    # in elder mode (a spoken confirmation), and the page follows.
    switch = page.locator("header form.switch button")
    assert switch.inner_text() == "长辈模式：开"
    assert switch.bounding_box()["y"] + switch.bounding_box()["height"] <= 740
    switch.click()
    page.wait_for_load_state()
    m = measure(page)
    assert not m["elder"] and m["fontSize"] < 18
    assert page.locator(".messages li").inner_text() == "长辈模式已关闭。"
    assert page.evaluate("window.__said") == []  # not in elder mode: nothing is said unasked
    page.locator("header form.switch button", has_text="长辈模式：关").click()
    page.wait_for_load_state()
    m = measure(page)
    assert m["elder"] and m["fontSize"] >= 18
    assert page.evaluate("window.__said") == ["长辈模式已打开。|zh-CN"]
    # A button that says what it does, when pressed (no need to send the form for that).
    page.evaluate("document.querySelector('[data-say]').addEventListener('click', (e) => e.preventDefault())")
    page.locator("[data-say]").first.click()
    assert page.evaluate("window.__said")[-1] == "正在保存设置|zh-CN"

    # The choice is the account's: a fresh browser of hers opens in the same mode.
    page.locator("header form.switch button").click()
    page.wait_for_load_state()
    other = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        p2 = other.new_page()
        sign_in(p2, live_server, "elder")
        p2.goto(f"{live_server.url}/app/settings/")
        assert "elder-mode" not in (p2.locator("body").get_attribute("class") or "")
    finally:
        other.close()


def test_the_app_works_offline_for_what_it_has_seen(phone740, live_server, elder):
    page = phone740
    sign_in(page, live_server, "elder")
    page.goto(f"{live_server.url}/app/settings/")
    # The service worker registers for /app/ and takes the page over.
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{live_server.url}/app/"
    # A page whose loading began while the worker was still installing may stay uncontrolled
    # (clients.claim() can miss a document not created yet); the next load of it never is.
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")  # a function: an expression string needs eval, which the CSP refuses
    manifest = page.evaluate("fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())")
    assert manifest["start_url"] == "/app/" and manifest["display"] == "standalone"

    page.goto(f"{live_server.url}/app/")
    seen = page.locator("h1").inner_text()
    page.goto(f"{live_server.url}/app/settings/")

    page.context.set_offline(True)
    try:
        page.goto(f"{live_server.url}/app/")  # seen: the kept copy
        assert page.locator("h1").inner_text() == seen
        page.reload()
        assert page.locator("h1").inner_text() == seen
        page.goto(f"{live_server.url}/app/survival/")  # never opened on this phone
        assert page.locator("h1").inner_text() == "没有网络"
        call = page.locator("a[href^='tel:']")
        assert call.get_attribute("href") == "tel:12349" and "拨打 12349" in call.inner_text()
        box = call.bounding_box()
        assert box["width"] >= 60 and box["height"] >= 60
        # Its stylesheet came from the worker's cache: the page is laid out, not bare.
        assert measure(page)["fontSize"] >= 18
        assert page.evaluate("window.__cspViolations") == []
    finally:
        page.context.set_offline(False)

    # Nothing but GET is kept.
    kept = page.evaluate("caches.open('kangyang-pages').then((c) => c.keys()).then((ks) => ks.map((k) => k.method + ' ' + new URL(k.url).pathname))")
    assert set(kept) == {"GET /app/", "GET /app/settings/"}

    # Signing out forgets the kept pages (they are hers).
    page.goto(f"{live_server.url}/app/settings/")
    page.locator("form[data-sign-out] button").click()
    page.wait_for_url(lambda url: "/app/login/" in url)
    assert page.evaluate("caches.has('kangyang-pages')") is False
    page.context.set_offline(True)
    try:
        page.goto(f"{live_server.url}/app/")
        assert page.locator("h1").inner_text() == "没有网络"
    finally:
        page.context.set_offline(False)
