"""/api/v1/visits: record a visit, read it, open and close its follow-ups; hostile input is a
JSON error, never a 500; scope as everywhere (another community's worker is refused)."""

import json

import pytest

from kangyang.visits.models import CareVisit, FollowUp
from kangyang.visits.tests.records_fixtures import *  # noqa: F401,F403
from kangyang.visits.tests.records_fixtures import ago


def post(client, path, body, auth, **extra):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **auth, **extra)


def body(who, **kw):
    return {"elder": who.pk, **kw} | {k: v for k, v in {"mode": "home", "started_at": ago(minutes=30).isoformat(),
            "ended_at": ago(minutes=5).isoformat(), "lat": 28.66, "lng": 115.89, "accuracy": 12,
            "findings": {"health": {"state": "ok"}, "safety": {"state": "concern", "note": "楼道堆物"}},
            "notes": "一切正常", "client_id": "p1-001"}.items() if k not in kw}


def test_volunteer_records_a_visit_and_a_resend_is_the_same_record(client, api_token, volunteer, elder_in_a, due_a):
    auth = api_token(volunteer)
    r = post(client, "/api/v1/visits", body(elder_in_a), auth)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["elder"] == elder_in_a.pk and out["mode"] == "home" and out["within_radius"] is True
    assert out["distance_m"] == 0 and out["settled"] == [due_a.pk] and out["started_at"].endswith("Z")
    assert out["findings"]["safety"] == {"state": "concern", "note": "楼道堆物"}
    assert "lat" not in out and "lng" not in out
    again = post(client, "/api/v1/visits", body(elder_in_a), auth)
    assert again.status_code == 200 and again.json()["id"] == out["id"]
    assert CareVisit.objects.count() == 1
    got = client.get(f"/api/v1/visits/{out['id']}", **auth)
    assert got.status_code == 200 and got.json()["id"] == out["id"]


def test_a_home_visit_without_location_is_flagged_not_refused(client, api_token, worker_a, elder_in_a):
    r = post(client, "/api/v1/visits", body(elder_in_a, lat=None, lng=None, accuracy=None), api_token(worker_a))
    assert r.status_code == 201
    assert r.json()["location_flag"] == "no_location" and r.json()["within_radius"] is None


def test_scope_another_communitys_worker_is_refused(client, api_token, worker_b, caregiver, elder_in_a, elder_in_b,
                                                   worker_a):
    # worker B does not see community A's elders: 404, nothing said about them
    r = post(client, "/api/v1/visits", body(elder_in_a), api_token(worker_b))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = post(client, "/api/v1/visits", body(elder_in_a), api_token(caregiver))
    assert r.status_code == 404
    # a visit of A's elder is not readable by B
    visit = post(client, "/api/v1/visits", body(elder_in_a), api_token(worker_a)).json()
    assert client.get(f"/api/v1/visits/{visit['id']}", **api_token(worker_b)).status_code == 404
    assert not CareVisit.objects.filter(elder=elder_in_b).exists()


def test_an_elder_the_caller_sees_but_may_not_visit_is_403(client, api_token, operator, elder_in_a):
    r = post(client, "/api/v1/visits", body(elder_in_a), api_token(operator))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_the_elder_and_family_see_when_and_how_not_the_findings(client, api_token, worker_a, elder, family, elder_in_a):
    visit = post(client, "/api/v1/visits", body(elder_in_a), api_token(worker_a)).json()
    for user in (elder, family):
        r = client.get(f"/api/v1/visits/{visit['id']}", **api_token(user))
        assert r.status_code == 200 and r.json()["findings"] is None and r.json()["notes"] is None


