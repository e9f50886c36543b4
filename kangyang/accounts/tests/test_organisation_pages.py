"""The register's pages: the bureau admin lists, registers, changes, blacklists and lifts;
everyone else is refused (403), and an organisation of another area is not found (404)."""

import datetime as dt

import pytest

from kangyang.accounts import organisations as actions
from kangyang.accounts.models import Organisation
from kangyang.lib import uscc
from kangyang.regions.models import Region


@pytest.fixture
def registered(provider_org, admin, today):
    """The provider's organisation with a credit code and a licence that lapses in 20 days."""
    provider_org.credit_code = uscc.synthetic(provider_org.name, division="360103")
    provider_org.save()
    actions.add_licence(provider_org, by=admin, kind="elder_care", number="赣民养123",
                        expires=today + dt.timedelta(days=20))
    return provider_org


@pytest.fixture
def elsewhere(db):
    """An organisation in another district."""
    other = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    return Organisation.objects.create(name="青云谱护理站", kind="provider", region=other)


def test_the_bureau_admin_sees_the_list_with_the_licence_alert(client, admin, registered, elsewhere):
    client.force_login(admin)
    r = client.get("/organisations/")
    assert r.status_code == 200
    text = r.text
    assert registered.name in text and registered.credit_code in text and "赣民养123" in text
    assert elsewhere.name not in text
    assert 'href="/organisations/"' in text  # in the navigation
    row = f'<tr><td><a href="/organisations/{registered.pk}/">'
    assert row in text
    assert row not in client.get("/organisations/?blacklisted=yes").text
    assert row in client.get("/organisations/?expiring=on&kind=provider").text
    assert row not in client.get("/organisations/?kind=meal_point").text


@pytest.mark.parametrize("persona", ["provider", "worker_a", "subdistrict", "operator", "caregiver", "elder"])
def test_other_roles_are_refused(client, request, persona, registered):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/organisations/").status_code == 403
    assert client.get(f"/organisations/{registered.pk}/").status_code == 403
    assert client.get("/organisations/new/").status_code == 403
    r = client.post(f"/organisations/{registered.pk}/blacklist/", {"reason": "无权"})
    assert r.status_code == 403
    assert not Organisation.objects.get(pk=registered.pk).is_barred()
    assert 'href="/organisations/"' not in client.get("/accounts/password/").text


def test_an_organisation_of_another_district_is_not_found(client, admin, elsewhere):
    client.force_login(admin)
    assert client.get(f"/organisations/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/organisations/{elsewhere.pk}/blacklist/", {"reason": "越界"}).status_code == 404


def test_register_with_a_wrong_credit_code_shows_why_then_succeeds(client, admin, subdistrict_1):
    client.force_login(admin)
    assert client.get("/organisations/new/").status_code == 200
    good = uscc.synthetic("南浦助餐点", division="360103")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")
    form = {"name": "南浦助餐点", "kind": "meal_point", "credit_code": wrong, "region": subdistrict_1.pk,
            "credit_status": "good", "contact_phone": "13800001111"}
    r = client.post("/organisations/new/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "check character" in r.text
    assert not Organisation.objects.filter(name="南浦助餐点").exists()
    r = client.post("/organisations/new/", {**form, "credit_code": good})
    organisation = Organisation.objects.get(name="南浦助餐点")
    assert r.status_code == 302 and r["Location"] == f"/organisations/{organisation.pk}/"
    assert organisation.contact_phone_masked == "138****1111"

    r = client.post(f"/organisations/{organisation.pk}/edit/", {**form, "credit_code": good, "contact_phone": "",
                                                                 "name": "南浦街道助餐点"})
    assert r.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "南浦街道助餐点" and organisation.contact_phone_masked == "138****1111"


def test_blacklist_and_lift_from_the_organisation_page(client, admin, registered):
    client.force_login(admin)
    page = client.get(f"/organisations/{registered.pk}/")
    assert page.status_code == 200 and "Never blacklisted" in client.get(
        f"/organisations/{registered.pk}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert client.post(f"/organisations/{registered.pk}/blacklist/", {"reason": ""}).status_code == 422
    r = client.post(f"/organisations/{registered.pk}/blacklist/", {"reason": "虚报服务记录"})
    assert r.status_code == 302
    registered.refresh_from_db()
    assert registered.is_barred()
    page = client.get(f"/organisations/{registered.pk}/").text
    assert "虚报服务记录" in page and f'action="/organisations/{registered.pk}/lift/"' in page
    r = client.post(f"/organisations/{registered.pk}/lift/", {"reason": "整改到位"})
    assert r.status_code == 302
    registered.refresh_from_db()
    assert not registered.is_barred()
    assert "整改到位" in client.get(f"/organisations/{registered.pk}/").text


def test_a_licence_is_added_from_the_page(client, admin, registered, today):
    client.force_login(admin)
    r = client.post(f"/organisations/{registered.pk}/licences/",
                    {"kind": "food", "number": "JY136", "issued": "2025-01-01", "expires": "2024-01-01"})
    assert r.status_code == 422
    r = client.post(f"/organisations/{registered.pk}/licences/", {"kind": "food", "number": "JY136"})
    assert r.status_code == 302 and registered.licences.filter(number="JY136").exists()
