"""The allowances app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kangyang.allowances.models import BankLayout, Means, Policy, PolicyBand, PolicyVersion

VERBS = {
    "policy.create": _("created an allowance policy"),
    "policy.version": _("published a new version of an allowance policy"),
    "payment_roll.generate": _("generated payment rolls"),
    "payment_roll.approve": _("approved a payment roll"),
    "payment_roll.return": _("returned a payment roll for correction"),
    "payment_roll.export": _("downloaded a payment roll"),
    "payment_roll.bank_export": _("downloaded a bank file"),
    "payout_batch.prepare": _("made a bank batch"),
    "payout_batch.download": _("downloaded a bank file"),
    "payout_batch.paid": _("recorded a bank batch as paid"),
    "payout_batch.cancel": _("cancelled a bank batch before payment"),
    "bank_return.import": _("imported a bank return file"),
    "payment.correct": _("corrected a failed payment"),
    "application.submit": _("recorded an allowance application"),
    "application.notice": _("put an allowance application on public notice"),
    "application.objection": _("recorded an objection to an allowance application"),
    "application.objection_answer": _("answered an objection to an allowance application"),
    "application.approve": _("approved an allowance application"),
    "application.reject": _("rejected an allowance application"),
    "survival.record": _("recorded a survival certification"),
    "survival.review": _("reviewed a survival certification"),
    "survival.photo_view": _("viewed the photo of a survival certification"),
    "payment_roll.credit": _("credited vouchers of a payment roll"),
    "voucher.debit": _("paid with a service voucher"),
    "voucher.refund": _("refunded a service voucher payment"),
    "payment.recovery": _("recorded the recovery of an overpayment"),
    "elder.payee_account": _("changed an elder's bank account"),
}


def _month(value) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT")


def _roll(roll) -> str:
    """发放名册 2026年11月 高龄津贴（桃花社区）"""
    return _("Payment roll %(month)s %(policy)s (%(region)s)") % {
        "month": _month(roll.month), "policy": roll.policy.name, "region": roll.region.name}


def _run(run) -> str:
    return _("Roll generation %(month)s %(policy)s (%(region)s)") % {
        "month": _month(run.month), "policy": run.policy.name, "region": run.region.name}


def _voucher_entry(entry) -> str:
    return _("Voucher entry of %(elder)s") % {"elder": entry.balance.elder.name}


def _kinds(values) -> dict:
    return {v: Policy.Kind(v).label for v in values if v in Policy.Kind.values}


def _references(values) -> dict:
    """A voucher entry's reference in words: `order:64` → 工单 #64."""
    named = {}
    for value in values:
        kind, _sep, number = str(value).partition(":")
        if kind == "order" and number.isdigit():
            named[value] = _("order #%(number)s") % {"number": number}
    return named


def _means(values) -> dict:
    return {v: Means(v).label for v in values if v in Means.values}


def _layouts(values) -> dict:
    """A bank batch's layout by its name, not its code (`generic-xlsx` → 通用代发表（.xlsx）)."""
    return dict(BankLayout.objects.filter(code__in=[str(v) for v in values]).values_list("code", "name"))


VALUES = {"kind": _kinds, "reference": _references, "means": _means, "layout": _layouts}

def _batch(batch) -> str:
    return _("Bank batch %(month)s %(policy)s (%(region)s)") % {
        "month": _month(batch.month), "policy": batch.policy.name, "region": batch.region.name}


def _bank_return(bank_return) -> str:
    return _("Bank return file %(file)s") % {"file": bank_return.filename}


def _line(line) -> str:
    return _("Payment of %(elder)s for %(month)s") % {"elder": line.elder.name, "month": _month(line.month)}


def _application(application) -> str:
    return _("Application of %(elder)s for %(policy)s") % {
        "elder": application.elder.name, "policy": application.policy.name}


def _objection(objection) -> str:
    return _("Objection to the application of %(elder)s") % {"elder": objection.application.elder.name}


def _survival(check) -> str:
    return _("Survival certification of %(elder)s") % {"elder": check.elder.name}


TARGETS = {
    "allowances.paymentroll": _roll, "allowances.rollrun": _run, "allowances.voucherentry": _voucher_entry,
    "allowances.payoutbatch": _batch, "allowances.bankreturn": _bank_return, "allowances.paymentline": _line,
    "allowances.application": _application, "allowances.objection": _objection,
    "allowances.survivalcheck": _survival,
}
FIELDS = {
    "lines": _("payees"), "reference": _("reference"), "balance": _("balance"), "policy": _("policy"),
    "line": _("payment"), "outcome": _("outcome"), "bank_name": _("bank"), "decided_on": _("decided on"),
    "party": _("party"), "elder": _("elder"), "bands": _("bands"),
    # A policy's version and its bands, recorded on the policy.
    **{name: PolicyVersion._meta.get_field(name).verbose_name for name in (
        "effective_from", "effective_to", "home_service_share", "institution_share", "carries_over", "is_example")},
    **{name: PolicyBand._meta.get_field(name).verbose_name for name in (
        "age_from", "age_to", "level_from", "level_to", "means", "amount")},
    "rolls": _("rolls"), "layout": _("bank file layout"),
    "paid_on": _("paid on"), "payout": _("payout"), "failed": _("failed"), "held": _("held"),
    "batch": _("bank batch"), "amount": _("amount"), "account_number": _("account number"),
    "applicant": _("applicant"), "channel": _("channel"), "applied_on": _("applied on"),
    "notice_from": _("on notice from"), "notice_until": _("on notice until"), "application": _("application"),
    "received_on": _("received on"), "method": _("method"), "checked_on": _("date"),
    "needs_application": _("paid on an approved application"), "notice_days": _("public notice (days)"),
    "survival_months": _("survival certification period (months)"),
}
