"""A community worker assesses an elder at home on a tablet, in a real Chromium: step by step,
with the connection lost for one step, then signs and gets the report."""

import pytest

from e2e.conftest import sign_in
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import ITEMS
from kangyang.assessment.tests.factories import answers_totalling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = answers_totalling(61)  # with F01 and two care-risk events: level 2 → 3 (the example)


def answer_step(page, dimension: str) -> list[str]:
    codes = [i.code for i in ITEMS if i.dimension == dimension]
    for code in codes:
        page.check(f"input[name='{code}'][value='{ANSWERS[code]}']")
    return codes


def wait_saved(page) -> None:
    page.wait_for_selector("#save-status[data-state=saved]")


def stored_answers(assessment_id: int) -> dict:
    return Assessment.objects.get(pk=assessment_id).answers


def test_worker_fills_in_an_assessment_offline_for_a_step_signs_it_and_gets_the_report(
    live_server, tablet, worker_a, elder_in_a
):
    page = tablet
    sign_in(page, live_server, "worker_a")

    # from the elder's page to a new assessment
    page.goto(f"{live_server.url}/registry/elders/{elder_in_a.pk}/")
    page.locator(f"a[href='/assessment/elders/{elder_in_a.pk}/new/']").first.click()
    page.fill("input[name=assessor_1]", "万丽")
    page.fill("input[name=assessor_2]", "熊伟")
    page.fill("input[name=place]", "家中")
    page.fill("input[name=informant]", "王芳")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/step/basics/")
    assessment_id = int(page.url.rstrip("/").split("/")[-3])

    # basics: a dementia diagnosis and two care-risk events
    page.fill("input[name=diagnoses]", "F01, I10")
    page.locator("input[name=diagnoses]").blur()
    page.check("input[name=risk_fall][value='1']")
    page.check("input[name=risk_choking][value='1']")
    wait_saved(page)
    page.locator("button[name=go][value=self_care]").click()
    page.wait_for_url("**/step/self_care/")

    # self-care, saved answer by answer
    codes = answer_step(page, "self_care")
    wait_saved(page)
    assert all(stored_answers(assessment_id).get(c) == ANSWERS[c] for c in codes)
    page.locator("button[name=go][value=motor]").click()
    page.wait_for_url("**/step/motor/")

    # basic motor ability with the connection cut: nothing reaches the server, nothing is lost
    page.context.set_offline(True)
    codes = answer_step(page, "motor")
    page.wait_for_selector("#save-status[data-state=offline], #save-status[data-state=pending]")
    assert not any(c in stored_answers(assessment_id) for c in codes)
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('kangyang:assessment:{assessment_id}'))")
    assert {c: int(v) for c, v in kept.items()} == {c: ANSWERS[c] for c in codes}
    # asking for the next step while offline stays on this step
    page.locator("button[name=go][value=mental]").click()
    page.wait_for_timeout(300)
    assert page.url.endswith("/step/motor/")
    # the connection is back: the answers are sent, then the tablet goes on by itself
    page.context.set_offline(False)
    page.wait_for_url("**/step/mental/")
    assert all(stored_answers(assessment_id).get(c) == ANSWERS[c] for c in codes)
    assert page.evaluate(f"localStorage.getItem('kangyang:assessment:{assessment_id}')") is None

    answer_step(page, "mental")
    wait_saved(page)
    page.locator("button[name=go][value=perception_social]").click()
    page.wait_for_url("**/step/perception_social/")
    answer_step(page, "perception_social")
    wait_saved(page)
    page.locator("button[name=go][value=review]").click()
    page.wait_for_url("**/step/review/")

    # review: the result if signed now, then sign
    assert page.locator("[data-total]").inner_text() == "61"
    page.locator("form[data-sign-form] button[type=submit]").click()
    page.wait_for_url(f"**/assessment/{assessment_id}/")

    # the report: Annex C numbers
    assert page.locator("[data-total]").inner_text() == "61"
    assert page.locator("[data-preliminary-level]").get_attribute("data-preliminary-level") == "2"
    assert page.locator("[data-final-level]").get_attribute("data-final-level") == "3"
    assert "重度失能" in page.locator("[data-final-level]").inner_text()
    a = Assessment.objects.get(pk=assessment_id)
    assert (a.status, a.total, a.preliminary_level, a.final_level, a.answers) == ("signed", 61, 2, 3, ANSWERS)
    assert (a.diagnoses, a.risk_events_30d["fall"], a.risk_events_30d["choking"]) == (["F01", "I10"], 1, 1)

    pdf = page.request.get(f"{live_server.url}/assessment/{assessment_id}/report.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")


def test_answers_kept_on_the_tablet_are_sent_when_the_page_opens_again(live_server, tablet, worker_a, elder_in_a):
    """The tablet was closed before the connection came back: the next visit sends them."""
    from kangyang.assessment import actions

    a = actions.start_assessment(elder_in_a, by=worker_a, reason="first", assessor_1="万丽", assessor_2="熊伟")
    page = tablet
    sign_in(page, live_server, "worker_a")
    page.goto(f"{live_server.url}/assessment/{a.pk}/step/basics/")
    page.evaluate(f"localStorage.setItem('kangyang:assessment:{a.pk}', JSON.stringify({{'B.3.1': '2', 'B.3.2': '1'}}))")
    page.goto(f"{live_server.url}/assessment/{a.pk}/step/mental/")
    wait_saved(page)
    assert page.locator("input[name='B.3.1'][value='2']").is_checked()
    assert stored_answers(a.pk) == {"B.3.1": 2, "B.3.2": 1}
