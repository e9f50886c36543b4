"""The blacklist is held on the organisation (accounts): once the bureau bars a provider's
organisation through /api/v1/organisations, orders cannot go to it and dispatch skips it."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kangyang.accounts.models import Organisation
from kangyang.services import actions
from kangyang.services.models import Order, Provider, Skill
from kangyang.services.tests.conftest import ALL_DAY, HOME, local, metres_north


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.fixture
def rival(subdistrict_1, catalogue):
    """A second provider serving subdistrict 1 too, dearer for meals, with one caregiver."""
    org = Organisation.objects.create(name="南浦颐养服务社", kind="provider", region=subdistrict_1)
    provider = actions.register_provider(by=None, organisation=org, areas=[subdistrict_1])
    actions.set_price(provider, by=None, item=catalogue["meal"], price=Decimal("18.00"))
    lat, lng = metres_north(HOME, 2000)
    carer = actions.add_caregiver(provider, by=None, name="邓桂兰", skills=Skill.values, home_lat=lat, home_lng=lng)
    actions.set_shifts(carer, by=None, shifts=ALL_DAY)
    return provider


def test_after_a_blacklist_through_the_api_orders_skip_the_provider(
    client, api_token, admin, worker_a, funded_elder, carer, home_provider, rival, tomorrow,
):
    bureau, worker = api_token(admin), api_token(worker_a)
    order = {"elder": funded_elder.pk, "item": "meal", "window_start": local(tomorrow, 11).isoformat()}
    first = post(client, "/api/v1/orders", order, worker)
    assert first.status_code == 201 and first.json()["provider"] == home_provider.pk  # the cheaper one

    r = post(client, f"/api/v1/organisations/{home_provider.organisation_id}/blacklist",
             {"reason": "虚报服务记录"}, bureau)
    assert r.status_code == 200 and r.json()["blacklisted"] is True

    chosen = post(client, "/api/v1/orders", {**order, "provider": home_provider.pk}, worker)
    assert chosen.status_code == 422 and chosen.json()["error"]["code"] == "provider_closed"
    assert "provider" in chosen.json()["error"]["fields"]
    cheapest = post(client, "/api/v1/orders", order, worker)
    assert cheapest.status_code == 201, cheapest.content
    assert cheapest.json()["provider"] == rival.pk and cheapest.json()["status"] == "dispatched"
    provider = client.get(f"/api/v1/providers/{home_provider.pk}", **worker).json()
    assert provider["takes_orders"] is False
    assert list(Provider.objects.receiving_orders()) == [rival]


def test_dispatch_refuses_an_order_waiting_for_a_provider_barred_since(
    client, api_token, admin, worker_a, funded_elder, catalogue, home_provider, rival, tomorrow,
):
    # No caregiver of the home provider yet: the order waits on its board, undispatched.
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], provider=home_provider,
                                window_start=local(tomorrow, 11))
    assert order.status == Order.Status.CREATED
    r = post(client, f"/api/v1/organisations/{home_provider.organisation_id}/blacklist", {"reason": "重大事故"},
             api_token(admin))
    assert r.status_code == 200
    order.provider.refresh_from_db()
    order.provider.organisation.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        actions.dispatch_order(order)
    assert refused.value.code == "provider_closed"

    r = post(client, f"/api/v1/organisations/{home_provider.organisation_id}/lift", {"reason": "整改完成"},
             api_token(admin))
    assert r.status_code == 200
    assert home_provider in Provider.objects.receiving_orders()
