"""Bank payouts end to end: one batch per district, policy and month, downloaded without a
change, recorded paid, the bank's return file, failed payments held, corrected and paid
again in the next month's roll exactly once (issue 12's must-show)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.allowances import actions, queries
from kangyang.allowances.models import BankLayout, BankReturn, PaymentLine, PaymentRoll, PayoutBatch
from kangyang.allowances.tests.conftest import approve_all, born, make_elder

S = PaymentRoll.Status
P = PaymentLine.Payout


@pytest.fixture
def payees(worker_a, worker_b, community_a, community_b, last_month):
    """Four elders of 85 to 95 in two communities, three with a bank account."""
    elders = {
        "a1": make_elder(worker_a, community_a, birth=born(85, on=last_month), name="赵桂兰"),
        "a2": make_elder(worker_a, community_a, birth=born(92, on=last_month), name="钱德明"),
        "a3": make_elder(worker_a, community_a, birth=born(88, on=last_month), name="孙秀英"),
        "b1": make_elder(worker_b, community_b, birth=born(86, on=last_month), name="李建国"),
    }
    for key, number in (("a1", "6228480011112222333"), ("a2", "6217994200003333"), ("b1", "6222021234567890123")):
        actions.set_payee_account(elders[key], by=worker_a if key != "b1" else worker_b, holder_name=elders[key].name,
                                  bank_name="中国农业银行", account_number=number)
    return elders


@pytest.fixture
def paid_batch(admin, subdistrict, worker_a, worker_b, payees, longevity, generate, last_month, district):
    """Last month's longevity rolls of both communities, approved, in one bank batch, paid."""
    generate(admin, longevity, last_month, district)
    officer_b = subdistrict_of(community=PaymentRoll.objects.get(region__code__endswith="002001").region)
    for roll in PaymentRoll.objects.filter(month=last_month).select_related("region"):
        worker = worker_a if roll.region_id == worker_a.region_id else worker_b
        officer = subdistrict if roll.region.parent_id == subdistrict.region_id else officer_b
        approve_all(roll, worker=worker, officer=officer, admin=admin)
    batch = actions.prepare_payout_batch(by=admin, policy=longevity, month=last_month, region=district)
    return actions.record_batch_paid(batch, by=admin, bank_reference="NBC-2024-0001", paid_on=timezone.localdate())


def subdistrict_of(*, community):
    from kangyang.accounts.models import User

    return User.objects.get_or_create(username=f"officer-{community.parent.code}", defaults={
        "role": User.Role.SUBDISTRICT_OFFICER, "region": community.parent})[0]


def return_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号", "金额", "状态", "失败原因"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_one_batch_holds_the_rolls_of_every_community_of_the_district(paid_batch, payees):
    assert paid_batch.rolls.count() == 2 and paid_batch.line_count == 4
    assert paid_batch.total == Decimal("50.00") * 3 + Decimal("100.00")
    assert set(PaymentRoll.objects.values_list("status", flat=True)) == {S.EXPORTED}
    assert set(PaymentLine.objects.values_list("payout", flat=True)) == {P.PAID}
    entry = AuditEntry.objects.get(verb="payout_batch.paid")
    assert entry.changes["reference"] == "NBC-2024-0001" and entry.changes["lines"] == 4


