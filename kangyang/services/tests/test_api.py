"""/api/v1/providers, /api/v1/service-items and /api/v1/orders through the test client:
every endpoint allowed and refused, scope first.

Setup is shared between the allowed and the refused case of each step, so a refusal
cannot pass for the wrong reason. Orders are for `tomorrow` at fixed local hours; the
caregiver's check-ins happen now, with the phone's `at` set back where a visit needs to
have lasted."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from kangyang.accounts.models import Organisation, User
from kangyang.accounts.organisations import blacklist_organisation
from kangyang.lib import coords
from kangyang.services import actions
from kangyang.services.models import Complaint, Order, Recurrence, ServiceVisit
from kangyang.services.tests.conftest import HOME, local, metres_north
from kangyang.allowances import queries as allowance_queries
from kangyang.allowances.models import Policy

S = Order.Status
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def post(client, url, body, headers, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **headers, **extra)


def iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def utc(moment: dt.datetime) -> str:
    """How the API answers a datetime: RFC 3339 in UTC with "Z"."""
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def ago(**kwargs) -> str:
    return iso(timezone.now() - dt.timedelta(**kwargs))


def at_home(**extra) -> dict:
    return {"lat": HOME[0], "lng": HOME[1], "accuracy": 15, **extra}


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def other_provider(subdistrict_2, catalogue):
    """A second provider, serving subdistrict 2 (community B) only."""
    org = Organisation.objects.create(name="朝阳助老服务中心", kind="provider", region=subdistrict_2)
    p = actions.register_provider(by=None, organisation=org, areas=[subdistrict_2])
    actions.set_price(p, by=None, item=catalogue["meal"], price=Decimal("12.00"))
    return p


@pytest.fixture
def other_manager(other_provider):
    """The second provider's manager: its orders only."""
    return User.objects.create_user(username="other_manager", password="kangyang-demo", role="provider_manager",
                                    organisation=other_provider.organisation, full_name="other_manager")


@pytest.fixture
def second_caregiver(home_provider, far_carer):
    """A caregiver account of the same provider, profile `far_carer`: sees only their own orders."""
    user = User.objects.create_user(username="second_caregiver", password="kangyang-demo", role="caregiver",
                                    organisation=home_provider.organisation, full_name="万丽")
    far_carer.user = user
    far_carer.save(update_fields=["user"])
    return user


@pytest.fixture
def order_a(family, elder_in_a, meal, carer, tomorrow):
    """Family's lunch for her mother tomorrow at 11, ordered an hour ago, dispatched to `carer`
    (checks queued on the phone may be dated back to when they were made, not before the order)."""
    order = actions.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(tomorrow, 11),
                                now=timezone.now() - dt.timedelta(hours=1))
    assert order.status == S.DISPATCHED and order.caregiver == carer
    return order


@pytest.fixture
def order_b(worker_b, elder_in_b, other_provider, meal, tomorrow):
    """Community B's lunch from the other provider, waiting on its board (no caregivers)."""
    return actions.place_order(by=worker_b, elder=elder_in_b, item=meal, window_start=local(tomorrow, 11))


@pytest.fixture
def accepted(order_a, caregiver):
    return actions.accept_order(order_a, by=caregiver)


@pytest.fixture
def checked_out(accepted, caregiver):
    """Delivered: checked in at home 20 minutes ago, out now."""
    start = timezone.now() - dt.timedelta(minutes=20)
    actions.check_in(accepted, by=caregiver, fix=actions.Fix(*HOME, accuracy_m=10), at=start)
    actions.check_out(Order.objects.get(pk=accepted.pk), by=caregiver, fix=actions.Fix(*HOME, accuracy_m=10))
    return Order.objects.get(pk=accepted.pk)


def url(order, step: str = "") -> str:
    return f"/api/v1/orders/{order.pk}" + (f"/{step}" if step else "")


# -- providers and the catalogue -------------------------------------------------------------
def test_staff_list_providers_and_filter_by_the_community_served(
    client, api_token, worker_a, home_provider, other_provider, community_a, community_b,
):
    headers = api_token(worker_a)

    def names(**params):
        return [p["name"] for p in client.get("/api/v1/providers", params, **headers).json()["items"]]

    assert sorted(names()) == sorted([home_provider.name, other_provider.name])
    assert names(community=community_a.code) == [home_provider.name]
    assert names(community=community_b.code) == [other_provider.name]
    assert client.get("/api/v1/providers", {"community": "36"}, **headers).status_code == 422


def test_the_elder_sees_the_providers_serving_her_community_only(
    client, api_token, elder, home_provider, other_provider,
):
    headers = api_token(elder)
    r = client.get("/api/v1/providers", **headers)
    assert [p["id"] for p in r.json()["items"]] == [home_provider.pk] and r.json()["count"] == 1
    assert client.get(f"/api/v1/providers/{other_provider.pk}", **headers).status_code == 404


def test_a_provider_shows_its_areas_hours_and_whether_it_takes_orders(
    client, api_token, operator, home_provider, subdistrict_1,
):
    headers = api_token(operator)
    body = client.get(f"/api/v1/providers/{home_provider.pk}", **headers).json()
    assert body["areas"] == [{"code": subdistrict_1.code, "name": subdistrict_1.name, "level": "subdistrict"}]
    assert (body["opens_at"], body["closes_at"], body["open_days"]) == ("07:00:00", "20:00:00", "1234567")
    assert body["takes_orders"] is True
    blacklist_organisation(home_provider.organisation, by=None, reason="重大服务事故")
    assert client.get(f"/api/v1/providers/{home_provider.pk}", **headers).json()["takes_orders"] is False
    r = client.get("/api/v1/providers", {"takes_orders": "true"}, **headers)
    assert r.json()["count"] == 0


def test_a_provider_s_prices_are_decimal_strings(client, api_token, family, home_provider):
    r = client.get(f"/api/v1/providers/{home_provider.pk}/prices", {"page_size": 200}, **api_token(family))
    prices = {p["item"]["code"]: p["price"] for p in r.json()["items"]}
    assert prices["meal"] == "15.00" and prices["bathing"] == "80.00" and r.json()["count"] == 15


def test_another_provider_s_manager_and_caregiver_see_only_their_own(
    client, api_token, provider, caregiver, other_manager, home_provider, other_provider,
):
    assert [p["id"] for p in client.get("/api/v1/providers", **api_token(provider)).json()["items"]] == [home_provider.pk]
    assert client.get(f"/api/v1/providers/{other_provider.pk}", **api_token(provider)).status_code == 404
    assert client.get(f"/api/v1/providers/{home_provider.pk}/prices", **api_token(other_manager)).status_code == 404
    assert client.get(f"/api/v1/providers/{home_provider.pk}", **api_token(caregiver)).status_code == 200


def test_the_catalogue_lists_and_filters_items(client, api_token, elder, catalogue):
    headers = api_token(elder)
    r = client.get("/api/v1/service-items", {"page_size": 200}, **headers)
    assert r.json()["count"] == 15
    meal = next(i for i in r.json()["items"] if i["code"] == "meal")
    assert meal == {
        "id": catalogue["meal"].pk, "code": "meal", "name": "助餐", "category": "daily_living",
        "category_label": meal["category_label"], "unit": "meal", "minutes": 10, "skill": "meals",
        "payable_by": ["consumption_voucher", "service"], "description": "", "active": True,
    }
    health = client.get("/api/v1/service-items", {"category": "health"}, **headers).json()["items"]
    assert [i["code"] for i in health] == ["escort", "health_check"]
    assert client.get(f"/api/v1/service-items/{catalogue['meal'].pk}", **headers).json()["code"] == "meal"
    assert client.get("/api/v1/service-items/99999", **headers).status_code == 404
    assert client.get("/api/v1/service-items", {"category": "magic"}, **headers).status_code == 422


# -- the menu and quotes ---------------------------------------------------------------------
def test_the_family_sees_her_mother_s_menu(client, api_token, family, elder_in_a, home_provider, other_provider):
    r = client.get("/api/v1/orders/menu", {"elder": elder_in_a.pk, "page_size": 200}, **api_token(family))
    assert r.status_code == 200 and r.json()["count"] == 15
    offer = next(o for o in r.json()["items"] if o["item"]["code"] == "meal")
    assert (offer["provider"], offer["price"]) == (home_provider.pk, "15.00")


