"""Inspections: the checklist on a phone, a problem opening a hazard, who may work on which
inspection, the pages, the API and the public results."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kangyang.institutions import inspections as rules
from kangyang.institutions.actions import inspections as actions
from kangyang.institutions.models import Hazard, Inspection
from kangyang.institutions.queries import inspections as queries
from kangyang.institutions.tests.inspections_fixtures import (  # noqa: F401
    institutions, make_inspector, organisations, plan, pool,
)



def png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def drawn(plan, admin):
    return actions.draw_plan(plan, by=admin, seed="fixed")


@pytest.fixture
def mine(drawn, inspector, admin, institutions):
    """An inspection of the `inspector` persona (drawn, or ad hoc when the draw gave none)."""
    found = Inspection.objects.filter(inspectors=inspector).first()
    return found or actions.create_inspection(by=admin, institution=institutions[0], inspectors=[inspector])


@pytest.fixture
def others(drawn, inspector, admin, institutions, tree):
    found = Inspection.objects.exclude(inspectors=inspector).first()
    return found or actions.create_inspection(by=admin, institution=institutions[1],
                                              inspectors=[make_inspector("other", tree)])


def answer_all(inspection, by, **problem):
    for code in rules.ITEMS:
        if code == "fire.exits" and problem:
            actions.answer_item(inspection, by=by, item=code, result="problem", **problem)
        else:
            actions.answer_item(inspection, by=by, item=code, result="ok")


def test_the_checklist_covers_the_nine_risks_of_gb_38600_fire_food_and_records():
    assert len(rules.SECTIONS["risk"].items) == 9
    assert set(rules.SECTIONS) == {"risk", "fire", "food", "records"}
    assert all(len(code) <= 40 for code in rules.ITEMS)


def test_a_problem_opens_a_hazard_with_the_inspectors_severity_person_and_deadline(mine, inspector, today):
    actions.answer_item(mine, by=inspector, item="risk.falls", result="problem", note="走廊无扶手",
                        severity="major", responsible_person="院长 王某", deadline=today + dt.timedelta(days=30))
    hazard = Hazard.objects.get(inspection=mine)
    assert (hazard.item, hazard.severity, hazard.responsible_person, hazard.description) == (
        "risk.falls", "major", "院长 王某", "走廊无扶手")
    assert hazard.deadline == today + dt.timedelta(days=30) and hazard.institution == mine.institution
    mine.refresh_from_db()
    assert mine.status == "in_progress"
    # Saving the same item again does not open a second hazard.
    actions.answer_item(mine, by=inspector, item="risk.falls", result="problem", note="走廊无扶手",
                        severity="major", responsible_person="院长 王某", deadline=today + dt.timedelta(days=30))
    assert Hazard.objects.filter(inspection=mine).count() == 1


def test_a_problem_without_severity_person_or_deadline_is_refused(mine, inspector):
    with pytest.raises(ValidationError) as e:
        actions.answer_item(mine, by=inspector, item="risk.falls", result="problem", note="x")
    assert {"severity", "responsible_person", "deadline"} <= set(e.value.error_dict)
    assert not Hazard.objects.exists()


def test_finishing_needs_every_item_and_an_outcome_that_fits(mine, inspector, today):
    with pytest.raises(ValidationError):
        actions.finish_inspection(mine, by=inspector, outcome="passed", summary="")
    answer_all(mine, inspector, note="安全出口堵塞", severity="serious", responsible_person="安全员",
               deadline=today + dt.timedelta(days=7))
    with pytest.raises(ValidationError):
        actions.finish_inspection(mine, by=inspector, outcome="passed", summary="")
    actions.finish_inspection(mine, by=inspector, outcome="serious", summary="消防通道堵塞，限期整改。")
    actions.publish_inspection(mine, by=inspector)
    results = queries.published_results(mine.institution)
    assert results[0]["outcome"] == "serious" and results[0]["problem_count"] == 1
    assert results[0]["problems"][0]["section"] == "fire"
    assert "inspector" not in str(results)


def test_an_inspector_cannot_open_anothers_inspection(client, inspector, others):
    client.force_login(inspector)
    assert client.get(f"/institutions/inspections/{others.pk}/").status_code == 404
    r = client.post(f"/institutions/inspections/{others.pk}/answer/", {"item": "risk.falls"})
    assert r.status_code == 404
    assert client.get("/institutions/inspections/99999999999999999999/").status_code == 404
    assert client.get("/institutions/inspections/plans/99999999999999999999/").status_code == 404


def test_the_bureau_admin_reads_but_cannot_fill_in_an_inspection(client, admin, mine):
    client.force_login(admin)
    assert client.get(f"/institutions/inspections/{mine.pk}/").status_code == 200
    r = client.post(f"/institutions/inspections/{mine.pk}/answer/",
                    {"item": "risk.falls", "risk.falls-item": "risk.falls", "risk.falls-result": "ok"})
    assert r.status_code == 403


def test_the_inspector_fills_in_the_checklist_with_a_photo_and_a_hazard(client, inspector, mine, today):
    client.force_login(inspector)
    page = client.get(f"/institutions/inspections/{mine.pk}/").text
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    r = client.post(f"/institutions/inspections/{mine.pk}/answer/", {
        "item": "risk.scalds", "risk.scalds-item": "risk.scalds", "risk.scalds-result": "problem",
        "risk.scalds-note": "热水器无防烫装置", "risk.scalds-severity": "minor",
        "risk.scalds-responsible_person": "后勤主管", "risk.scalds-deadline": str(today + dt.timedelta(days=14)),
        "risk.scalds-photo": SimpleUploadedFile("p.png", png(), content_type="image/png"),
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    answer = mine.answers.get(item="risk.scalds")
    assert answer.result == "problem" and answer.photo
    assert Hazard.objects.filter(inspection=mine, item="risk.scalds", severity="minor").exists()
    r = client.post(f"/institutions/inspections/{mine.pk}/answer/", {
        "item": "risk.falls", "risk.falls-item": "risk.falls", "risk.falls-result": "problem"})
    assert r.status_code == 422


def test_an_inspector_lands_on_their_own_inspections(client, inspector, mine):
    client.force_login(inspector)
    r = client.get("/", follow=True)
    assert r.redirect_chain[-1][0] == "/institutions/inspections/mine/"
    assert mine.institution.name in r.text


def test_the_overview_lists_plans_and_institutions_not_inspected_this_year(client, admin, drawn, institutions):
    client.force_login(admin)
    page = client.get("/institutions/inspections/").text
    assert f'data-plan="{drawn.pk}"' in page and institutions[0].name in page


def test_the_bureau_admin_creates_a_plan_and_draws_it_from_the_page(client, admin, pool, institutions, today):
    client.force_login(admin)
    r = client.post("/institutions/inspections/plans/new/", {
        "name": "页面计划", "year": today.year, "pool": pool.pk, "target_count": 3, "inspectors_per_target": 2,
        "due_by": str(today + dt.timedelta(days=30))})
    assert r.status_code == 302
    plan_id = int(r["Location"].rstrip("/").split("/")[-1])
    r = client.post(f"/institutions/inspections/plans/{plan_id}/draw/", {"seed": "页面种子"})
    assert r.status_code == 302
    page = client.get(f"/institutions/inspections/plans/{plan_id}/").text
    assert "页面种子" in page and f"kangyang inspections draw --plan {plan_id}" in page
    assert Inspection.objects.filter(plan_id=plan_id).count() == 3
    client.post(f"/institutions/inspections/plans/{plan_id}/publish/")
    assert client.get(f"/api/v1/inspections/plans/{plan_id}").status_code == 401


def test_others_may_not_draw(client, subdistrict, inspector, plan):
    for user in (subdistrict, inspector):
        client.force_login(user)
        assert client.post(f"/institutions/inspections/plans/{plan.pk}/draw/").status_code in (403, 404)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_the_pool_page_adds_publishes_and_records_a_conflict(client, admin, pool, tree, organisations, institutions):
    newcomer = make_inspector("newcomer", tree)
    client.force_login(admin)
    assert client.get(f"/institutions/inspections/pools/{pool.pk}/").status_code == 200
    client.post(f"/institutions/inspections/pools/{pool.pk}/add/", {"inspector": newcomer.pk})
    assert pool.inspectors.filter(pk=newcomer.pk).exists()
    client.post(f"/institutions/inspections/pools/{pool.pk}/conflict/",
                {"inspector": newcomer.pk, "organisation": organisations[0].pk, "reason": "亲属在该机构工作"})
    assert newcomer.conflicts.filter(organisation=organisations[0]).exists()


# -- API --------------------------------------------------------------------------------------------
def test_api_lists_plans_with_their_id_and_draw(client, api_token, admin, drawn):
    headers = api_token(admin)
    body = client.get("/api/v1/inspections/plans", **headers).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == drawn.pk and item["seed"] == "fixed" and item["status"] == "drawn"
    assert {"name", "year", "region_code", "drawn_at", "target_count"} <= item.keys()
    detail = client.get(f"/api/v1/inspections/plans/{drawn.pk}", **headers).json()
    assert detail["result"] == drawn.result and detail["inspector_pool"] == drawn.inspector_pool


def test_api_lists_inspections_by_plan_and_shows_answers(client, api_token, admin, inspector, mine, drawn):
    actions.answer_item(mine, by=inspector, item="food.samples", result="ok", note="留样齐全")
    body = client.get(f"/api/v1/inspections?plan={drawn.pk}", **api_token(admin)).json()
    assert body["count"] == drawn.target_count
    one = client.get(f"/api/v1/inspections/{mine.pk}", **api_token(inspector)).json()
    assert one["answers"][0]["item"] == "food.samples" and one["answers"][0]["section"] == "food"


def test_api_hides_other_inspections_and_refuses_hostile_input(client, api_token, inspector, others, plan):
    headers = api_token(inspector)
    r = client.get(f"/api/v1/inspections/{others.pk}", **headers)
    assert r.status_code == 404 and r.json()["error"]["code"]
    assert client.get(f"/api/v1/inspections?plan={plan.pk}", **headers).json()["count"] == Inspection.objects.filter(
        plan=plan, inspectors=inspector).count()
    for bad in ("/api/v1/inspections/99999999999999999999", "/api/v1/inspections?plan=abc",
                "/api/v1/inspections?status=nope", "/api/v1/inspections/plans?page_size=1000",
                "/api/v1/inspections/plans/9223372036854775807"):
        r = client.get(bad, **headers)
        assert 400 <= r.status_code < 500 and "error" in r.json(), bad


def test_api_draw_is_for_the_bureau_admin_only(client, api_token, admin, inspector, plan):
    r = client.post(f"/api/v1/inspections/plans/{plan.pk}/draw", {"seed": "api"}, content_type="application/json",
                    **api_token(inspector))
    assert r.status_code == 403
    r = client.post(f"/api/v1/inspections/plans/{plan.pk}/draw", {"seed": "api"}, content_type="application/json",
                    **api_token(admin))
    assert r.status_code == 200 and r.json()["seed"] == "api" and len(r.json()["result"]) == plan.target_count
    again = client.post(f"/api/v1/inspections/plans/{plan.pk}/draw", {}, content_type="application/json",
                        **api_token(admin))
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_another_districts_admin_sees_no_plan(client, api_token, plan):
    from kangyang.accounts.models import User
    from kangyang.regions.models import Region

    other = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    admin2 = User.objects.create_user(username="admin2", password="kangyang-demo", role="bureau_admin", region=other)
    headers = api_token(admin2)
    assert client.get("/api/v1/inspections/plans", **headers).json()["count"] == 0
    assert client.get(f"/api/v1/inspections/plans/{plan.pk}", **headers).status_code == 404
    assert client.post(f"/api/v1/inspections/plans/{plan.pk}/draw", {}, content_type="application/json",
                       **headers).status_code == 404


def test_the_inspector_finishes_and_publishes_from_the_page(client, inspector, mine):
    answer_all(mine, inspector)
    client.force_login(inspector)
    r = client.post(f"/institutions/inspections/{mine.pk}/finish/", {"outcome": "passed", "summary": "未发现问题。"})
    assert r.status_code == 302
    client.post(f"/institutions/inspections/{mine.pk}/publish/")
    mine.refresh_from_db()
    assert mine.status == "done" and mine.published_at is not None and mine.done_on is not None
    published = queries.published_results(mine.institution)[0]
    assert published["outcome"] == "passed" and "summary" not in published  # a summary may name people


def test_finishing_with_items_unanswered_says_so_on_the_page(client, inspector, mine):
    client.force_login(inspector)
    r = client.post(f"/institutions/inspections/{mine.pk}/finish/", {"outcome": "passed", "summary": "x"})
    assert r.status_code == 422 and str(len(rules.ITEMS)) in r.text


def test_the_subdistrict_officer_reads_the_overview_and_plan_but_may_not_draw(client, subdistrict, plan):
    client.force_login(subdistrict)
    assert client.get("/institutions/inspections/").status_code == 200
    page = client.get(f"/institutions/inspections/plans/{plan.pk}/")
    assert page.status_code == 200 and "/draw/" not in page.text
