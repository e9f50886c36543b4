"""/api/v1/institutions and the register's pages (issue 16 §1, §2, §11)."""

import datetime as dt

import pytest

from kangyang.accounts.models import User
from kangyang.audit.models import AuditEntry
from kangyang.institutions.actions import register as actions
from kangyang.institutions.models import Institution
from kangyang.institutions.tests.test_register import _elder, _inst, _org, other_district  # noqa: F401

K = Institution.Kind


@pytest.fixture
def world(admin, subdistrict, worker_a, worker_b, inspector, provider, community_a, community_b, other_district):  # noqa: F811
    run_org = _org("桃花养老院有限公司", community_a.parent)
    provider.organisation = run_org
    provider.save(update_fields=["organisation"])
    home_a = _inst(run_org, community_a, name="桃花颐养院", lat=28.66, lng=115.89)
    home_b = _inst(_org("朝阳敬老院", community_b.parent), community_b, name="朝阳敬老院", kind=K.TOWNSHIP_HOME)
    meal = _inst(_org("南浦长者食堂", community_a.parent, kind="meal_point"), community_a, name="南浦长者食堂",
                 kind=K.MEAL_POINT, beds=0, nursing=0)
    far = _inst(_org("洪都养老院", other_district.parent), other_district, name="洪都养老院")
    elder = _elder(worker_a, community_a, 1)
    actions.admit(home_a, by=admin, elder=elder, admitted_on=dt.date(2025, 1, 1))
    return {"a": home_a, "b": home_b, "meal": meal, "far": far, "org": run_org, "elder": elder}


ITEM_KEYS = {"id", "name", "kind", "organisation", "organisation_name", "region_code", "beds_total", "beds_nursing",
             "beds_occupied", "stars", "lat", "lng"}


def test_list_shape_and_occupancy(client, api_token, admin, world):
    r = client.get("/api/v1/institutions", **api_token(admin))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"items", "count"} and body["count"] == 3
    item = next(i for i in body["items"] if i["id"] == world["a"].pk)
    assert ITEM_KEYS <= set(item)
    assert (item["beds_total"], item["beds_nursing"], item["beds_occupied"]) == (10, 6, 1)
    assert item["organisation"] == world["org"].pk and item["organisation_name"] == world["org"].name
    assert item["lat"] == 28.66


@pytest.mark.parametrize("query, names", [
    ("kind=meal_point", {"南浦长者食堂"}),
    ("region=360103002", {"朝阳敬老院"}),
    ("region=360103001001", {"桃花颐养院", "南浦长者食堂"}),
    ("q=颐养", {"桃花颐养院"}),
])
def test_list_filters(client, api_token, admin, world, query, names):
    r = client.get(f"/api/v1/institutions?{query}", **api_token(admin))
    assert {i["name"] for i in r.json()["items"]} == names


def test_filter_by_organisation(client, api_token, admin, world):
    r = client.get(f"/api/v1/institutions?organisation={world['org'].pk}", **api_token(admin))
    assert [i["id"] for i in r.json()["items"]] == [world["a"].pk]


def test_scope_other_district_404_and_provider_own(client, api_token, admin, provider, world):
    assert client.get(f"/api/v1/institutions/{world['far'].pk}", **api_token(admin)).status_code == 404
    headers = api_token(provider)
    assert [i["id"] for i in client.get("/api/v1/institutions", **headers).json()["items"]] == [world["a"].pk]
    assert client.get(f"/api/v1/institutions/{world['b'].pk}", **headers).status_code == 404
    r = client.get(f"/api/v1/institutions/{world['a'].pk}", **headers)
    assert r.status_code == 200 and r.json()["beds_occupied"] == 1 and "flags" in r.json()


@pytest.mark.parametrize("url", [
    "/api/v1/institutions?kind=castle", "/api/v1/institutions?organisation=99999999999999999999999",
    "/api/v1/institutions?organisation=abc", "/api/v1/institutions?region=36%0001",
    "/api/v1/institutions/99999999999999999999999", "/api/v1/institutions?page_size=1000",
    "/api/v1/institutions/99999999999999999999999/residents",
])
def test_hostile_queries(client, api_token, admin, world, url):
    r = client.get(url, **api_token(admin))
    assert 400 <= r.status_code < 500 and "error" in r.json()


def test_nul_in_search_is_harmless(client, api_token, admin, world):
    r = client.get("/api/v1/institutions?q=%00", **api_token(admin))
    assert r.status_code == 200 or (400 <= r.status_code < 500 and "error" in r.json())


