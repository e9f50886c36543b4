"""/api/v1/health readings and alerts: lists scoped and filtered, a reading entered by hand
(classified by the follow-up rules, an urgent one raising its alert), acknowledge and close,
404 outside scope, hostile input answered 4xx JSON; the readings-in-range indicator by hand."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.health.actions import alerts
from kangyang.health.models import HealthAlert, Reading
from kangyang.health.tests.alerts_world import store, told, world  # noqa: F401

NOW = timezone.now()
BASE = "/api/v1/health"


@pytest.fixture
def data(world, django_capture_on_commit_callbacks):
    urgent = store(world.elder_a, at=NOW - dt.timedelta(hours=1))
    calm = store(world.elder_a, classification="controlled", systolic=130, diastolic=80, at=NOW - dt.timedelta(days=2))
    other = store(world.elder_b, at=NOW - dt.timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        alert = alerts.raise_alerts([urgent], now=NOW)[0]
        other_alert = alerts.raise_alerts([other], now=NOW)[0]
    return {"urgent": urgent, "calm": calm, "other": other, "alert": alert, "other_alert": other_alert}


def _post(client, url, body, headers, raw=False):
    return client.post(url, body if raw else json.dumps(body), content_type="application/json", **headers)


def test_readings_are_listed_within_scope_and_filtered(client, api_token, world, data):
    h = api_token(world.doctor_a)
    r = client.get(f"{BASE}/readings", **h)
    assert r.status_code == 200
    assert {i["id"] for i in r.json()["items"]} == {data["urgent"].pk, data["calm"].pk}
    assert r.json()["count"] == 2
    r = client.get(f"{BASE}/readings", {"elder": world.elder_a.pk, "classification": "urgent"}, **h)
    assert [i["id"] for i in r.json()["items"]] == [data["urgent"].pk]
    since = (NOW - dt.timedelta(hours=3)).isoformat()
    r = client.get(f"{BASE}/readings", {"since": since, "kind": "blood_pressure"}, **h)
    assert [i["id"] for i in r.json()["items"]] == [data["urgent"].pk]
    assert client.get(f"{BASE}/readings", {"elder": world.elder_b.pk}, **h).status_code == 404
    assert AuditEntry.objects.filter(verb="reading.read", actor=world.doctor_a).exists()


@pytest.mark.parametrize("who", ["provider", "caregiver", "doctor_b", "worker_b"])
def test_others_see_none_of_it(client, api_token, world, data, who):
    h = api_token(getattr(world, who))
    readings = client.get(f"{BASE}/readings", **h).json()["items"]
    assert not {i["id"] for i in readings} & {data["urgent"].pk, data["calm"].pk}
    alerts_ = client.get(f"{BASE}/alerts", **h).json()["items"]
    assert data["alert"].pk not in {i["id"] for i in alerts_}
    assert client.get(f"{BASE}/alerts/{data['alert'].pk}", **h).status_code == 404
    assert client.post(f"{BASE}/alerts/{data['alert'].pk}/acknowledge", **h).status_code == 404
    assert _post(client, f"{BASE}/alerts/{data['alert'].pk}/close", {"outcome": "x"}, h).status_code == 404
    data["alert"].refresh_from_db()
    assert data["alert"].status == "open"


def test_the_hotline_does_not_see_health_alerts(client, api_token, world, data):
    h = api_token(world.operator)
    assert client.get(f"{BASE}/alerts", **h).json()["items"] == []
    assert client.get(f"{BASE}/alerts/{data['alert'].pk}", **h).status_code == 404


def test_the_family_reads_her_relatives_alert_but_does_not_handle_it(client, api_token, world, data):
    h = api_token(world.family)
    assert [i["id"] for i in client.get(f"{BASE}/alerts", **h).json()["items"]] == [data["alert"].pk]
    assert client.post(f"{BASE}/alerts/{data['alert'].pk}/acknowledge", **h).status_code == 403
    assert not AuditEntry.objects.filter(verb="health_alert.list", actor=world.family).exists()  # her own: not audited


def test_acknowledge_then_close(client, api_token, world, data):
    h = api_token(world.worker_a)
    url = f"{BASE}/alerts/{data['alert'].pk}"
    r = client.get(url, **h)
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["reading"]["systolic"] == 186
    assert AuditEntry.objects.filter(verb="health_alert.read", actor=world.worker_a).count() == 1
    r = client.post(f"{url}/acknowledge", **h)
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    r = client.post(f"{url}/acknowledge", **h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_status"
    r = _post(client, f"{url}/close", {"outcome": "   "}, h)
    assert r.status_code == 422 and "outcome" in r.json()["error"]["fields"]
    r = _post(client, f"{url}/close", {"outcome": "家属陪同就医"}, h)
    assert r.status_code == 200 and (r.json()["status"], r.json()["outcome"]) == ("closed", "家属陪同就医")
    assert _post(client, f"{url}/close", {"outcome": "again"}, h).status_code == 409
    r = client.get(f"{BASE}/alerts", {"status": "closed"}, **h)
    assert [i["id"] for i in r.json()["items"]] == [data["alert"].pk]


@pytest.mark.parametrize("body", [
    {"outcome": 5}, {"outcome": None}, {}, {"outcome": "x" * 5000}, {"outcome": "上门\u0000"}, [], "text",
])
def test_hostile_closing_is_refused_in_json(client, api_token, world, data, body):
    h = api_token(world.doctor_a)
    r = _post(client, f"{BASE}/alerts/{data['alert'].pk}/close", body, h)
    assert 400 <= r.status_code < 500 and "error" in r.json()
    data["alert"].refresh_from_db()
    assert data["alert"].status == "open"


@pytest.mark.parametrize("path", [
    "/alerts/99999999999999999999999", "/alerts/-1", "/alerts/abc", "/readings?elder=99999999999999999999999",
    "/readings?since=yesterday", "/readings?since=2026-02-30T10:00:00%2B08:00", "/readings?kind=blood",
    "/readings?page_size=100000", "/alerts?status=nope", "/readings?classification=%00",
])
def test_hostile_queries_are_4xx_json(client, api_token, world, data, path):
    r = client.get(f"{BASE}{path}", **api_token(world.doctor_a))
    assert 400 <= r.status_code < 500, r.content
    assert "error" in r.json() or "detail" in r.json()


# -- a reading by hand -------------------------------------------------------------------------
def _reading(elder, **values):
    return {"elder": elder.pk, "kind": "blood_pressure", "measured_at": (NOW - dt.timedelta(minutes=5)).isoformat(),
            **values}


def test_the_team_enters_an_urgent_reading_and_it_raises_an_alert(client, api_token, world,
                                                                  django_capture_on_commit_callbacks):
    h = api_token(world.doctor_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, f"{BASE}/readings", _reading(world.elder_a, systolic=185, diastolic=100, pulse=88), h)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["classification"], body["rule"]) == ("urgent", "bp.urgent")
    alert = HealthAlert.objects.get(reading_id=body["id"])
    assert told(alert.pk) == {world.doctor_a.pk, world.nurse_a.pk, world.worker_a.pk}
    assert AuditEntry.objects.filter(verb="reading.enter", actor=world.doctor_a).count() == 1


def test_the_65_plus_target_classifies_a_hand_reading(client, api_token, world):
    h = api_token(world.doctor_a)
    r = _post(client, f"{BASE}/readings", _reading(world.elder_a, systolic=145, diastolic=85), h)
    assert r.json()["classification"] == "controlled"  # below 150/90 at 81
    r = _post(client, f"{BASE}/readings", {"elder": world.elder_a.pk, "kind": "fasting_glucose",
                                            "measured_at": NOW.isoformat(), "glucose": 7.4}, h)
    assert r.status_code == 201 and r.json()["classification"] == "uncontrolled"
    assert not HealthAlert.objects.exists()


def test_the_elder_enters_her_own_reading_in_the_app(client, api_token, world, elder):
    r = _post(client, f"{BASE}/readings", {"elder": world.elder_a.pk, "kind": "spo2",
                                            "measured_at": NOW.isoformat(), "spo2": 97}, api_token(elder))
    assert r.status_code == 201 and r.json()["classification"] == "controlled"


@pytest.mark.parametrize("who, status", [("worker_a", 403), ("doctor_b", 404), ("provider", 404), ("operator", 403)])
def test_others_do_not_enter_readings(client, api_token, world, who, status):
    r = _post(client, f"{BASE}/readings", _reading(world.elder_a, systolic=130, diastolic=80), api_token(getattr(world, who)))
    assert r.status_code == status
    assert not Reading.objects.exists()


@pytest.mark.parametrize("values, field", [
    ({"systolic": 130}, "diastolic"),
    ({"systolic": "130 mmHg", "diastolic": 80}, None),
    ({"systolic": True, "diastolic": 80}, None),
    ({"systolic": 2**70, "diastolic": 80}, None),
    ({"systolic": 400, "diastolic": 80}, "systolic"),
    ({"systolic": 80, "diastolic": 120}, "diastolic"),
    ({"systolic": 130, "diastolic": 80, "glucose": 5.0}, "glucose"),
    ({"systolic": 130, "diastolic": 80, "measured_at": "2026-02-30T10:00:00+08:00"}, None),
    ({"systolic": 130, "diastolic": 80, "measured_at": "2026-03-01T10:00:00"}, None),
    ({"systolic": 130, "diastolic": 80, "measured_at": 0}, None),
    ({"systolic": 130, "diastolic": 80, "measured_at": (NOW + dt.timedelta(days=2)).isoformat()}, "measured_at"),
    ({"systolic": 130, "diastolic": 80, "kind": "blood\u0000"}, None),
    ({"systolic": 130, "diastolic": 80, "elder": 2**70}, None),
    ({"systolic": 130, "diastolic": 80, "elder": "one"}, None),
    ({"systolic": 130, "diastolic": 80, "glucose": float("nan")}, None),
])
def test_hostile_readings_are_refused_in_json(client, api_token, world, values, field):
    body = _reading(world.elder_a)
    body.update(values)
    r = _post(client, f"{BASE}/readings", body, api_token(world.doctor_a))
    assert 400 <= r.status_code < 500, r.content
    assert "error" in r.json()
    if field:
        assert field in json.dumps(r.json()["error"]["fields"])
    assert not Reading.objects.exists()


def test_a_body_that_is_not_json_is_refused(client, api_token, world):
    r = _post(client, f"{BASE}/readings", b"\xff\x00{", api_token(world.doctor_a), raw=True)
    assert 400 <= r.status_code < 500


# -- the indicator ----------------------------------------------------------------------------
def test_readings_in_range_share_equals_the_hand_count(world):
    from kangyang.indicators.registry import Period, Query, site

    indicator = site.get("readings_in_range_share")
    today = timezone.localdate()
    period = Period(today.year, today.month)
    inside = period.start + dt.timedelta(hours=1)
    for cls in ("controlled", "controlled", "controlled", "uncontrolled", "urgent"):
        store(world.elder_a, classification=cls, at=inside)
    store(world.elder_a, kind="weight", classification="", weight_kg=60.0, at=inside)  # no class: not counted
    store(world.elder_a, classification="controlled", at=period.start - dt.timedelta(hours=1))  # before the period
    store(world.elder_b, classification="uncontrolled", at=inside)  # community B
    community_a = Query(world.elder_a.region_code, period)
    figure = indicator.figure(community_a)
    assert (figure.numerator, figure.denominator) == (3, 5)
    assert figure.value == 60
    district = indicator.figure(Query("360103000000", period))
    assert (district.numerator, district.denominator) == (3, 6)