def test_the_menu_is_refused_outside_scope_and_to_those_who_do_not_order(
    client, api_token, worker_b, subdistrict, provider, elder_in_a, home_provider,
):
    params = {"elder": elder_in_a.pk}
    assert client.get("/api/v1/orders/menu", params, **api_token(worker_b)).status_code == 404
    assert client.get("/api/v1/orders/menu", params, **api_token(provider)).status_code == 404
    assert client.get("/api/v1/orders/menu", params, **api_token(subdistrict)).status_code == 403
    assert client.get("/api/v1/orders/menu", **api_token(subdistrict)).status_code == 422


def test_the_quote_shows_who_pays_what(client, api_token, worker_a, funded_elder, catalogue, home_provider):
    headers = api_token(worker_a)
    r = post(client, "/api/v1/orders/quote", {"elder": funded_elder.pk, "item": "bathing"}, headers)
    assert r.status_code == 200
    assert r.json() == {
        "elder": funded_elder.pk, "item": catalogue["bathing"].pk, "item_code": "bathing", "item_name": "助浴",
        "provider": home_provider.pk, "provider_name": home_provider.name, "quantity": 1,
        "unit_price": "80.00", "price": "80.00", "allowance": "40.00", "voucher": "40.00", "own": "0.00",
    }
    r = post(client, "/api/v1/orders/quote", {"elder": funded_elder.pk, "item": catalogue["adaptation"].pk,
                                              "provider": home_provider.pk}, headers)
    assert (r.json()["price"], r.json()["own"]) == ("300.00", "300.00")
    assert not Order.objects.exists()


def test_a_quote_names_what_is_wrong(client, api_token, worker_a, elder, elder_in_a, home_provider, other_provider):
    headers = api_token(worker_a)
    body = {"elder": elder_in_a.pk, "item": "meal"}
    r = post(client, "/api/v1/orders/quote", {**body, "item": "caviar"}, headers)
    assert r.status_code == 422 and list(r.json()["error"]["fields"]) == ["item"]
    r = post(client, "/api/v1/orders/quote", {**body, "provider": other_provider.pk}, headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_served"
    assert post(client, "/api/v1/orders/quote", {**body, "provider": 99999}, headers).status_code == 422
    # the elder cannot even see a provider that does not serve her community
    assert post(client, "/api/v1/orders/quote", {**body, "provider": other_provider.pk}, api_token(elder)).status_code == 404
    assert post(client, "/api/v1/orders/quote", {**body, "quantity": 0}, headers).status_code == 422


# -- placing ---------------------------------------------------------------------------------
def test_the_family_places_an_order_and_it_is_dispatched(client, api_token, family, elder_in_a, meal, carer, tomorrow):
    r = post(client, "/api/v1/orders", {
        "elder": elder_in_a.pk, "item": "meal", "window_start": iso(local(tomorrow, 11)), "note": "少盐",
        "expected_own_share": "15.00",
    }, api_token(family))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["caregiver"], body["caregiver_name"], body["channel"]) == (
        "dispatched", carer.pk, carer.name, "app")
    assert (body["price"], body["allowance"], body["voucher"], body["own"]) == ("15.00", "0.00", "0.00", "15.00")
    # Sent at 11:00 local time (+08:00), answered in UTC: 03:00Z.
    assert body["window_start"] == utc(local(tomorrow, 11)) and body["window_start"].endswith("T03:00:00Z")
    assert body["window_end"] == utc(local(tomorrow, 11, 30))
    assert [e["kind"] for e in body["events"]] == ["created", "dispatched"] and body["visit"] is None
    assert Order.objects.get().note == "少盐"


def test_a_changed_price_is_409_and_nothing_is_ordered(client, api_token, worker_a, funded_elder, meal, carer, tomorrow):
    headers = api_token(worker_a)
    body = {"elder": funded_elder.pk, "item": meal.pk, "window_start": iso(local(tomorrow, 11))}
    r = post(client, "/api/v1/orders", {**body, "expected_own_share": "5.00"}, headers, **EN)
    assert r.status_code == 409 and r.json()["error"]["code"] == "price_changed"
    assert "The price has changed" in r.json()["error"]["message"]
    assert not Order.objects.exists()
    assert post(client, "/api/v1/orders", {**body, "expected_own_share": "0.00"}, headers).status_code == 201


