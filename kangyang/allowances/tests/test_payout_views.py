"""The pages of bank batches, failed payments, applications on notice and survival
certification, through the test client, as each persona."""

import datetime as dt

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kangyang.allowances import actions
from kangyang.allowances.models import Application, PaymentLine, PaymentRoll, PayoutBatch, Policy
from kangyang.allowances.tests.conftest import SINCE, approve_all, born, make_elder
from kangyang.allowances import constants

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def approved(admin, subdistrict, worker_a, community_a, longevity, generate, this_month, district):
    make_elder(worker_a, community_a, birth=born(85, on=this_month), name="周桂芳")
    generate(admin, longevity, this_month, district)
    return approve_all(PaymentRoll.objects.get(), worker=worker_a, officer=subdistrict, admin=admin)


def test_the_admin_makes_a_batch_and_downloads_it_without_changing_anything(
    client, admin, worker_a, worker_b, approved, longevity, this_month,
):
    client.force_login(admin)
    r = client.post("/allowances/payouts/", {"policy": longevity.pk, "month": this_month.strftime("%Y-%m")})
    batch = PayoutBatch.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/payouts/{batch.pk}/")
    page = client.get(f"/allowances/payouts/{batch.pk}/", **EN)
    assert "周桂芳" in page.text and "Download the bank file" in page.text
    before = (list(PaymentRoll.objects.values_list("status", "exported_at")), batch.status)
    for _time in range(2):
        r = client.get(f"/allowances/payouts/{batch.pk}/file/")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    batch.refresh_from_db()
    assert (list(PaymentRoll.objects.values_list("status", "exported_at")), batch.status) == before
    assert load_workbook(__import__("io").BytesIO(r.content)).worksheets[0]["B2"].value == "周桂芳"
    r = client.post(f"/allowances/payouts/{batch.pk}/paid/", {"bank_reference": "NB-1", "paid_on": timezone.localdate()})
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.PAID and PaymentRoll.objects.get().status == "exported"
    # A district's batch is the bureau's: a community worker neither sees it nor gets its file.
    for worker in (worker_a, worker_b):
        client.force_login(worker)
        assert client.get(f"/allowances/payouts/{batch.pk}/").status_code == 404
        assert client.get(f"/allowances/payouts/{batch.pk}/file/").status_code == 404


def test_a_worker_corrects_a_failed_payment_on_the_page_with_the_account_masked(
    client, admin, worker_a, worker_b, approved, longevity, this_month, district,
):
    batch = actions.prepare_payout_batch(by=admin, policy=longevity, month=this_month, region=district)
    batch = actions.record_batch_paid(batch, by=admin, bank_reference="NB-2", paid_on=timezone.localdate())
    elder = PaymentLine.objects.get().elder
    data = f"身份证号,金额,状态,失败原因\n{elder._id_number()},50.00,失败,账户冻结\n".encode()
    actions.import_bank_return(batch, by=admin, data=data, filename="r.csv")
    line = PaymentLine.objects.get()
    client.force_login(worker_b)
    assert "周桂芳" not in client.get("/allowances/payouts/held/").text
    assert client.post(f"/allowances/payouts/held/{line.pk}/correct/", {"note": "x改"}).status_code == 404
    client.force_login(worker_a)
    assert "账户冻结" in client.get("/allowances/payouts/held/").text
    r = client.post(f"/allowances/payouts/held/{line.pk}/correct/", {
        "note": "已换新卡", "holder_name": "周桂芳", "bank_name": "中国邮政储蓄银行", "account_number": "6217994200009876"})
    assert r.status_code == 302
    page = client.get("/allowances/payouts/held/").text
    assert "6217994200009876" not in page and "周桂芳" in page  # listed as corrected
    line.refresh_from_db()
    assert line.payout == PaymentLine.Payout.RELEASED


def test_the_notice_board_shows_names_and_masked_ids_of_the_users_area_only(
    client, admin, worker_a, worker_b, community_a, district, this_month, today,
):
    policy = actions.create_policy(by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴", region=district,
                                   effective_from=SINCE, bands=constants.EXAMPLE_LONGEVITY_BANDS)
    elder = make_elder(worker_a, community_a, birth=born(88, on=this_month), name="陈玉珍")
    application = actions.submit_application(
        elder, by=worker_a, policy=policy, applicant=Application.Applicant.ELDER, applicant_name="",
        channel=Application.Channel.VISIT, applied_on=today)
    actions.publish_notice(application, by=worker_a, start=today - dt.timedelta(days=1))
    client.force_login(worker_a)
    page = client.get("/allowances/notice/").text
    assert "陈玉珍" in page and elder.id_number_masked in page and elder._id_number() not in page
    assert "陈玉珍" in client.get("/allowances/applications/").text
    client.force_login(worker_b)
    assert "陈玉珍" not in client.get("/allowances/notice/").text
    assert client.post(f"/allowances/applications/{application.pk}/approve/").status_code == 404


def test_the_survival_list_shows_the_overdue_and_records_a_visit(
    client, admin, worker_a, worker_b, community_a, district, this_month, generate, today,
):
    policy = actions.create_policy(by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴", region=district,
                                   effective_from=SINCE, bands=constants.EXAMPLE_LONGEVITY_BANDS,
                                   needs_application=False)
    Policy.objects.filter(pk=policy.pk).update(survival_since=SINCE)
    elder = make_elder(worker_a, community_a, birth=born(88, on=this_month), name="黄金凤")
    generate(admin, policy, this_month, district)
    client.force_login(worker_a)
    page = client.get("/allowances/survival/", **EN).text
    assert "黄金凤" in page and "overdue: paused" in page
    roll = PaymentRoll.objects.get()
    assert "黄金凤" in client.get(f"/allowances/rolls/{roll.pk}/").text  # shown as paused
    client.force_login(worker_b)
    assert "黄金凤" not in client.get("/allowances/survival/").text
    assert client.post(f"/allowances/survival/{elder.pk}/record/", {
        "method": "visit", "checked_on": today, "evidence": "入户"}).status_code == 404
    client.force_login(worker_a)
    client.post(f"/allowances/survival/{elder.pk}/record/", {"method": "visit", "checked_on": today,
                                                             "evidence": "入户见到本人"})
    assert elder.survival_checks.count() == 1
    assert "黄金凤" not in client.get("/allowances/survival/").text
