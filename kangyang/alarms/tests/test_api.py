"""/api/v1/alarms and /api/v1/devices through the test client, scope first."""

import hashlib
import hmac
import json
import time

import pytest

from kangyang.alarms.models import Alarm, BadMessage, Device, WorkerTask


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


# -- listing and scope -----------------------------------------------------------------------
def test_the_operator_lists_the_district_s_alarms(client, api_token, operator, alarm_a, alarm_b):
    r = client.get("/api/v1/alarms", **api_token(operator))
    assert r.status_code == 200
    assert {a["id"] for a in r.json()["items"]} == {alarm_a.pk, alarm_b.pk} and r.json()["count"] == 2


@pytest.mark.parametrize("viewer, seen", [
    ("worker_a", "alarm_a"), ("worker_b", "alarm_b"), ("subdistrict", "alarm_a"),
    ("elder", "alarm_a"), ("family", "alarm_a"),
])
def test_each_persona_lists_only_the_alarms_in_their_scope(client, api_token, request, viewer, seen, alarm_a, alarm_b):
    user = request.getfixturevalue(viewer)
    items = client.get("/api/v1/alarms", **api_token(user)).json()["items"]
    assert [a["id"] for a in items] == [request.getfixturevalue(seen).pk]


@pytest.mark.parametrize("viewer", ["provider", "caregiver", "volunteer", "inspector"])
def test_roles_without_business_with_alarms_see_none(client, api_token, request, viewer, alarm_a, alarm_b):
    headers = api_token(request.getfixturevalue(viewer))
    assert client.get("/api/v1/alarms", **headers).json() == {"items": [], "count": 0}
    assert client.get(f"/api/v1/alarms/{alarm_a.pk}", **headers).status_code == 404
    assert client.get("/api/v1/devices", **headers).json()["count"] == 0


def test_an_alarm_outside_scope_answers_404_to_every_verb(client, api_token, worker_a, operator, alarm_b):
    headers = api_token(worker_a)
    base = f"/api/v1/alarms/{alarm_b.pk}"
    assert client.get(base, **headers).status_code == 404
    assert post(client, f"{base}/acknowledge", {}, headers).status_code == 404
    assert post(client, f"{base}/actions", {"kind": "note", "note": "x"}, headers).status_code == 404
    assert post(client, f"{base}/resolve", {"outcome": "false_alarm"}, headers).status_code == 404
    assert Alarm.objects.get(pk=alarm_b.pk).status == "raised"


def test_filters_by_status_type_device_and_elder(client, api_token, operator, alarm_a, alarm_b, elder_in_b):
    headers = api_token(operator)

    def ids(**params):
        return [a["id"] for a in client.get("/api/v1/alarms", params, **headers).json()["items"]]

    assert ids(type="fall") == [alarm_b.pk]
    assert ids(device="P-A-001") == [alarm_a.pk]
    assert ids(elder=elder_in_b.pk) == [alarm_b.pk]
    assert ids(status="resolved") == []
    assert client.get("/api/v1/alarms", {"status": "lost"}, **headers).status_code == 422


def test_the_detail_carries_the_timeline(client, api_token, operator, alarm_a):
    r = client.get(f"/api/v1/alarms/{alarm_a.pk}", **api_token(operator))
    body = r.json()
    assert body["device"] == "P-A-001" and body["elder_name"] == alarm_a.elder.name
    assert [e["kind"] for e in body["events"]] == ["raised"]


