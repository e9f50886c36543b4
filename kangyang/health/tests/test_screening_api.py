"""/api/v1/health screenings, referrals and sickbeds: scope (another's is a 404, a non-team writer
a 403), audited staff reads, transitions as 409, hostile input as JSON 4xx."""

import pytest
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.health.models import Referral, Screening, Sickbed
from kangyang.health.tests.screening_world import MINI_COG_NEGATIVE, MINI_COG_POSITIVE, doctor_a, doctor_b, hospital, teams  # noqa: F401

pytestmark = pytest.mark.django_db
API = "/api/v1/health"


@pytest.fixture
def as_a(client, api_token, doctor_a):
    headers = api_token(doctor_a)

    def call(method, path, body=None, **extra):
        kwargs = {"content_type": "application/json"} if body is not None else {}
        data = body if isinstance(body, (str, bytes)) else (None if body is None else __import__("json").dumps(body))
        return getattr(client, method)(API + path, data, **kwargs, **headers, **extra) if data is not None \
            else getattr(client, method)(API + path, **headers, **extra)
    return call


def test_screening_round_trip(as_a, elder_in_a):
    r = as_a("post", "/screenings", {"elder": elder_in_a.pk, "tool": "mini_cog", "answers": {"recall": 1, "clock": 0}})
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["score"], body["positive"], body["answers"]) == (1, True, {"recall": "1", "clock": "0"})
    listing = as_a("get", f"/screenings?elder={elder_in_a.pk}").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]


def test_screening_missing_answer_names_the_item(as_a, elder_in_a):
    r = as_a("post", "/screenings", {"elder": elder_in_a.pk, "tool": "ad8", "answers": {"q1": "yes"}})
    assert r.status_code == 422 and "answers" in r.json()["error"]["fields"]
    assert not Screening.objects.exists()


def test_referral_steps_and_wrong_status(as_a, elder_in_a, hospital):
    r = as_a("post", "/referrals", {"elder": elder_in_a.pk, "to_institution": hospital.pk, "reason": "评估"})
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert as_a("post", f"/referrals/{rid}/receive").json()["status"] == "received"
    r = as_a("post", f"/referrals/{rid}/cancel")
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_status"
    r = as_a("post", f"/referrals/{rid}/return", {"summary": "转回社区"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert as_a("get", "/referrals?status=returned").json()["count"] == 1
    assert as_a("get", "/referrals?status=sent").json()["count"] == 0


def test_sickbed_open_conflict_close(as_a, elder_in_a, hospital):
    body = {"elder": elder_in_a.pk, "institution": hospital.pk, "diagnosis": "I63.9", "visits_per_week": 2}
    r = as_a("post", "/sickbeds", body)
    assert r.status_code == 201, r.content
    assert as_a("post", "/sickbeds", body).status_code == 409
    sid = r.json()["id"]
    assert as_a("get", "/sickbeds?open=true").json()["count"] == 1
    r = as_a("post", f"/sickbeds/{sid}/close", {"reason": "撤床"})
    assert r.status_code == 200 and r.json()["closed_on"] == timezone.localdate().isoformat()
    assert as_a("post", f"/sickbeds/{sid}/close", {"reason": "撤床"}).status_code == 409


@pytest.fixture
def records_a(doctor_a, elder_in_a, hospital):
    from kangyang.health.actions import screening as actions

    actions.record_screening(by=doctor_a, elder=elder_in_a, tool="mini_cog", answers=MINI_COG_POSITIVE)
    r = actions.refer(by=doctor_a, elder=elder_in_a, to_institution=hospital, reason="x")
    b = actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis="I10")
    return r, b


@pytest.mark.parametrize("who", ["doctor_b", "worker_b", "caregiver", "provider"])
def test_others_see_nothing_and_write_nothing(request, client, api_token, records_a, who, elder_in_a, hospital):
    headers = api_token(request.getfixturevalue(who))
    r, b = records_a
    for path in ("/screenings", "/referrals", "/sickbeds"):
        assert client.get(API + path, **headers).json()["count"] == 0
    assert client.post(f"{API}/referrals/{r.pk}/cancel", **headers).status_code == 404
    assert client.post(f"{API}/sickbeds/{b.pk}/close", {"reason": "x"}, content_type="application/json",
                       **headers).status_code == 404
    r2 = client.post(f"{API}/screenings", {"elder": elder_in_a.pk, "tool": "mini_cog", "answers": MINI_COG_NEGATIVE},
                     content_type="application/json", **headers)
    assert r2.status_code == 404
    assert Referral.objects.get().status == "sent" and Sickbed.objects.get().closed_on is None


def test_area_staff_reads_audited_but_does_not_write(client, api_token, records_a, worker_a, elder_in_a):
    headers = api_token(worker_a)
    assert client.get(f"{API}/referrals", **headers).json()["count"] == 1
    assert AuditEntry.objects.filter(verb="health.referral.list", actor=worker_a).exists()
    r = client.post(f"{API}/screenings", {"elder": elder_in_a.pk, "tool": "mini_cog", "answers": MINI_COG_NEGATIVE},
                    content_type="application/json", **headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_family_reads_not_audited(client, api_token, records_a, family):
    headers = api_token(family)
    assert client.get(f"{API}/sickbeds", **headers).json()["count"] == 1
    assert not AuditEntry.objects.filter(actor=family, verb__startswith="health.").exists()


@pytest.mark.parametrize("path,body", [
    ("/screenings", {"elder": 2**70, "tool": "mini_cog", "answers": {}}),
    ("/screenings", {"elder": "1", "tool": "mmse", "answers": {}}),
    ("/screenings", {"elder": 1, "tool": "mini_cog", "answers": ["x"]}),
    ("/screenings", {"elder": 1, "tool": "mini_cog", "answers": {"recall": "3\x00", "clock": "2"}}),
    ("/screenings", {"elder": 1, "tool": "mini_cog", "answers": MINI_COG_NEGATIVE, "screened_on": "2025-02-30"}),
    ("/screenings", {"elder": 1, "tool": "mini_cog", "answers": MINI_COG_NEGATIVE, "screened_on": 0}),
    ("/referrals", {"elder": 1, "to_institution": 2**63, "reason": "x"}),
    ("/referrals", {"elder": 1, "to_institution": 99999, "reason": "x"}),
    ("/referrals", {"elder": 1, "to_institution": 1, "reason": "a\x00b"}),
    ("/referrals", {"elder": 1, "to_institution": 1, "reason": "x", "urgent": "maybe"}),
    ("/referrals/99999999999999999999/receive", None),
    ("/referrals/1/return", {"summary": 5}),
    ("/sickbeds", {"elder": 1, "institution": 1, "diagnosis": "X" * 100}),
    ("/sickbeds", {"elder": 1, "institution": 1, "diagnosis": "I10", "visits_per_week": 10**20}),
    ("/sickbeds/1/close", {"reason": None}),
    ("/sickbeds", "[1, 2]"),
    ("/sickbeds", "{not json"),
])
def test_hostile_input_is_json_4xx(as_a, elder_in_a, hospital, path, body):
    if isinstance(body, dict) and body.get("elder") == 1:
        body = {**body, "elder": elder_in_a.pk}
    r = as_a("post", path, body)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.content)
    assert "error" in r.json()


def test_hostile_query_strings(as_a):
    for q in ("?elder=-1", "?elder=99999999999999999999999", "?status=lost", "?page=0", "?page_size=201", "?open=perhaps"):
        r = as_a("get", "/referrals" + q) if "open" not in q else as_a("get", "/sickbeds" + q)
        assert r.status_code == 422, (q, r.content)
