"""The time bank's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "timebank_account.open": _("opened a time-bank account"),
    "timebank.deposit": _("deposited time-bank hours"),
    "timebank.redeem": _("redeemed time-bank hours for a service"),
    "timebank.transfer": _("transferred time-bank hours to family"),
    "timebank.donation": _("donated time-bank hours"),
    "timebank_activity.create": _("created a volunteer activity"),
    "timebank_attendance.confirm": _("confirmed a volunteer's attendance"),
}
FIELDS = {
    "minutes": _("minutes"),
    "seq": _("ledger entry"),
    "care_visit": _("care visit"),
    "attendance": _("attendance"),
    "to": _("to account"),
    "account": _("time-bank account"),
    "item": _("service item"),
    "quantity": _("quantity"),
}

# pages (signups.py, exports.py)
VERBS.update({
    "visit_due.take": _("took a visit due from the time-bank app"),
    "timebank_activity.sign_up": _("signed up for a volunteer activity"),
    "timebank.statement_export": _("downloaded a time-bank statement"),
    "timebank.community_statement_export": _("downloaded a community's time-bank statement"),
})
