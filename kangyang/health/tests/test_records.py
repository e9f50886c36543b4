"""The health record (issue 17 §1): coded conditions with their follow-up programme, medicines,
disabilities, allergies and the elder's consent, each write allowed by the rule of its field
(accounts/scope/health.py, "records") and audited; the elder's health page and the record's API,
404 outside the reader's scope and audited for staff; the elder's and family's own page in the app."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.audit.models import AuditEntry
from kangyang.health.actions import records as actions
from kangyang.health.models import Condition, Disability, Medication
from kangyang.health.tests.records_world import contract, full_record, marks, team_with_doctor
from kangyang.registry.models import HealthRecord


@pytest.fixture
def team(community_a):
    return team_with_doctor("doctor", area_code=community_a.code, centre="南浦街道社区卫生服务中心")


@pytest.fixture
def doctor(team, elder_in_a):
    contract(elder_in_a, team[0])
    return team[1]


@pytest.fixture
def other_doctor(community_b):
    """A doctor of another team, with no contract with elder_in_a."""
    return team_with_doctor("doctor2", area_code=community_b.code, centre="朝阳洲街道社区卫生服务中心")[1]


def _reads(user) -> int:
    return AuditEntry.objects.filter(verb="health.record.read", actor=user).count()


# -- the programme a code puts the elder on -------------------------------------------------
@pytest.mark.parametrize("code, programme", [
    ("I10", "hypertension"), ("I15", "hypertension"), ("I15.9", "hypertension"), ("I11.0", "hypertension"),
    ("I09", ""), ("I16", ""), ("I20", ""), ("E11", "diabetes"), ("E11.9", "diabetes"), ("E10", ""),
    ("E12", ""), ("F03", ""),
])
def test_the_programme_follows_the_code_at_every_boundary(code, programme):
    assert actions.programme_for(code) == programme


# -- actions ---------------------------------------------------------------------------------
def test_the_team_adds_a_condition_normalised_named_and_audited_without_its_value(doctor, elder_in_a):
    condition = actions.add_condition(elder_in_a, by=doctor, code=" i10 ")
    assert (condition.code, condition.name, condition.programme) == ("I10", "高血压", "hypertension")
    entry = AuditEntry.objects.get(verb="health.condition.add")
    assert entry.actor == doctor and entry.target_id == str(elder_in_a.pk)
    assert "I10" not in json.dumps(entry.changes, ensure_ascii=False) + entry.note
    diabetes = actions.add_condition(elder_in_a, by=doctor, code="E11.9", name="2型糖尿病伴并发症")
    assert (diabetes.programme, diabetes.name) == ("diabetes", "2型糖尿病伴并发症")


@pytest.mark.parametrize("code", ["", "X1", "10I", "I10.", "高血压", "I10,E11", None, 10])
def test_a_code_that_is_not_icd10_is_refused_on_the_code_field(doctor, elder_in_a, code):
    with pytest.raises(ValidationError) as e:
        actions.add_condition(elder_in_a, by=doctor, code=code)
    assert "code" in e.value.message_dict
    assert not Condition.objects.exists()


def test_a_condition_is_recorded_once(doctor, elder_in_a):
    actions.add_condition(elder_in_a, by=doctor, code="I10")
    with pytest.raises(ValidationError) as e:
        actions.add_condition(elder_in_a, by=doctor, code="i10")
    assert e.value.error_dict["code"][0].code == "duplicate"
    assert Condition.objects.count() == 1


def test_conditions_and_medicines_are_the_teams_only(doctor, other_doctor, worker_a, admin, elder, elder_in_a):
    for user in (other_doctor, worker_a, admin, elder):
        with pytest.raises(PermissionDenied):
            actions.add_condition(elder_in_a, by=user, code="I10")
        with pytest.raises(PermissionDenied):
            actions.add_medication(elder_in_a, by=user, name="阿司匹林")
    condition = actions.add_condition(elder_in_a, by=doctor, code="I10")
    with pytest.raises(PermissionDenied):
        actions.remove_condition(condition, by=worker_a)
    actions.remove_condition(condition, by=doctor)
    assert not Condition.objects.exists()
    assert AuditEntry.objects.filter(verb="health.condition.remove", actor=doctor).count() == 1


def test_a_medicine_is_added_and_stopped_once_not_before_it_started(doctor, elder_in_a, today):
    import datetime as dt

    medicine = actions.add_medication(elder_in_a, by=doctor, name=" 苯磺酸氨氯地平片 ", dose="5mg",
                                      frequency="每日一次", started_on=today - dt.timedelta(days=10))
    assert medicine.name == "苯磺酸氨氯地平片"
    with pytest.raises(ValidationError):
        actions.stop_medication(medicine, by=doctor, on=today - dt.timedelta(days=11))
    with pytest.raises(ValidationError):
        actions.stop_medication(medicine, by=doctor, on=today + dt.timedelta(days=1))
    actions.stop_medication(medicine, by=doctor)
    assert Medication.objects.get().stopped_on == today
    with pytest.raises(ValidationError):
        actions.stop_medication(medicine, by=doctor)
    with pytest.raises(ValidationError) as e:
        actions.add_medication(elder_in_a, by=doctor, name="  ")
    assert "name" in e.value.message_dict
    assert [e.verb for e in AuditEntry.objects.filter(verb__startswith="health.medication").order_by("pk")] == [
        "health.medication.add", "health.medication.stop"]


@pytest.mark.parametrize("grade", [0, 5, -1, True, "2"])
def test_a_disability_grade_is_1_to_4(worker_a, elder_in_a, grade):
    with pytest.raises(ValidationError) as e:
        actions.set_disability(elder_in_a, by=worker_a, kind="physical", grade=grade)
    assert "grade" in e.value.message_dict


def test_the_area_worker_and_the_team_record_disabilities_and_allergies_not_others(
        doctor, worker_a, worker_b, caregiver, family, elder_in_a):
    actions.set_disability(elder_in_a, by=worker_a, kind="physical", grade=1)
    actions.set_disability(elder_in_a, by=doctor, kind="physical", grade=2)  # the same kind: changed
    actions.set_disability(elder_in_a, by=worker_a, kind="visual", grade=None)
    assert sorted(Disability.objects.values_list("kind", "grade")) == [("physical", 2), ("visual", None)]
    actions.set_allergies(elder_in_a, by=worker_a, allergies="青霉素")
    assert HealthRecord.objects.get(elder=elder_in_a).allergies == "青霉素"
    for user in (worker_b, caregiver, family):
        with pytest.raises(PermissionDenied):
            actions.set_disability(elder_in_a, by=user, kind="hearing", grade=3)
        with pytest.raises(PermissionDenied):
            actions.set_allergies(elder_in_a, by=user, allergies="花粉")
    with pytest.raises(ValidationError):
        actions.set_disability(elder_in_a, by=worker_a, kind="unknown")
    assert AuditEntry.objects.filter(verb="health.disability.set").count() == 3
    assert AuditEntry.objects.filter(verb="health.allergies").count() == 1


def test_the_consent_is_the_elders_own_or_recorded_by_staff_never_the_familys(
        elder, family, worker_a, worker_b, elder_in_a):
    actions.set_alerts_to_family(elder_in_a, by=elder, consent=True)
    assert HealthRecord.objects.get(elder=elder_in_a).alerts_to_family is True
    for user in (family, worker_b):
        with pytest.raises(PermissionDenied):
            actions.set_alerts_to_family(elder_in_a, by=user, consent=False)
    actions.set_alerts_to_family(elder_in_a, by=worker_a, consent=False)
    assert HealthRecord.objects.get(elder=elder_in_a).alerts_to_family is False
    entries = AuditEntry.objects.filter(verb="health.alerts_to_family").order_by("pk")
    assert [(e.actor, e.changes["alerts_to_family"]) for e in entries] == [(elder, True), (worker_a, False)]


# -- the elder's health page -----------------------------------------------------------------
def test_the_page_shows_the_record_to_the_team_and_audits_each_staff_read(client, doctor, worker_a, elder_in_a):
    full_record(elder_in_a)
    for user in (doctor, worker_a):
        client.force_login(user)
        page = client.get(f"/health/elders/{elder_in_a.pk}/")
        assert page.status_code == 200
        text = page.content.decode()
        assert all(mark in text for mark in marks(elder_in_a))
        assert 'data-condition="I10" data-programme="hypertension"' in text
        assert _reads(user) == 1
    assert AuditEntry.objects.get(verb="health.record.read", actor=doctor).action == AuditEntry.Action.VIEW_FULL


@pytest.mark.parametrize("viewer", ["worker_b", "provider", "caregiver", "volunteer", "inspector", "other_doctor"])
def test_the_page_is_404_outside_scope(client, request, doctor, elder_in_a, viewer):
    full_record(elder_in_a)
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    for url in (f"/health/elders/{elder_in_a.pk}/", f"/health/elders/{elder_in_a.pk}/conditions/"):
        r = client.get(url) if url.endswith("/elders/%d/" % elder_in_a.pk) else client.post(url, {"code": "I10"})
        assert r.status_code == 404
        assert not any(mark in r.content.decode() for mark in marks(elder_in_a))
    assert _reads(user) == 0 and not Condition.objects.filter(recorded_by=user).exists()


def test_the_team_writes_through_the_page_and_the_worker_may_not_add_a_condition(client, doctor, worker_a, elder_in_a):
    client.force_login(doctor)
    r = client.post(f"/health/elders/{elder_in_a.pk}/conditions/", {"code": "e11", "name": "", "diagnosed_on": ""})
    assert r.status_code == 302
    assert Condition.objects.get(elder=elder_in_a).programme == "diabetes"
    r = client.post(f"/health/elders/{elder_in_a.pk}/conditions/", {"code": "XX"})
    assert r.status_code == 400 and 'name="code"' in r.content.decode()
    client.post(f"/health/elders/{elder_in_a.pk}/medications/", {"name": "二甲双胍", "dose": "0.5g"})
    medicine = Medication.objects.get(elder=elder_in_a)
    client.post(f"/health/elders/{elder_in_a.pk}/medications/{medicine.pk}/stop/")
    assert Medication.objects.get().stopped_on is not None
    client.force_login(worker_a)
    assert client.post(f"/health/elders/{elder_in_a.pk}/conditions/", {"code": "I10"}).status_code == 403
    assert client.post(f"/health/elders/{elder_in_a.pk}/disabilities/", {"kind": "hearing", "grade": "3"}).status_code == 302
    assert client.post(f"/health/elders/{elder_in_a.pk}/allergies/", {"allergies": "花粉"}).status_code == 302
    assert client.post(f"/health/elders/{elder_in_a.pk}/consent/", {"alerts_to_family": "on"}).status_code == 302
    health = HealthRecord.objects.get(elder=elder_in_a)
    assert (health.allergies, health.alerts_to_family) == ("花粉", True)
    assert Disability.objects.get(elder=elder_in_a).grade == 3


def test_the_registry_page_links_to_the_health_page_for_those_who_read_health(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    assert f'href="/health/elders/{elder_in_a.pk}/"' in client.get(f"/registry/elders/{elder_in_a.pk}/").content.decode()


def test_the_elder_reads_her_health_page_without_an_audit_entry(client, elder, elder_in_a):
    full_record(elder_in_a)
    client.force_login(elder)
    assert client.get(f"/health/elders/{elder_in_a.pk}/").status_code == 200
    assert _reads(elder) == 0


# -- the API ---------------------------------------------------------------------------------
def test_the_api_gives_the_record_with_the_contract_and_audits_the_read(client, api_token, doctor, elder_in_a):
    full_record(elder_in_a)
    headers = api_token(doctor)
    body = client.get(f"/api/v1/health/records/{elder_in_a.pk}", **headers).json()
    assert [c["code"] for c in body["conditions"]] == ["I10"] and body["conditions"][0]["programme"] == "hypertension"
    allergy, ehr, medicine, _condition = marks(elder_in_a)
    assert body["medications"][0]["name"] == medicine
    assert body["disabilities"] == [{"kind": "physical", "kind_label": body["disabilities"][0]["kind_label"], "grade": 2}]
    assert (body["allergies"], body["ehr_number"]) == (allergy, ehr)
    assert body["contract"]["doctor"] == "doctor医生" and body["contract"]["health_centre_phone"] == "0791-88886666"
    assert _reads(doctor) == 1


def test_the_api_writes_conditions_and_medicines_and_answers_bad_input_in_json(client, api_token, doctor, worker_a,
                                                                                 elder_in_a):
    headers = api_token(doctor)
    url = f"/api/v1/health/records/{elder_in_a.pk}"
    r = client.post(f"{url}/conditions", {"code": "i11.9"}, content_type="application/json", **headers)
    assert r.status_code == 201 and r.json()["code"] == "I11.9" and r.json()["programme"] == "hypertension"
    condition_id = r.json()["id"]
    for bad in ({"code": "nope"}, {"code": 10}, {"code": "I10", "diagnosed_on": "2024-02-30"},
                {"code": "I25", "diagnosed_on": 0}, {}):
        r = client.post(f"{url}/conditions", bad, content_type="application/json", **headers)
        assert 400 <= r.status_code < 500 and "error" in r.json(), bad
    r = client.post(f"{url}/medications", {"name": "缬沙坦", "dose": "80mg"}, content_type="application/json", **headers)
    assert r.status_code == 201 and r.json()["stopped_on"] is None
    worker = api_token(worker_a)
    assert client.post(f"{url}/conditions", {"code": "I25"}, content_type="application/json", **worker).status_code == 403
    assert client.delete(f"/api/v1/health/records/conditions/{condition_id}", **worker).status_code == 403
    assert client.delete(f"/api/v1/health/records/conditions/{condition_id}", **headers).status_code == 204
    assert client.delete(f"/api/v1/health/records/conditions/{condition_id}", **headers).status_code == 404
    assert client.delete("/api/v1/health/records/conditions/99999999999999999999", **headers).status_code in (400, 404, 422)


def test_the_api_is_404_outside_scope(client, api_token, doctor, other_doctor, worker_b, elder_in_a):
    full_record(elder_in_a)
    for user in (other_doctor, worker_b):
        r = client.get(f"/api/v1/health/records/{elder_in_a.pk}", **api_token(user))
        assert r.status_code == 404 and not any(m in r.content.decode() for m in marks(elder_in_a))
        assert _reads(user) == 0


# -- the elder's and family's own page in the app --------------------------------------------
def test_the_elder_sees_her_readings_checkups_and_contract_and_sets_her_consent(client, doctor, elder, elder_in_a):
    from kangyang.health.models import Checkup

    full_record(elder_in_a)
    Checkup.objects.create(elder=elder_in_a, year=2025, examined_on="2025-05-06")
    client.force_login(elder)
    page = client.get("/app/health/").content.decode()
    assert 'data-reading="blood_pressure" data-class="uncontrolled"' in page and "152/91 mmHg" in page
    assert "data-checkup=" in page and "2025-05-06" in page
    assert 'href="tel:0791-88886666"' in page and "doctor医生" in page
    assert 'data-alerts-to-family="no"' in page and "data-consent-form" in page
    r = client.post("/app/health/consent/", {"alerts_to_family": "yes"})
    assert r.status_code == 302
    assert HealthRecord.objects.get(elder=elder_in_a).alerts_to_family is True
    assert 'data-alerts-to-family="yes"' in client.get("/app/health/").content.decode()
    assert AuditEntry.objects.filter(verb="health.alerts_to_family", actor=elder).count() == 1
    assert _reads(elder) == 0


def test_the_family_sees_her_elders_health_but_cannot_set_the_consent(client, family, elder_in_a, elder_in_b):
    full_record(elder_in_a)
    full_record(elder_in_b)
    client.force_login(family)
    page = client.get("/app/health/").content.decode()
    assert f'data-elder="{elder_in_a.pk}"' in page and f'data-elder="{elder_in_b.pk}"' not in page
    assert "data-consent-form" not in page and "data-no-contract" in page
    assert client.post("/app/health/consent/", {"alerts_to_family": "yes"}).status_code == 403
    assert HealthRecord.objects.get(elder=elder_in_a).alerts_to_family is False


def test_staff_have_no_own_health_page(client, worker_a):
    client.force_login(worker_a)
    assert client.get("/app/health/").status_code == 403


def test_the_home_screen_has_the_health_card(client, elder, elder_in_a):
    full_record(elder_in_a)
    client.force_login(elder)
    page = client.get("/app/").content.decode()
    assert 'data-card="health.mine"' in page and 'href="/app/health/"' in page


# -- the demo --------------------------------------------------------------------------------
def test_the_demo_codes_the_registry_words_and_gives_the_elder_account_hypertension(district, elder, elder_in_b):
    import random

    from kangyang.health import demo_records
    from kangyang.registry.models import Elder

    HealthRecord.objects.update_or_create(elder=elder_in_b, defaults={
        "region_code": elder_in_b.region_code, "chronic_conditions": "高血压、糖尿病、阿尔茨海默病、慢性咽炎"})
    Elder.objects.filter(pk=elder_in_b.pk).update(categories_text=",empty_nest,severely_disabled,")
    demo_records.seed(district=district, rng=random.Random(1), elders=2)
    coded = dict(Condition.objects.filter(elder=elder_in_b).values_list("code", "programme"))
    assert coded == {"I10": "hypertension", "E11": "diabetes", "G30": ""}
    assert Disability.objects.get(elder=elder_in_b).grade in (1, 2)
    demo_records.seed(district=district, rng=random.Random(1), elders=2)  # again: nothing twice
    assert Condition.objects.filter(elder=elder_in_b).count() == 3
    demo_records.seed_accounts(accounts={"elder": elder}, district=district, rng=random.Random(1))
    mine = elder.elder
    assert Condition.objects.get(elder=mine).programme == "hypertension"
    assert Medication.objects.filter(elder=mine).exists()
    assert HealthRecord.objects.get(elder=mine).alerts_to_family is True
