"""Pages a community worker and the bureau use daily (issue 12): a new application for an
elder, objections recorded and answered during the public notice, a bank batch cancelled
before the bank pays it. Through the test client, as the right role and as a wrong one."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.allowances import actions, constants
from kangyang.allowances.models import Application, Objection, PaymentRoll, PayoutBatch, Policy
from kangyang.allowances.tests.conftest import SINCE, approve_all, born, make_elder

REFUSED = "您无权打开此页面"  # the 403 page, in Chinese


@pytest.fixture
def policy(admin, district):
    """A longevity allowance paid on application after a 7-day public notice."""
    return actions.create_policy(by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴", region=district,
                                 effective_from=SINCE, bands=constants.EXAMPLE_LONGEVITY_BANDS, notice_days=7)


@pytest.fixture
def elder_a(worker_a, community_a, this_month):
    return make_elder(worker_a, community_a, birth=born(88, on=this_month), name="陈玉珍")


def refused(response) -> bool:
    return response.status_code == 403 and REFUSED in response.content.decode()


# -- a new application -----------------------------------------------------------------------
def test_a_worker_applies_for_an_elder_from_the_elder_s_page(client, worker_a, elder_a, policy, today):
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_a.pk}/").content.decode()
    new = f"/allowances/applications/new/?elder={elder_a.pk}"
    assert new in page
    form = client.get(new).content.decode()
    assert "陈玉珍" in form and "高龄津贴" in form and elder_a._id_number() not in form
    r = client.post(new, {"elder": elder_a.pk, "policy": policy.pk, "applicant": "family",
                          "applicant_name": "陈建华", "channel": "counter", "applied_on": today.isoformat(),
                          "documents": "身份证、户口簿"})
    application = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/allowances/applications/{application.pk}/"
    assert (application.elder, application.policy, application.applicant, application.applicant_name,
            application.channel, application.applied_on, application.documents, application.created_by) == (
        elder_a, policy, "family", "陈建华", "counter", today, "身份证、户口簿", worker_a)
    assert application.status == Application.Status.SUBMITTED
    assert AuditEntry.objects.filter(verb="application.submit", actor=worker_a).count() == 1
    assert "高龄津贴" in client.get(f"/registry/elders/{elder_a.pk}/").content.decode()  # listed on the elder


def test_a_worker_finds_the_elder_from_the_applications_list_and_a_refusal_is_told(
    client, worker_a, elder_a, elder_in_b, policy, today,
):
    client.force_login(worker_a)
    assert "/allowances/applications/new/" in client.get("/allowances/applications/").content.decode()
    found = client.get("/allowances/applications/new/", {"q": "陈"}).content.decode()
    assert f"?elder={elder_a.pk}" in found
    assert "李建国" not in client.get("/allowances/applications/new/", {"q": "李"}).content.decode()  # not her area
    data = {"elder": elder_a.pk, "policy": policy.pk, "applicant": "elder", "applicant_name": "",
            "channel": "visit", "applied_on": today.isoformat()}
    client.post("/allowances/applications/new/", data)
    assert Application.objects.get().applicant_name == "陈玉珍"  # the elder in person
    page = client.post("/allowances/applications/new/", data, follow=True).content.decode()
    assert "该老人已有此项补贴的申请" in page  # the second is refused, and the reader is told
    assert Application.objects.count() == 1
    future = {**data, "applied_on": (today + dt.timedelta(days=3)).isoformat()}
    Application.objects.all().delete()
    r = client.post("/allowances/applications/new/", future)
    assert r.status_code == 200 and not Application.objects.exists()  # the form again, filled in


def test_other_roles_cannot_apply(client, worker_b, operator, provider, elder_a, policy, today):
    data = {"elder": elder_a.pk, "policy": policy.pk, "applicant": "elder", "channel": "counter",
            "applied_on": today.isoformat()}
    client.force_login(worker_b)  # another community: the elder does not exist for her
    assert client.get(f"/allowances/applications/new/?elder={elder_a.pk}").status_code == 404
    assert client.post("/allowances/applications/new/", data).status_code == 404
    for user in (operator, provider):  # no business with allowances
        client.force_login(user)
        assert refused(client.get(f"/allowances/applications/new/?elder={elder_a.pk}"))
        assert refused(client.post("/allowances/applications/new/", data))
    assert not Application.objects.exists()


# -- objections during the public notice ---------------------------------------------------------
@pytest.fixture
def on_notice(worker_a, elder_a, policy, today):
    application = actions.submit_application(
        elder_a, by=worker_a, policy=policy, applicant="elder", applicant_name="", channel="counter",
        applied_on=today - dt.timedelta(days=3))
    return actions.publish_notice(application, by=worker_a, start=today - dt.timedelta(days=2))


def test_a_worker_records_an_objection_and_its_finding_then_the_officer_may_approve(
    client, worker_a, subdistrict, on_notice, today,
):
    client.force_login(worker_a)
    board = client.get("/allowances/notice/").content.decode()
    url = f"/allowances/applications/{on_notice.pk}/"
    assert url in board
    page = client.get(url).content.decode()
    assert "陈玉珍" in page and f"{url}objections/" in page
    r = client.post(f"{url}objections/", {"received_on": today.isoformat(), "objector": "",
                                          "content": "邻居反映老人常住外地"})
    assert r.status_code == 302 and r["Location"] == url
    objection = Objection.objects.get()
    assert (objection.content, objection.received_on, objection.recorded_by) == ("邻居反映老人常住外地", today, worker_a)
    page = client.get(url).content.decode()
    assert "邻居反映老人常住外地" in page and f"/allowances/objections/{objection.pk}/answer/" in page
    client.post(f"/allowances/objections/{objection.pk}/answer/", {"finding": "经入户核实，老人常住本社区"})
    objection.refresh_from_db()
    assert objection.finding == "经入户核实，老人常住本社区"
    assert "经入户核实" in client.get(url).content.decode()
    assert {"application.objection", "application.objection_answer"} <= set(
        AuditEntry.objects.filter(actor=worker_a).values_list("verb", flat=True))
    # The notice over, the subdistrict officer approves on the same page.
    Application.objects.filter(pk=on_notice.pk).update(notice_until=today - dt.timedelta(days=1))
    client.force_login(subdistrict)
    r = client.post(f"{url}approve/", {"back": "application"})
    assert r["Location"] == url
    on_notice.refresh_from_db()
    assert on_notice.status == Application.Status.APPROVED


def test_an_objection_outside_the_notice_is_refused_with_a_reason(client, worker_a, on_notice, today):
    client.force_login(worker_a)
    page = client.post(f"/allowances/applications/{on_notice.pk}/objections/", {
        "received_on": (today - dt.timedelta(days=10)).isoformat(), "content": "太早的异议"}, follow=True)
    assert not Objection.objects.exists()
    assert "该异议不是在公示期内收到的" in page.content.decode()


def test_objections_are_for_the_area_s_staff_only(client, worker_a, worker_b, operator, provider, on_notice, today):
    objection = actions.record_objection(on_notice, by=worker_a, received_on=today, content="有异议")
    url = f"/allowances/applications/{on_notice.pk}/"
    data = {"received_on": today.isoformat(), "content": "再提一条"}
    client.force_login(worker_b)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}objections/", data).status_code == 404
    assert client.post(f"/allowances/objections/{objection.pk}/answer/", {"finding": "查无此事"}).status_code == 404
    for user in (operator, provider):
        client.force_login(user)
        assert refused(client.get(url))
        assert refused(client.post(f"{url}objections/", data))
        assert refused(client.post(f"/allowances/objections/{objection.pk}/answer/", {"finding": "查无此事"}))
    assert Objection.objects.count() == 1 and Objection.objects.get().finding == ""


# -- cancelling a bank batch on its page -----------------------------------------------------------
@pytest.fixture
def batch(admin, subdistrict, worker_a, community_a, district, this_month, generate, today):
    longevity = actions.create_policy(by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴（免申）", region=district,
                                      effective_from=SINCE, bands=constants.EXAMPLE_LONGEVITY_BANDS,
                                      needs_application=False)
    make_elder(worker_a, community_a, birth=born(85, on=this_month), name="周桂芳")
    generate(admin, longevity, this_month, district)
    approve_all(PaymentRoll.objects.get(), worker=worker_a, officer=subdistrict, admin=admin)
    return actions.prepare_payout_batch(by=admin, policy=longevity, month=this_month, region=district)


def test_the_bureau_admin_cancels_a_batch_on_its_page_and_makes_it_again(client, admin, batch):
    client.force_login(admin)
    url = f"/allowances/payouts/{batch.pk}/"
    assert f"{url}cancel/" in client.get(url).content.decode()
    client.post(f"{url}cancel/", {"reason": ""})  # a reason is needed
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PREPARED
    r = client.post(f"{url}cancel/", {"reason": "选错了银行格式"})
    assert r.status_code == 302 and r["Location"] == url
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.CANCELLED
    page = client.get(url).content.decode()
    assert "选错了银行格式" in page and f"{url}cancel/" not in page and f"{url}file/" not in page
    assert client.get(f"{url}file/").status_code == 302  # no file of a cancelled batch
    assert not AuditEntry.objects.filter(verb="payout_batch.download").exists()
    client.post("/allowances/payouts/", {"policy": batch.policy_id, "month": batch.month.strftime("%Y-%m")})
    again = PayoutBatch.objects.exclude(pk=batch.pk).get()
    assert again.line_count == batch.line_count and again.status == PayoutBatch.Status.PREPARED


def test_a_paid_batch_has_no_cancel_button_and_others_cannot_cancel(
    client, admin, subdistrict, worker_a, operator, batch,
):
    url = f"/allowances/payouts/{batch.pk}/"
    for user in (subdistrict, worker_a):  # the district's batch is not in their area
        client.force_login(user)
        assert client.post(f"{url}cancel/", {"reason": "撤回"}).status_code == 404
    client.force_login(operator)  # no business with allowances
    assert refused(client.post(f"{url}cancel/", {"reason": "撤回"}))
    actions.record_batch_paid(batch, by=admin, bank_reference="NB-9", paid_on=timezone.localdate())
    client.force_login(admin)
    assert f"{url}cancel/" not in client.get(url).content.decode()
    client.post(f"{url}cancel/", {"reason": "撤回"})
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID
