"""Paying cash allowances through the bank, each step audited:

1. `prepare_payout_batch`: the bureau admin puts the district-approved rolls of a policy and
   month in their district (or area) into one bank batch: one file, not one per community;
2. `bank_file` (exports.py writes it): the file in the layout of the bank, downloaded as
   often as needed. Downloading changes nothing; each download is audited (full IDs);
3. `record_batch_paid`: the bank paid the batch; its reference and date are recorded, the
   rolls are paid out and their payments paid;
4. `import_bank_return`: the bank's return file; failed payments are held with the bank's
   reason, rows not understood are reported;
5. `correct_failed_payment`: the account fixed (or the reason cleared); the payment is paid
   again as back pay (补发) in the next roll generated for the elder's community, once
   (rolls.generate_payment_rolls; the constraint payment_line_retried_once).

A batch not yet paid may be cancelled (`cancel_payout_batch`): its rolls leave it, and a new
batch of the same policy, month and area takes the same payments.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, residentid
from kangyang.lib.sheets import read_rows
from kangyang.regions import codes
from kangyang.regions.models import Region
from kangyang.allowances import eligibility as rules, queries
from kangyang.allowances.constants import SHIPPED_BANK_LAYOUTS
from kangyang.allowances.actions.rolls import invalid, set_payee_account, verify_roll
from kangyang.allowances.models import (
    CASH_KINDS, BankLayout, BankReturn, PaymentLine, PaymentRoll, PayoutBatch, Policy,
)

__all__ = [
    "layout_for", "prepare_payout_batch", "bank_file", "record_batch_paid", "cancel_payout_batch",
    "import_bank_return", "correct_failed_payment", "RETURN_COLUMNS",
]
S = PaymentRoll.Status
P = PaymentLine.Payout
ZERO = Decimal("0.00")


def layout_for(policy: Policy) -> BankLayout:
    """The policy's bank layout, else the bureau's default, else the first one (the shipped
    layouts, when there is none at all)."""
    if not policy.bank_layout and not BankLayout.objects.exists():
        for shipped in SHIPPED_BANK_LAYOUTS:
            values = dict(shipped)
            BankLayout.objects.get_or_create(code=values.pop("code"), defaults=values)
    return policy.bank_layout or BankLayout.objects.filter(is_default=True).first() or BankLayout.objects.first()


@transaction.atomic
def prepare_payout_batch(*, by, policy: Policy, month: dt.date, region: Region) -> PayoutBatch:
    """One bank batch of the policy and month for `region` (a district, or the bureau's
    area): every district-approved roll below it that is in no batch yet. Refused when there
    is none, or when a roll's total does not match its lines."""
    if not queries.can_pay_out_in(by, region.code):
        raise PermissionDenied
    if policy.kind not in CASH_KINDS:
        raise invalid("policy", _("This allowance is paid as vouchers, not through the bank."), "wrong_kind")
    month = rules.month_start(month)
    rolls = list(
        PaymentRoll.objects.select_for_update()
        .filter(policy=policy, month=month, status=S.DISTRICT_APPROVED, batch__isnull=True,
                region_code__startswith=codes.prefix(region.code))
        .order_by("region_code")
    )
    if not rolls:
        raise ValidationError(
            _("No roll of %(policy)s for %(month)s is approved by the district and waiting for the bank.")
            % {"policy": policy.name, "month": month.strftime("%Y-%m")}, code="nothing_to_pay",
        )
    for roll in rolls:
        verify_roll(roll)
    layout = layout_for(policy)
    batch = PayoutBatch.objects.create(
        policy=policy, month=month, region=region, region_code=region.code, layout=layout, created_by=by,
        line_count=sum(r.line_count for r in rolls), total=sum((r.total for r in rolls), ZERO),
    )
    PaymentRoll.objects.filter(pk__in=[r.pk for r in rolls]).update(batch=batch)
    record(by, AuditEntry.Action.CREATE, batch, verb="payout_batch.prepare",
           changes={"rolls": len(rolls), "lines": batch.line_count, "total": str(batch.total), "layout": layout.code})
    return batch


def bank_file(batch: PayoutBatch, *, by) -> tuple[bytes, str, str]:
    """(file, file name, content type) of the batch in its bank layout. The one place where
    full ID numbers and account numbers leave Kangyang in bulk: the bureau admin only, each
    download audited as a full-data view. It changes nothing else: downloading a file again
    (a lost file) is harmless, and "paid" is recorded by record_batch_paid."""
    from kangyang.allowances import exports

    if not queries.can_pay_out_in(by, batch.region_code):
        raise PermissionDenied
    if batch.status == PayoutBatch.Status.CANCELLED:
        raise ValidationError(_("This batch is cancelled: its file must not go to the bank."), code="cancelled")
    data, rows = exports.bank_file(batch)
    record(by, AuditEntry.Action.VIEW_FULL, batch, verb="payout_batch.download",
           note=_("Bank file with full ID numbers and account numbers."),
           changes={"rows": rows, "total": str(batch.total), "layout": batch.layout.code})
    name = f"银行代发-{batch.policy.name}-{batch.region.name}-{batch.month:%Y%m}-{batch.pk}.{batch.layout.extension}"
    return data, name, exports.CONTENT_TYPES[batch.layout.file_type]