def _payload(place, org, **over):
    payload = {"name": "南浦街道综合养老服务中心", "kind": "subdistrict_centre", "ownership": "public",
               "operating_model": "public_private", "organisation": org.pk, "community": place.code,
               "beds_total": 40, "beds_nursing": 32, "lat": 28.67, "lng": 115.88, "floor_area_m2": "1200.0",
               "opened_on": "2024-06-01"}
    payload.update(over)
    return payload


def test_post_and_patch(client, api_token, admin, community_a, world):
    headers = api_token(admin)
    r = client.post("/api/v1/institutions", _payload(community_a, world["org"]), content_type="application/json", **headers)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["region_code"] == community_a.code and body["beds_occupied"] == 0
    r = client.patch(f"/api/v1/institutions/{body['id']}", {"beds_total": 45, "lat": None, "lng": None},
                     content_type="application/json", **headers)
    assert r.status_code == 200, r.content
    assert r.json()["beds_total"] == 45 and r.json()["lat"] is None
    r = client.patch(f"/api/v1/institutions/{body['id']}", {"beds_nursing": 50}, content_type="application/json", **headers)
    assert r.status_code == 422 and "beds_nursing" in r.json()["error"]["fields"]


@pytest.mark.parametrize("over", [
    {"name": "a\x00b"}, {"beds_total": 2**70}, {"beds_total": "many"}, {"organisation": 2**64},
    {"organisation": 999999}, {"community": "360103001999"}, {"lat": "north"}, {"kind": "castle"},
    {"services": [1, 2]}, {"opened_on": "yesterday"}, {"floor_area_m2": "1e400"},
])
def test_post_hostile(client, api_token, admin, community_a, world, over):
    r = client.post("/api/v1/institutions", _payload(community_a, world["org"], **over),
                    content_type="application/json", **api_token(admin))
    assert 400 <= r.status_code < 500, r.content
    assert "error" in r.json()


def test_post_array_body_and_forbidden(client, api_token, admin, inspector, provider, community_a, world):
    r = client.post("/api/v1/institutions", [1, 2], content_type="application/json", **api_token(admin))
    assert r.status_code == 422
    for user in (inspector, provider):
        r = client.post("/api/v1/institutions", _payload(community_a, world["org"]), content_type="application/json",
                        **api_token(user))
        assert r.status_code == 403
    r = client.patch(f"/api/v1/institutions/{world['a'].pk}", {"beds_total": 9}, content_type="application/json",
                     **api_token(inspector))
    assert r.status_code == 403


def test_residents_scoped_and_audited(client, api_token, admin, inspector, provider, worker_b, world):
    url = f"/api/v1/institutions/{world['a'].pk}/residents"
    r = client.get(url, **api_token(provider))
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert item["name"] == world["elder"].name and "birth_date" not in item and "id_number_masked" not in item
    assert AuditEntry.objects.filter(verb="institution.residents", target_id=str(world["a"].pk)).count() == 1
    assert client.get(url, **api_token(inspector)).status_code == 403
    assert client.get(url, **api_token(worker_b)).status_code == 404
    assert client.get(f"/api/v1/institutions/{world['far'].pk}/residents", **api_token(admin)).status_code == 404


