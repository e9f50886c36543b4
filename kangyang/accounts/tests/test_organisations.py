"""The register of organisations through the API: create with a checked credit code, scoped
lists, the blacklist and its lifting, licences expiring; and who may do what."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kangyang.accounts import organisations as actions, queries, scope
from kangyang.accounts.models import Licence, Organisation, User
from kangyang.audit.models import AuditEntry
from kangyang.lib import uscc
from kangyang.regions.models import Region

URL = "/api/v1/organisations"


def code_for(text: str, division: str = "360103") -> str:
    return uscc.synthetic(text, division=division)


@pytest.fixture
def city(district):
    """Nanchang above the test district, and a second, smaller district."""
    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=district.pk).update(parent=city)
    qingshan = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=qingshan)
    return city


@pytest.fixture
def city_bureau(city):
    """Bureau admin of the city: every district."""
    return User.objects.create_user(username="city", password="kangyang-demo", role="bureau_admin", region=city)


@pytest.fixture
def other_org(city):
    """An organisation seated in the second district."""
    return actions.register_organisation(
        by=None, name="青云谱区颐康护理站", kind="provider", region=Region.objects.get(code="360104001000"),
        credit_code=code_for("青云谱区颐康护理站", "360104"))


def post(client, headers, body):
    return client.post(URL, body, content_type="application/json", **headers)


def test_bureau_admin_registers_an_organisation_with_a_valid_credit_code(client, api_token, admin, subdistrict_1):
    code = code_for("桃花长者服务中心")
    r = post(client, api_token(admin), {
        "name": "桃花长者服务中心", "kind": "provider", "credit_code": f" {code.lower()} ",
        "region": subdistrict_1.code, "contact_person": "王站长", "contact_phone": "13907911234"})

    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["name"], body["kind"], body["credit_code"], body["region"]) == (
        "桃花长者服务中心", "provider", code, subdistrict_1.code)
    assert body["contact_phone"] == "139****1234" and body["blacklisted"] is False and body["blacklist"] is None
    organisation = Organisation.objects.get(pk=body["id"])
    assert "13907911234" not in organisation.contact_phone_encrypted
    assert AuditEntry.objects.filter(verb="organisation.register", target_id=str(organisation.pk), actor=admin).exists()


@pytest.mark.parametrize("mangle,why", [
    (lambda c: c[:17] + ("1" if c[17] != "1" else "2"), "check"),
    (lambda c: c[:16] + ("1" if c[16] != "1" else "2") + uscc.check_character(c[:16] + ("1" if c[16] != "1" else "2")),
     "organisation_code"),
    (lambda c: c[:17], "length"),
    (lambda c: "O" + c[1:], "character"),
])
def test_an_invalid_credit_code_answers_422_on_that_field(client, api_token, admin, subdistrict_1, mangle, why):
    wrong = mangle(code_for("某服务部"))
    r = post(client, {**api_token(admin), "HTTP_ACCEPT_LANGUAGE": "en"},
             {"name": "某服务部", "kind": "provider", "credit_code": wrong, "region": subdistrict_1.code})

    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == why and list(error["fields"]) == ["credit_code"]
    assert error["fields"]["credit_code"][0]
    assert not Organisation.objects.filter(name="某服务部").exists()


def test_a_credit_code_registered_already_answers_409(client, api_token, admin, subdistrict_1, provider_org):
    provider_org.credit_code = code_for("康乐")
    provider_org.save()
    r = post(client, api_token(admin), {"name": "另一家", "kind": "provider", "credit_code": code_for("康乐"),
                                         "region": subdistrict_1.code})
    assert r.status_code == 409 and "credit_code" in r.json()["error"]["fields"]


def test_a_district_bureau_cannot_register_or_manage_in_another_district(client, api_token, admin, other_org):
    headers = api_token(admin)
    r = post(client, headers, {"name": "越界", "kind": "provider", "region": "360104001000"})
    assert r.status_code == 403
    assert client.get(f"{URL}/{other_org.pk}", **headers).status_code == 404
    r = client.post(f"{URL}/{other_org.pk}/blacklist", {"reason": "越界"}, content_type="application/json", **headers)
    assert r.status_code == 404
    assert not scope.can_manage_organisations(admin, other_org.region.code)
    with pytest.raises(PermissionDenied):
        actions.blacklist_organisation(other_org, by=admin, reason="越界")


def test_lists_are_scoped_city_district_and_provider(client, api_token, admin, city_bureau, provider, worker_a,
                                                    provider_org, other_org):
    names = lambda user: {o["name"] for o in client.get(URL, **api_token(user)).json()["items"]}  # noqa: E731
    assert names(city_bureau) == {provider_org.name, other_org.name}
    assert names(admin) == {provider_org.name}
    assert names(provider) == {provider_org.name}
    assert client.get(URL, **api_token(worker_a)).json() == {"items": [], "count": 0}
    headers = api_token(city_bureau)
    assert client.get(f"{URL}/{other_org.pk}", **headers).json()["credit_code"] == other_org.credit_code
    r = client.get(URL, {"kind": "provider", "q": other_org.credit_code}, **headers)
    assert [o["id"] for o in r.json()["items"]] == [other_org.pk] and r.json()["count"] == 1


def test_a_provider_manager_reads_her_organisation_but_may_not_blacklist_it(client, api_token, provider, provider_org):
    headers = api_token(provider)
    assert client.get(f"{URL}/{provider_org.pk}", **headers).status_code == 200
    r = client.post(f"{URL}/{provider_org.pk}/blacklist", {"reason": "自己"}, content_type="application/json", **headers)
    assert r.status_code == 403
    r = post(client, headers, {"name": "新公司", "kind": "provider", "region": provider_org.region.code})
    assert r.status_code == 403


def test_blacklist_then_lift_through_the_api_with_history(client, api_token, admin, provider_org, today):
    headers = api_token(admin)
    until = (today + dt.timedelta(days=365)).isoformat()
    r = client.post(f"{URL}/{provider_org.pk}/blacklist", {"reason": "虚报服务记录", "until": until},
                    content_type="application/json", **headers)
    assert r.status_code == 200, r.content
    assert r.json()["blacklisted"] is True and r.json()["blacklist"]["until"] == until
    again = client.post(f"{URL}/{provider_org.pk}/blacklist", {"reason": "再次"}, content_type="application/json",
                        **headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "wrong_status"
    assert [o["id"] for o in client.get(URL, {"blacklisted": "true"}, **headers).json()["items"]] == [provider_org.pk]

    r = client.post(f"{URL}/{provider_org.pk}/lift", {"reason": "整改到位"}, content_type="application/json", **headers)
    assert r.status_code == 200 and r.json()["blacklisted"] is False
    r = client.post(f"{URL}/{provider_org.pk}/lift", {"reason": "整改到位"}, content_type="application/json", **headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_status"
    history = client.get(f"{URL}/{provider_org.pk}/blacklist", **headers).json()
    assert len(history) == 1 and history[0]["decided_by"] == "admin" and history[0]["lift_reason"] == "整改到位"
    verbs = set(AuditEntry.objects.filter(target_id=str(provider_org.pk)).values_list("verb", flat=True))
    assert {"organisation.blacklist", "organisation.lift_blacklist"} <= verbs


def test_a_blacklist_without_a_reason_or_ending_in_the_past_is_refused(client, api_token, admin, provider_org, today):
    headers = api_token(admin)
    r = client.post(f"{URL}/{provider_org.pk}/blacklist", {"reason": " "}, content_type="application/json", **headers)
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = client.post(f"{URL}/{provider_org.pk}/blacklist",
                    {"reason": "过期", "until": (today - dt.timedelta(days=1)).isoformat()},
                    content_type="application/json", **headers)
    assert r.status_code == 422 and "until" in r.json()["error"]["fields"]
    assert not Organisation.objects.get(pk=provider_org.pk).is_barred()


def test_a_bar_with_a_term_ends_by_itself(provider_org, today):
    actions.blacklist_organisation(provider_org, by=None, reason="一年", until=today + dt.timedelta(days=10))
    assert provider_org.is_barred(today) and provider_org.is_barred(today + dt.timedelta(days=10))
    assert not provider_org.is_barred(today + dt.timedelta(days=11))
    assert Organisation.objects.barred(on=today).exists()
    assert not Organisation.objects.barred(on=today + dt.timedelta(days=11)).exists()


def test_licences_expired_or_expiring_within_60_days_are_flagged(client, api_token, admin, provider_org, today):
    actions.add_licence(provider_org, by=admin, kind="business", number="B-1")
    actions.add_licence(provider_org, by=admin, kind="elder_care", number="E-1", expires=today + dt.timedelta(days=60))
    actions.add_licence(provider_org, by=admin, kind="food", number="F-1", expires=today - dt.timedelta(days=1))
    actions.add_licence(provider_org, by=admin, kind="medical", number="M-1", expires=today + dt.timedelta(days=61))
    assert [lic.number for lic in queries.licences_expiring_for(admin)] == ["F-1", "E-1"]
    body = client.get(f"{URL}/{provider_org.pk}", **api_token(admin)).json()
    assert {lic["number"]: lic["alert"] for lic in body["licences"]} == {
        "B-1": "", "E-1": "expiring", "F-1": "expired", "M-1": ""}
    assert client.get(URL, {"licences_expiring": "true"}, **api_token(admin)).json()["count"] == 1
    Licence.objects.filter(number__in=["E-1", "F-1"]).delete()
    assert client.get(URL, {"licences_expiring": "true"}, **api_token(admin)).json()["count"] == 0


def test_a_licence_is_added_through_the_api(client, api_token, admin, provider_org, today):
    r = client.post(f"{URL}/{provider_org.pk}/licences",
                    {"kind": "elder_care", "number": "赣民养001", "issued": "2024-01-01",
                     "expires": (today + dt.timedelta(days=5)).isoformat()},
                    content_type="application/json", **api_token(admin))
    assert r.status_code == 201 and r.json()["alert"] == "expiring"
    r = client.post(f"{URL}/{provider_org.pk}/licences", {"kind": "food", "number": "x", "issued": 20240101},
                    content_type="application/json", **api_token(admin))
    assert r.status_code == 422 and "issued" in r.json()["error"]["fields"]


def test_a_city_bureau_manages_every_district(city_bureau, other_org):
    assert scope.can_manage_organisations(city_bureau, other_org.region.code)
    actions.blacklist_organisation(other_org, by=city_bureau, reason="市局决定")
    assert Organisation.objects.get(pk=other_org.pk).is_barred(timezone.localdate())