def test_bad_order_input_is_422_on_its_field(client, api_token, worker_a, funded_elder, meal, carer, tomorrow, today):
    headers = api_token(worker_a)
    body = {"elder": funded_elder.pk, "item": "meal", "window_start": iso(local(tomorrow, 11))}

    def fields(**change):
        r = post(client, "/api/v1/orders", {**body, **change}, headers)
        assert r.status_code == 422, r.content
        return r.json()["error"]["fields"]

    assert "window_start" in fields(window_start=f"{tomorrow.isoformat()}T11:00:00")  # no offset
    assert "window_start" in fields(window_start=iso(local(today, 0) - dt.timedelta(days=1)))  # past
    assert "window_start" in fields(window_start=iso(local(tomorrow, 22)))  # provider closed
    assert "window_end" in fields(window_end=iso(local(tomorrow, 10)))
    assert "quantity" in fields(quantity=100)
    assert "expected_own_share" in fields(expected_own_share="1.005")
    assert not Order.objects.exists()


def test_who_may_place_an_order(client, api_token, worker_b, subdistrict, provider, funded_elder, meal, carer, tomorrow):
    body = {"elder": funded_elder.pk, "item": "meal", "window_start": iso(local(tomorrow, 11))}
    assert post(client, "/api/v1/orders", body, api_token(worker_b)).status_code == 404
    assert post(client, "/api/v1/orders", body, api_token(provider)).status_code == 404
    assert post(client, "/api/v1/orders", body, api_token(subdistrict)).status_code == 403
    assert not Order.objects.exists()


# -- listing and scope -----------------------------------------------------------------------
@pytest.mark.parametrize("viewer, seen", [
    ("admin", {"a", "b"}), ("operator", {"a", "b"}), ("subdistrict", {"a"}), ("worker_a", {"a"}),
    ("worker_b", {"b"}), ("provider", {"a"}), ("other_manager", {"b"}), ("caregiver", {"a"}),
    ("second_caregiver", set()), ("elder", {"a"}), ("family", {"a"}), ("volunteer", set()), ("inspector", set()),
])
def test_each_persona_lists_only_the_orders_in_their_scope(client, api_token, request, viewer, seen, order_a, order_b):
    ids = {"a": order_a.pk, "b": order_b.pk}
    r = client.get("/api/v1/orders", **api_token(request.getfixturevalue(viewer)))
    assert {o["id"] for o in r.json()["items"]} == {ids[k] for k in seen} and r.json()["count"] == len(seen)


@pytest.mark.parametrize("viewer", ["worker_b", "other_manager", "second_caregiver", "volunteer"])
def test_an_order_outside_scope_answers_404_to_every_verb(client, api_token, request, viewer, order_a):
    headers = api_token(request.getfixturevalue(viewer))
    assert client.get(url(order_a), **headers).status_code == 404
    for step, body in [
        ("accept", {}), ("decline", {"reason": "不方便"}), ("en-route", {}), ("check-in", at_home()),
        ("check-out", at_home()), ("confirm", {"rating": 5}), ("cancel", {"reason": "不需要了"}),
        ("no-show", {"party": "caregiver"}), ("assign", {"caregiver": order_a.caregiver_id}),
        ("complaints", {"text": "服务差"}),
    ]:
        r = post(client, url(order_a, step), body, headers)
        assert r.status_code == 404, f"{step} → {r.status_code}"
    assert Order.objects.get(pk=order_a.pk).status == S.DISPATCHED and not Complaint.objects.exists()


def test_orders_filter_by_their_main_relations(
    client, api_token, admin, order_a, order_b, elder_in_a, carer, home_provider, meal, tomorrow, today,
):
    headers = api_token(admin)

    def ids(**params):
        r = client.get("/api/v1/orders", params, **headers)
        assert r.status_code == 200, r.content
        return [o["id"] for o in r.json()["items"]]

    assert ids(elder=elder_in_a.pk) == [order_a.pk]
    assert ids(status="created") == [order_b.pk]
    assert ids(provider=home_provider.pk) == [order_a.pk]
    assert ids(caregiver=carer.pk) == [order_a.pk]
    assert set(ids(item="meal")) == set(ids(item=str(meal.pk))) == {order_a.pk, order_b.pk}
    assert set(ids(day=tomorrow.isoformat())) == {order_a.pk, order_b.pk} and ids(day=today.isoformat()) == []
    assert client.get("/api/v1/orders", {"status": "lost"}, **headers).status_code == 422
    assert client.get("/api/v1/orders", {"page_size": 201}, **headers).status_code == 422
    page = client.get("/api/v1/orders", {"page_size": 1, "page": 2}, **headers).json()
    assert page["count"] == 2 and len(page["items"]) == 1


