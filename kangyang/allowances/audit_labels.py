"""The allowances app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kangyang.allowances.models import Means, Policy, PolicyBand, PolicyVersion

VERBS = {
    "policy.create": _("created an allowance policy"),
    "policy.version": _("published a new version of an allowance policy"),
    "payment_roll.generate": _("generated payment rolls"),
    "payment_roll.approve": _("approved a payment roll"),
    "payment_roll.return": _("returned a payment roll for correction"),
    "payment_roll.export": _("downloaded a payment roll"),
    "payment_roll.bank_export": _("downloaded a bank file"),
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


VALUES = {"kind": _kinds, "reference": _references, "means": _means}
TARGETS = {
    "allowances.paymentroll": _roll, "allowances.rollrun": _run, "allowances.voucherentry": _voucher_entry,
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
}
