"""The app's pages as the accessibility and speed checks see them (issue 14, "What it must
show"): which pages, as whom, and how each is measured in a real Chromium.

Used by e2e/test_app_accessibility.py (axe-core at WCAG 2.1 AA, the elder-mode figures of
../shared/spec/elder-mode.md, 200 % text) and bench/app_load.py (load time on a slow 4G
connection, screenshots). A new app page is one line in PAGES.

The figures:
* axe-core (e2e/vendor/axe.min.js) with the rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa;
* text: the body's font size and line height, and every visible paragraph's (`main p`, `main li`);
  elder pages in elder mode: body text ≥ 18 px, line height ≥ 1.3 × the font size;
* targets: every `.main` control (SOS, order, confirm, pay, check in) ≥ 60 × 60 CSS px in elder
  mode; every other visible control (links, buttons, fields, <summary>) ≥ 44 × 44, except a
  link inside a sentence (WCAG 2.5.8's inline exception); a radio button or checkbox is measured
  with its label, which presses it too;
* zoom: the root font size doubled (as a phone's font-size setting enlarges text) and
  nothing wider than the screen (document.scrollingElement.scrollWidth ≤ clientWidth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
PASSWORD = "kangyang-demo"  # every demo account's (CONTRACTS.md)
PHONE = {"width": 360, "height": 740}
# The figures to meet (../shared/spec/elder-mode.md).
ELDER_TEXT_PX = 18
LINE_HEIGHT = 1.3
MAIN_CONTROL_PX = 60
CONTROL_PX = 44


@dataclass(frozen=True)
class AppPage:
    account: str | None  # a demo account (CONTRACTS.md), None: signed out
    path: str
    description: str
    elder: bool = False  # an elder's page: measured in elder mode (18 px text, 60 × 60 main controls)
    # A page whose address holds a record's number (an order, an alarm, a payment): `path` is
    # the page that links to it, `follow` the CSS selector of the link or form (the first is taken).
    follow: str = ""

    @property
    def name(self) -> str:
        """For file names (var/screenshots/app-<name>.png): who, and the page's address."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.path.lower().removeprefix("/app")).strip("-") or "home"
        if self.follow:
            slug += "-" + re.sub(r"[^a-z0-9]+", "-", self.description.lower()).strip("-")[:24]
        return f"{self.account or 'signed-out'}-{slug}"

    def url(self, tab, base_url: str) -> str:
        """The page's address; for a `follow` page, read off the link on `path` (the tab is
        left on `path`)."""
        if not self.follow:
            return base_url + self.path
        tab.goto(base_url + self.path)
        link = tab.locator(self.follow).first
        href = link.get_attribute("href", timeout=5_000) or link.get_attribute("action")
        return href if href.startswith("http") else base_url + href


ELDER = True
# One line per page of the app: (account, path, what it is[, ELDER]).
PAGES = [
    # the elder (in elder mode, the default of her account)
    AppPage("elder", "/app/", "the elder's home screen", ELDER),
    AppPage("elder", "/app/sos/", "SOS: the one confirm step", ELDER),
    AppPage("elder", "/app/", "SOS: what became of her call", ELDER, follow=".alarms-recent a"),
    AppPage("elder", "/app/order/", "order a service: the menu", ELDER),
    AppPage("elder", "/app/orders/", "her orders", ELDER),
    AppPage("elder", "/app/orders/", "one order: state, confirm and rate", ELDER, follow="li[data-order] a"),
    AppPage("elder", "/app/survival/", "survival certification: send a photo", ELDER),
    AppPage("elder", "/app/family/requests/", "family members asking to be bound", ELDER),
    AppPage("elder", "/app/settings/", "settings", ELDER),
    AppPage("elder", "/app/offline/", "no connection: call the hotline", ELDER),
    # her daughter
    AppPage("family", "/app/", "the family member's home screen"),
    AppPage("family", "/app/notifications/", "what the family was told"),
    AppPage("family", "/app/family/bind/", "ask to be bound to an elder"),
    AppPage("family", "/app/", "pay the elder's share", follow=".shares.to-pay form[action]"),
    AppPage("family", "/app/", "a paid share", follow=".shares.paid a"),
    AppPage("family", "/app/orders/", "her mother's orders"),
    # the caregiver
    AppPage("caregiver", "/app/route/", "the caregiver's route today"),
    # visitors (issue 15): today's care visits with the record form, and the app's home card
    AppPage("volunteer", "/app/visits/", "the volunteer's visits today"),
    AppPage("volunteer", "/app/", "the volunteer's home: visits today"),
    AppPage("worker_a", "/app/visits/", "the community worker's visits today"),
    # the volunteer (issue 15, the time bank)
    AppPage("volunteer", "/app/timebank/", "the volunteer's time bank: balance, needs nearby, history"),
    AppPage("volunteer", "/app/timebank/spend/", "spend hours on a service"),
    AppPage("volunteer", "/app/timebank/give/", "give hours to family or an elder she visits"),
    # signed out
    AppPage(None, "/app/login/", "the app's sign-in"),
    AppPage(None, "/accounts/login/", "sign in (signed out)"),
]


def phone_context(browser, **extra):
    """A cheap Android phone: 360 × 740 CSS px, touch, Chinese, in Nanchang (location allowed)."""
    return browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN",
        timezone_id="Asia/Shanghai", geolocation={"latitude": 28.66, "longitude": 115.89, "accuracy": 15},
        permissions=["geolocation"], **extra,
    )