# -- the caregiver's steps -------------------------------------------------------------------
def test_the_caregiver_accepts_sets_off_checks_in_and_out(client, api_token, caregiver, order_a):
    headers = api_token(caregiver)
    assert post(client, url(order_a, "accept"), {}, headers).json()["status"] == "accepted"
    assert post(client, url(order_a, "en-route"), {}, headers).json()["status"] == "en_route"
    r = post(client, url(order_a, "check-in"), at_home(at=ago(minutes=20)), headers)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["within_radius"], body["raised"], body["radius_m"]) == ("checked_in", True, [], 200)
    assert body["distance_m"] == 0 and body["visit"]["check_in_accuracy_m"] == 15
    r = post(client, url(order_a, "check-out"), at_home(notes="饭菜已送到"), headers)
    body = r.json()
    assert (body["status"], body["within_radius"], body["raised"]) == ("checked_out", True, [])
    assert body["visit"]["minutes"] == 20 and body["visit"]["notes"] == "饭菜已送到"
    assert body["visit"]["review"] == "not_needed" and body["visit"]["held_back"] is False
    # The timeline is in time order, and the check-in was sent as made 20 minutes ago.
    kinds = [e["kind"] for e in client.get(url(order_a), **headers).json()["events"]]
    assert sorted(kinds) == sorted(["created", "dispatched", "accepted", "en_route", "checked_in", "checked_out"])


def _datetimes(value, path=""):
    """Every (path, text) of a JSON document that reads as a date and time."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _datetimes(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _datetimes(item, f"{path}[{i}]")
    elif isinstance(value, str) and DATETIME.fullmatch(value):
        yield path, value


DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def test_every_datetime_of_an_order_is_answered_in_utc_with_z(client, api_token, caregiver, provider, accepted):
    """The API's one convention (README): the order, its timeline, its service visit and its
    flags, the check-out answer and the caregiver's day all answer UTC with "Z"."""
    headers = api_token(caregiver)
    post(client, url(accepted, "check-in"), at_home(at=ago(minutes=5)), headers)
    lat, lng = metres_north(HOME, 2000)
    checked_out = post(client, url(accepted, "check-out"), {"lat": lat, "lng": lng}, headers).json()
    detail = client.get(url(accepted), **api_token(provider)).json()
    listed = client.get("/api/v1/orders", **api_token(provider)).json()
    found = [*_datetimes(checked_out, "check-out"), *_datetimes(detail, "order"), *_datetimes(listed, "list")]
    paths = {p for p, _v in found}
    assert {"order.created_at", "order.window_start", "order.visit.checked_in_at", "order.visit.checked_out_at",
            "order.visit.flags[0].created_at", "order.events[0].at", "check-out.visit.checked_out_at"} <= paths
    assert [v for _p, v in found if not v.endswith("Z")] == []
    assert detail["visit"]["checked_in_at"] == utc(ServiceVisit.objects.get(order=accepted).checked_in_at)


def test_a_check_in_2_km_away_is_recorded_and_flagged(client, api_token, caregiver, provider, accepted):
    lat, lng = metres_north(HOME, 2000)
    r = post(client, url(accepted, "check-in"), {"lat": lat, "lng": lng, "accuracy": 20}, api_token(caregiver))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "checked_in" and body["within_radius"] is False and body["raised"] == ["far_check_in"]
    assert 1990 <= body["distance_m"] <= 2010
    service_visit = client.get(url(accepted), **api_token(provider)).json()["visit"]
    assert service_visit["check_in_within_radius"] is False and service_visit["review"] == "pending" and service_visit["held_back"]
    assert [f["code"] for f in service_visit["flags"]] == ["far_check_in"]
    assert "lat" not in json.dumps(service_visit) and str(round(lat, 4)) not in json.dumps(service_visit)


