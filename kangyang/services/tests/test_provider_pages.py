"""The bureau's provider register pages: the list, registering an organisation as a provider,
changing its areas and hours, and its prices; and who is refused."""

import pytest

from kangyang.accounts.models import Organisation
from kangyang.audit.models import AuditEntry
from kangyang.regions.models import Region
from kangyang.services.models import Provider, ProviderPrice


@pytest.fixture
def canteen(subdistrict_1):
    """An organisation of the district, not a provider yet."""
    return Organisation.objects.create(name="桃花长者食堂", kind="meal_point", region=subdistrict_1)


def register(client, canteen, *areas, **extra):
    return client.post("/services/providers/new/", {
        "organisation": canteen.pk, "areas": [a.pk for a in areas], "opens_at": "06:30", "closes_at": "19:00",
        "open_days": ["1", "2", "3", "4", "5"], "licence_number": "民养服字2026-007", **extra})


def test_the_bureau_admin_registers_an_organisation_as_a_provider_from_the_page(
        client, admin, canteen, community_a, subdistrict_2, catalogue):
    client.force_login(admin)
    page = client.get("/services/providers/new/", {"organisation": canteen.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert f'<option value="{canteen.pk}" selected>' in page.text and "Service areas" in page.text

    r = register(client, canteen, community_a, subdistrict_2)

    provider = Provider.objects.get(organisation=canteen)
    assert r.status_code == 302 and r["Location"] == f"/services/providers/{provider.pk}/"
    assert sorted(provider.areas.values_list("region_code", flat=True)) == sorted([community_a.code, subdistrict_2.code])
    assert (provider.opens_at.strftime("%H:%M"), provider.open_days) == ("06:30", "12345")
    assert AuditEntry.objects.filter(actor=admin, verb="provider.register", target_id=str(provider.pk)).exists()
    listed = client.get("/services/providers/")
    assert canteen.name in listed.text and f'data-provider="{provider.pk}"' in listed.text


def test_the_bureau_admin_changes_areas_hours_and_prices(client, admin, canteen, community_a, subdistrict_1,
                                                         catalogue):
    client.force_login(admin)
    register(client, canteen, community_a)
    provider = Provider.objects.get(organisation=canteen)
    meal, cleaning = catalogue["meal"], catalogue["cleaning"]

    r = client.post(f"/services/providers/{provider.pk}/", {
        "areas": [subdistrict_1.pk], "opens_at": "07:00", "closes_at": "20:00", "open_days": ["1", "2", "3"],
        "active": "on"})
    assert r.status_code == 302
    provider.refresh_from_db()
    assert list(provider.areas.values_list("region_code", flat=True)) == [subdistrict_1.code]
    assert provider.open_days == "123"

    r = client.post(f"/services/providers/{provider.pk}/prices/", {
        f"price_{meal.pk}": "12.50", f"price_{cleaning.pk}": "40"})
    assert r.status_code == 302
    offers = {p.item.code: (str(p.price), p.active) for p in ProviderPrice.objects.filter(provider=provider)}
    assert offers == {"meal": ("12.50", True), "cleaning": ("40.00", True)}
    page = client.get(f"/services/providers/{provider.pk}/")
    assert 'value="12.50"' in page.text

    # Emptying a price withdraws the item; the others stay.
    client.post(f"/services/providers/{provider.pk}/prices/", {f"price_{meal.pk}": "12.50"})
    assert ProviderPrice.objects.get(provider=provider, item=cleaning).active is False
    assert ProviderPrice.objects.get(provider=provider, item=meal).active is True
    assert AuditEntry.objects.filter(actor=admin, verb="provider.price").count() == 3


def test_a_region_outside_the_admins_area_cannot_be_chosen(client, admin, canteen, community_a, catalogue):
    elsewhere = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    client.force_login(admin)

    r = register(client, canteen, community_a, elsewhere)

    assert r.status_code == 200 and not Provider.objects.filter(organisation=canteen).exists()
    assert elsewhere.name not in client.get("/services/providers/new/").text


def test_an_officer_reads_the_register_but_cannot_change_it(client, admin, subdistrict, worker_a, canteen,
                                                            community_a, catalogue):
    client.force_login(admin)
    register(client, canteen, community_a)
    provider = Provider.objects.get(organisation=canteen)

    client.force_login(subdistrict)
    listed = client.get("/services/providers/")
    assert listed.status_code == 200 and canteen.name in listed.text and "/services/providers/new/" not in listed.text
    assert client.get("/services/providers/new/").status_code == 403
    assert client.get(f"/services/providers/{provider.pk}/").status_code == 403
    assert client.post(f"/services/providers/{provider.pk}/prices/", {}).status_code == 403

    client.force_login(worker_a)
    assert client.get("/services/providers/").status_code == 403
