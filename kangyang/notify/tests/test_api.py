"""The notifications API: the delivery log by scope, and the app's push subscription."""

import pytest

from kangyang.notify.actions import Recipient
from kangyang.notify.models import Kind, Preference


@pytest.fixture
def logged(db, tree, send):
    send(Recipient(phone="13800138001", audience="family"), template="test", context={"site": "x"},
         kind=Kind.ALARM, region_code="360103001001")
    send(Recipient(phone="13800138002", audience="family"), template="test", context={"site": "x"},
         kind=Kind.ALARM, region_code="360104001001")  # another district


def test_an_operator_lists_the_deliveries_of_the_area_masked(client, operator, api_token, logged):
    r = client.get("/api/v1/notifications/deliveries", **api_token(operator))
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 1 and body["items"][0]["address_masked"] == "138****8001"
    assert body["items"][0]["status"] == "sent" and "13800138001" not in r.content.decode()


def test_a_community_worker_may_not_list_deliveries(client, worker_a, api_token, logged):
    assert client.get("/api/v1/notifications/deliveries", **api_token(worker_a)).status_code == 403


def test_the_app_saves_its_push_subscription(client, family, api_token, settings):
    from kangyang.notify import transports

    settings.VAPID_PRIVATE_KEY = transports.new_vapid_key()
    headers = api_token(family)
    assert client.get("/api/v1/notifications/push-key", **headers).json()["key"] == transports.vapid_public_key()
    sub = {"endpoint": "https://push.example.org/send/abc", "keys": {"p256dh": "BNc", "auth": "tBH"}}
    r = client.put("/api/v1/notifications/push-subscription", sub, content_type="application/json", **headers)
    assert r.status_code == 204
    pref = Preference.objects.get(user=family)
    assert pref.push and pref.push_subscription == sub
    bad = client.put("/api/v1/notifications/push-subscription", {"endpoint": "ftp://x", "keys": {}},
                     content_type="application/json", **headers)
    assert bad.status_code in (400, 422)
