"""The caregiver's view in the app (/app/route/): today's route in the app's layout, the same
stops and steps as the services app's route page, a way to each home (geo: always, AMap's
directions only where the bureau chose AMap's tiles), and only for caregivers."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from kangyang.lib import maps
from kangyang.lib.coords import wgs84_to_gcj02
from kangyang.services import actions
from kangyang.services.models import Order, ServiceVisit
from kangyang.services.tests.conftest import HOME, local

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def todays(worker_a, funded_elder, catalogue, carer, today):
    """A meal of today from 09:00 (until late, so that a check-in now is within its window)
    and cleaning at 14:00, both with the `caregiver` persona."""
    early = min(timezone.now() - dt.timedelta(hours=3), local(today, 6))
    meal = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], flexible=True,
                               window_start=local(today, 9), window_end=local(today, 23, 50), now=early)
    cleaning = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                   window_start=local(today, 14), now=early)
    assert meal.caregiver == carer and cleaning.caregiver == carer
    return meal, cleaning


def test_a_caregiver_lands_on_todays_route_in_the_app(client, caregiver):
    client.force_login(caregiver)
    assert client.get("/").url == "/app/route/"


def test_the_app_shows_the_route_in_order_with_the_steps_navigation_and_sync_state(client, caregiver, todays,
                                                                                   funded_elder):
    meal, cleaning = todays
    client.force_login(caregiver)
    page = client.get("/app/route/").text
    assert '<body class="app caregiver"' in page and "js/caregiver.js" in page and "css/route.css" in page
    assert page.index(f'data-order="{meal.pk}"') < page.index(f'data-order="{cleaning.pk}"')
    assert funded_elder.name in page and 'data-step="accept"' in page
    assert 'href="geo:28.660000,115.890000?q=28.660000,115.890000"' in page
    assert "uri.amap.com" not in page  # no tiles configured: nothing goes to a map provider
    assert 'id="sync-state"' in page and 'data-route-url="/app/route/"' in page
    # every step's form says where a plain post comes back to
    route = page.split('id="route"', 1)[1]  # the header's own forms (elder mode, sign out) come before
    assert route.count('name="next" value="/app/route/"') == route.count("csrfmiddlewaretoken") > 0


def test_the_app_answers_htmx_and_the_script_with_the_fragment(client, caregiver, todays):
    meal, _cleaning = todays
    client.force_login(caregiver)
    fragment = client.get("/app/route/", **HTMX).text
    assert "<html" not in fragment and f'data-order="{meal.pk}"' in fragment
    r = client.post(f"/services/orders/{meal.pk}/accept/", {"next": "/app/route/"}, **HTMX)
    assert re.search(rf'data-order="{meal.pk}" data-status="accepted"', r.text)
    assert 'name="next" value="/app/route/"' in r.text  # the next step still comes back here


def test_a_plain_check_in_from_the_app_comes_back_to_the_app(client, caregiver, todays):
    meal, _cleaning = todays
    actions.accept_order(meal, by=caregiver)
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/check-in/", {"next": "/app/route/"})
    assert r.status_code == 302 and r["Location"] == "/app/route/"
    assert ServiceVisit.objects.filter(order=meal).exists()
    assert 'class="messages"' in client.get("/app/route/").text  # the result, said on the app's page


@pytest.mark.parametrize("next_", ["//evil.example/", "https://evil.example/app/route/", "/app/route/?x=1",
                                   "javascript:alert(1)", "/" + "a" * 300])
def test_a_plain_post_never_goes_back_anywhere_else(client, caregiver, todays, next_):
    meal, _cleaning = todays
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/accept/", {"next": next_})
    assert r.status_code == 302 and r["Location"] == "/services/route/"
    assert Order.objects.get(pk=meal.pk).status == Order.Status.ACCEPTED


def test_a_nul_byte_in_next_is_refused_and_changes_nothing(client, caregiver, todays):
    meal, _cleaning = todays
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/accept/", {"next": "/app/route/\x00"})
    assert r.status_code == 400
    assert Order.objects.get(pk=meal.pk).status == Order.Status.DISPATCHED


@pytest.mark.parametrize("persona", ["elder", "family", "provider", "worker_a", "operator"])
def test_the_route_is_for_caregivers_only(client, request, persona, todays, funded_elder):
    client.force_login(request.getfixturevalue(persona))
    r = client.get("/app/route/")
    assert r.status_code == 403 and funded_elder.name not in r.text


def test_signed_out_the_route_asks_to_sign_in(client):
    r = client.get("/app/route/")
    assert r.status_code == 302 and r["Location"].startswith("/app/login/")


def test_a_caregiver_of_another_provider_sees_only_her_own_day(client, todays, funded_elder):
    from kangyang.accounts.models import User

    stranger = User.objects.create_user("carer2", password="kangyang-demo", role="caregiver")
    client.force_login(stranger)
    r = client.get("/app/route/")
    assert r.status_code == 200 and funded_elder.name not in r.text and 'ol class="stops"' not in r.text


def test_with_amaps_tiles_each_stop_has_amaps_directions_in_gcj02_without_the_address(client, settings, caregiver,
                                                                                       todays, funded_elder):
    settings.MAP_TILES = maps.tile_source("amap")
    client.force_login(caregiver)
    page = client.get("/app/route/").text
    links = re.findall(r'href="(https://uri\.amap\.com/navigation\?[^"]+)"', page)
    assert len(links) == 2
    lng, lat = wgs84_to_gcj02(HOME[1], HOME[0])
    assert f"to={lng:.6f},{lat:.6f}," in links[0] and "mode=ride" in links[0]
    assert "115.890000,28.660000" not in links[0]  # converted: AMap's streets are drawn in GCJ-02
    assert funded_elder.name not in links[0] and funded_elder.address not in links[0]
    assert 'rel="noopener noreferrer"' in page


@pytest.mark.parametrize("tiles", ["none", "tianditu", "https://tiles.example.org/{z}/{x}/{y}.png"])
def test_other_tile_sources_offer_the_geo_link_only(client, settings, caregiver, todays, tiles):
    settings.MAP_TILES = maps.tile_source(tiles, tianditu_key="abc123")
    client.force_login(caregiver)
    page = client.get("/app/route/").text
    assert "geo:28.660000,115.890000" in page and "navigate-web" not in page


def test_web_navigation_is_amaps_only():
    amap = maps.web_navigation(maps.tile_source("amap"), 28.66, 115.89, label="上门地点")
    assert amap.startswith("https://uri.amap.com/navigation?to=")
    assert maps.web_navigation(maps.TileSource(), 28.66, 115.89) is None
    assert maps.web_navigation(maps.tile_source("tianditu", tianditu_key="abc"), 28.66, 115.89) is None
