"""The assessment pages through the test client, as each persona: in and out of scope, the
stepper saving step by step, the report and its PDF, the history, the due list, the import."""

import io

import pytest
from pypdf import PdfReader

from kangyang.assessment import actions
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import ITEMS
from kangyang.assessment.tests.factories import EXAMPLE_BASICS, HEADING, answers_totalling
from kangyang.lib.tests import pdfs

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ID_A = "360103194503120026"


def step_url(a, step: str) -> str:
    return f"/assessment/{a.pk}/step/{step}/"


@pytest.fixture
def signed(sign_new, elder_in_a):
    """elder_in_a's signed assessment: the issue's example, 61 → level 2 → 3."""
    return sign_new(elder_in_a, 61, **EXAMPLE_BASICS)


# -- in and out of scope -------------------------------------------------------------------
def assessment_urls(a) -> list[str]:
    return [f"/assessment/{a.pk}/", f"/assessment/{a.pk}/report.pdf", step_url(a, "basics"),
            step_url(a, "self_care"), step_url(a, "review")]


def test_worker_b_gets_404_for_every_page_of_an_elder_of_community_a(client, worker_b, elder_in_a, signed, draft):
    client.force_login(worker_b)
    for url in [f"/assessment/elders/{elder_in_a.pk}/", f"/assessment/elders/{elder_in_a.pk}/new/",
                *assessment_urls(signed), *assessment_urls(draft)]:
        r = client.get(url)
        assert r.status_code == 404, url
        assert elder_in_a.name not in r.content.decode(errors="replace")
    for url in [f"/assessment/elders/{elder_in_a.pk}/request/", f"/assessment/elders/{elder_in_a.pk}/new/",
                step_url(draft, "self_care"), f"/assessment/{draft.pk}/sign/", f"/assessment/{draft.pk}/discard/"]:
        assert client.post(url, {"reason": "x", "B.1.1": "0"}).status_code == 404, url
    draft.refresh_from_db()
    assert draft.answers == {}


def test_worker_a_opens_every_page_of_their_elder(client, worker_a, elder_in_a, signed, draft):
    client.force_login(worker_a)
    for url in [f"/assessment/elders/{elder_in_a.pk}/", f"/assessment/elders/{elder_in_a.pk}/new/",
                f"/assessment/{signed.pk}/", f"/assessment/{signed.pk}/report.pdf",
                *[step_url(draft, s) for s in ("basics", "self_care", "motor", "mental", "perception_social", "review")]]:
        assert client.get(url).status_code == 200, url


def test_the_operator_reads_reports_but_may_not_assess(client, operator, elder_in_a, signed, draft):
    client.force_login(operator)
    assert client.get(f"/assessment/elders/{elder_in_a.pk}/").status_code == 200
    assert client.get(f"/assessment/{signed.pk}/").status_code == 200
    assert client.get(f"/assessment/elders/{elder_in_a.pk}/new/").status_code == 403
    assert client.get(step_url(draft, "basics")).status_code == 403
    assert client.get(f"/assessment/{draft.pk}/").status_code == 404  # a draft is the assessors' work


def test_the_elder_and_family_see_the_signed_report_only(client, elder, family, elder_in_a, signed, draft):
    for user in (elder, family):
        client.force_login(user)
        assert client.get(f"/assessment/{signed.pk}/").status_code == 200
        page = client.get(f"/assessment/elders/{elder_in_a.pk}/").text
        assert f"/assessment/{signed.pk}/" in page and "/step/" not in page
        assert client.get(step_url(draft, "basics")).status_code == 403


# -- starting and the stepper --------------------------------------------------------------
def test_worker_starts_an_assessment_from_the_elder_page(client, worker_a, elder_in_a, today):
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/").text
    assert f"/assessment/elders/{elder_in_a.pk}/new/" in page
    r = client.post(f"/assessment/elders/{elder_in_a.pk}/new/", {
        "reason": "first", "assessed_on": today.isoformat(), **HEADING})
    a = Assessment.objects.get(elder=elder_in_a)
    assert r.status_code == 302 and r["Location"] == step_url(a, "basics")
    assert (a.assessor_1, a.assessor_2, a.status) == ("万丽", "熊伟", "draft")


def test_the_start_form_needs_both_assessors(client, worker_a, elder_in_a, today):
    client.force_login(worker_a)
    r = client.post(f"/assessment/elders/{elder_in_a.pk}/new/", {"reason": "first", "assessed_on": today.isoformat(),
                                                                  "assessor_1": "万丽"})
    assert r.status_code == 200 and not Assessment.objects.exists()


