"""Follow-ups: recorded by the elder's team, classified with her age on the day, the rule and rule
set kept when a new version is published; who is due; the pages and the API."""

import copy
import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.audit.models import AuditEntry
from kangyang.health import rules
from kangyang.health.actions.followups import publish_rule_set, record_follow_up
from kangyang.health.models import (
    Condition, Contract, FollowUp, MedicalInstitution, ServicePackage, Team, TeamMember,
)
from kangyang.health.queries import followups as queries

from conftest import _user


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.forget_cached_rules()
    yield
    rules.forget_cached_rules()


@pytest.fixture
def team(community_a):
    centre = MedicalInstitution.objects.create(name="桃花社区卫生服务中心", kind="health_centre",
                                               region_code=community_a.code)
    return Team.objects.create(name="刘敏团队", institution=centre, area_code=community_a.code)


@pytest.fixture
def doctor(team):
    user = _user("doctor", "doctor")
    TeamMember.objects.create(team=team, function="doctor", name="刘敏", user=user, lead=True)
    return user


@pytest.fixture
def other_doctor(community_b):
    centre = MedicalInstitution.objects.create(name="朝阳社区卫生服务中心", kind="health_centre",
                                               region_code=community_b.code)
    other = Team.objects.create(name="另一团队", institution=centre, area_code=community_b.code)
    user = _user("doctor2", "doctor")
    TeamMember.objects.create(team=other, function="doctor", name="王医生", user=user)
    return user


def contract(elder, team, today):
    package = ServicePackage.objects.get_or_create(code="basic", defaults={"name": "基础包", "kind": "basic"})[0]
    return Contract.objects.create(elder=elder, team=team, package=package, signed_on=today - dt.timedelta(days=200),
                                   starts_on=today - dt.timedelta(days=200), ends_on=today + dt.timedelta(days=165))


@pytest.fixture
def patient(elder_in_a, team, today):
    """张桂兰 (born 1945-03-12): hypertension, a contract with the doctor's team."""
    Condition.objects.create(elder=elder_in_a, code="I10", name="高血压", programme="hypertension")
    contract(elder_in_a, team, today)
    return elder_in_a


def age_on(elder, day):
    return elder.age(day)


# -- recording -------------------------------------------------------------------------------------
def test_team_records_a_follow_up_classified_with_the_age_on_the_day(patient, doctor, today):
    follow_up = record_follow_up(patient, by=doctor, programme="hypertension", followed_on=today,
                                 systolic=145, diastolic=85, heart_rate=72)
    assert age_on(patient, today) >= 65
    assert (follow_up.classification, follow_up.rule) == ("controlled", "bp.controlled.65plus")
    assert follow_up.rule_set.version == rules.file_rules()["version"] and follow_up.rule_set.active
    assert follow_up.next_due_on == today + dt.timedelta(days=90)
    assert follow_up.team.name == "刘敏团队" and follow_up.recorded_by == doctor
    assert AuditEntry.objects.filter(verb="health.follow_up.record", target_id=str(follow_up.pk)).exists()


def test_age_on_the_day_not_today(patient, doctor):
    """At 64 (the day before her 65th birthday) 145/85 is not controlled; at 65 it is."""
    day_before = dt.date(2010, 3, 11)
    birthday = dt.date(2010, 3, 12)
    young = record_follow_up(patient, by=doctor, programme="hypertension", followed_on=day_before,
                             systolic=145, diastolic=85)
    old = record_follow_up(patient, by=doctor, programme="hypertension", followed_on=birthday,
                           systolic=145, diastolic=85)
    assert (young.classification, young.rule) == ("uncontrolled", "bp.uncontrolled")
    assert young.next_due_on == day_before + dt.timedelta(days=14)
    assert (old.classification, old.rule) == ("controlled", "bp.controlled.65plus")


def test_another_reading_only_makes_a_follow_up_urgent(patient, doctor, today):
    """Control is the programme's own reading (fasting glucose for diabetes): a blood pressure above
    target in a diabetes follow-up, or a fast pulse in a hypertension one, leaves it controlled."""
    Condition.objects.create(elder=patient, code="E11", name="2型糖尿病", programme="diabetes")
    diabetes = record_follow_up(patient, by=doctor, programme="diabetes", followed_on=today,
                                fasting_glucose=6.0, systolic=165, diastolic=95)
    assert (diabetes.classification, diabetes.rule) == ("controlled", "glucose.controlled")
    hypertension = record_follow_up(patient, by=doctor, programme="hypertension", followed_on=today,
                                    systolic=130, diastolic=80, heart_rate=104)
    assert (hypertension.classification, hypertension.rule) == ("controlled", "bp.controlled.65plus")


