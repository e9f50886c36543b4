"""The health app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    # Family-doctor contracts (actions/contracts.py).
    "health.contract.sign": _("signed a family-doctor contract"),
    "health.contract.renew": _("renewed a family-doctor contract"),
    "health.contract.end": _("ended a family-doctor contract early"),
    "health.contract_reminder": _("reminded of a family-doctor contract ending"),
    "health.contracts.read": _("read family-doctor contracts"),
    "health.resident_count": _("reported a community's residents and contracts"),
}