def sign_in(page, base_url: str, account: str | None) -> None:
    """Sign in with the demo password through the sign-in form (a signed-out page: nothing)."""
    if account is None:
        return
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", account)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def run_axe(page) -> list[dict]:
    """The page's WCAG 2.1 A/AA violations as axe-core reports them: [{id, impact, help,
    helpUrl, nodes: [{target, html, summary}]}]. axe is evaluated through the DevTools
    protocol, which the page's Content-Security-Policy does not block (no inline script)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                                    resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
        }""",
        list(WCAG_TAGS),
    )


def describe_violations(violations: list[dict]) -> str:
    """axe's violations as lines a person reads: rule, impact, what to do, and each element."""
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for n in v["nodes"][:8]:
            summary = " ".join((n["summary"] or "").split())
            lines.append(f"      {n['target']}  {n['html']}\n        → {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"      … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


MEASURE = """() => {
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.display !== "none";
  };
  const text = el => {
    const s = getComputedStyle(el), size = parseFloat(s.fontSize);
    // "normal" line height is about 1.2 of the font: below the 1.3 asked for
    const lh = s.lineHeight === "normal" ? 1.2 : parseFloat(s.lineHeight) / size;
    return {what: el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""),
            text: el.textContent.trim().replace(/\\s+/g, " ").slice(0, 40), size, lineHeight: Math.round(lh * 100) / 100};
  };
  const box = el => {
    const r = el.getBoundingClientRect();
    return {what: el.outerHTML.replace(/\\s+/g, " ").slice(0, 90), width: Math.round(r.width * 10) / 10,
            height: Math.round(r.height * 10) / 10};
  };
  // A radio button or checkbox is pressed through its label too: the label is its target.
  const target = el => el.matches("input[type=radio], input[type=checkbox]") && el.labels && el.labels.length
    ? el.labels[0] : el;
  // A link inside a sentence is exempt from the target size (WCAG 2.5.8, inline).
  const inline = el => el.tagName === "A" && getComputedStyle(el).display === "inline" &&
    el.parentElement && el.parentElement.textContent.trim().length > el.textContent.trim().length;
  const paragraphs = Array.from(document.querySelectorAll("main p, main li"))
    .filter(el => visible(el) && el.textContent.trim()).map(text);
  const controls = Array.from(document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]"))
    .filter(visible);
  return {
    elderMode: document.body.classList.contains("elder-mode"),
    body: text(document.body),
    paragraphs,
    main: controls.filter(el => el.matches(".main")).map(box),
    controls: controls.filter(el => !el.matches(".main") && !inline(el)).map(el => box(target(el))),
  };
}"""


def measure(page) -> dict:
    """The page's text and target figures as computed by the browser: {elderMode, body:
    {size, lineHeight}, paragraphs: [{what, text, size, lineHeight}], main: [{what, width,
    height}] (the `.main` controls), controls: [...] (every other visible control)}."""
    return page.evaluate(MEASURE)


def zoom200(page) -> dict:
    """Text at 200 %, as a phone's font-size setting makes it: the root font size doubled
    (rem and em sizes follow). Returns {overflow, scrollWidth, clientWidth, bodyBefore,
    bodyAfter, wide: [the widest elements that stick out]}; the root size is put back after."""
    return page.evaluate("""() => {
      const root = document.documentElement, scroller = document.scrollingElement;
      const before = parseFloat(getComputedStyle(document.body).fontSize);
      const kept = root.style.fontSize;
      // the phone's setting doubles the base size; elder mode's own enlargement stays on top
      root.style.fontSize = (2 * parseFloat(getComputedStyle(root).fontSize)) + "px";
      const width = scroller.clientWidth;
      const result = {scrollWidth: scroller.scrollWidth, clientWidth: width, bodyBefore: before,
                      bodyAfter: parseFloat(getComputedStyle(document.body).fontSize)};
      result.overflow = result.scrollWidth > result.clientWidth;
      result.wide = result.overflow ? Array.from(document.querySelectorAll("body *"))
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5).map(el => el.outerHTML.replace(/\\s+/g, " ").slice(0, 90)) : [];
      root.style.fontSize = kept;
      return result;
    }""")


def problems(page: AppPage, figures: dict, *, elder_mode: bool) -> list[str]:
    """What the page's figures (measure()) break, in words; the elder-mode figures only when
    `elder_mode` (an elder page in elder mode)."""
    found = []
    if figures["body"]["lineHeight"] < LINE_HEIGHT:
        found.append(f"body line height {figures['body']['lineHeight']} < {LINE_HEIGHT}")
    found += [f"line height {p['lineHeight']} < {LINE_HEIGHT}: {p['what']} “{p['text']}”"
              for p in figures["paragraphs"] if p["lineHeight"] < LINE_HEIGHT]
    small = MAIN_CONTROL_PX if elder_mode else CONTROL_PX
    found += [f"main control {c['width']}×{c['height']} < {small}×{small}: {c['what']}"
              for c in figures["main"] if c["width"] < small or c["height"] < small]
    found += [f"control {c['width']}×{c['height']} < {CONTROL_PX}×{CONTROL_PX}: {c['what']}"
              for c in figures["controls"] if c["width"] < CONTROL_PX or c["height"] < CONTROL_PX]
    if elder_mode:
        if figures["body"]["size"] < ELDER_TEXT_PX:
            found.append(f"body text {figures['body']['size']} px < {ELDER_TEXT_PX} px")
        found += [f"text {p['size']} px < {ELDER_TEXT_PX} px: {p['what']} “{p['text']}”"
                  for p in figures["paragraphs"] if p["size"] < ELDER_TEXT_PX]
    return found