def test_two_failed_payments_are_held_corrected_and_paid_in_the_next_month_exactly_once(
    admin, subdistrict, worker_a, worker_b, paid_batch, payees, longevity, generate, this_month, district,
):
    a1, a2, a3 = payees["a1"], payees["a2"], payees["a3"]
    data = return_file([
        [a1._id_number(), "50.00", "失败", "账户已销户"],
        [a2._id_number(), "100.00", "失败", "户名与账号不符"],
        [a3._id_number(), "50.00", "成功", ""],
        ["360103193001011234", "50.00", "失败", "x"],  # not a valid ID number
        [payees["b1"]._id_number(), "70.00", "失败", "x"],  # no payment of this amount
        [a3._id_number(), "50.00", "处理中", ""],  # neither success nor failure
    ])
    bank_return = actions.import_bank_return(paid_batch, by=admin, data=data, filename="回盘.csv")
    assert (bank_return.rows, bank_return.succeeded, bank_return.failed) == (6, 1, 2)
    assert [e["row"] for e in bank_return.errors] == [5, 6, 7]
    held = {line.elder_id: line for line in PaymentLine.objects.filter(payout=P.HELD)}
    assert set(held) == {a1.pk, a2.pk}
    assert held[a1.pk].bank_reason == "账户已销户"
    # The same file again holds nothing more.
    actions.import_bank_return(paid_batch, by=admin, data=data, filename="回盘.csv")
    assert PaymentLine.objects.filter(payout=P.HELD).count() == 2

    # Not corrected yet: next month's roll does not pay them again.
    generate(admin, longevity, this_month, district)
    assert not PaymentLine.objects.filter(kind=PaymentLine.Kind.RETRY).exists()

    actions.correct_failed_payment(held[a1.pk], by=worker_a, note="新开账户", holder_name="赵桂兰",
                                   bank_name="中国邮政储蓄银行", account_number="6217 9942 0000 5555")
    actions.correct_failed_payment(held[a2.pk], by=worker_a, note="户名已在银行更正")
    assert PaymentLine.objects.filter(payout=P.RELEASED).count() == 2
    for _time in range(2):  # regenerating the roll twice pays them once
        generate(admin, longevity, this_month, district)
    retries = PaymentLine.objects.filter(kind=PaymentLine.Kind.RETRY)
    assert sorted(retries.values_list("retry_of__elder_id", "amount")) == sorted(
        [(a1.pk, Decimal("50.00")), (a2.pk, Decimal("100.00"))])
    assert {line.month for line in retries} == {paid_batch.month}
    assert {line.roll.month for line in retries} == {this_month}
    roll_a = PaymentRoll.objects.get(month=this_month, region=worker_a.region)
    assert roll_a.line_count == 3 + 2 and actions.lines_total(roll_a) == (roll_a.line_count, roll_a.total)
    # The database itself refuses a second back pay of the same failed payment.
    retry = retries.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            roll=retry.roll, policy=retry.policy, month=retry.month, elder=retry.elder, region_code=retry.region_code,
            band=retry.band, amount=retry.amount, means=retry.means, kind=PaymentLine.Kind.RETRY,
            retry_of=retry.retry_of,
        )
    # Paid through next month's bank batch: the back pay says which month it is for.
    roll_b = PaymentRoll.objects.get(month=this_month, region=payees["b1"].community)
    approve_all(roll_a, worker=worker_a, officer=subdistrict, admin=admin)
    approve_all(roll_b, worker=worker_b, officer=subdistrict_of(community=roll_b.region), admin=admin)
    batch = actions.prepare_payout_batch(by=admin, policy=longevity, month=this_month, region=district)
    data, _name, _type = actions.bank_file(batch, by=admin)
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    notes = [row[9] for row in rows[1:-1] if row[9] and "补发" in row[9]]
    assert len(notes) == 2 and all(paid_batch.month.strftime("%Y-%m") in n for n in notes)
    assert rows[-1][5] == batch.total
    verbs = set(AuditEntry.objects.values_list("verb", flat=True))
    assert {"payout_batch.prepare", "payout_batch.paid", "bank_return.import", "payment.correct",
            "elder.payee_account"} <= verbs
    entry = AuditEntry.objects.filter(verb="payment.correct").first()
    assert "5555" not in str(entry.changes)


def test_downloading_the_bank_file_changes_nothing(admin, subdistrict, worker_a, payees, longevity, generate,
                                                   last_month, district):
    generate(admin, longevity, last_month, district)
    roll = PaymentRoll.objects.get(region=worker_a.region)
    approve_all(roll, worker=worker_a, officer=subdistrict, admin=admin)
    batch = actions.prepare_payout_batch(by=admin, policy=longevity, month=last_month, region=district)

    def state():
        return (
            list(PayoutBatch.objects.values_list("pk", "status", "bank_reference", "paid_on")),
            list(PaymentRoll.objects.order_by("pk").values_list("pk", "status", "exported_at", "batch_id")),
            list(PaymentLine.objects.order_by("pk").values_list("pk", "payout")),
        )

    before = state()
    for _time in range(2):
        actions.bank_file(batch, by=admin)
    assert state() == before
    assert AuditEntry.objects.filter(verb="payout_batch.download").count() == 2
    with pytest.raises(ValidationError):  # paid is recorded with the bank's reference, not by a click
        actions.record_batch_paid(batch, by=admin, bank_reference=" ", paid_on=timezone.localdate())
    assert state() == before