def test_the_worst_reading_gives_the_class(patient, doctor, today):
    Condition.objects.create(elder=patient, code="E11", name="2型糖尿病", programme="diabetes")
    follow_up = record_follow_up(patient, by=doctor, programme="diabetes", followed_on=today,
                                 fasting_glucose=6.1, systolic=182, diastolic=90)
    assert (follow_up.classification, follow_up.rule) == ("urgent", "bp.urgent")
    assert str(follow_up.fasting_glucose) == "6.1"


@pytest.mark.parametrize("fields,field", [
    ({"programme": "diabetes", "fasting_glucose": 6.0}, "programme"),
    ({"programme": "asthma", "systolic": 140, "diastolic": 80}, "programme"),
    ({"programme": "hypertension"}, "systolic"),
    ({"programme": "hypertension", "systolic": 140}, "diastolic"),
    ({"programme": "hypertension", "systolic": 120, "diastolic": 130}, "diastolic"),
    ({"programme": "hypertension", "systolic": 400, "diastolic": 80}, "systolic"),
    ({"programme": "hypertension", "systolic": 140, "diastolic": 80, "heart_rate": 0}, "heart_rate"),
    ({"programme": "hypertension", "systolic": 140, "diastolic": 80, "weight_kg": 2}, "weight_kg"),
    ({"programme": "hypertension", "systolic": 140, "diastolic": 80, "symptoms": "头晕\x00"}, "symptoms"),
    ({"programme": "hypertension", "systolic": 140, "diastolic": 80, "mode": "fax"}, "mode"),
])
def test_refusals_name_the_field(patient, doctor, today, fields, field):
    with pytest.raises(ValidationError) as e:
        record_follow_up(patient, by=doctor, followed_on=today, **fields)
    assert field in e.value.message_dict
    assert not FollowUp.objects.exists()


def test_no_future_follow_up(patient, doctor, today):
    with pytest.raises(ValidationError) as e:
        record_follow_up(patient, by=doctor, programme="hypertension", followed_on=today + dt.timedelta(days=1),
                         systolic=140, diastolic=80)
    assert "followed_on" in e.value.message_dict


def test_only_the_elders_team_records(patient, doctor, other_doctor, worker_a, admin, today):
    for user in (other_doctor, worker_a, admin):
        with pytest.raises(PermissionDenied):
            record_follow_up(patient, by=user, programme="hypertension", followed_on=today, systolic=140, diastolic=80)


def test_a_new_rule_set_changes_later_follow_ups_not_earlier_ones(patient, doctor, today):
    earlier = record_follow_up(patient, by=doctor, programme="hypertension", followed_on=today,
                               systolic=145, diastolic=85)
    first = earlier.rule_set
    new = copy.deepcopy(rules.file_rules())
    for rule in new["kinds"]["blood_pressure"]["rules"]:
        if rule["id"] == "bp.uncontrolled.65plus":
            rule["id"], rule["any"] = "bp.uncontrolled.65plus.v2", [["systolic", ">=", 140], ["diastolic", ">=", 90]]
    published = publish_rule_set(new, version="bureau-2027.1", source="区卫健局", by=doctor)
    later = record_follow_up(patient, by=doctor, programme="hypertension", followed_on=today,
                             systolic=145, diastolic=85)
    assert (later.classification, later.rule, later.rule_set) == ("uncontrolled", "bp.uncontrolled.65plus.v2",
                                                                  published)
    earlier.refresh_from_db()
    assert (earlier.classification, earlier.rule, earlier.rule_set) == ("controlled", "bp.controlled.65plus", first)
    described = queries.describe(earlier)
    assert described["rule_set"] == first.version and "150/90" in described["rule_text"]


# -- who is due ------------------------------------------------------------------------------------
def _follow_ups(elder, programme, days, *, cls="controlled", next_due=None):
    FollowUp.objects.bulk_create([FollowUp(elder=elder, programme=programme, followed_on=d, classification=cls,
                                           next_due_on=next_due or d + dt.timedelta(days=90)) for d in days])