@transaction.atomic
def record_batch_paid(batch: PayoutBatch, *, by, bank_reference: str, paid_on: dt.date) -> PayoutBatch:
    """The bank paid the batch: its batch reference and the date. The rolls become paid out
    and their payments paid (until a return file says otherwise). Once."""
    if not queries.can_pay_out_in(by, batch.region_code):
        raise PermissionDenied
    reference = bank_reference.strip()
    if not reference:
        raise invalid("bank_reference", _("Enter the bank's batch reference."), "reference")
    if paid_on > timezone.localdate():
        raise invalid("paid_on", _("The payment date cannot be in the future."), "date")
    if paid_on < timezone.localdate(batch.created_at):
        raise invalid("paid_on", _("The payment date is before the batch was made."), "date")
    now = timezone.now()
    claimed = PayoutBatch.objects.filter(pk=batch.pk, status=PayoutBatch.Status.PREPARED).update(
        status=PayoutBatch.Status.PAID, bank_reference=reference, paid_on=paid_on, paid_recorded_by=by,
        paid_recorded_at=now,
    )
    if not claimed:
        if PayoutBatch.objects.filter(pk=batch.pk, status=PayoutBatch.Status.CANCELLED).exists():
            raise ValidationError(_("This batch is cancelled; make a new one."), code="cancelled")
        raise ValidationError(_("This batch is recorded as paid already."), code="conflict")
    rolls = PaymentRoll.objects.filter(batch=batch, status=S.DISTRICT_APPROVED)
    roll_count = rolls.update(status=S.EXPORTED, exported_by=by, exported_at=now)
    lines = PaymentLine.objects.filter(roll__batch=batch, payout=P.PENDING).update(payout=P.PAID)
    record(by, AuditEntry.Action.CHANGE, batch, verb="payout_batch.paid",
           changes={"status": [PayoutBatch.Status.PREPARED, PayoutBatch.Status.PAID], "reference": reference,
                    "paid_on": paid_on.isoformat(), "rolls": roll_count, "lines": lines})
    batch.refresh_from_db()
    return batch


@transaction.atomic
def cancel_payout_batch(batch: PayoutBatch, *, by, reason: str) -> PayoutBatch:
    """The bureau admin cancels a batch the bank has not paid (no paid record, no return
    file), saying why. Its rolls leave it, still approved by the district, so a new batch of
    the policy and month takes the same payments; the cancelled batch stays, with its count,
    total and reason. Once."""
    if not queries.can_pay_out_in(by, batch.region_code):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise invalid("reason", _("Say why the batch is cancelled."), "reason")
    if BankReturn.objects.filter(batch=batch).exists():
        raise ValidationError(_("The bank's return file of this batch is imported: it was paid and cannot be "
                                "cancelled."), code="conflict")
    claimed = PayoutBatch.objects.filter(pk=batch.pk, status=PayoutBatch.Status.PREPARED).update(
        status=PayoutBatch.Status.CANCELLED, cancel_reason=reason, cancelled_by=by, cancelled_at=timezone.now(),
    )
    if not claimed:
        batch.refresh_from_db(fields=["status"])
        if batch.status == PayoutBatch.Status.CANCELLED:
            raise ValidationError(_("This batch is cancelled already."), code="conflict")
        raise ValidationError(_("This batch is recorded as paid by the bank: it cannot be cancelled."),
                              code="paid")
    rolls = PaymentRoll.objects.filter(batch=batch, status=S.DISTRICT_APPROVED).update(batch=None)
    record(by, AuditEntry.Action.CHANGE, batch, verb="payout_batch.cancel", note=reason,
           changes={"status": [PayoutBatch.Status.PREPARED, PayoutBatch.Status.CANCELLED], "rolls": rolls,
                    "lines": batch.line_count, "total": str(batch.total)})
    batch.refresh_from_db()
    return batch


# -- the bank's return file --------------------------------------------------------------------
RETURN_COLUMNS = {
    "身份证号": "id_number", "证件号码": "id_number", "证件号": "id_number", "ID number": "id_number",
    "银行账号": "account", "账号": "account", "收款账号": "account", "account": "account", "account number": "account",
    "金额": "amount", "交易金额": "amount", "amount": "amount",
    "状态": "status", "处理结果": "status", "交易状态": "status", "status": "status",
    "失败原因": "reason", "原因": "reason", "备注": "reason", "reason": "reason",
}
SUCCESS_WORDS = {"成功", "交易成功", "已入账", "success", "succeeded", "paid", "ok"}
FAILURE_WORDS = {"失败", "交易失败", "退回", "退票", "failed", "failure", "returned", "rejected"}


