"""The assessment actions, called directly: who may assess, partial saves, signing, the
immutability of a signed assessment, due dates, MZ/T 039-2013 history and re-assessment requests."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from kangyang.assessment import actions, queries
from kangyang.assessment.models import Assessment, ReassessmentRequest
from kangyang.assessment.standard import PREVIOUS_STANDARD, STANDARD
from kangyang.assessment.tests.factories import EXAMPLE_BASICS, HEADING, answers_totalling
from kangyang.audit.models import AuditEntry
from kangyang.registry.actions import set_elder_status
from kangyang.registry.models import Elder

ID_A = "360103194503120026"  # elder_in_a
ID_B = "360103193807150019"  # elder_in_b


# -- who may assess ------------------------------------------------------------------------
def test_worker_starts_a_draft_for_an_elder_of_their_community(worker_a, elder_in_a, today):
    a = actions.start_assessment(elder_in_a, by=worker_a, reason="first", **HEADING)
    assert (a.status, a.standard, a.assessed_on, a.region_code) == ("draft", STANDARD, today, elder_in_a.region_code)
    assert AuditEntry.objects.filter(verb="assessment.start", target_id=str(a.pk), actor=worker_a).exists()


@pytest.mark.parametrize("persona", ["worker_b", "operator", "elder", "family", "provider"])
def test_only_staff_whose_area_covers_the_elder_may_assess(request, persona, elder_in_a):
    with pytest.raises(PermissionDenied):
        actions.start_assessment(elder_in_a, by=request.getfixturevalue(persona), reason="first")


@pytest.mark.parametrize("persona", ["subdistrict", "admin"])
def test_officers_above_the_community_may_assess_too(request, persona, elder_in_a):
    assert actions.start_assessment(elder_in_a, by=request.getfixturevalue(persona), reason="first").pk


def test_a_date_in_the_future_or_an_unknown_reason_is_refused(worker_a, elder_in_a, today):
    with pytest.raises(ValidationError) as e:
        actions.start_assessment(elder_in_a, by=worker_a, reason="whim", assessed_on=today + dt.timedelta(days=1))
    assert set(e.value.message_dict) == {"reason", "assessed_on"}


def test_a_deceased_elder_is_not_assessed(worker_a, elder_in_a, today):
    set_elder_status(elder_in_a, by=worker_a, status="deceased", on=today)
    with pytest.raises(ValidationError) as e:
        actions.start_assessment(elder_in_a, by=worker_a, reason="routine")
    assert e.value.error_dict["elder"][0].code == "inactive"


# -- saving answers ------------------------------------------------------------------------
def test_answers_are_saved_in_parts_and_merged(draft, worker_a):
    actions.save_answers(draft, by=worker_a, answers={"B.1.1": 4, "B.1.2": "3"})
    actions.save_answers(draft, by=worker_a, answers={"B.2.1": 2}, diagnoses="f01，I10 f01")
    actions.save_answers(draft, by=worker_a, coma=False, risk_events_30d={"fall": 1})
    actions.save_answers(draft, by=worker_a, risk_events_30d={"choking": 1}, special_care="留置胃管")
    draft.refresh_from_db()
    assert draft.answers == {"B.1.1": 4, "B.1.2": 3, "B.2.1": 2}
    assert draft.diagnoses == ["F01", "I10"]
    assert draft.risk_events_30d == {"fall": 1, "choking": 1}
    assert draft.special_care == "留置胃管"


def test_an_answer_can_be_cleared_before_signing(draft, worker_a):
    actions.save_answers(draft, by=worker_a, answers={"B.1.1": 4, "B.1.2": 3})
    actions.save_answers(draft, by=worker_a, answers={"B.1.1": ""})
    draft.refresh_from_db()
    assert draft.answers == {"B.1.2": 3}


@pytest.mark.parametrize("code, value, error", [
    ("B.2.4", 4, "out_of_range"), ("B.3.7", 2, "out_of_range"), ("B.1.1", -1, "out_of_range"),
    ("B.1.1", "x", "out_of_range"), ("B.9.9", 1, "unknown_item"),
])
def test_an_impossible_answer_is_refused_naming_the_item(draft, worker_a, code, value, error):
    with pytest.raises(ValidationError) as e:
        actions.save_answers(draft, by=worker_a, answers={"B.1.2": 4, code: value})
    assert list(e.value.error_dict) == [code]
    assert e.value.error_dict[code][0].code == error
    draft.refresh_from_db()
    assert draft.answers == {}  # nothing of a refused save is kept


def test_a_diagnosis_that_is_no_icd10_code_is_refused(draft, worker_a):
    with pytest.raises(ValidationError) as e:
        actions.save_answers(draft, by=worker_a, diagnoses=["老年痴呆"])
    assert "diagnoses" in e.value.message_dict


def test_saving_nothing_new_writes_no_audit_entry(draft, worker_a):
    actions.save_answers(draft, by=worker_a, answers={"B.1.1": 4})
    actions.save_answers(draft, by=worker_a, answers={"B.1.1": 4})
    assert AuditEntry.objects.filter(verb="assessment.save").count() == 1
    assert AuditEntry.objects.get(verb="assessment.save").changes == {"B.1.1": "changed"}


# -- signing -------------------------------------------------------------------------------
def test_signing_refuses_an_incomplete_assessment_naming_every_missing_item(draft, worker_a):
    answers = answers_totalling(61)
    for code in ("B.1.3", "B.3.4", "B.4.5"):
        del answers[code]
    actions.save_answers(draft, by=worker_a, answers=answers)
    with pytest.raises(ValidationError) as e:
        actions.sign_assessment(draft, by=worker_a)
    assert set(e.value.message_dict) == {"B.1.3", "B.3.4", "B.4.5"}
    assert "记忆" in " ".join(e.value.message_dict["B.3.4"])
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.total is None


def test_signing_needs_the_names_of_both_assessors(worker_a, elder_in_a):
    a = actions.start_assessment(elder_in_a, by=worker_a, reason="first", assessor_1="万丽")
    actions.save_answers(a, by=worker_a, answers=answers_totalling(70))
    with pytest.raises(ValidationError) as e:
        actions.sign_assessment(a, by=worker_a)
    assert set(e.value.message_dict) == {"assessor_2"}


def test_signing_scores_the_issue_example_61_level_2_then_3(draft, worker_a, today, settings):
    settings.ASSESSMENT_STACK_RAISES = False
    actions.save_answers(draft, by=worker_a, answers=answers_totalling(61), **EXAMPLE_BASICS)
    a = actions.sign_assessment(draft, by=worker_a)
    a.refresh_from_db()
    assert (a.total, a.preliminary_level, a.final_level) == (61, 2, 3)
    assert sum(a.dimension_scores.values()) == 61
    assert a.level_change_reasons == ["dementia", "risk_events"]
    assert (a.status, a.signed_by, a.stack_raises) == ("signed", worker_a, False)
    assert a.signed_at is not None
    assert AuditEntry.objects.filter(verb="assessment.sign", target_id=str(a.pk)).exists()


def test_with_stacked_raises_the_example_is_level_4(draft, worker_a, settings):
    settings.ASSESSMENT_STACK_RAISES = True
    actions.save_answers(draft, by=worker_a, answers=answers_totalling(61), **EXAMPLE_BASICS)
    a = actions.sign_assessment(draft, by=worker_a)
    assert (a.final_level, a.stack_raises) == (4, True)


# -- a signed assessment never changes -----------------------------------------------------
@pytest.fixture
def signed(sign_new, elder_in_a):
    return sign_new(elder_in_a, 61, **EXAMPLE_BASICS)


def test_a_signed_assessment_refuses_new_answers(signed, worker_a):
    with pytest.raises(ValidationError) as e:
        actions.save_answers(signed, by=worker_a, answers={"B.1.1": 0})
    assert e.value.code == "signed"
    with pytest.raises(ValidationError) as e:
        actions.sign_assessment(signed, by=worker_a)
    assert e.value.code == "signed"


def test_a_signed_assessment_cannot_be_written_over_even_by_the_orm(signed):
    signed.total = 90
    with pytest.raises(ValidationError):
        signed.save()
    with pytest.raises(ValidationError):
        Assessment.objects.filter(pk=signed.pk).update(total=90)
    with pytest.raises(ValidationError):
        Assessment.objects.filter(pk=signed.pk).delete()
    with pytest.raises(ValidationError):
        actions.discard_draft(Assessment.objects.get(pk=signed.pk), by=signed.signed_by)
    assert Assessment.objects.get(pk=signed.pk).total == 61


def test_a_correction_is_a_new_assessment_and_becomes_the_current_one(signed, sign_new, elder_in_a, today):
    correction = sign_new(elder_in_a, 50, reason="dispute")
    assert Assessment.objects.filter(elder=elder_in_a).count() == 2
    assert queries.current_assessment(elder_in_a, on=today) == correction
    assert Assessment.objects.get(pk=signed.pk).total == 61


def test_a_draft_can_be_discarded(draft, worker_a):
    actions.discard_draft(draft, by=worker_a)
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    assert AuditEntry.objects.filter(verb="assessment.discard").exists()


# -- due dates -----------------------------------------------------------------------------
def test_a_signed_assessment_is_valid_12_months(sign_new, elder_in_a):
    a = sign_new(elder_in_a, 70, assessed_on=dt.date(2025, 3, 15))
    assert a.valid_until == dt.date(2026, 3, 15)


def test_the_validity_follows_the_setting(sign_new, elder_in_a, settings):
    settings.ASSESSMENT_VALID_MONTHS = 24
    assert sign_new(elder_in_a, 70, assessed_on=dt.date(2025, 3, 15)).valid_until == dt.date(2027, 3, 15)


def test_an_immediate_reassessment_is_valid_6_months(sign_new, elder_in_a):
    a = sign_new(elder_in_a, 70, reason="immediate", assessed_on=dt.date(2025, 8, 31))
    assert a.valid_until == dt.date(2026, 2, 28)


def test_a_level_change_of_two_or_more_shortens_the_validity_to_6_months(sign_new, elder_in_a, settings):
    settings.ASSESSMENT_SHORT_VALID_MONTHS = 6
    sign_new(elder_in_a, 80, assessed_on=dt.date(2025, 1, 10))  # level 1
    one_step = sign_new(elder_in_a, 60, reason="routine", assessed_on=dt.date(2025, 4, 10))  # level 2
    assert one_step.valid_until == dt.date(2026, 4, 10)
    two_steps = sign_new(elder_in_a, 20, reason="routine", assessed_on=dt.date(2025, 5, 10))  # level 4
    assert two_steps.valid_until == dt.date(2025, 11, 10)


def test_the_short_validity_follows_its_setting(sign_new, elder_in_a, settings):
    settings.ASSESSMENT_SHORT_VALID_MONTHS = 3
    assert sign_new(elder_in_a, 70, reason="immediate", assessed_on=dt.date(2025, 1, 31)).valid_until == dt.date(2025, 4, 30)


@pytest.mark.parametrize("day, months, expected", [
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)), (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
    (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)), (dt.date(2024, 11, 30), 3, dt.date(2025, 2, 28)),
    (dt.date(2024, 5, 15), -11, dt.date(2023, 6, 15)),
])
def test_add_months_keeps_the_day_or_takes_the_last_of_the_month(day, months, expected):
    assert actions.add_months(day, months) == expected


def test_an_expired_assessment_is_no_current_level(sign_new, elder_in_a, today):
    sign_new(elder_in_a, 70, assessed_on=actions.add_months(today, -13))
    assert queries.current_assessment(elder_in_a, on=today) is None


# -- MZ/T 039-2013 history -----------------------------------------------------------------
def test_an_imported_mzt_level_is_history_never_the_current_level(worker_a, elder_in_a, today):
    a = actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=today - dt.timedelta(days=30), level=3)
    assert (a.standard, a.imported, a.final_level, a.status, a.valid_until) == (PREVIOUS_STANDARD, True, 3, "signed", None)
    assert queries.current_assessment(elder_in_a, on=today) is None
    level = Elder.objects.annotate(level=queries.current_level_subquery(today)).get(pk=elder_in_a.pk).level
    assert level is None
    assert AuditEntry.objects.filter(verb="assessment.import", target_id=str(a.pk)).exists()


def test_an_imported_level_does_not_shorten_the_next_validity(worker_a, sign_new, elder_in_a):
    actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 5, 3), level=0)
    a = sign_new(elder_in_a, 20, assessed_on=dt.date(2025, 5, 3))  # GB/T level 4
    assert a.valid_until == dt.date(2026, 5, 3)


@pytest.mark.parametrize("level", [4, -1, True])
def test_an_mzt_level_is_0_to_3(worker_a, elder_in_a, level):
    with pytest.raises(ValidationError) as e:
        actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 5, 3), level=level)
    assert "level" in e.value.message_dict


def test_the_same_mzt_result_is_imported_once(worker_a, elder_in_a):
    actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 5, 3), level=1)
    with pytest.raises(ValidationError) as e:
        actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 5, 3), level=2)
    assert e.value.code == "already_imported"


def sheet_csv(rows) -> bytes:
    lines = ["身份证号,评估日期,等级"] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def test_a_history_sheet_keeps_the_good_rows_and_reports_the_bad_ones(worker_a, elder_in_a, elder_in_b):
    data = sheet_csv([
        (ID_A, "2021-05-03", "2"),
        (ID_A, "2020/3/1", "轻度失能"),
        (ID_A, "2021-05-03", "2"),               # the same again: already there
        (ID_B, "2021-05-03", "1"),               # another community's elder
        ("360103194503120027", "2021-05-03", "1"),  # wrong check digit
        (ID_A, "去年", "1"),                      # no date
        (ID_A, "2019-01-01", "4"),               # no MZ/T level
    ])
    outcome = actions.import_legacy_sheet(by=worker_a, data=data, filename="历史评估.csv")
    assert (outcome.created, outcome.already) == (2, 1)
    assert [row for row, _message in outcome.errors] == [5, 6, 7, 8]
    levels = sorted(Assessment.objects.filter(elder=elder_in_a).values_list("assessed_on", "final_level"))
    assert levels == [(dt.date(2020, 3, 1), 1), (dt.date(2021, 5, 3), 2)]
    assert not Assessment.objects.filter(elder=elder_in_b).exists()


def test_a_history_sheet_may_be_an_xlsx_with_excel_dates(worker_a, elder_in_a):
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "评估日期", "等级"])
    ws.append([ID_A, dt.datetime(2022, 7, 1), 3])
    buf = io.BytesIO()
    wb.save(buf)
    outcome = actions.import_legacy_sheet(by=worker_a, data=buf.getvalue(), filename="history.xlsx")
    assert (outcome.created, outcome.errors) == (1, [])
    assert Assessment.objects.get(elder=elder_in_a).assessed_on == dt.date(2022, 7, 1)


def test_a_history_sheet_without_its_columns_is_refused(worker_a, elder_in_a):
    with pytest.raises(ValidationError) as e:
        actions.import_legacy_sheet(by=worker_a, data="姓名,等级\n张桂兰,1\n".encode(), filename="x.csv")
    assert e.value.code == "missing_columns"


def test_the_operator_may_not_import_history(operator):
    with pytest.raises(PermissionDenied):
        actions.import_legacy_sheet(by=operator, data=sheet_csv([]), filename="x.csv")


# -- re-assessment after a change of status --------------------------------------------------
def test_a_reassessment_request_puts_the_elder_on_the_due_list_keeping_the_level(worker_a, sign_new, elder_in_a, today):
    sign_new(elder_in_a, 70)
    assert elder_in_a not in queries.due_for(worker_a)
    request = actions.request_reassessment(elder_in_a, by=worker_a, reason="跌倒后髋部骨折")
    due = queries.due_for(worker_a).get(pk=elder_in_a.pk)
    assert (due.due_on, due.requested_on) == (today, today)
    assert queries.current_assessment(elder_in_a, on=today).final_level == 1
    assert actions.request_reassessment(elder_in_a, by=worker_a, reason="again") == request
    assert AuditEntry.objects.filter(verb="assessment.request").count() == 1


def test_the_next_signed_assessment_fulfils_the_request(worker_a, sign_new, elder_in_a):
    actions.request_reassessment(elder_in_a, by=worker_a, reason="脑卒中")
    new = sign_new(elder_in_a, 40, reason="immediate")
    assert ReassessmentRequest.objects.get().fulfilled_by == new
    assert elder_in_a not in queries.due_for(worker_a)


def test_a_request_needs_a_reason_and_a_colleague_of_the_area(worker_a, worker_b, elder_in_a):
    with pytest.raises(ValidationError):
        actions.request_reassessment(elder_in_a, by=worker_a, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.request_reassessment(elder_in_a, by=worker_b, reason="跌倒")


# -- the due list --------------------------------------------------------------------------
def test_the_due_list_holds_expired_due_soon_and_disabled_never_assessed(
    worker_a, community_a, sign_new, elder_in_a, today,
):
    from kangyang.registry.actions import create_elder

    def elder(name, id_number, categories=()):
        return create_elder(by=worker_a, name=name, id_number=id_number, community=community_a, categories=categories)

    expired, soon, later = elder_in_a, elder("王秀英", "36010319400101002X"), elder("刘德明", "360103194101010019")
    elder("陈玉兰", "360103194201010040", ["disabled"])  # disabled, never assessed
    disabled_mzt_only = elder("胡福生", "360103194301010056", ["severely_disabled"])
    able_never = elder("熊桂香", "360103194401010029")
    sign_new(expired, 70, assessed_on=actions.add_months(today, -13))
    sign_new(soon, 70, assessed_on=actions.add_months(today, -12) + dt.timedelta(days=20))
    sign_new(later, 70, assessed_on=actions.add_months(today, -6))
    actions.import_legacy_assessment(disabled_mzt_only, by=worker_a, assessed_on=dt.date(2021, 1, 5), level=3)
    rows = list(queries.due_for(worker_a))
    names = [e.name for e in rows]
    assert set(names[:2]) == {"陈玉兰", "胡福生"}  # never assessed first, then by due date
    assert names[2:] == [expired.name, "王秀英"]
    assert able_never not in rows and later not in rows
    assert rows[2].last_level == 1 and rows[2].due_on < today


def test_the_due_list_is_scoped_and_leaves_out_the_dead(worker_a, worker_b, admin, elder_in_a, elder_in_b, today):
    # elder_in_b is disabled and never assessed
    assert [e.name for e in queries.due_for(worker_b)] == [elder_in_b.name]
    assert list(queries.due_for(worker_a)) == []
    assert [e.name for e in queries.due_for(admin)] == [elder_in_b.name]
    assert [e.name for e in queries.due_for(admin, community="360103001001")] == []
    set_elder_status(elder_in_b, by=worker_b, status="deceased", on=today)
    assert list(queries.due_for(worker_b)) == []