def test_due_list(patient, doctor, worker_a, worker_b, elder_in_b, today):
    rows = queries.due(doctor, today=today)
    assert [(r.elder, r.programme, r.overdue, r.short) for r in rows] == [(patient, "hypertension", True, True)]
    # four this year and the next one ahead: not due
    days = [today - dt.timedelta(days=n) for n in (3, 2, 1, 0)] if today.timetuple().tm_yday > 3 else [today] * 4
    _follow_ups(patient, "hypertension", days)
    assert queries.due(doctor, today=today) == []
    # the last one's next day has passed: overdue again
    FollowUp.objects.filter(elder=patient).update(next_due_on=today - dt.timedelta(days=1))
    [row] = queries.due(doctor, today=today)
    assert row.overdue and not row.short and row.this_year == 4
    assert [r.elder for r in queries.due(worker_a, today=today)] == [patient]  # the community worker's area
    assert queries.due(worker_b, today=today) == []  # another community
    assert queries.due(doctor, programme="diabetes", today=today) == []


def test_fewer_than_four_this_year_counts_only_this_year(patient, doctor, today):
    last_year = dt.date(today.year - 1, 12, 31)
    _follow_ups(patient, "hypertension", [last_year] * 3 + [today], next_due=today + dt.timedelta(days=90))
    [row] = queries.due(doctor, today=today)
    assert row.short and not row.overdue and row.this_year == 1
    assert queries.due(doctor, reason="overdue", today=today) == []
    assert len(queries.due(doctor, reason="short", today=today)) == 1


def test_deceased_patients_are_not_due(patient, doctor, today):
    patient.status = patient.Status.DECEASED
    patient.status_date = today
    patient.save(update_fields=["status", "status_date"])
    assert queries.due(doctor, today=today) == []


def test_panel_and_elder_sections(patient, doctor, today):
    record_follow_up(patient, by=doctor, programme="hypertension", followed_on=today, systolic=185, diastolic=95)
    panel = queries.panel_section(doctor)
    assert panel["count"] == 1 and panel["short"] == 1 and panel["urgent"] == 1
    section = queries.elder_section(doctor, patient)
    [hypertension] = section["programmes"]
    assert hypertension["this_year"] == 1 and hypertension["per_year"] == 4
    assert hypertension["next_due_on"] == today + dt.timedelta(days=14)
    [described] = hypertension["follow_ups"]
    assert described["class_label"] and described["rule_text"].startswith("收缩压≥180")
    assert section["can_record"]


# -- pages -----------------------------------------------------------------------------------------
def test_pages(client, patient, doctor, worker_a, worker_b, today):
    client.force_login(doctor)
    r = client.get("/health/")
    assert r.status_code == 200 and b'data-section="followups" data-count="1"' in r.content
    r = client.get("/health/follow-ups/")
    assert r.status_code == 200 and f'data-elder="{patient.pk}"'.encode() in r.content
    assert b'data-count="1"' in r.content
    r = client.get(f"/health/follow-ups/elders/{patient.pk}/new/")
    assert r.status_code == 200 and b'inputmode="numeric"' in r.content
    r = client.post(f"/health/follow-ups/elders/{patient.pk}/new/", {
        "programme": "hypertension", "followed_on": today.isoformat(), "mode": "home",
        "systolic": "181", "diastolic": "100"})
    assert r.status_code == 302
    follow_up = FollowUp.objects.get()
    assert follow_up.classification == "urgent" and follow_up.mode == "home"
    r = client.get(r["Location"])
    assert f'data-follow-up="{follow_up.pk}" data-class="urgent" data-rule="bp.urgent"'.encode() in r.content
    r = client.post(f"/health/follow-ups/elders/{patient.pk}/new/", {
        "programme": "hypertension", "followed_on": today.isoformat(), "mode": "home",
        "systolic": "120", "diastolic": "130"})
    assert r.status_code == 422 and FollowUp.objects.count() == 1
    assert AuditEntry.objects.filter(verb="health.follow_ups.read", target_id=str(patient.pk)).exists()
    client.force_login(worker_a)
    assert client.get(f"/health/follow-ups/elders/{patient.pk}/").status_code == 200
    assert client.get(f"/health/follow-ups/elders/{patient.pk}/new/").status_code == 403
    client.force_login(worker_b)
    assert client.get(f"/health/follow-ups/elders/{patient.pk}/").status_code == 404
    assert f'data-elder="{patient.pk}"'.encode() not in client.get("/health/follow-ups/").content


