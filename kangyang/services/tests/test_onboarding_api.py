"""Issue 11's must-show, through the API only, as a city bureau going live would do it: the
bureau admin creates a community worker, who sees only her community; registers two
organisations as providers with a service area and a price; an order from the menu reaches
the cheaper one; once it is blacklisted, dispatch skips it.

Only the region tree, the elders and the catalogue come from fixtures (they have their own
tests); every step of the journey is an HTTP request. The test database is a demo database
(conftest), so the new accounts sign in with their password alone."""

import datetime as dt
import json

import pytest

from kangyang.accounts.models import User
from kangyang.audit.models import AuditEntry
from kangyang.lib import uscc
from kangyang.regions.models import Region
from kangyang.services.tests.conftest import local

PASSWORD = "Lotus-river-42"


def post(client, url, body, headers, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


def sign_in(client, username: str) -> dict:
    r = post(client, "/api/v1/auth/token", {"username": username, "password": PASSWORD}, {})
    assert r.status_code == 200, r.content
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def create_account(client, bureau, **body):
    r = post(client, "/api/v1/users", {"password": PASSWORD, **body}, bureau)
    assert r.status_code == 201, r.content
    return sign_in(client, body["username"])


def register_organisation(client, bureau, name: str, region: Region) -> int:
    r = post(client, "/api/v1/organisations", {
        "name": name, "kind": "provider", "credit_code": uscc.synthetic(name, division=region.code[:6]),
        "region": region.code}, bureau)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def register_provider(client, bureau, organisation: int, area: Region, meal_price: str) -> int:
    r = post(client, "/api/v1/providers", {
        "organisation": organisation, "areas": [area.code], "opens_at": "07:00", "closes_at": "19:00",
        "licence_number": "民养服字2026-001"}, bureau)
    assert r.status_code == 201, r.content
    provider = r.json()
    assert [a["code"] for a in provider["areas"]] == [area.code] and provider["takes_orders"] is True
    price = post(client, f"/api/v1/providers/{provider['id']}/prices/meal", {"price": meal_price}, bureau, "put")
    assert price.status_code == 200, price.content
    assert price.json()["price"] == meal_price
    return provider["id"]


def order_lunch(client, headers, elder, day, **extra):
    return post(client, "/api/v1/orders", {
        "elder": elder.pk, "item": "meal", "window_start": local(day, 11).isoformat(), **extra}, headers)


@pytest.fixture
def bureau(api_token, admin):
    """The district's bureau admin, signed in."""
    return api_token(admin)


def test_the_bureau_onboards_a_worker_and_providers_and_a_blacklisted_provider_gets_no_order(
        client, bureau, admin, community_a, subdistrict_1, elder_in_a, elder_in_b, catalogue, tomorrow):
    # A community worker for community A sees only community A's elders.
    worker = create_account(client, bureau, username="worker_c", role="community_worker", region=community_a.code)
    elders = client.get("/api/v1/elders", **worker).json()
    assert [e["id"] for e in elders["items"]] == [elder_in_a.pk]

    # Two organisations become providers serving community A: one at ¥12 a meal, one at ¥18.
    cheap_org = register_organisation(client, bureau, "桃花长者食堂", subdistrict_1)
    dear_org = register_organisation(client, bureau, "南浦居家养老服务中心", subdistrict_1)
    cheap = register_provider(client, bureau, cheap_org, community_a, "12.00")
    dear = register_provider(client, bureau, dear_org, community_a, "18.00")
    manager = create_account(client, bureau, username="canteen", role="provider_manager", organisation=cheap_org)

    # The worker orders lunch from the menu: the cheaper provider gets it and its manager sees it.
    menu = client.get("/api/v1/orders/menu", {"elder": elder_in_a.pk}, **worker).json()["items"]
    meals = [(o["provider"], o["price"]) for o in menu if o["item"]["code"] == "meal"]
    assert meals == [(cheap, "12.00"), (dear, "18.00")]
    first = order_lunch(client, worker, elder_in_a, tomorrow)
    assert first.status_code == 201, first.content
    assert (first.json()["provider"], first.json()["price"]) == (cheap, "12.00")
    seen = client.get("/api/v1/orders", **manager).json()["items"]
    assert [o["id"] for o in seen] == [first.json()["id"]]

    # Blacklisted through the organisation's API: it leaves the menu and dispatch skips it.
    barred = post(client, f"/api/v1/organisations/{cheap_org}/blacklist", {"reason": "虚报服务时长"}, bureau)
    assert barred.status_code == 200, barred.content
    assert client.get(f"/api/v1/providers/{cheap}", **bureau).json()["takes_orders"] is False
    menu = client.get("/api/v1/orders/menu", {"elder": elder_in_a.pk}, **worker).json()["items"]
    assert [(o["provider"], o["price"]) for o in menu if o["item"]["code"] == "meal"] == [(dear, "18.00")]
    second = order_lunch(client, worker, elder_in_a, tomorrow + dt.timedelta(days=1))
    assert second.status_code == 201, second.content
    assert second.json()["provider"] == dear
    named = order_lunch(client, worker, elder_in_a, tomorrow, provider=cheap)
    assert named.status_code == 422 and named.json()["error"]["code"] == "provider_closed"
    assert [o["id"] for o in client.get("/api/v1/orders", **manager).json()["items"]] == [first.json()["id"]]

    # Every step is in the audit log, by the bureau admin.
    verbs = set(AuditEntry.objects.filter(actor=admin).values_list("verb", flat=True))
    assert {"account.create", "organisation.register", "provider.register", "provider.price",
            "organisation.blacklist"} <= verbs


@pytest.fixture
def second_district(tree):
    """Nanchang above the test district (Xihu), and a second district with a community."""
    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=tree.pk).update(parent=city)
    other = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    sub = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=other)
    return Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=sub)