# -- handling --------------------------------------------------------------------------------
def test_the_operator_acknowledges_acts_and_resolves(client, api_token, operator, family, alarm_a, elder_in_a):
    headers = api_token(operator)
    base = f"/api/v1/alarms/{alarm_a.pk}"
    r = post(client, f"{base}/acknowledge", {"note": ""}, headers)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged" and r.json()["acknowledged_by"] == "operator"
    contact = elder_in_a.contacts.get()
    r = post(client, f"{base}/actions", {"kind": "called_contact", "contact": contact.pk, "reached": True}, headers)
    assert r.status_code == 201 and r.json()["contact_name"] == contact.name
    r = post(client, f"{base}/resolve", {"outcome": "false_alarm", "note": "误触"}, headers)
    assert r.status_code == 200 and r.json()["outcome"] == "false_alarm"
    kinds = [e["kind"] for e in client.get(base, **headers).json()["events"]]
    assert kinds == ["raised", "acknowledged", "called_contact", "resolved"]


def test_a_second_operator_gets_409_naming_who_took_it(client, api_token, operator, second_operator, alarm_a):
    post(client, f"/api/v1/alarms/{alarm_a.pk}/acknowledge", {}, api_token(operator))
    r = post(client, f"/api/v1/alarms/{alarm_a.pk}/acknowledge", {}, api_token(second_operator))
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "taken" and "operator" in r.json()["error"]["message"]


def test_resolving_an_unacknowledged_alarm_is_409(client, api_token, operator, alarm_a):
    r = post(client, f"/api/v1/alarms/{alarm_a.pk}/resolve", {"outcome": "test"}, api_token(operator))
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_acknowledged"


def test_a_worker_who_sees_the_alarm_may_not_take_it(client, api_token, worker_a, alarm_a):
    r = post(client, f"/api/v1/alarms/{alarm_a.pk}/acknowledge", {}, api_token(worker_a))
    assert r.status_code == 403


def test_no_answer_creates_a_door_visit_task(client, api_token, operator, alarm_a):
    headers = api_token(operator)
    post(client, f"/api/v1/alarms/{alarm_a.pk}/acknowledge", {}, headers)
    post(client, f"/api/v1/alarms/{alarm_a.pk}/resolve", {"outcome": "no_answer"}, headers)
    assert WorkerTask.objects.get(alarm=alarm_a).kind == "door_visit"


# -- raising ---------------------------------------------------------------------------------
def test_the_elder_presses_sos_in_the_app(client, api_token, elder, elder_in_a):
    r = post(client, "/api/v1/alarms", {"elder": elder_in_a.pk, "msg_id": "app-1", "lat": 28.66, "lng": 115.89}, api_token(elder))
    assert r.status_code == 201
    alarm = Alarm.objects.get()
    assert (alarm.source, alarm.type, alarm.elder, alarm.raised_by) == ("app", "sos", elder_in_a, elder)
    again = post(client, "/api/v1/alarms", {"elder": elder_in_a.pk, "msg_id": "app-1"}, api_token(elder))
    assert again.status_code == 200 and again.json()["id"] == alarm.pk


def test_the_app_converts_a_gcj02_position(client, api_token, family, elder_in_a):
    r = post(client, "/api/v1/alarms", {"elder": elder_in_a.pk, "lat": 28.6731, "lng": 115.8970, "coord": "gcj02"},
             api_token(family))
    assert r.status_code == 201 and abs(r.json()["lng"] - 115.8921) < 0.001


def test_the_hotline_operator_raises_an_alarm_for_a_caller(client, api_token, operator, elder_in_b):
    r = post(client, "/api/v1/alarms", {"elder": elder_in_b.pk, "type": "other", "caller": "139 0791 9876",
                                        "note": "老人说胸闷"}, api_token(operator))
    assert r.status_code == 201
    assert r.json()["source"] == "hotline" and r.json()["caller_masked"] == "139****9876"


def test_nobody_raises_an_alarm_for_an_elder_outside_their_scope(client, api_token, family, elder_in_b):
    r = post(client, "/api/v1/alarms", {"elder": elder_in_b.pk}, api_token(family))
    assert r.status_code == 404 and not Alarm.objects.exists()


def test_a_worker_cannot_raise_hotline_alarms(client, api_token, worker_a, elder_in_a):
    assert post(client, "/api/v1/alarms", {"elder": elder_in_a.pk}, api_token(worker_a)).status_code == 403


