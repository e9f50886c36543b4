"""A blacklisted organisation is skipped by home-service dispatch (issue 16, a test across apps):
the bureau admin blacklists it from the institutions' credit page, and then the home services
(kangyang.services) give its caregivers no new order, refuse an order placed with it, refuse
to dispatch one waiting for it, and refuse any new purchased service (registering it as a
provider, a price, a service area). Lifting the bar from the same page restores it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kangyang.accounts.models import Organisation
from kangyang.allowances.tests.conftest import last_month, service, this_month, voucher, generate  # noqa: F401
from kangyang.services import actions as services
from kangyang.services.models import Order, Provider, Skill
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    ALL_DAY, HOME, carer, catalogue, funded_elder, home_provider, local, metres_north, tomorrow,
)
from kangyang.institutions.tests.test_hazards import make_institution


@pytest.fixture(autouse=True)
def _check_in_early(settings):
    import datetime as dt

    settings.EARLY_CHECK_IN = dt.timedelta(hours=48)


@pytest.fixture
def rival(subdistrict_1, catalogue):  # noqa: F811
    """A second provider serving subdistrict 1, dearer for meals, with one caregiver."""
    org = Organisation.objects.create(name="南浦颐养服务社", kind="provider", region=subdistrict_1)
    provider = services.register_provider(by=None, organisation=org, areas=[subdistrict_1])
    services.set_price(provider, by=None, item=catalogue["meal"], price=Decimal("18.00"))
    lat, lng = metres_north(HOME, 2000)
    worker = services.add_caregiver(provider, by=None, name="邓桂兰", skills=Skill.values, home_lat=lat, home_lng=lng)
    services.set_shifts(worker, by=None, shifts=ALL_DAY)
    return provider


def _refresh(provider: Provider) -> Provider:
    return Provider.objects.select_related("organisation").get(pk=provider.pk)


def test_a_blacklisted_organisation_gets_no_order_and_no_new_service(
        client, admin, worker_a, funded_elder, catalogue, carer, home_provider, rival, community_a,  # noqa: F811
        subdistrict_1, tomorrow):  # noqa: F811
    org = home_provider.organisation
    make_institution(org, community_a, name="康乐颐养院")  # it also runs an institution: on the credit page
    meal = catalogue["meal"]
    first = services.place_order(by=worker_a, elder=funded_elder, item=meal, window_start=local(tomorrow, 9))
    assert first.provider_id == home_provider.pk and first.caregiver_id == carer.pk  # the cheaper one, dispatched
    waiting = services.place_order(by=worker_a, elder=funded_elder, item=meal, provider=home_provider,
                                   window_start=local(tomorrow, 15), dispatch=False)

    client.force_login(admin)
    r = client.post(f"/institutions/credit/{org.pk}/blacklist/", {"reason": "虚报服务记录，骗取补贴"})
    assert r.status_code == 302
    home_provider = _refresh(home_provider)
    assert home_provider.is_blacklisted

    # Dispatch of a new order skips its caregivers: it goes to the rival's.
    new = services.place_order(by=worker_a, elder=funded_elder, item=meal, window_start=local(tomorrow, 11))
    assert new.provider_id == rival.pk and new.status == Order.Status.DISPATCHED
    assert new.caregiver.provider_id == rival.pk and new.caregiver_id != carer.pk
    with pytest.raises(ValidationError) as chosen:
        services.place_order(by=worker_a, elder=funded_elder, item=meal, provider=home_provider,
                             window_start=local(tomorrow, 13))
    assert chosen.value.error_dict["provider"][0].code == "provider_closed"
    waiting = Order.objects.select_related("provider__organisation").get(pk=waiting.pk)
    with pytest.raises(ValidationError) as held:
        services.dispatch_order(waiting)
    assert held.value.code == "provider_closed"

    # No new purchased services: no price, no service area, no registration of a barred organisation.
    with pytest.raises(ValidationError) as price:
        services.set_price(home_provider, by=None, item=catalogue["bath"] if "bath" in catalogue else meal,
                           price=Decimal("30.00"))
    assert price.value.error_dict["organisation"][0].code == "barred"
    assert "blacklisted" in price.value.error_dict["organisation"][0].messages[0] or \
        "黑名单" in price.value.error_dict["organisation"][0].messages[0]
    services.set_price(home_provider, by=None, item=meal, price=Decimal("15.00"), active=False)  # stopping is allowed
    with pytest.raises(ValidationError):
        services.set_service_areas(home_provider, by=None, areas=[subdistrict_1])
    barred_newcomer = Organisation.objects.create(name="鑫康护理站", kind="provider", region=subdistrict_1)
    from kangyang.accounts.organisations import blacklist_organisation

    blacklist_organisation(barred_newcomer, by=admin, reason="失信被执行人")
    with pytest.raises(ValidationError) as registering:
        services.register_provider(by=None, organisation=barred_newcomer, areas=[subdistrict_1])
    assert registering.value.error_dict["organisation"][0].code == "barred"
    assert not Provider.objects.filter(organisation=barred_newcomer).exists()

    # Lifting the bar from the credit page restores it.
    r = client.post(f"/institutions/credit/{org.pk}/lift/", {"reason": "整改验收合格"})
    assert r.status_code == 302
    home_provider = _refresh(home_provider)
    assert not home_provider.is_blacklisted
    services.set_price(home_provider, by=None, item=meal, price=Decimal("15.00"))
    services.set_service_areas(home_provider, by=None, areas=[subdistrict_1])
    again = services.place_order(by=worker_a, elder=funded_elder, item=meal, window_start=local(tomorrow, 17))
    assert again.provider_id == home_provider.pk and again.caregiver_id == carer.pk