def test_the_xlsx_layout_writes_ids_and_accounts_as_text_cells(admin, paid_batch, payees):
    assert paid_batch.layout.code == "generic-xlsx"
    data, name, _type = actions.bank_file(paid_batch, by=admin)
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    id_col, account_col, amount_col = header.index("身份证号") + 1, header.index("银行账号") + 1, header.index("金额") + 1
    ids = set()
    for row in range(2, sheet.max_row):
        for col in (id_col, account_col):
            cell = sheet.cell(row, col)
            if cell.value:
                assert cell.data_type == "s" and cell.number_format == "@", cell.coordinate
        ids.add(sheet.cell(row, id_col).value)
        assert isinstance(sheet.cell(row, amount_col).value, (int, float))
    assert ids == {e._id_number() for e in payees.values()}


def test_a_policy_chooses_its_bank_layout(admin, paid_batch, longevity, payees):
    csv_layout = BankLayout.objects.get(code="bank-csv-gb18030")
    longevity.bank_layout = csv_layout
    longevity.save(update_fields=["bank_layout"])
    assert actions.layout_for(longevity) == csv_layout
    paid_batch.layout = csv_layout
    data, name, _type = actions.bank_file(paid_batch, by=admin)
    assert name.endswith(".csv")
    text = data.decode("gb18030")
    assert f'"{payees["a1"]._id_number()}"' in text and '"6228480011112222333"' in text


def test_a_worker_of_another_community_cannot_correct_nor_see_held_payments(
    admin, worker_a, worker_b, paid_batch, payees,
):
    data = return_file([[payees["a1"]._id_number(), "50.00", "失败", "账户冻结"]])
    with pytest.raises(PermissionDenied):
        actions.import_bank_return(paid_batch, by=worker_a, data=data, filename="r.csv")
    actions.import_bank_return(paid_batch, by=admin, data=data, filename="r.csv")
    line = PaymentLine.objects.get(payout=P.HELD)
    assert not queries.held_payments_for(worker_b).exists()
    assert list(queries.held_payments_for(worker_a)) == [line]
    with pytest.raises(PermissionDenied):
        actions.correct_failed_payment(line, by=worker_b, note="改账户")
    line.refresh_from_db()
    assert line.payout == P.HELD


def test_a_return_file_is_imported_only_for_a_paid_batch_and_reports_missing_columns(
    admin, subdistrict, worker_a, payees, longevity, generate, last_month, district,
):
    generate(admin, longevity, last_month, district)
    approve_all(PaymentRoll.objects.get(region=worker_a.region), worker=worker_a, officer=subdistrict, admin=admin)
    batch = actions.prepare_payout_batch(by=admin, policy=longevity, month=last_month, region=district)
    with pytest.raises(ValidationError):
        actions.import_bank_return(batch, by=admin, data=return_file([]), filename="r.csv")
    batch = actions.record_batch_paid(batch, by=admin, bank_reference="R1", paid_on=timezone.localdate())
    with pytest.raises(ValidationError) as refused:
        actions.import_bank_return(batch, by=admin, data="身份证号,金额\n".encode(), filename="r.csv")
    assert refused.value.code == "missing_columns"
    assert not BankReturn.objects.exists()
    with pytest.raises(ValidationError):  # once
        actions.record_batch_paid(batch, by=admin, bank_reference="R2", paid_on=timezone.localdate())


def test_the_reviewers_hear_once_per_step_that_rolls_are_ready(admin, subdistrict, worker_a, worker_b, payees,
                                                              longevity, generate, last_month, district):
    from kangyang.notify.actions import save_preference
    from kangyang.notify.models import Delivery

    for user, phone in ((worker_a, "13800000001"), (worker_b, "13800000002"), (subdistrict, "13800000003")):
        save_preference(user, by=user, phone=phone, sms=True)
    for _time in range(2):
        generate(admin, longevity, last_month, district)
    sent = Delivery.objects.filter(template="roll.ready")
    assert sorted(sent.values_list("address_masked", flat=True)) == ["138****0001", "138****0002"]
    actions.approve_payment_roll(PaymentRoll.objects.get(region=worker_a.region), by=worker_a)
    assert sent.count() == 3 and sent.filter(address_masked="138****0003").exists()