# -- API -------------------------------------------------------------------------------------------
def test_api(client, api_token, patient, doctor, worker_b, caregiver, today):
    auth = api_token(doctor)
    body = {"elder": patient.pk, "programme": "hypertension", "followed_on": today.isoformat(),
            "systolic": 150, "diastolic": 85}
    r = client.post("/api/v1/health/follow-ups", body, content_type="application/json", **auth)
    assert r.status_code == 201, r.content
    made = r.json()
    assert made["classification"] == "uncontrolled" and made["rule"] == "bp.uncontrolled.65plus"
    assert made["rule_set"] and made["rule_text"] and made["next_due_on"]
    for bad, field in (({"systolic": 120, "diastolic": 130}, "diastolic"), ({"programme": "diabetes"}, "programme"),
                       ({"systolic": 2**70}, "systolic"), ({"followed_on": "2026-02-30"}, "followed_on"),
                       ({"systolic": "high"}, "systolic")):
        r = client.post("/api/v1/health/follow-ups", {**body, **bad}, content_type="application/json", **auth)
        assert r.status_code == 422, (bad, r.content)
        assert field in r.json()["error"]["fields"], (bad, r.json())
    r = client.post("/api/v1/health/follow-ups", {**body, "symptoms": "a\x00b"}, content_type="application/json", **auth)
    assert r.status_code == 400 and FollowUp.objects.count() == 1  # the project refuses NUL bytes anywhere
    r = client.get(f"/api/v1/health/follow-ups?elder={patient.pk}&classification=uncontrolled", **auth)
    assert r.json()["count"] == 1
    assert client.get(f"/api/v1/health/follow-ups/{made['id']}", **auth).status_code == 200
    r = client.get("/api/v1/health/follow-ups/due", **auth)
    assert r.status_code == 200 and r.json()["items"][0]["fewer_than_four"] is True
    r = client.get("/api/v1/health/rule-sets", **auth)
    assert [(s["version"], s["active"]) for s in r.json()["items"]] == [(rules.file_rules()["version"], True)]
    for other in (worker_b, caregiver):
        other_auth = api_token(other)
        assert client.get(f"/api/v1/health/follow-ups/{made['id']}", **other_auth).status_code == 404
        assert client.get("/api/v1/health/follow-ups", **other_auth).json()["count"] == 0
        r = client.post("/api/v1/health/follow-ups", body, content_type="application/json", **other_auth)
        assert r.status_code == 404


@pytest.mark.parametrize("body,status,field", [
    ('{"kind": "blood_pressure", "systolic": 150, "diastolic": 85, "age": 70}', 200, None),
    ('{"kind": "fasting_glucose", "mmol_l": 16.7}', 200, None),
    ('{"kind": "blood_pressure", "systolic": 150, "diastolic": 85}', 422, "age"),
    ('{"kind": "blood_pressure", "systolic": true, "diastolic": 85, "age": 70}', 422, "systolic"),
    ('{"kind": "weight", "kg": 70}', 422, "kind"),
    ('[1]', 422, "body"),
    ('{"kind": "spo2", ', 422, "body"),
    ('{"kind": "spo2\\u0000", "percent": 95}', 400, None),
])
def test_api_classify(client, api_token, caregiver, body, status, field):
    r = client.post("/api/v1/health/classify", body, content_type="application/json", **api_token(caregiver))
    assert r.status_code == status, r.content
    if field:
        assert field in r.json()["error"]["fields"]
    elif status == 400:
        assert r.json()["error"]["code"] == "nul_character"
    else:
        assert set(r.json()) == {"class", "rule", "rule_set", "text"} and r.json()["class"] in (
            "uncontrolled", "urgent")
    assert not FollowUp.objects.exists()


def test_the_admin_publishes_a_checked_rule_set(rf, admin):
    """The admin's add form checks the structure and publishes; a published set is read-only.
    (The admin site itself asks a superuser for a second factor; its form and save are tested.)"""
    from django.contrib.admin import site

    from kangyang.health.admin import RuleSetForm
    from kangyang.health.models import RuleSet

    model_admin = site._registry[RuleSet]
    first = rules.active_rule_set()
    bad = copy.deepcopy(rules.file_rules())
    bad["kinds"]["spo2"]["rules"][0]["class"] = "fine"
    form = RuleSetForm({"version": "x.1", "source": "测试", "rules": json.dumps(bad)})
    assert not form.is_valid() and "fine" in form.errors["rules"][0]
    form = RuleSetForm({"version": "x.2", "source": "测试", "rules": json.dumps(rules.file_rules())})
    assert form.is_valid(), form.errors
    request = rf.post("/admin/health/ruleset/add/")
    request.user = admin
    obj = form.save(commit=False)
    model_admin.save_model(request, obj, form, False)
    assert RuleSet.objects.get(active=True).version == "x.2" == obj.version and obj.pk
    assert not RuleSet.objects.get(pk=first.pk).active
    assert rules.classify({"kind": "spo2", "percent": 95}).rule_set == "x.2"
    assert set(model_admin.get_readonly_fields(request, first)) >= {"version", "rules", "active"}
