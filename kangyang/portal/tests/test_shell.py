"""The app shell (/app/): elder mode by role and by choice, the settings page, and the
progressive web app (manifest, service worker, offline page) under the Content-Security-Policy."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from kangyang.accounts.models import User
from kangyang.portal import elder_mode

SETTINGS = "/app/settings/"
SWITCH = "/app/elder-mode/"


def body_classes(response) -> list[str]:
    return re.search(r'<body class="([^"]*)"', response.content.decode()).group(1).split()


# -- elder mode: defaults per role, the switch, the cookie ------------------------------------
@pytest.mark.parametrize("who, on", [("elder", True), ("family", False), ("caregiver", False), ("worker_a", False)])
def test_elder_mode_is_on_by_default_for_elders_only(client, request, who, on):
    user = request.getfixturevalue(who)
    assert user.elder_mode is None
    client.force_login(user)
    r = client.get(SETTINGS)
    assert r.status_code == 200
    assert r.context["elder_mode"] is on
    assert ("elder-mode" in body_classes(r)) is on


def test_signed_out_pages_follow_the_cookie(client):
    assert "elder-mode" not in body_classes(client.get("/app/offline/"))
    client.cookies[elder_mode.COOKIE] = "1"
    r = client.get("/app/offline/")
    assert r.context["elder_mode"] is True and "elder-mode" in body_classes(r)


def test_the_switch_is_on_the_first_screen_as_a_plain_form(client, elder):
    client.force_login(elder)
    page = client.get(SETTINGS).content.decode()
    header = page[page.index('<header class="app-top">'):page.index("</header>")]
    assert 'action="/app/elder-mode/"' in header and 'name="on" value="0"' in header  # on: the button turns it off
    assert 'method="post"' in header and "csrfmiddlewaretoken" in header


def test_the_switch_is_kept_on_the_account_and_in_a_cookie(client, elder):
    client.force_login(elder)
    r = client.post(SWITCH, {"on": "0", "next": SETTINGS})
    assert r.status_code == 302 and r["Location"] == SETTINGS
    assert r.cookies[elder_mode.COOKIE].value == "0"
    elder.refresh_from_db()
    assert elder.elder_mode is False
    r = client.get(SETTINGS)
    assert "elder-mode" not in body_classes(r)
    assert [(m.level_tag, str(m)) for m in r.context["messages"]] == [("success", "长辈模式已关闭。")]

    # Another browser (no cookie) still gets the account's choice.
    other = Client()
    other.force_login(elder)
    assert "elder-mode" not in body_classes(other.get(SETTINGS))

    client.post(SWITCH, {"on": "1", "next": SETTINGS})
    elder.refresh_from_db()
    assert elder.elder_mode is True
    assert "elder-mode" in body_classes(other.get(SETTINGS))


def test_a_family_member_turns_elder_mode_on(client, family):
    client.force_login(family)
    client.post(SWITCH, {"on": "1"})
    family.refresh_from_db()
    assert family.elder_mode is True
    assert "elder-mode" in body_classes(client.get(SETTINGS))


def test_signed_out_the_switch_sets_the_cookie_only(client):
    r = client.post(SWITCH, {"on": "1", "next": "/accounts/login/"})
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert r.cookies[elder_mode.COOKIE].value == "1"
    assert "elder-mode" in body_classes(client.get("/app/offline/"))
    assert not User.objects.filter(elder_mode__isnull=False).exists()


@pytest.mark.parametrize("data", [{}, {"on": "yes"}, {"on": "9" * 40}, {"on": ["0", "1", "x"]}])
def test_the_switch_refuses_bad_input_in_words(client, elder, data):
    client.force_login(elder)
    r = client.post(SWITCH, data, follow=True)
    assert r.status_code == 200
    assert [(m.level_tag, str(m)) for m in r.context["messages"]] == [("error", "请选择打开还是关闭长辈模式。")]
    elder.refresh_from_db()
    assert elder.elder_mode is None


def test_the_switch_goes_back_only_to_this_site(client, elder):
    client.force_login(elder)
    r = client.post(SWITCH, {"on": "0", "next": "https://evil.example/"})
    assert r["Location"] == "/app/"


def test_the_switch_takes_post_only(client, elder):
    client.force_login(elder)
    assert client.get(SWITCH + "?on=0").status_code == 405
    elder.refresh_from_db()
    assert elder.elder_mode is None


# -- the settings page ------------------------------------------------------------------------
def test_settings_page_saves_elder_mode_and_reading_speed(client, elder):
    client.force_login(elder)
    page = client.get(SETTINGS).content.decode()
    assert 'href="/notifications/mine/"' in page  # notify:preference
    assert 'action="/i18n/setlang/"' in page
    r = client.post(SETTINGS, {"elder_mode": "0", "speech_rate": "slow"})
    assert r.status_code == 302
    assert r.cookies[elder_mode.RATE_COOKIE].value == "slow"
    elder.refresh_from_db()
    assert elder.elder_mode is False
    r = client.get(SETTINGS)
    assert r.context["speech_rate"] == elder_mode.RATES["slow"]
    assert f'data-speech-rate="{elder_mode.RATES["slow"]}"' in r.content.decode()
    assert r.context["form"].initial == {"elder_mode": "0", "speech_rate": "slow"}


@pytest.mark.parametrize("data", [{}, {"elder_mode": "2", "speech_rate": "slow"},
                                  {"elder_mode": "1", "speech_rate": "warp\x00"}])
def test_settings_page_refuses_bad_input_in_words(client, elder, data):
    client.force_login(elder)
    r = client.post(SETTINGS, data)
    if any("\x00" in v for v in data.values()):  # refused before the view (lib/middleware.py), in words too
        assert r.status_code == 400
    else:
        assert r.status_code == 200 and r.context["form"].errors
        assert "此项为必填项" in r.content.decode() or "选择一个有效的选项" in r.content.decode()
    elder.refresh_from_db()
    assert elder.elder_mode is None


def test_settings_page_needs_signing_in(client):
    r = client.get(SETTINGS)
    assert r.status_code == 302 and r["Location"].startswith("/app/login/")


def _bottom_nav(client, user) -> str:
    client.force_login(user)
    page = client.get(SETTINGS).content.decode()
    return page[page.index('class="bottom-nav"'):]


def test_the_bottom_navigation_is_for_signed_in_people_and_fits_who_they_are(client, elder, caregiver):
    """Elders and family: home, orders, messages, settings; a caregiver: her route and the
    settings (the elder's home screen would refuse her)."""
    assert 'class="bottom-nav"' not in client.get("/app/offline/").content.decode()
    nav = _bottom_nav(client, elder)
    assert re.findall(r'href="([^"]+)"', nav) == ["/app/", "/app/orders/", "/app/notifications/", "/app/settings/"]
    assert 'href="/app/settings/" aria-current="page"' in nav
    nav = _bottom_nav(client, caregiver)
    assert re.findall(r'href="([^"]+)"', nav) == ["/app/route/", "/app/settings/"]


# -- the progressive web app ------------------------------------------------------------------
def test_manifest_is_valid_and_installable(client):
    r = client.get("/app/manifest.webmanifest")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/manifest+json")
    data = json.loads(r.content)
    assert data["name"] == "康养" or data["name"] == "Kangyang"
    assert data["start_url"] == "/app/" and data["scope"] == "/app/" and data["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", data["theme_color"])
    sizes = {}
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/img/") and icon["type"] == "image/png"
        with Image.open(finders.find(icon["src"].removeprefix("/static/").split("?")[0])) as image:
            assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]
            sizes[icon["sizes"]] = icon["purpose"]
    assert {"192x192", "512x512"} <= sizes.keys()
    assert 'rel="manifest" href="/app/manifest.webmanifest"' in client.get("/app/offline/").content.decode()