def test_a_phone_without_a_location_still_checks_in(client, api_token, caregiver, accepted):
    body = post(client, url(accepted, "check-in"), {}, api_token(caregiver)).json()
    assert body["status"] == "checked_in" and body["raised"] == ["no_location"]
    assert body["distance_m"] is None and body["within_radius"] is None


def test_a_gcj02_position_is_converted_before_the_distance(client, api_token, caregiver, accepted):
    lng, lat = coords.wgs84_to_gcj02(HOME[1], HOME[0])
    body = post(client, url(accepted, "check-in"), {"lat": lat, "lng": lng, "coord": "gcj02"}, api_token(caregiver)).json()
    assert body["within_radius"] is True and body["distance_m"] <= 1


def test_only_the_assigned_caregiver_checks_in(client, api_token, provider, family, second_caregiver, accepted):
    # Those who see the order but are not its caregiver are refused; another caregiver does
    # not see it at all.
    assert post(client, url(accepted, "check-in"), at_home(), api_token(provider)).status_code == 403
    assert post(client, url(accepted, "check-in"), at_home(), api_token(family)).status_code == 403
    assert post(client, url(accepted, "check-out"), at_home(), api_token(provider)).status_code == 403
    assert post(client, url(accepted, "check-in"), at_home(), api_token(second_caregiver)).status_code == 404
    assert Order.objects.get(pk=accepted.pk).status == S.ACCEPTED and not ServiceVisit.objects.exists()


def test_bad_check_in_input_is_422_on_its_field(client, api_token, caregiver, accepted):
    headers = api_token(caregiver)

    def fields(body):
        r = post(client, url(accepted, "check-in"), body, headers)
        assert r.status_code == 422, r.content
        return r.json()["error"]["fields"]

    assert "coord" in fields(at_home(coord="utm"))
    assert "lat" in fields(at_home(lat=200))
    assert "lng" in fields({"lat": HOME[0]})
    assert "accuracy" in fields(at_home(accuracy=-5))
    assert "at" in fields(at_home(at="2026-01-01T09:00:00"))  # no offset
    assert "at" in fields(at_home(at=ago(hours=13)))  # older than a queued check may be
    assert Order.objects.get(pk=accepted.pk).status == S.ACCEPTED and not ServiceVisit.objects.exists()


def test_a_step_the_status_does_not_allow_is_409(client, api_token, caregiver, family, order_a):
    headers = api_token(caregiver)
    r = post(client, url(order_a, "check-out"), at_home(), headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_status"
    assert post(client, url(order_a, "en-route"), {}, headers).status_code == 409
    assert post(client, url(order_a, "accept"), {}, headers).status_code == 200
    r = post(client, url(order_a, "accept"), {}, headers, **EN)
    assert r.status_code == 409 and "this step is not possible now" in r.json()["error"]["message"]
    assert post(client, url(order_a, "confirm"), {"rating": 5}, api_token(family)).status_code == 409


def test_the_caregiver_declines_and_it_goes_to_the_next(client, api_token, caregiver, second_caregiver, order_a, far_carer):
    headers = api_token(caregiver)
    r = post(client, url(order_a, "decline"), {"reason": " "}, headers)
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = post(client, url(order_a, "decline"), {"reason": "身体不适"}, headers)
    assert r.status_code == 204
    assert client.get(url(order_a), **headers).status_code == 404  # no longer theirs
    r = client.get(url(order_a), **api_token(second_caregiver))
    assert r.json()["caregiver"] == far_carer.pk and r.json()["status"] == "dispatched"


def test_the_caregiver_reports_nobody_at_the_door(client, api_token, caregiver, family, accepted):
    assert post(client, url(accepted, "no-show"), {"party": "nobody"}, api_token(caregiver)).status_code == 422
    assert post(client, url(accepted, "no-show"), {"party": "elder"}, api_token(family)).status_code == 403
    r = post(client, url(accepted, "no-show"), {"party": "elder", "reason": "敲门无人应答"}, api_token(caregiver))
    assert r.status_code == 200 and (r.json()["status"], r.json()["no_show_party"]) == ("no_show", "elder")


def test_the_family_reports_a_caregiver_who_never_came(client, api_token, family, order_a):
    r = post(client, url(order_a, "no-show"), {"party": "caregiver"}, api_token(family))
    assert r.status_code == 200 and r.json()["no_show_party"] == "caregiver"


# -- the ordering side's steps ---------------------------------------------------------------
def test_the_family_confirms_with_a_rating(client, api_token, family, caregiver, checked_out):
    r = post(client, url(checked_out, "confirm"), {"rating": 9}, api_token(family))
    assert r.status_code == 422 and "rating" in r.json()["error"]["fields"]
    assert post(client, url(checked_out, "confirm"), {"rating": 5}, api_token(caregiver)).status_code == 403
    r = post(client, url(checked_out, "confirm"), {"rating": 5, "comment": "很准时"}, api_token(family))
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["rating"], r.json()["rating_comment"]) == ("confirmed", 5, "很准时")
    assert r.json()["confirmed_at"].endswith("Z")