# -- cancelling a batch before the bank pays it ------------------------------------------------
@pytest.fixture
def prepared_batch(admin, subdistrict, worker_a, worker_b, payees, longevity, generate, last_month, district):
    """Last month's longevity rolls of both communities, approved, in one bank batch not paid yet."""
    generate(admin, longevity, last_month, district)
    officer_b = subdistrict_of(community=PaymentRoll.objects.get(region__code__endswith="002001").region)
    for roll in PaymentRoll.objects.filter(month=last_month).select_related("region"):
        worker = worker_a if roll.region_id == worker_a.region_id else worker_b
        officer = subdistrict if roll.region.parent_id == subdistrict.region_id else officer_b
        approve_all(roll, worker=worker, officer=officer, admin=admin)
    return actions.prepare_payout_batch(by=admin, policy=longevity, month=last_month, region=district)


def _lines(batch):
    return sorted(PaymentLine.objects.filter(roll__batch=batch).values_list("pk", "elder_id", "amount"))


def test_a_cancelled_batch_frees_its_rolls_and_the_next_batch_has_the_same_lines(
    admin, prepared_batch, longevity, last_month, district,
):
    before = _lines(prepared_batch)
    assert len(before) == 4
    batch = actions.cancel_payout_batch(prepared_batch, by=admin, reason="代发文件格式选错，重做")
    assert batch.status == PayoutBatch.Status.CANCELLED and batch.cancelled_by == admin
    assert batch.cancel_reason == "代发文件格式选错，重做" and batch.cancelled_at is not None
    assert (batch.line_count, batch.total) == (4, prepared_batch.total)  # kept for the record
    assert not batch.rolls.exists() and _lines(batch) == []
    assert set(PaymentRoll.objects.values_list("status", flat=True)) == {S.DISTRICT_APPROVED}

    again = actions.prepare_payout_batch(by=admin, policy=longevity, month=last_month, region=district)
    assert again.pk != batch.pk and _lines(again) == before
    assert (again.line_count, again.total) == (prepared_batch.line_count, prepared_batch.total)
    entry = AuditEntry.objects.get(verb="payout_batch.cancel")
    assert entry.actor == admin and entry.note == "代发文件格式选错，重做"
    assert entry.changes == {"status": ["prepared", "cancelled"], "rolls": 2, "lines": 4,
                             "total": str(prepared_batch.total)}


def test_a_paid_batch_cannot_be_cancelled(admin, paid_batch):
    with pytest.raises(ValidationError) as refused:
        actions.cancel_payout_batch(paid_batch, by=admin, reason="想撤回")
    assert refused.value.code == "paid"
    paid_batch.refresh_from_db()
    assert paid_batch.status == PayoutBatch.Status.PAID and paid_batch.rolls.count() == 2


def test_a_batch_with_a_return_file_cannot_be_cancelled(admin, paid_batch, payees):
    data = return_file([["身份证号", "金额", "状态", "失败原因"],
                        [payees["a1"]._id_number(), "50.00", "失败", "账户冻结"]])
    actions.import_bank_return(paid_batch, by=admin, data=data, filename="r.csv")
    # Even were it marked unpaid by mistake, the bank's answer is on file.
    PayoutBatch.objects.filter(pk=paid_batch.pk).update(status=PayoutBatch.Status.PREPARED)
    paid_batch.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        actions.cancel_payout_batch(paid_batch, by=admin, reason="撤回")
    assert refused.value.code == "conflict"


def test_only_the_bureau_admin_cancels_with_a_reason_and_only_once(
    admin, subdistrict, worker_a, prepared_batch, last_month,
):
    for user in (subdistrict, worker_a):
        with pytest.raises(PermissionDenied):
            actions.cancel_payout_batch(prepared_batch, by=user, reason="撤回重做")
    with pytest.raises(ValidationError) as refused:
        actions.cancel_payout_batch(prepared_batch, by=admin, reason=" ")
    assert "reason" in refused.value.message_dict
    actions.cancel_payout_batch(prepared_batch, by=admin, reason="撤回重做")
    for step in (lambda: actions.cancel_payout_batch(prepared_batch, by=admin, reason="再撤一次"),
                 lambda: actions.record_batch_paid(prepared_batch, by=admin, bank_reference="X-1",
                                                   paid_on=timezone.localdate()),
                 lambda: actions.bank_file(prepared_batch, by=admin)):
        with pytest.raises(ValidationError) as refused:
            step()
        assert refused.value.code in ("conflict", "cancelled")
    prepared_batch.refresh_from_db()
    assert prepared_batch.status == PayoutBatch.Status.CANCELLED and prepared_batch.paid_on is None
