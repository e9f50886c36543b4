"""Every page of the site in zh-Hans has no untranslated English word from our code (issue 12).

A seeded demo district; each demo account of CONTRACTS.md signs in and follows the links of
its pages from its start page, as a person clicking through would (GET links of this site
only, a bounded number of pages, downloads and sign-out left alone). The visible text of each
page (tags, scripts and styles stripped; button words, placeholders and titles kept) must hold
no run of three or more Latin letters except the few that are Chinese usage too (API, PDF, ID,
SOS, GB/T …) and the data the demo itself writes in Latin letters (usernames, device models).
"""

import re
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from kangyang.accounts.models import User
from kangyang.ops import demo

# Latin words that are Chinese usage: units, codes of standards, product and file names.
ALLOWED = {
    "kangyang", "api", "pdf", "excel", "xlsx", "csv", "sos", "gb", "mqtt", "http", "https", "json", "yaml",
    "sms", "app", "totp", "otp", "url", "wgs", "gcj", "spo", "mmhg", "bpm", "min", "km", "kg", "cm",
    "wifi", "gps", "lbs", "imei", "iccid", "nfc", "swagger", "redoc", "openapi", "bearer", "ip",
    "ios", "android", "utf", "vip", "id", "icd",
    # Health: the body-mass index, a unit, and the name of a screening instrument (Mini-Cog).
    "bmi", "mmol", "mini", "cog",
    # Key caps, as printed on the keyboard.
    "enter", "esc", "tab", "shift", "ctrl",
    # The language switch names English in English (base.html).
    "english",
}
MAX_PAGES = 120  # per account
PER_PATTERN = 2  # pages per address pattern (/registry/elders/N/ is one pattern)
SKIP = re.compile(r"/(logout|export|download|bank|xlsx|csv|pdf|api|admin|static|i18n)\b|\.(xlsx|csv|pdf|zip)$")
WORD = re.compile(r"[A-Za-z]{3,}")
# Addresses such as POST /api/v1/auth/token are code the reader types, not words.
ADDRESS = re.compile(r"(\b(GET|POST|PUT|PATCH|DELETE)\s+)?\S*/\S+")
VISIBLE_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
# Not our words: scripts and styles, what a text field holds (the reader's own data, as an
# input's value is: a bureau's targets file, in YAML with its codes), and code the reader types
# (a command such as `kangyang inspections draw --plan 7`, set in <code>), and a reference to a
# published paper, which keeps its own language (<cite>: a screening instrument's source).
HIDDEN = ("script", "style", "template", "textarea", "code", "cite")


class Page(HTMLParser):
    """A page's visible words and its links."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in HIDDEN:
            self._hidden += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self.text.extend(attrs[a] for a in VISIBLE_ATTRIBUTES if attrs.get(a))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def data_words() -> set[str]:
    """Latin words the demo data holds (not our code's words): usernames, device models and
    vendors, organisation names, catalogue codes; they appear on pages as typed."""
    from kangyang.accounts.models import Organisation
    from kangyang.alarms.models import Device
    from kangyang.services.models import ServiceItem

    words = set()
    for value in (
        *User.objects.values_list("username", flat=True),
        *Device.objects.values_list("model", flat=True),
        *Device.objects.values_list("vendor", flat=True),
        *Device.objects.values_list("device_id", flat=True),
        *Organisation.objects.values_list("credit_code", flat=True),
        *ServiceItem.objects.values_list("code", flat=True),  # the catalogue's codes, as the bureau typed them
    ):
        words |= {w.lower() for w in WORD.findall(value or "")}
    return words


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({k for k, _v in parse_qsl(parts.query) if k != "page"})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client: Client, start: str = "/") -> dict[str, dict[str, str]]:
    """{English word: {page where it shows: the words around it}}, for the pages reachable
    from `start`."""
    allowed = ALLOWED | data_words()
    found: dict[str, dict[str, str]] = defaultdict(dict)
    queue, seen, per_pattern = [start], set(), defaultdict(int)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or per_pattern[pattern(url)] >= PER_PATTERN:
            continue
        seen.add(url)
        per_pattern[pattern(url)] += 1
        response = client.get(url, follow=True)
        if not response["Content-Type"].startswith("text/html"):
            continue
        final = response.request["PATH_INFO"]
        page = Page()
        page.feed(response.content.decode())
        text = ADDRESS.sub(" ", " ".join(" ".join(page.text).split()))
        for match in WORD.finditer(text):
            if match.group().lower() not in allowed:
                found[match.group()].setdefault(final, text[max(0, match.start() - 30):match.end() + 30])
        for href in page.links:
            target = urljoin(final, href)
            parts = urlsplit(target)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith("/") and not SKIP.search(parts.path) and local not in seen:
                queue.append(local)
    return found


@pytest.fixture(scope="module")
def demo_district(shared_data):
    """One small demo district for every account's walk."""
    yield from shared_data(lambda: call_command("demo", "--no-serve", "--elders", "120", stdout=StringIO()))


@pytest.mark.parametrize("username", [a.username for a in demo.DEMO_ACCOUNTS])
def test_every_page_an_account_reaches_is_in_chinese(demo_district, username):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(username=username))
    found = crawl(client)
    report = {word: sorted(pages.items())[:2] for word, pages in sorted(found.items())}
    assert report == {}, f"English words on {username}'s pages: {report}"


def test_the_walk_finds_an_untranslated_word():
    """The check itself: a page with an English word in it is caught, one in a script is not."""
    page = Page()
    page.feed('<p>请 <b>Submit</b> now</p><script>var x = "hidden";</script><input placeholder="Search">')
    words = WORD.findall(" ".join(page.text))
    assert words == ["Submit", "now", "Search"]