@pytest.mark.parametrize("change,status", [
    ({"started_at": "2026-02-30T10:00:00+08:00"}, 422),  # no such day
    ({"started_at": "2099-01-01T10:00:00+08:00", "ended_at": None}, 422),  # the future
    ({"started_at": "1900-01-01T10:00:00+08:00", "ended_at": None}, 422),
    ({"started_at": "2026-12-01T10:00:00"}, 422),  # no offset
    ({"started_at": 0}, 422),  # a number is not a time
    ({"ended_at": "2000-01-01T00:00:00Z"}, 422),  # ended before it started
    ({"elder": 2**70}, 422),
    ({"elder": -1}, 422),
    ({"elder": "one"}, 422),
    ({"elder": 999999}, 404),
    ({"lat": 1e308, "lng": 0}, 422),
    ({"lat": 28.6, "lng": None}, 422),  # without lng
    ({"accuracy": -5}, 422),
    ({"mode": "telepathy"}, 422),
    ({"mode": ["home"]}, 422),
    ({"findings": {"wealth": {"state": "ok"}}}, 422),
    ({"findings": {"health": {"state": "concern"}}}, 422),  # a concern says what
    ({"findings": "all good"}, 422),
    ({"notes": "x" * 5000}, 422),
    ({"notes": 12}, 422),
    ({"client_id": "a b"}, 422),
    ({"client_id": "x" * 65}, 422),
    ({"notes": "bad\u0000byte"}, 400),
])
def test_hostile_input_is_a_json_error(client, api_token, worker_a, elder_in_a, change, status):
    r = post(client, "/api/v1/visits", body(elder_in_a, **change), api_token(worker_a))
    assert r.status_code == status, r.content
    assert set(r.json()["error"]) == {"code", "message", "fields"}
    assert not CareVisit.objects.exists()


@pytest.mark.parametrize("raw", [b"[1, 2]", b"not json", b'{"elder": 1', b"\x00", "{\"elder\": \"\\u0000\"}".encode()])
def test_a_body_that_is_not_an_object_is_a_json_error(client, api_token, worker_a, raw):
    r = post(client, "/api/v1/visits", raw, api_token(worker_a))
    assert r.status_code in (400, 422) and "error" in r.json()


@pytest.mark.parametrize("path", ["/api/v1/visits/99999999999999999999999", "/api/v1/visits/0",
                                  "/api/v1/visits/abc", "/api/v1/visits/-3"])
def test_odd_ids_are_404_or_422(client, api_token, worker_a, path):
    r = client.get(path, **api_token(worker_a))
    assert r.status_code in (404, 422) and "error" in r.json()


def test_follow_up_opened_and_closed_over_the_api(client, api_token, volunteer, worker_a, worker_b, elder_in_a, due_a):
    visit = post(client, "/api/v1/visits", body(elder_in_a), api_token(volunteer)).json()
    path = f"/api/v1/visits/{visit['id']}/follow-ups"
    r = post(client, path, {"kind": "home_adaptation", "finding": "safety", "note": "清理楼道"}, api_token(volunteer))
    assert r.status_code == 201, r.content
    f = r.json()
    assert f["status"] == "open" and f["visit"] == visit["id"] and f["kind"] == "home_adaptation"
    bad = post(client, path, {"kind": "home_adaptation", "finding": "health", "note": "x"}, api_token(volunteer))
    assert bad.status_code == 422 and "finding" in bad.json()["error"]["fields"]
    assert post(client, path, {"kind": "nope", "note": "xx"}, api_token(volunteer)).status_code == 422
    assert post(client, path, {"kind": "service_order", "note": "xx", "order": 2**80},
                api_token(volunteer)).status_code == 422
    assert post(client, path, {"kind": "service_order", "note": "xx", "order": 12345},
                api_token(volunteer)).status_code == 422
    # worker B sees neither the visit nor the follow-up
    assert post(client, path, {"kind": "device_install", "note": "xx"}, api_token(worker_b)).status_code == 404
    close = f"/api/v1/visits/follow-ups/{f['id']}/close"
    assert post(client, close, {"outcome": "done"}, api_token(worker_b)).status_code == 404
    r = post(client, close, {"outcome": "楼道已清理"}, api_token(worker_a))
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closed_at"].endswith("Z")
    again = post(client, close, {"outcome": "again"}, api_token(worker_a))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert post(client, close, {"outcome": 5}, api_token(worker_a)).status_code == 422
    assert FollowUp.objects.get().outcome == "楼道已清理"
    got = client.get(f"/api/v1/visits/{visit['id']}", **api_token(worker_a)).json()
    assert [x["id"] for x in got["follow_ups"]] == [f["id"]]


def test_signed_out_is_401(client, elder_in_a):
    r = post(client, "/api/v1/visits", body(elder_in_a), {})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
