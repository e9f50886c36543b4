"""失能 and 失智 follow the latest signed GB/T 42195 assessment (registry.categories): signing
recomputes them, with the reason shown, in the filter column that lists and counts use."""

import datetime as dt

from django.utils import translation

from kangyang.assessment import actions
from kangyang.audit.models import AuditEntry
from kangyang.registry import actions as registry_actions, queries as registry_queries

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_moderate_loss_makes_the_elder_disabled_in_lists_and_counts_with_the_reason(
    client, api_token, worker_a, elder_in_a, sign_new
):
    assert "disabled" not in elder_in_a.categories
    assert registry_queries.elders_for(worker_a, category="disabled").count() == 0
    signed = sign_new(elder_in_a, 55, assessed_on=dt.date(2026, 3, 2))  # 46–65: 中度失能
    assert signed.final_level == 2

    assert [e.pk for e in registry_queries.elders_for(worker_a, category="disabled")] == [elder_in_a.pk]
    headers = api_token(worker_a)
    listed = client.get("/api/v1/elders", {"category": "disabled"}, **headers, **EN).json()
    assert listed["count"] == 1
    by_code = {d["code"]: d for d in listed["items"][0]["category_details"]}
    assert by_code["disabled"]["source"] == "assessment"
    assert by_code["disabled"]["reason"] == "moderate loss per the signed assessment of 2026-03-02"
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "中度失能" in page
    # The change of categories is audited as the signer's.
    entry = AuditEntry.objects.get(verb="elder.categories")
    assert entry.actor_id == worker_a.pk and "disabled" in entry.changes["categories"][1]


def test_an_intact_assessment_clears_a_manual_disabled(worker_a, elder_in_b, sign_new, worker_b):
    """elder_in_b was marked disabled by hand (conftest); the assessment says intact."""
    assert "disabled" in elder_in_b.categories
    sign_new(elder_in_b, 90, by=worker_b)
    elder_in_b.refresh_from_db()
    assert "disabled" not in elder_in_b.categories
    assert {d["code"]: d for d in elder_in_b.category_details()}.get("disabled") is None


def test_the_latest_assessment_decides_not_the_last_signed(worker_a, elder_in_a, sign_new):
    sign_new(elder_in_a, 90, assessed_on=dt.date(2026, 3, 2))
    sign_new(elder_in_a, 40, assessed_on=dt.date(2025, 1, 5))  # an older one, signed later
    elder_in_a.refresh_from_db()
    assert "disabled" not in elder_in_a.categories


def test_a_dementia_diagnosis_makes_the_elder_cognitively_impaired(worker_a, elder_in_a, sign_new):
    sign_new(elder_in_a, 80, diagnoses=["F01", "I10"], assessed_on=dt.date(2026, 3, 2))
    elder_in_a.refresh_from_db()
    assert "cognitively_impaired" in elder_in_a.categories
    with translation.override("en"):
        reason = {d["code"]: d for d in elder_in_a.category_details()}["cognitively_impaired"]["reason"]
    assert reason == "dementia diagnosed (F01) per the signed assessment of 2026-03-02"
    # The next assessment records no dementia: the category goes.
    sign_new(elder_in_a, 80, assessed_on=dt.date(2026, 4, 2))
    elder_in_a.refresh_from_db()
    assert "cognitively_impaired" not in elder_in_a.categories


def test_an_override_wins_over_the_assessment(worker_a, elder_in_a, sign_new):
    registry_actions.override_category(elder_in_a, by=worker_a, category="disabled", value=False,
                                       reason="Scored during an acute illness; re-assessment asked for")
    sign_new(elder_in_a, 55)
    elder_in_a.refresh_from_db()
    assert "disabled" not in elder_in_a.categories
    with translation.override("en"):
        row = {d["code"]: d for d in elder_in_a.category_details()}["disabled"]
    assert row["source"] == "override" and row["in_force"] is False


def test_an_imported_mzt_result_derives_nothing(worker_a, elder_in_a):
    actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 6, 15), level=3)
    assert actions.refresh_elder_categories([elder_in_a.pk]) == 0
    elder_in_a.refresh_from_db()
    assert "disabled" not in elder_in_a.categories


def test_the_bulk_refresh_matches_signing(worker_a, elder_in_a, elder_in_b, sign_new):
    sign_new(elder_in_a, 55)
    elder_in_a.categories = ["alone"]  # as if the category had been lost
    elder_in_a.save(update_fields=["categories_text"])
    assert actions.refresh_elder_categories([elder_in_a.pk, elder_in_b.pk]) == 1
    elder_in_a.refresh_from_db()
    assert "disabled" in elder_in_a.categories