def test_a_low_rating_opens_a_complaint(client, api_token, family, checked_out):
    post(client, url(checked_out, "confirm"), {"rating": 1, "comment": "饭是凉的"}, api_token(family))
    assert Complaint.objects.get(order=checked_out).text == "饭是凉的"


def test_cancelling_gives_the_allowance_back(client, api_token, worker_a, caregiver, funded_elder, meal, carer, tomorrow):
    def balance():
        return allowance_queries.voucher_balance(funded_elder, kind=Policy.Kind.SERVICE)

    before = balance()
    order = actions.place_order(by=worker_a, elder=funded_elder, item=meal, window_start=local(tomorrow, 11))
    assert balance() == before - Decimal("7.50")
    headers = api_token(worker_a)
    assert post(client, url(order, "cancel"), {"reason": ""}, headers).status_code == 422
    assert post(client, url(order, "cancel"), {"reason": "不需要了"}, api_token(caregiver)).status_code == 403
    r = post(client, url(order, "cancel"), {"reason": "老人住院"}, headers)
    assert r.status_code == 200 and (r.json()["status"], r.json()["cancel_reason"]) == ("cancelled", "老人住院")
    assert balance() == before
    assert post(client, url(order, "cancel"), {"reason": "再次"}, headers).status_code == 409
    assert balance() == before


def test_the_provider_manager_assigns_a_qualified_caregiver_of_theirs(
    client, api_token, provider, caregiver, family, order_a, far_carer, other_provider, home_provider,
):
    from kangyang.services.models import Skill

    stranger = actions.add_caregiver(other_provider, by=None, name="外人", skills=Skill.values)
    cook = actions.add_caregiver(home_provider, by=None, name="只会打扫", skills=[Skill.CLEANING])
    headers = api_token(provider)
    assert post(client, url(order_a, "assign"), {"caregiver": stranger.pk}, headers).status_code == 404
    r = post(client, url(order_a, "assign"), {"caregiver": 99999}, headers)
    assert r.status_code == 422 and "caregiver" in r.json()["error"]["fields"]
    r = post(client, url(order_a, "assign"), {"caregiver": cook.pk}, headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "skill"
    assert post(client, url(order_a, "assign"), {"caregiver": far_carer.pk}, api_token(caregiver)).status_code == 403
    assert post(client, url(order_a, "assign"), {"caregiver": far_carer.pk}, api_token(family)).status_code == 403
    r = post(client, url(order_a, "assign"), {"caregiver": far_carer.pk, "note": "熟悉老人"}, headers)
    assert r.status_code == 200 and r.json()["caregiver"] == far_carer.pk
    assert r.json()["events"][-1]["kind"] == "reassigned"


def test_the_family_files_a_complaint(client, api_token, family, caregiver, order_a):
    assert post(client, url(order_a, "complaints"), {"text": " "}, api_token(family)).status_code == 422
    assert post(client, url(order_a, "complaints"), {"text": "态度差"}, api_token(caregiver)).status_code == 403
    r = post(client, url(order_a, "complaints"), {"text": "送餐迟到一小时"}, api_token(family))
    assert r.status_code == 201 and (r.json()["order"], r.json()["status"]) == (order_a.pk, "open")
    assert client.get(url(order_a), **api_token(family)).json()["events"][-1]["kind"] == "complaint"


# -- the caregiver's day ---------------------------------------------------------------------
def test_the_caregiver_sees_today_s_route_in_order(client, api_token, caregiver, family, elder_in_a, meal, carer, today):
    start_of_day = local(today, 0)  # placed at midnight, so the test runs at any hour
    late = actions.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(today, 17), now=start_of_day)
    early = actions.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(today, 9), now=start_of_day)
    actions.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(today + dt.timedelta(days=1), 9))
    r = client.get("/api/v1/orders/today", **api_token(caregiver))
    assert r.status_code == 200
    assert [o["id"] for o in r.json()["items"]] == [early.pk, late.pk]
    assert r.json()["items"][0]["elder_address"] == elder_in_a.address and r.json()["items"][0]["visit"] is None
    assert client.get("/api/v1/orders/today", **api_token(family)).status_code == 403