def test_a_district_bureau_cannot_register_a_provider_for_another_district_but_the_city_can(
        client, bureau, subdistrict_1, community_a, second_district, catalogue):
    organisation = register_organisation(client, bureau, "桃花长者食堂", subdistrict_1)
    body = {"organisation": organisation, "areas": [community_a.code, second_district.code]}

    refused = post(client, "/api/v1/providers", body, bureau)
    assert refused.status_code == 403, refused.content
    # A whole city is not a service area (a provider serves districts, subdistricts, communities).
    whole_city = post(client, "/api/v1/providers", {**body, "areas": ["360100000000"]}, bureau)
    assert whole_city.status_code == 422 and set(whole_city.json()["error"]["fields"]) == {"areas"}

    # The city's bureau admin (an account of the installation, not one a district may make).
    User.objects.create_user(username="nanchang", password=PASSWORD, role="bureau_admin",
                             region=Region.objects.get(code="360100000000"))
    city = sign_in(client, "nanchang")
    made = post(client, "/api/v1/providers", body, city)
    assert made.status_code == 201, made.content
    assert sorted(a["code"] for a in made.json()["areas"]) == sorted([community_a.code, second_district.code])


def test_the_register_refuses_bad_input_field_by_field(client, bureau, subdistrict_1, community_a, catalogue):
    organisation = register_organisation(client, bureau, "桃花长者食堂", subdistrict_1)
    en = {**bureau, "HTTP_ACCEPT_LANGUAGE": "en"}

    unknown = post(client, "/api/v1/providers", {"organisation": organisation, "areas": ["360103009009"]}, en)
    assert unknown.status_code == 422 and set(unknown.json()["error"]["fields"]) == {"areas"}
    hours = post(client, "/api/v1/providers", {"organisation": organisation, "areas": [community_a.code],
                                               "opens_at": "19:00", "closes_at": "07:00"}, en)
    assert hours.status_code == 422 and set(hours.json()["error"]["fields"]) == {"closes_at"}
    no_org = post(client, "/api/v1/providers", {"organisation": 999999, "areas": [community_a.code]}, en)
    assert no_org.status_code == 422 and set(no_org.json()["error"]["fields"]) == {"organisation"}

    made = post(client, "/api/v1/providers", {"organisation": organisation, "areas": [community_a.code]}, en)
    assert made.status_code == 201
    again = post(client, "/api/v1/providers", {"organisation": organisation, "areas": [community_a.code]}, en)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"


def test_the_bureau_changes_areas_and_hours_and_the_change_is_audited(
        client, bureau, admin, subdistrict_1, subdistrict_2, community_a, catalogue):
    organisation = register_organisation(client, bureau, "桃花长者食堂", subdistrict_1)
    provider = post(client, "/api/v1/providers", {"organisation": organisation, "areas": [community_a.code]},
                    bureau).json()["id"]

    r = post(client, f"/api/v1/providers/{provider}", {
        "areas": [subdistrict_1.code, subdistrict_2.code], "opens_at": "06:30", "open_days": "12345"}, bureau, "patch")
    assert r.status_code == 200, r.content
    body = r.json()
    assert sorted(a["code"] for a in body["areas"]) == [subdistrict_1.code, subdistrict_2.code]
    assert (body["opens_at"], body["closes_at"], body["open_days"]) == ("06:30:00", "20:00:00", "12345")
    assert AuditEntry.objects.filter(actor=admin, verb="provider.areas", target_id=str(provider)).exists()
    update = AuditEntry.objects.get(actor=admin, verb="provider.update", target_id=str(provider))
    assert update.changes["open_days"] == ["1234567", "12345"]
    empty = post(client, f"/api/v1/providers/{provider}", {"opens_at": None}, bureau, "patch")
    assert empty.status_code == 422 and set(empty.json()["error"]["fields"]) == {"opens_at"}


def test_a_worker_and_a_provider_manager_cannot_register_or_change_providers(
        client, api_token, worker_a, subdistrict_1, community_a, bureau, catalogue):
    organisation = register_organisation(client, bureau, "桃花长者食堂", subdistrict_1)
    body = {"organisation": organisation, "areas": [community_a.code]}
    provider = post(client, "/api/v1/providers", body, bureau).json()["id"]
    worker = api_token(worker_a)

    assert post(client, "/api/v1/providers", body, worker).status_code == 404  # cannot see organisations
    assert post(client, f"/api/v1/providers/{provider}", {"opens_at": "06:00"}, worker, "patch").status_code == 403
    assert post(client, f"/api/v1/providers/{provider}/prices/meal", {"price": "9.00"}, worker,
                "put").status_code == 403