# -- pages ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["admin", "inspector", "worker_a", "subdistrict", "provider"])
def test_pages_render(client, world, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    r = client.get("/institutions/")
    assert r.status_code == 200
    assert "桃花颐养院" in r.content.decode()
    r = client.get(f"/institutions/{world['a'].pk}/")
    assert r.status_code == 200
    residents = client.get(f"/institutions/{world['a'].pk}/residents/")
    assert residents.status_code == (403 if persona == "inspector" else 200)
    if persona != "inspector":
        assert world["elder"].name in residents.content.decode()
        assert world["elder"].birth_date.isoformat() not in residents.content.decode()


def test_page_scope_and_filters(client, admin, worker_b, caregiver, world):
    client.force_login(admin)
    assert client.get(f"/institutions/{world['far'].pk}/").status_code == 404
    page = client.get("/institutions/?kind=meal_point").content.decode()
    assert "南浦长者食堂" in page and "朝阳敬老院" not in page
    page = client.get("/institutions/?flag=fire").content.decode()
    assert "data-empty" in page
    client.force_login(caregiver)
    assert client.get("/institutions/").status_code == 403


def test_admin_registers_and_admits_through_pages(client, admin, worker_a, community_a, world):
    client.force_login(admin)
    assert client.get("/institutions/new/").status_code == 200
    data = {"name": "桃花日间照料中心", "kind": "day_care_centre", "ownership": "public", "operating_model": "public_run",
            "construction": "existing", "organisation": world["org"].pk, "community": community_a.pk,
            "beds_total": "10", "beds_nursing": "20", "medical": "none", "services_text": "助餐\n日间照料"}
    r = client.post("/institutions/new/", data)
    assert r.status_code == 200 and not Institution.objects.filter(name="桃花日间照料中心").exists()
    data["beds_nursing"] = "0"
    r = client.post("/institutions/new/", data)
    assert r.status_code == 302, r.context["form"].errors
    made = Institution.objects.get(name="桃花日间照料中心")
    assert made.services == ["助餐", "日间照料"] and made.region_code == community_a.code
    other = _elder(worker_a, community_a, 2)
    r = client.post(f"/institutions/{made.pk}/residents/", {
        "admit-id_number": residentid_of(other), "admit-admitted_on": "2025-03-01", "admit-bed": "general"})
    assert r.status_code == 302
    stay = other.stays.get()
    r = client.post(f"/institutions/{made.pk}/residents/{stay.pk}/leave/", {"reason": "died", "on": "2025-04-01"})
    assert r.status_code == 302
    other.refresh_from_db()
    assert other.status == "deceased"


def residentid_of(elder) -> str:
    return elder._id_number()


def test_caregiver_not_a_supervisor(caregiver, world):
    assert caregiver.role == User.Role.CAREGIVER
    assert not Institution.objects.visible_to(caregiver).exists()


def test_admit_and_leave_over_the_api(client, api_token, provider, inspector, worker_a, community_a, world):
    headers = api_token(provider)
    other = _elder(worker_a, community_a, 3)
    url = f"/api/v1/institutions/{world['a'].pk}/residents"
    r = client.post(url, {"id_number": other._id_number(), "admitted_on": "2025-02-01"}, content_type="application/json",
                    **headers)
    assert r.status_code == 201, r.content
    stay = r.json()["id"]
    r = client.post(url, {"id_number": other._id_number()}, content_type="application/json", **headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    r = client.post(url, {"id_number": "x" * 18}, content_type="application/json", **headers)
    assert r.status_code == 422
    r = client.post(url, {"id_number": other._id_number()}, content_type="application/json", **api_token(inspector))
    assert r.status_code == 403
    r = client.post(f"{url}/{stay}/leave", {"reason": "discharged", "on": "2025-01-01"}, content_type="application/json",
                    **headers)
    assert r.status_code == 422 and "left_on" in r.json()["error"]["fields"]
    r = client.post(f"{url}/{stay}/leave", {"reason": "transferred", "to": world["b"].pk}, content_type="application/json",
                    **headers)
    assert r.status_code == 422  # the provider's manager does not read the other home
    r = client.post(f"{url}/{stay}/leave", {"reason": "discharged", "on": "2025-03-01"}, content_type="application/json",
                    **headers)
    assert r.status_code == 200 and r.json()["left_reason"] == "discharged"
    r = client.post(f"{url}/{2**70}/leave", {"reason": "discharged"}, content_type="application/json", **headers)
    assert 400 <= r.status_code < 500


def test_fact_forms_on_the_page(client, provider, admin, worker_a, community_a, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kangyang.institutions.models import CentralisedCareWish, Drill, Fee

    client.force_login(provider)
    url = f"/institutions/{world['a'].pk}"
    assert client.post(f"{url}/fees/", {"fee-item": "护理费", "fee-unit": "month", "fee-price": "3000"}).status_code == 302
    assert Fee.objects.filter(institution=world["a"], item="护理费").exists()
    client.post(f"{url}/fees/", {"fee-item": "坏\x00值", "fee-unit": "month", "fee-price": "-3"})
    assert Fee.objects.filter(institution=world["a"]).count() == 1
    r = client.post(f"{url}/drills/", {"drill-kind": "fire", "drill-held_on": "2025-05-01", "drill-participants": "20",
                                       "drill-record": "疏散演练", "drill-attachment": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert r.status_code == 302 and Drill.objects.get(institution=world["a"]).attachment
    r = client.post(f"{url}/funds/", {"funds-prepaid_balance": "800000", "funds-deposits_held": "10", "funds-on": "2025-05-01"})
    assert r.status_code == 302
    assert "data-flag=\"funds\"" in client.get(f"{url}/").content.decode()
    assert client.post(f"/institutions/{world['b'].pk}/fees/", {"fee-item": "x", "fee-unit": "month",
                                                               "fee-price": "1"}).status_code == 404
    assert client.get(f"{url}/edit/").status_code == 403
    # a wish for centralised care, recorded by the community worker of the elder's area
    poor = _elder(worker_a, community_a, 4, categories=["extreme_poverty"])
    client.force_login(worker_a)
    r = client.post(f"{url}/residents/wish/", {"wish-id_number": poor._id_number(), "wish-willing": "yes"})
    assert r.status_code == 302 and CentralisedCareWish.objects.get(elder=poor).willing
