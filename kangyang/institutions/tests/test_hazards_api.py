"""/api/v1/hazards: scoped lists with filters, one hazard (404 outside), rectify with photos
in a multipart form, the re-check (closing needs a photo), hostile input → 4xx JSON."""

import datetime as dt
import json

import pytest

from kangyang.institutions.actions import hazards as actions
from kangyang.institutions.models import Hazard
from kangyang.institutions.tests.test_hazards import make_institution, png


@pytest.fixture
def hazards(provider_org, community_a, inspector, today):
    home = make_institution(provider_org, community_a)
    late = actions.open_hazard(institution=home, description="床边无护栏", severity="major", responsible_person="李主任",
                               deadline=today - dt.timedelta(days=3), by=inspector)
    soon = actions.open_hazard(institution=home, description="灭火器过期", severity="serious",
                               responsible_person="王院长", deadline=today + dt.timedelta(days=3), by=inspector)
    return late, soon


def test_the_list_is_scoped_and_filtered(client, api_token, hazards, inspector, worker_b, provider):
    late, soon = hazards
    r = client.get("/api/v1/hazards", **api_token(inspector))
    assert r.status_code == 200 and r.json()["count"] == 2
    item = next(i for i in r.json()["items"] if i["id"] == late.pk)
    assert item["days_overdue"] == 3 and item["status"] == "open" and item["photos"] == []
    overdue = client.get("/api/v1/hazards", {"overdue": "true"}, **api_token(inspector)).json()
    assert [i["id"] for i in overdue["items"]] == [late.pk]
    serious = client.get("/api/v1/hazards", {"severity": "serious", "institution": late.institution_id},
                         **api_token(provider)).json()
    assert [i["id"] for i in serious["items"]] == [soon.pk]
    assert client.get("/api/v1/hazards", **api_token(worker_b)).json()["count"] == 0
    assert client.get(f"/api/v1/hazards/{late.pk}", **api_token(worker_b)).status_code == 404
    assert client.get(f"/api/v1/hazards/{late.pk}", **api_token(provider)).json()["description"] == "床边无护栏"
    assert client.get("/api/v1/hazards").status_code == 401


@pytest.mark.parametrize("query", [{"status": "bogus"}, {"institution": "-1"}, {"institution": "9" * 30},
                                   {"overdue": "maybe"}, {"page_size": "500"}])
def test_hostile_filters_are_422(client, api_token, hazards, inspector, query):
    r = client.get("/api/v1/hazards", query, **api_token(inspector))
    assert r.status_code == 422 and "error" in r.json()


def test_rectify_with_photos_then_recheck(client, api_token, hazards, provider, inspector):
    late, _ = hazards
    r = client.post(f"/api/v1/hazards/{late.pk}/rectify", {"text": "已安装护栏", "photos": [png(), png("b.png")]},
                    **api_token(provider))
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "rectified" and [p["kind"] for p in r.json()["photos"]] == ["rectified"] * 2
    photo_url = r.json()["photos"][0]["url"]
    assert client.get(photo_url, **api_token(inspector)).status_code == 200

    again = client.post(f"/api/v1/hazards/{late.pk}/rectify", json.dumps({"text": "x"}),
                        content_type="application/json", **api_token(provider))
    assert again.status_code == 409 and again.json()["error"]["code"] == "wrong_status"

    no_photo = client.post(f"/api/v1/hazards/{late.pk}/recheck", json.dumps({"passed": True, "note": "ok"}),
                           content_type="application/json", **api_token(inspector))
    assert no_photo.status_code == 422 and no_photo.json()["error"]["code"] == "photo_required"
    assert "photos" in no_photo.json()["error"]["fields"]
    assert client.post(f"/api/v1/hazards/{late.pk}/recheck", {"passed": "true", "photos": [png()]},
                       **api_token(provider)).status_code == 403
    closed = client.post(f"/api/v1/hazards/{late.pk}/recheck", {"passed": "true", "note": "护栏牢固", "photos": [png()]},
                         **api_token(inspector))
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert Hazard.objects.get(pk=late.pk).photos.filter(kind="recheck").count() == 1


def test_a_failed_recheck_over_json(client, api_token, hazards, provider, admin, today):
    late, _ = hazards
    client.post(f"/api/v1/hazards/{late.pk}/rectify", json.dumps({"text": "已整改"}), content_type="application/json",
                **api_token(provider))
    new = (today + dt.timedelta(days=7)).isoformat()
    r = client.post(f"/api/v1/hazards/{late.pk}/recheck", json.dumps({"passed": False, "note": "护栏松动", "deadline": new}),
                    content_type="application/json", **api_token(admin))
    assert r.status_code == 200 and r.json()["status"] == "open" and r.json()["deadline"] == new


@pytest.mark.parametrize("body", ['[1, 2]', '{"passed": "maybe"}', '{"passed": true, "photos": ["x"]}',
                                  '{"passed": false, "note": 5}', '{"passed": false, "note": "x", "deadline": "soon"}',
                                  'not json', '{"passed": false, "note": "' + "x" * 5000 + '"}'])
def test_hostile_bodies_are_4xx_json(client, api_token, hazards, provider, inspector, body):
    late, _ = hazards
    client.post(f"/api/v1/hazards/{late.pk}/rectify", json.dumps({"text": "已整改"}), content_type="application/json",
                **api_token(provider))
    r = client.post(f"/api/v1/hazards/{late.pk}/recheck", body, content_type="application/json", **api_token(inspector))
    assert 400 <= r.status_code < 500 and "error" in r.json()


def test_non_images_and_unknown_ids(client, api_token, hazards, provider):
    late, _ = hazards
    r = client.post(f"/api/v1/hazards/{late.pk}/rectify",
                    {"text": "已整改", "photos": [png("x.png").__class__("x.png", b"<svg/>", "image/png")]},
                    **api_token(provider))
    assert r.status_code == 422 and r.json()["error"]["code"] == "photo_type"
    for url in ("/api/v1/hazards/999999", "/api/v1/hazards/99999999999999999999", "/api/v1/hazards/0/rectify"):
        r = client.get(url, **api_token(provider)) if "rectify" not in url else client.post(
            url, json.dumps({"text": "x"}), content_type="application/json", **api_token(provider))
        assert r.status_code in (404, 422) and "error" in r.json()