def _row_error(errors: list, row: int, message: str) -> None:
    errors.append({"row": row, "message": message})


def _batch_index(batch: PayoutBatch) -> tuple[dict, dict]:
    """The batch's lines by the payee's ID-number hash and by account number."""
    by_id, by_account = defaultdict(list), defaultdict(list)
    lines = (
        PaymentLine.objects.filter(roll__batch=batch).select_related("elder", "elder__payee_account")
        .order_by("elder_id", "month", "pk")
    )
    for line in lines:
        by_id[line.elder.id_number_hash].append(line)
        account = getattr(line.elder, "payee_account", None)
        if account is not None:
            by_account[crypto.decrypt(account.account_encrypted)].append(line)
    return by_id, by_account


@transaction.atomic
def import_bank_return(batch: PayoutBatch, *, by, data: bytes, filename: str) -> BankReturn:
    """Read the bank's return file (.xlsx or .csv: ID number or account number, amount,
    status, reason) of a paid batch. Each failed payment is held with the bank's reason;
    rows that match no payment of the batch, or say something else than success or
    failure, are reported by row number and change nothing. Importing the same file again
    changes nothing more."""
    if not queries.can_pay_out_in(by, batch.region_code):
        raise PermissionDenied
    if batch.status != PayoutBatch.Status.PAID:
        raise ValidationError(_("Record the batch as paid before importing the bank's return file."),
                              code="not_paid")
    rows = read_rows(data, filename, aliases=RETURN_COLUMNS, required={"amount", "status"})
    by_id, by_account = _batch_index(batch)
    errors, seen, held, succeeded, failed, count = [], set(), [], 0, 0, 0
    for number, row in rows:
        count += 1
        candidates = []
        if row.get("id_number"):
            try:
                key = crypto.lookup_hash(residentid.parse(row["id_number"]).number)
            except ValidationError:
                _row_error(errors, number, _("The ID number is not valid."))
                continue
            candidates = by_id.get(key, [])
        elif row.get("account"):
            candidates = by_account.get("".join(row["account"].split()), [])
        else:
            _row_error(errors, number, _("The row has neither an ID number nor an account number."))
            continue
        try:
            amount = Decimal(row["amount"].replace(",", ""))
        except (InvalidOperation, AttributeError):
            _row_error(errors, number, _("The amount is not a number."))
            continue
        matches = [line for line in candidates if line.amount == amount and line.pk not in seen]
        if not matches:
            _row_error(errors, number, _("No payment of this batch has this payee and amount."))
            continue
        line = matches[0]
        seen.add(line.pk)
        status = row["status"].strip().lower()
        if status in SUCCESS_WORDS:
            succeeded += 1
            if line.payout in (P.HELD, P.RELEASED):
                _row_error(errors, number, _("This payment was recorded as failed by an earlier return file."))
        elif status in FAILURE_WORDS:
            failed += 1
            reason = (row.get("reason") or "").strip()[:200]
            if PaymentLine.objects.filter(pk=line.pk, payout=P.PAID).update(payout=P.HELD, bank_reason=reason):
                held.append(line.pk)
        else:
            _row_error(errors, number, _("The status is neither success nor failure: %(status)s") % {
                "status": row["status"]})
    bank_return = BankReturn.objects.create(
        batch=batch, region_code=batch.region_code, filename=filename[:200], rows=count, succeeded=succeeded,
        failed=failed, errors=errors, imported_by=by,
    )
    record(by, AuditEntry.Action.IMPORT, bank_return, verb="bank_return.import",
           changes={"batch": batch.pk, "rows": count, "failed": failed, "held": held, "errors": len(errors)})
    return bank_return


@transaction.atomic
def correct_failed_payment(line: PaymentLine, *, by, note: str, holder_name: str = "", bank_name: str = "",
                           account_number: str = "") -> PaymentLine:
    """A payment the bank returned is corrected: the payee's account is fixed (audited,
    stored encrypted, shown masked), or the note says what else was done. It is then paid
    again as back pay in the next roll generated for the elder's community, once."""
    if not queries.can_correct_payment(by, line):
        raise PermissionDenied
    note = note.strip()
    if len(note) < 2:
        raise invalid("note", _("Say what was corrected."), "note")
    if account_number.strip():
        set_payee_account(line.elder, by=by, holder_name=holder_name or line.elder.name, bank_name=bank_name,
                          account_number=account_number)
    released = PaymentLine.objects.filter(pk=line.pk, payout=P.HELD).update(payout=P.RELEASED)
    if not released:
        raise ValidationError(_("This payment is not held."), code="conflict")
    record(by, AuditEntry.Action.CHANGE, line, verb="payment.correct", region_code=line.region_code, note=note,
           changes={"payout": [P.HELD, P.RELEASED], "elder": line.elder_id, "month": line.month.isoformat(),
                    "amount": str(line.amount), "account_number": "changed" if account_number.strip() else None})
    line.refresh_from_db()
    return line
