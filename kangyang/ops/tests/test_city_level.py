"""The city level across apps: a district's bureau admin creates accounts, organisations and
provider service areas only in her district (403 for the other one, through the API where
there is one, through the action where there is not yet); the city's bureau admin in both."""

import pytest
from django.core.exceptions import PermissionDenied

from kangyang.accounts import organisations
from kangyang.accounts.models import Organisation, User
from kangyang.lib import uscc
from kangyang.regions.models import Region
from kangyang.services import actions as services
from kangyang.services.models import Provider

PASSWORD = "Lotus-river-42"


@pytest.fixture
def city(tree):
    """Nanchang above the test district (Xihu), and the second district, Qingyunpu."""
    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=tree.pk).update(parent=city)
    second = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    sub = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=second)
    Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=sub)
    return city


@pytest.fixture
def city_bureau(city):
    """The demo's `city`: both districts."""
    return User.objects.create_user(username="city", password="kangyang-demo", role="bureau_admin", region=city)


@pytest.fixture
def admin2(city):
    """The demo's `admin2`: Qingyunpu only."""
    return User.objects.create_user(username="admin2", password="kangyang-demo", role="bureau_admin",
                                    region=Region.objects.get(code="360104000000"))


def _provider(by, seat: Region, name: str) -> Provider:
    org = Organisation.objects.create(name=name, kind=Organisation.Kind.PROVIDER, region=seat,
                                      credit_code=uscc.synthetic(name, division=seat.code[:6]))
    return services.register_provider(by=by, organisation=org, areas=[seat])


def test_a_district_admin_gets_403_for_an_account_in_the_other_district_and_the_city_admin_201(
        client, api_token, admin, admin2, city_bureau):
    body = {"username": "hd_worker", "password": PASSWORD, "role": "community_worker", "region": "360104001001"}
    post = lambda user: client.post("/api/v1/users", body, content_type="application/json", **api_token(user))  # noqa: E731
    assert post(admin).status_code == 403
    assert not User.objects.filter(username="hd_worker").exists()
    assert post(city_bureau).status_code == 201
    body.update(username="xh_worker", region="360103001001")
    assert post(admin2).status_code == 403
    assert post(admin).status_code == 201


def test_a_district_admin_gets_403_for_an_organisation_in_the_other_district_and_the_city_admin_201(
        client, api_token, admin, admin2, city_bureau):
    def post(user, name, region):
        body = {"name": name, "kind": "provider", "region": region,
                "credit_code": uscc.synthetic(name, division=region[:6])}
        return client.post("/api/v1/organisations", body, content_type="application/json", **api_token(user))

    assert post(admin, "洪都护理站", "360104001000").status_code == 403
    assert post(admin2, "南浦护理站", "360103001000").status_code == 403
    assert not Organisation.objects.filter(name__in=["洪都护理站", "南浦护理站"]).exists()
    assert post(city_bureau, "洪都护理站", "360104001000").status_code == 201
    assert post(admin2, "京山护理站", "360104001000").status_code == 201


def test_a_district_admin_cannot_give_a_provider_a_service_area_in_the_other_district(
        admin, admin2, city_bureau, subdistrict_1):
    """Providers are registered by the action only so far (no page or API yet): the area
    must lie in the caller's, as an account's must."""
    other = Region.objects.get(code="360104001000")
    xihu_provider = _provider(admin, subdistrict_1, "南浦居家服务部")
    with pytest.raises(PermissionDenied):
        services.set_service_areas(xihu_provider, by=admin, areas=[subdistrict_1, other])
    with pytest.raises(PermissionDenied):
        services.register_provider(by=admin, organisation=Organisation.objects.create(
            name="越界服务部", kind="provider", region=subdistrict_1), areas=[other])
    assert set(xihu_provider.areas.values_list("region_code", flat=True)) == {subdistrict_1.code}
    with pytest.raises(PermissionDenied):
        _provider(admin2, subdistrict_1, "京山居家服务部")
    # The city bureau may: one provider serving across the district line.
    services.set_service_areas(xihu_provider, by=city_bureau, areas=[subdistrict_1, other])
    assert set(xihu_provider.areas.values_list("region_code", flat=True)) == {subdistrict_1.code, other.code}
    assert _provider(city_bureau, other, "洪都居家服务部").areas.get().region_code == other.code


def test_organisations_register_checks_the_area_in_the_action_too(admin, city):
    with pytest.raises(PermissionDenied):
        organisations.register_organisation(
            by=admin, name="越界", kind="provider", region=Region.objects.get(code="360104001000"),
            credit_code=uscc.synthetic("越界", division="360104"))