def test_the_stepper_saves_step_by_step_over_htmx(client, worker_a, draft):
    client.force_login(worker_a)
    r = client.post(step_url(draft, "basics"), {
        "diagnoses": "F01, I10", "coma": "0", "risk_fall": "1", "risk_choking": "1", "risk_lost": "0",
        "risk_self_harm": "0", "risk_other": "0", "special_care": ""}, **HTMX)
    assert r.status_code == 200 and "data-saved" in r.text
    answers = answers_totalling(61)
    for dimension in ("self_care", "motor", "mental", "perception_social"):
        step = {i.code: str(answers[i.code]) for i in ITEMS if i.dimension == dimension}
        assert client.post(step_url(draft, dimension), step, **HTMX).status_code == 200
        draft.refresh_from_db()
        assert all(draft.answers[code] == int(v) for code, v in step.items())
    assert draft.answers == answers
    assert draft.diagnoses == ["F01", "I10"] and draft.risk_events_30d["fall"] == 1


def test_a_step_saves_answers_of_other_steps_sent_with_it(client, worker_a, draft):
    """The tablet sends answers it kept while offline together with the current step's."""
    client.force_login(worker_a)
    client.post(step_url(draft, "motor"), {"B.2.1": "4", "B.1.1": "3", "coma": "1"}, **HTMX)
    draft.refresh_from_db()
    assert draft.answers == {"B.1.1": 3, "B.2.1": 4} and draft.coma is True


def test_a_refused_answer_answers_422_naming_the_item(client, worker_a, draft):
    client.force_login(worker_a)
    r = client.post(step_url(draft, "motor"), {"B.2.4": "4"}, **HTMX, **EN)
    assert r.status_code == 422 and "B.2.4" in r.text and "data-save-error" in r.text


def test_without_javascript_a_step_saves_and_goes_on(client, worker_a, draft):
    client.force_login(worker_a)
    r = client.post(step_url(draft, "self_care"), {"B.1.1": "4", "go": "motor"})
    assert r.status_code == 302 and r["Location"] == step_url(draft, "motor")
    draft.refresh_from_db()
    assert draft.answers == {"B.1.1": 4}


def test_a_step_shows_the_chinese_wording_and_in_english_the_translation_beside(client, worker_a, draft):
    client.force_login(worker_a)
    zh = client.get(step_url(draft, "self_care")).text
    assert "独立使用器具将食物送进口中并咽下，没有呛咳" in zh and "uses utensils alone" not in zh
    en = client.get(step_url(draft, "self_care"), **EN).text
    assert "独立使用器具将食物送进口中并咽下，没有呛咳" in en and "uses utensils alone" in en


def test_the_review_names_the_missing_items_and_signing_refuses(client, worker_a, draft):
    client.force_login(worker_a)
    answers = answers_totalling(61)
    del answers["B.3.4"]
    actions.save_answers(draft, by=worker_a, answers=answers)
    page = client.get(step_url(draft, "review")).text
    assert "B.3.4" in page and "记忆" in page
    r = client.post(f"/assessment/{draft.pk}/sign/")
    assert r.status_code == 422 and "B.3.4" in r.text
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_review_shows_the_result_if_signed_now_then_signing_shows_the_report(client, worker_a, draft):
    client.force_login(worker_a)
    actions.save_answers(draft, by=worker_a, answers=answers_totalling(61), **EXAMPLE_BASICS)
    review = client.get(step_url(draft, "review")).text
    assert 'data-total>61<' in review and 'data-final-level="3"' in review
    assert "F00" in review and "A.2.14" in review  # the reasons for the change, in words
    r = client.post(f"/assessment/{draft.pk}/sign/")
    assert r.status_code == 302 and r["Location"] == f"/assessment/{draft.pk}/"
    draft.refresh_from_db()
    assert (draft.status, draft.total, draft.final_level) == ("signed", 61, 3)
    # the stepper of a signed assessment leads to the report; a late save is refused
    assert client.get(step_url(draft, "motor"))["Location"] == f"/assessment/{draft.pk}/"
    assert client.post(step_url(draft, "motor"), {"B.2.1": "0"}, **HTMX).status_code == 422


# -- the report ----------------------------------------------------------------------------
def test_the_report_shows_the_numbers_of_annex_c(client, worker_a, signed):
    client.force_login(worker_a)
    page = client.get(f"/assessment/{signed.pk}/").text
    for key, score in signed.dimension_scores.items():
        assert f'data-dimension="{key}">{score}<' in page
    assert "data-total>61<" in page
    assert 'data-preliminary-level="2"' in page and 'data-final-level="3"' in page
    assert "中度失能" in page and "重度失能" in page
    assert "万丽" in page and "熊伟" in page and "GB/T 42195-2022" in page
    assert "F00" in page  # the reason for the change, in words


