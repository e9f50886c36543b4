"""The payments app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

from kangyang.lib.templatetags.kangyang import yuan

VERBS = {
    "payment.start": _("started paying the elder's share"),
    "payment.paid": _("the elder's share was paid"),
    "payment.cancel": _("cancelled a payment of the elder's share"),
    "payment.fail": _("a payment of the elder's share failed"),
    "payment.superseded": _("a waiting payment was replaced by a new one"),
}


def _payment(payment) -> str:
    return _("order #%(order)s, %(amount)s") % {"order": payment.order_id, "amount": yuan(payment.amount)}


TARGETS = {"payments.payment": _payment}