# -- standing orders -------------------------------------------------------------------------
def test_a_standing_order_is_created_listed_and_stopped(
    client, api_token, worker_a, worker_b, caregiver, funded_elder, meal, carer, tomorrow,
):
    headers = api_token(worker_a)
    body = {"elder": funded_elder.pk, "item": "meal", "weekdays": "1234567", "time_from": "11:00",
            "time_to": "12:00", "starts_on": tomorrow.isoformat()}
    r = post(client, "/api/v1/orders/recurring", {**body, "weekdays": "89"}, headers)
    assert r.status_code == 422 and "weekdays" in r.json()["error"]["fields"]
    r = post(client, "/api/v1/orders/recurring", body, headers)
    assert r.status_code == 201, r.content
    rec = r.json()
    assert rec["orders_placed"] == 3 and rec["stopped_at"] is None and rec["channel"] == "community"
    listed = client.get("/api/v1/orders/recurring", {"elder": funded_elder.pk}, **headers).json()
    assert [x["id"] for x in listed["items"]] == [rec["id"]]
    assert client.get("/api/v1/orders/recurring", **api_token(caregiver)).json()["count"] == 0
    stop = f"/api/v1/orders/recurring/{rec['id']}/stop"
    assert post(client, stop, {}, api_token(worker_b)).status_code == 404
    r = post(client, stop, {}, headers)
    assert r.status_code == 200 and r.json()["stopped_at"] is not None
    assert Recurrence.objects.get().stopped_at is not None
    assert client.get("/api/v1/orders/recurring", {"active": "true"}, **headers).json()["count"] == 0


# -- language and the published contract ----------------------------------------------------
def test_errors_follow_accept_language_chinese_by_default(client, api_token, worker_b, order_a):
    headers = api_token(worker_b)
    assert client.get(url(order_a), **headers).json()["error"] == {
        "code": "not_found", "message": "未找到。", "fields": {}}
    assert client.get(url(order_a), **headers, **EN).json()["error"]["message"] == "Not found."


def test_errors_of_the_new_steps_are_in_english_on_request(client, api_token, caregiver, order_a):
    r = post(client, url(order_a, "check-in"), {"lat": HOME[0]}, api_token(caregiver), **EN)
    assert r.json()["error"]["fields"] == {"lng": ["Send both latitude and longitude, or neither."]}
    r = post(client, url(order_a, "check-in"), {"lat": HOME[0]}, api_token(caregiver))
    assert r.status_code == 422 and r.json()["error"]["code"] == "coord"


def test_the_openapi_document_describes_every_home_service_operation(client):
    doc = client.get("/api/openapi.json").json()
    ours = {p: ops for p, ops in doc["paths"].items()
            if p.startswith(("/api/v1/orders", "/api/v1/providers", "/api/v1/service-items"))}
    assert len(ours) == 25
    # The bureau's register: POST /providers, PATCH one, PUT one price.
    assert {"get", "post"} <= set(ours["/api/v1/providers"])
    assert "patch" in ours["/api/v1/providers/{provider_id}"]
    assert set(ours["/api/v1/providers/{provider_id}/prices/{item}"]) == {"put"}
    for path, ops in ours.items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method} {path} has no summary"
    schemas = doc["components"]["schemas"]
    assert schemas["OrderOut"]["properties"]["price"]["type"] == "string"
    assert schemas["QuoteOut"]["properties"]["own"]["type"] == "string"
    for name in ("OrderOut", "ServiceVisitOut", "CheckOut", "RouteOrderOut", "OrderDetailOut"):
        assert not {"lat", "lng"} & set(schemas[name]["properties"]), f"{name} carries a location"