def test_the_report_pdf_is_a_pdf_with_the_chinese_text(client, worker_a, signed):
    client.force_login(worker_a)
    r = client.get(f"/assessment/{signed.pk}/report.pdf")
    assert r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "张桂兰" in text and "重度失能" in text and "自理能力" in text and "61" in text
    assert "万丽" in text and ID_A not in text


def test_the_report_pdf_carries_its_chinese_font(client, worker_a, signed):
    """The glyphs are in the file (FontFile2), not left to the reader's viewer: a page of it,
    rendered, has dark pixels where the title is."""
    client.force_login(worker_a)
    pdf = client.get(f"/assessment/{signed.pk}/report.pdf").content
    fonts = pdfs.fonts_of(pdf)
    assert fonts and all(fonts.values()), fonts
    assert any("NotoSansSC-Kangyang" in name for name in fonts)
    page = pdfs.render_first_page(pdf)
    assert pdfs.dark_share(page, (0.3, 0.04, 0.7, 0.1)) > 0.02  # the title, 能力评估报告


def test_the_pdf_in_english_keeps_the_standards_chinese_wording(client, worker_a, signed):
    client.force_login(worker_a)
    r = client.get(f"/assessment/{signed.pk}/report.pdf", **EN)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "Final level" in text and "重度失能" in text


def test_a_draft_has_no_report(client, worker_a, draft):
    client.force_login(worker_a)
    assert client.get(f"/assessment/{draft.pk}/report.pdf").status_code == 404
    assert client.get(f"/assessment/{draft.pk}/")["Location"] == step_url(draft, "review")


# -- the elder's history and the registry page ---------------------------------------------
def test_the_history_shows_gbt_and_imported_mzt_levels_apart(client, worker_a, elder_in_a, signed):
    import datetime as dt

    old = actions.import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 5, 3), level=2)
    client.force_login(worker_a)
    page = client.get(f"/assessment/elders/{elder_in_a.pk}/").text
    assert "MZ/T 039-2013" in page and "legacy-tag" in page
    assert 'data-current-level="3"' in page
    assert f"/assessment/{old.pk}/" in page
    report = client.get(f"/assessment/{old.pk}/").text
    assert 'data-final-level="2"' in report and "MZ/T 039-2013" in report


def test_the_registry_page_shows_the_current_level(client, worker_a, elder_in_a, signed):
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/").text
    assert 'data-current-level="3"' in page and f"/assessment/elders/{elder_in_a.pk}/" in page


def test_a_worker_asks_for_a_reassessment_after_a_fall(client, worker_a, elder_in_a, signed):
    client.force_login(worker_a)
    r = client.post(f"/assessment/elders/{elder_in_a.pk}/request/", {"reason": "跌倒致骨折"})
    assert r.status_code == 302
    assert elder_in_a.name in client.get("/assessment/due/").text


# -- the due list --------------------------------------------------------------------------
def test_the_due_list_shows_the_workers_own_community_only(client, worker_a, worker_b, elder_in_a, elder_in_b, sign_new, today):
    sign_new(elder_in_a, 70, assessed_on=actions.add_months(today, -13))
    client.force_login(worker_a)
    page = client.get("/assessment/due/").text
    assert elder_in_a.name in page and elder_in_b.name not in page
    client.force_login(worker_b)
    page = client.get("/assessment/due/").text
    assert elder_in_b.name in page and elder_in_a.name not in page  # disabled, never assessed


def test_the_due_list_filters_by_community_over_htmx(client, admin, elder_in_a, elder_in_b):
    client.force_login(admin)
    r = client.get("/assessment/due/", {"community": "360103002001"}, **HTMX)
    assert elder_in_b.name in r.text and "<html" not in r.text
    assert elder_in_b.name not in client.get("/assessment/due/", {"community": "360103001001"}).text


# -- importing MZ/T 039-2013 history -------------------------------------------------------
def test_worker_uploads_a_history_sheet_and_sees_the_refused_rows(client, worker_a, elder_in_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(worker_a)
    data = f"身份证号,评估日期,等级\n{ID_A},2021-05-03,2\n{ID_A},不详,2\n".encode("utf-8-sig")
    r = client.post("/assessment/import/", {"file": SimpleUploadedFile("history.csv", data)})
    assert r.status_code == 200 and "import-outcome" in r.text
    assert Assessment.objects.get(elder=elder_in_a).final_level == 2
    assert "不详" in r.text


def test_the_operator_may_not_import(client, operator):
    client.force_login(operator)
    assert client.get("/assessment/import/").status_code == 403