def test_the_check_on_type_is_for_rules_only(client, api_token, elder, elder_in_a):
    r = post(client, "/api/v1/alarms", {"elder": elder_in_a.pk, "type": "check_on"}, api_token(elder))
    assert r.status_code == 422


# -- devices ---------------------------------------------------------------------------------
def test_the_worker_registers_a_device_for_an_elder_of_the_community(client, api_token, worker_a, elder_in_a):
    r = post(client, "/api/v1/devices", {"device_id": "W-9", "kind": "watch", "model": "KY-W2",
                                         "elder": elder_in_a.pk}, api_token(worker_a))
    assert r.status_code == 201
    assert r.json()["heartbeat_interval_seconds"] == 600 and r.json()["region_code"] == elder_in_a.region_code
    r = post(client, "/api/v1/devices", {"device_id": "W-9", "kind": "watch", "elder": elder_in_a.pk}, api_token(worker_a))
    assert r.status_code == 409


def test_a_device_for_an_elder_outside_scope_is_404(client, api_token, worker_a, elder_in_b):
    r = post(client, "/api/v1/devices", {"device_id": "W-9", "kind": "watch", "elder": elder_in_b.pk}, api_token(worker_a))
    assert r.status_code == 404 and not Device.objects.exists()


def test_devices_are_listed_and_shown_within_scope(client, api_token, worker_a, elder, pendant_a, pendant_b):
    headers = api_token(worker_a)
    assert [d["device_id"] for d in client.get("/api/v1/devices", **headers).json()["items"]] == ["P-A-001"]
    assert client.get("/api/v1/devices/P-A-001", **headers).status_code == 200
    assert client.get("/api/v1/devices/P-B-001", **headers).status_code == 404
    assert [d["device_id"] for d in client.get("/api/v1/devices", **api_token(elder)).json()["items"]] == ["P-A-001"]


# -- the vendors' webhook --------------------------------------------------------------------
@pytest.fixture
def vendor_secret(settings):
    settings.DEVICE_WEBHOOK_SECRETS = {"康联智能": "s3cret"}
    return "s3cret"


def signed(client, body: dict, *, secret="s3cret", vendor="康联智能", ts=None):
    raw = json.dumps(body).encode()
    ts = str(int(time.time()) if ts is None else ts)
    sig = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return client.post("/api/v1/devices/webhook", raw, content_type="application/json",
                       HTTP_X_KANGYANG_VENDOR=vendor, HTTP_X_KANGYANG_TIMESTAMP=ts, HTTP_X_KANGYANG_SIGNATURE=sig)


ALARM = {"device_id": "P-A-001", "event": "alarm",
         "payload": {"msg_id": "v-1", "type": "fall", "ts": "2026-11-20T09:30:00+08:00"}}


def test_a_signed_webhook_alarm_is_stored_once(client, vendor_secret, pendant_a):
    r = signed(client, ALARM)
    assert r.status_code == 200 and r.json()["outcome"] == "alarm"
    assert signed(client, ALARM).json() == {"outcome": "duplicate", "alarm": r.json()["alarm"], "record": None}
    assert Alarm.objects.get().type == "fall"


def test_a_wrong_signature_or_an_old_timestamp_is_401(client, vendor_secret, pendant_a):
    assert signed(client, ALARM, secret="guess").status_code == 401
    assert signed(client, ALARM, vendor="nobody").status_code == 401
    assert signed(client, ALARM, ts=int(time.time()) - 301).status_code == 401
    assert not Alarm.objects.exists()


def test_a_vendor_cannot_raise_alarms_for_another_vendor_s_device(client, vendor_secret, pendant_b):
    r = signed(client, {**ALARM, "device_id": "P-B-001"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "bad_message"
    assert BadMessage.objects.get().reason == "unknown_device"