def test_service_worker_is_served_as_javascript_for_the_app_scope(client, elder):
    client.force_login(elder)
    r = client.get("/app/sw.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/javascript")
    assert r["Service-Worker-Allowed"] == "/app/"
    assert "no-cache" in r["Cache-Control"]
    js = r.content.decode()
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", js).group(1))
    assert config["scope"] == "/app/" and config["offline"] == "/app/offline/"
    assert {"/app/offline/", "/static/css/app.css", "/static/js/app.js"} <= {u.split("?")[0] for u in config["precached"]}
    assert re.fullmatch(r"[0-9a-f]{12}", config["version"])
    assert 'request.method !== "GET"' in js  # nothing but GET from a cache
    # The same worker whoever asks (a signed-out browser updates it too), registered from every app page.
    assert Client().get("/app/sw.js").content == r.content
    page = client.get(SETTINGS).content.decode()
    assert 'data-sw="/app/sw.js"' in page and 'data-scope="/app/"' in page and "/static/js/app.js" in page


def test_service_worker_changes_name_of_its_caches_with_the_static_files(client, settings, monkeypatch):
    from kangyang.portal.views import shell

    before = client.get("/app/sw.js").content
    monkeypatch.setattr(shell, "precached", lambda: ["/static/css/app.css?v=new", "/app/offline/"])
    after = client.get("/app/sw.js").content
    version = re.compile(rb'"version": "([0-9a-f]+)"')
    assert version.search(before).group(1) != version.search(after).group(1)


def test_offline_page_says_there_is_no_connection_and_offers_the_hotline(client, settings):
    settings.HOTLINE = "12349"
    r = client.get("/app/offline/")
    assert r.status_code == 200
    page = r.content.decode()
    assert "没有网络" in page and "养老服务热线" in page
    assert 'href="tel:12349"' in page and "拨打 12349" in page
    assert 'lang="zh-hans"' in page


def test_offline_page_is_open_to_a_session_waiting_for_its_second_factor(client, worker_a, two_factor_enforced):
    """The browser fetches the worker and its offline page whatever the session's state."""
    client.force_login(worker_a)
    assert client.get("/app/offline/").status_code == 200
    assert client.get("/app/sw.js").status_code == 200


def test_content_security_policy_allows_the_worker_and_manifest_from_this_site_only(client, elder):
    client.force_login(elder)
    for path in ("/app/settings/", "/app/sw.js", "/app/offline/"):
        policy = client.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["worker-src"] == "'self'" and directives["manifest-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_app_pages_have_no_inline_script_or_style(client, elder):
    client.force_login(elder)
    for path in ("/app/settings/", "/app/offline/"):
        page = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert " style=" not in page and "<style" not in page, path


@pytest.mark.parametrize("next_, lands", [("/app/login/", "/app/login/"), ("https://evil.example/", "/")])
def test_signing_out_from_the_settings_page_lands_on_the_apps_sign_in_and_never_elsewhere(client, elder, next_, lands):
    client.force_login(elder)
    page = client.get(SETTINGS).content.decode()
    assert 'data-sign-out' in page and 'name="next" value="/app/login/"' in page
    assert "data-sign-out" not in page[:page.index("</header>")]  # not on the first screen, by mistake
    r = client.post("/accounts/logout/", {"next": next_})
    assert r.status_code == 302 and r["Location"] == lands
    assert client.get("/app/").status_code == 302  # signed out
