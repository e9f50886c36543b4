"""The yearly check-up: recording it (validation, the health summary's last check-up, the EHR
link, audit), who may, the pages and the API with hostile input."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.audit.models import AuditEntry
from kangyang.health.actions import checkups as actions
from kangyang.health.models import CHECKUP_PARTS, Checkup
from kangyang.health.tests.checkups_helpers import contract, elder_aged, team_with_doctor
from kangyang.registry.models import HealthRecord

pytestmark = pytest.mark.django_db
ALL = list(CHECKUP_PARTS)


@pytest.fixture
def old_a(worker_a, community_a):
    return elder_aged(worker_a, community_a, 70, name="王秀英")


@pytest.fixture
def doctor(community_a):
    from conftest import _user

    user = _user("doctor", "doctor")
    team = team_with_doctor(user, community_a)
    user.team = team
    return user


# -- actions ---------------------------------------------------------------------------------
def test_record_checkup_complete_sets_year_last_checkup_and_audits(worker_a, old_a, today):
    day = today - dt.timedelta(days=1) if today.month > 1 or today.day > 1 else today
    c = actions.record_checkup(old_a, by=worker_a, examined_on=day, parts=ALL, self_care_score=3,
                               figures={"systolic": "132", "diastolic": 80, "weight_kg": 60, "height_cm": 160})
    assert c.complete and c.year == day.year
    assert c.figures == {"systolic": 132, "diastolic": 80, "weight_kg": 60.0, "height_cm": 160.0, "bmi": 23.4}
    assert HealthRecord.objects.get(elder=old_a).last_checkup_on == day
    entry = AuditEntry.objects.get(verb="checkup.record")
    assert entry.changes == {"year": day.year, "parts": len(ALL), "complete": True}
    assert entry.region_code == old_a.region_code


def test_second_record_of_a_year_updates_the_same_checkup(worker_a, old_a, today):
    first = actions.record_checkup(old_a, by=worker_a, examined_on=today, parts=ALL[:3])
    assert not first.complete
    second = actions.record_checkup(old_a, by=worker_a, examined_on=today, parts=ALL)
    assert second.pk == first.pk and second.complete
    assert Checkup.objects.filter(elder=old_a).count() == 1
    third = actions.record_checkup(old_a, by=worker_a, examined_on=today, parts=ALL[1:])
    third.refresh_from_db()
    assert not third.complete and not third.lifestyle_assessed


def test_last_checkup_stays_the_latest(worker_a, old_a, today):
    actions.record_checkup(old_a, by=worker_a, examined_on=today, parts=ALL)
    actions.record_checkup(old_a, by=worker_a, examined_on=dt.date(today.year - 1, 3, 1), parts=ALL)
    assert HealthRecord.objects.get(elder=old_a).last_checkup_on == today


@pytest.mark.parametrize("kwargs, field", [
    ({"examined_on": "2026-01-01"}, "examined_on"),
    ({"examined_on": None}, "examined_on"),
    ({"parts": ["physical_exam", "x-ray"]}, "parts"),
    ({"parts": "physical_exam"}, "parts"),
    ({"self_care_score": 38}, "self_care_score"),
    ({"self_care_score": -1}, "self_care_score"),
    ({"self_care_score": True}, "self_care_score"),
    ({"self_care_score": 2.5}, "self_care_score"),
    ({"figures": {"systolic": 400, "diastolic": 80}}, "figures"),
    ({"figures": {"systolic": 120.5, "diastolic": 80}}, "figures"),
    ({"figures": {"systolic": 120}}, "figures"),
    ({"figures": {"systolic": 80, "diastolic": 120}}, "figures"),
    ({"figures": {"fasting_glucose": "NaN"}}, "figures"),
    ({"figures": {"fasting_glucose": "Infinity"}}, "figures"),
    ({"figures": {"weight_kg": True}}, "figures"),
    ({"figures": {"weight_kg": 10 ** 400}}, "figures"),
    ({"figures": {"blood_type": "A"}}, "figures"),
    ({"figures": ["systolic", 120]}, "figures"),
    ({"findings": "a\x00b"}, "findings"),
])
def test_record_checkup_refuses_bad_input_naming_the_field(worker_a, old_a, today, kwargs, field):
    args = {"examined_on": today, "parts": ALL, **kwargs}
    with pytest.raises(ValidationError) as e:
        actions.record_checkup(old_a, by=worker_a, **args)
    assert field in e.value.error_dict
    assert not Checkup.objects.exists()


def test_future_and_pre_birth_and_after_death_days_are_refused(worker_a, old_a, today):
    from kangyang.registry.actions import set_elder_status

    with pytest.raises(ValidationError) as e:
        actions.record_checkup(old_a, by=worker_a, examined_on=today + dt.timedelta(days=1), parts=ALL)
    assert e.value.error_dict["examined_on"][0].code == "future"
    with pytest.raises(ValidationError):
        actions.record_checkup(old_a, by=worker_a, examined_on=old_a.birth_date - dt.timedelta(days=1), parts=ALL)
    set_elder_status(old_a, by=worker_a, status="deceased", on=today - dt.timedelta(days=400))
    with pytest.raises(ValidationError) as e:
        actions.record_checkup(old_a, by=worker_a, examined_on=today, parts=ALL)
    assert e.value.error_dict["examined_on"][0].code == "after_status"


def test_self_care_score_bounds(worker_a, old_a, today):
    assert actions.record_checkup(old_a, by=worker_a, examined_on=today, self_care_score=0).self_care_score == 0
    assert actions.record_checkup(old_a, by=worker_a, examined_on=today, self_care_score=37).self_care_score == 37


def test_who_may_record(worker_a, worker_b, operator, caregiver, provider, doctor, old_a, today):
    for user in (worker_b, operator, caregiver, provider, doctor):  # doctor: no contract with her yet
        with pytest.raises(PermissionDenied):
            actions.record_checkup(old_a, by=user, examined_on=today, parts=ALL)
    contract(old_a, doctor.team)
    c = actions.record_checkup(old_a, by=doctor, examined_on=today, parts=ALL)
    assert c.team == doctor.team and c.institution == doctor.team.institution


def test_record_ehr(worker_a, worker_b, old_a, today):
    health = actions.record_ehr(old_a, by=worker_a, ehr_number=" 3601030001234 ", ehr_opened_on=today)
    assert (health.ehr_number, health.ehr_opened_on) == ("3601030001234", today)
    assert AuditEntry.objects.get(verb="checkup.ehr").changes == {"ehr_number": "changed", "ehr_opened_on": "changed"}
    for number, opened, field in [("36-01 03", today, "ehr_number"), ("x" * 41, today, "ehr_number"),
                                  ("123", None, "ehr_opened_on"), ("", today, "ehr_number"),
                                  ("123", today + dt.timedelta(days=1), "ehr_opened_on"), (123, today, "ehr_number")]:
        with pytest.raises(ValidationError) as e:
            actions.record_ehr(old_a, by=worker_a, ehr_number=number, ehr_opened_on=opened)
        assert field in e.value.error_dict
    with pytest.raises(PermissionDenied):
        actions.record_ehr(old_a, by=worker_b, ehr_number="1", ehr_opened_on=today)
    assert actions.record_ehr(old_a, by=worker_a, ehr_number="", ehr_opened_on=None).ehr_number == ""


# -- the elder's section ---------------------------------------------------------------------
def test_elder_section_links_the_ehr_through_the_team(worker_a, doctor, old_a, today):
    from kangyang.health.queries.checkups import elder_section

    actions.record_ehr(old_a, by=worker_a, ehr_number="A/1", ehr_opened_on=today)
    actions.record_checkup(old_a, by=worker_a, examined_on=today, parts=ALL[:-1])
    section = elder_section(worker_a, old_a)
    assert section["ehr_url"] == "" and section["can_record"]  # no contract: no health centre to link to
    assert [c["done"] for c in section["checkups"]] == [len(ALL) - 1]
    contract(old_a, doctor.team)
    assert elder_section(doctor, old_a)["ehr_url"] == "https://his.example/ehr/A%2F1"


# -- pages -----------------------------------------------------------------------------------
def test_pages_render_for_the_community_worker(client, worker_a, old_a, today):
    client.force_login(worker_a)
    for url in ("/health/checkups/", "/health/checkups/rates/", f"/health/elders/{old_a.pk}/checkup/", "/health/"):
        r = client.get(url)
        assert r.status_code == 200, url
    assert f'data-elder="{old_a.pk}"' in client.get("/health/checkups/").content.decode()
    assert AuditEntry.objects.filter(verb="checkup.due_list").exists()
    assert AuditEntry.objects.filter(verb="checkup.read", target_id=str(old_a.pk)).exists()


def test_checkup_form_records_and_shows_errors(client, worker_a, old_a, today):
    client.force_login(worker_a)
    url = f"/health/elders/{old_a.pk}/checkup/"
    r = client.post(url, {"examined_on": today.isoformat(), "parts": ALL, "systolic": 400, "diastolic": 90})
    assert r.status_code == 200 and not Checkup.objects.exists()
    assert "errorlist" in r.content.decode()  # the action's "figures" error, shown above the form
    r = client.post(url, {"examined_on": (today + dt.timedelta(days=1)).isoformat(), "parts": ALL})
    assert r.status_code == 200 and not Checkup.objects.exists()
    r = client.post(url, {"examined_on": today.isoformat(), "parts": ALL, "systolic": 130, "diastolic": 85,
                          "self_care_score": 2})
    assert r.status_code == 302
    c = Checkup.objects.get(elder=old_a)
    assert c.complete and c.figures["systolic"] == 130 and c.self_care_score == 2
    r = client.post(f"/health/elders/{old_a.pk}/ehr/", {"ehr_number": "H123", "ehr_opened_on": today.isoformat()})
    assert r.status_code == 302 and HealthRecord.objects.get(elder=old_a).ehr_number == "H123"
    r = client.post(f"/health/elders/{old_a.pk}/ehr/", {"ehr_number": "H 1", "ehr_opened_on": today.isoformat()})
    assert r.status_code == 422


def test_export_is_masked_and_audited(client, worker_a, old_a):
    import io

    from openpyxl import load_workbook

    client.force_login(worker_a)
    r = client.get("/health/checkups/due.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "王秀英" and "*" in rows[1][3]
    assert AuditEntry.objects.get(verb="checkup.due_export").changes["rows"] == 1


def test_other_community_and_other_roles(client, worker_b, caregiver, provider, operator, old_a):
    client.force_login(worker_b)
    assert f'data-elder="{old_a.pk}"' not in client.get("/health/checkups/").content.decode()
    assert client.get(f"/health/elders/{old_a.pk}/checkup/").status_code == 404
    for user in (caregiver, provider, operator):
        client.force_login(user)
        assert client.get("/health/checkups/").status_code == 403
        assert client.get("/health/checkups/due.xlsx").status_code == 403
        assert client.get(f"/health/elders/{old_a.pk}/checkup/").status_code in (403, 404)


def test_doctor_sees_her_panel_only(client, doctor, old_a, worker_a, community_a):
    other = elder_aged(worker_a, community_a, 80, name="赵大爷")
    contract(old_a, doctor.team)
    client.force_login(doctor)
    page = client.get("/health/checkups/").content.decode()
    assert f'data-elder="{old_a.pk}"' in page and f'data-elder="{other.pk}"' not in page
    assert client.get("/health/checkups/due.xlsx").status_code == 403
    assert client.get(f"/health/elders/{other.pk}/checkup/").status_code == 404
    panel = client.get("/health/").content.decode()
    assert 'data-section="checkups" data-due="1"' in panel


# -- API -------------------------------------------------------------------------------------
def test_api_post_list_and_due(client, api_token, worker_a, old_a, today):
    h = api_token(worker_a)
    body = {"elder": old_a.pk, "examined_on": today.isoformat(), "parts": ALL[:5], "self_care_score": 4,
            "figures": {"systolic": 150, "diastolic": 92, "fasting_glucose": 6.1}}
    r = client.post("/api/v1/health/checkups", body, content_type="application/json", **h)
    assert r.status_code == 201, r.content
    assert r.json()["complete"] is False and r.json()["year"] == today.year
    r = client.get("/api/v1/health/checkups/due", **h)
    assert r.status_code == 200 and [i["elder"] for i in r.json()["items"]] == [old_a.pk]
    assert r.json()["items"][0]["started"] is True
    body["parts"] = ALL
    assert client.post("/api/v1/health/checkups", body, content_type="application/json", **h).status_code == 200
    assert client.get("/api/v1/health/checkups/due", **h).json()["count"] == 0
    r = client.get(f"/api/v1/health/checkups?elder={old_a.pk}&complete=true&year={today.year}", **h)
    assert r.json()["count"] == 1 and r.json()["items"][0]["parts"]["ecg"] is True
    assert AuditEntry.objects.filter(verb="checkup.list", target_id=str(old_a.pk)).exists()
    assert AuditEntry.objects.filter(verb="checkup.due_list").count() == 2


def test_api_scope(client, api_token, worker_a, worker_b, caregiver, provider, old_a, today):
    from kangyang.health.tests.checkups_helpers import checkup

    checkup(old_a)
    body = {"elder": old_a.pk, "examined_on": today.isoformat(), "parts": ALL}
    hb = api_token(worker_b)
    assert client.get("/api/v1/health/checkups", **hb).json()["count"] == 0
    assert client.get("/api/v1/health/checkups/due", **hb).json()["count"] == 0
    assert client.post("/api/v1/health/checkups", body, content_type="application/json", **hb).status_code == 404
    for user in (caregiver, provider):
        h = api_token(user)
        assert client.get("/api/v1/health/checkups", **h).status_code == 403
        assert client.get("/api/v1/health/checkups/due", **h).status_code == 403
        assert client.post("/api/v1/health/checkups", body, content_type="application/json", **h).status_code == 404


@pytest.mark.parametrize("body", [
    {"elder": "x", "examined_on": "2025-01-01"},
    {"elder": 2 ** 70, "examined_on": "2025-01-01"},
    {"elder": 1, "examined_on": "2025-02-30"},
    {"elder": 1, "examined_on": "2025-01-01\x00"},
    {"elder": 1, "examined_on": 20250101},
    {"elder": 1, "examined_on": "2025-01-01", "parts": [1, 2]},
    {"elder": 1, "examined_on": "2025-01-01", "parts": ["ecg\x00"]},
    {"elder": 1, "examined_on": "2025-01-01", "self_care_score": 10 ** 30},
    {"elder": 1, "examined_on": "2025-01-01", "figures": {"systolic": 10 ** 30, "diastolic": 1}},
    {"elder": 1, "examined_on": "2025-01-01", "figures": {"systolic": {"a": 1}, "diastolic": 1}},
    {"elder": 1, "examined_on": "2025-01-01", "figures": "high"},
    {"elder": 1, "examined_on": "2025-01-01", "findings": "a\x00"},
    {"elder": 1, "examined_on": "9999-12-31"},
    [1, 2],
])
def test_api_hostile_input_is_a_json_4xx(client, api_token, worker_a, old_a, body):
    if isinstance(body, dict) and body.get("elder") == 1:
        body = {**body, "elder": old_a.pk}
    r = client.post("/api/v1/health/checkups", body, content_type="application/json", **api_token(worker_a))
    assert 400 <= r.status_code < 500, r.content
    assert "error" in r.json()
    assert not Checkup.objects.exists()


@pytest.mark.parametrize("query", ["elder=abc", f"elder={2 ** 70}", "year=1", "year=99999999999999999999",
                                   "complete=maybe", "page=0", "page_size=1000", "elder=1%00"])
def test_api_hostile_list_filters(client, api_token, worker_a, query):
    r = client.get(f"/api/v1/health/checkups?{query}", **api_token(worker_a))
    assert 400 <= r.status_code < 500 and "error" in r.json()


@pytest.mark.parametrize("query", ["community=abc", "community=3601030010019999", "year=-1", "community=%00"])
def test_api_hostile_due_filters(client, api_token, worker_a, query):
    r = client.get(f"/api/v1/health/checkups/due?{query}", **api_token(worker_a))
    assert 400 <= r.status_code < 500 and "error" in r.json()
