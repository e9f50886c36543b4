"""The health app's audit codes in words (kangyang/audit/labels.py). Each topic appends its block."""

from django.utils.translation import gettext_lazy as _

VERBS = {}
FIELDS = {}

# -- checkups --
VERBS.update({
    "checkup.record": _("recorded a yearly check-up"),
    "checkup.ehr": _("changed the health record number"),
    "checkup.read": _("read an elder's check-ups"),
    "checkup.list": _("read a list of check-ups"),
    "checkup.due_list": _("read who is due for the yearly check-up"),
    "checkup.due_export": _("downloaded who is due for the yearly check-up"),
})
FIELDS.update({
    "year": _("year"),
    "parts": _("parts done"),
    "complete": _("complete"),
    "ehr_number": _("health record number"),
    "ehr_opened_on": _("health record opened on"),
})

# -- screening --
VERBS.update({
    # Screening and referral (actions/screening.py, queries/screening.py).
    "health.screening.record": _("recorded a cognitive screening"),
    "health.screening.elder": _("read an elder's screenings, referrals and home sickbeds"),
    "health.screening.panel": _("read the doctor's screening and referral panel"),
    "health.screening.list": _("read a list of cognitive screenings"),
    "health.referral.send": _("referred an elder to a medical institution"),
    "health.referral.receive": _("marked a referral received"),
    "health.referral.return": _("recorded a referral's return to the community"),
    "health.referral.cancel": _("cancelled a referral"),
    "health.referral.list": _("read a list of referrals"),
    "health.sickbed.open": _("opened a home sickbed"),
    "health.sickbed.close": _("closed a home sickbed"),
    "health.sickbed.list": _("read a list of home sickbeds"),
})
FIELDS.update({
    "tool": _("screening tool"),
    "score": _("score"),
    "positive": _("positive"),
    "urgent": _("urgent"),
    "diagnosis": _("diagnosis"),
    "institution": _("medical institution"),
})

# -- contracts --
VERBS.update({
    # Family-doctor contracts (actions/contracts.py).
    "health.contract.sign": _("signed a family-doctor contract"),
    "health.contract.renew": _("renewed a family-doctor contract"),
    "health.contract.end": _("ended a family-doctor contract early"),
    "health.contract_reminder": _("reminded of a family-doctor contract ending"),
    "health.contracts.read": _("read family-doctor contracts"),
    "health.resident_count": _("reported a community's residents and contracts"),
})

# -- followups --
VERBS.update({
    "health.rule_set.publish": _("published a version of the follow-up rules"),
    "health.follow_up.record": _("recorded a chronic-disease follow-up"),
    "health.follow_ups.read": _("read an elder's follow-ups"),
    "health.follow_ups.due": _("read who is due for a follow-up"),
    "health.follow_ups.list": _("read a list of follow-ups"),
})

# -- alerts and readings (actions/alerts.py, actions/reviews.py, views and API of readings) --
VERBS.update({
    "health_alert.raise": _("raised a health alert"),
    "health_alert.family_told": _("told the family of a health alert"),
    "health_alert.acknowledge": _("acknowledged a health alert"),
    "health_alert.close": _("closed a health alert"),
    "health_alert.escalate": _("escalated a health alert nobody acknowledged"),
    "health_alert.read": _("read a health alert"),
    "health_alert.list": _("read health alerts"),
    "reading.enter": _("entered a reading by hand"),
    "reading.review": _("marked a reading looked at"),
    "reading.read": _("read an elder's readings"),
})
FIELDS.update({
    "escalation_level": _("escalation level"),
    "family_told": _("family told"),
    "rule": _("rule"),
    "reviewed": _("looked at"),
})
# -- records --
VERBS.update({
    # The health record (actions/records.py).
    "health.record.read": _("read an elder's health record"),
    "health.condition.add": _("added a chronic condition"),
    "health.condition.remove": _("removed a chronic condition"),
    "health.medication.add": _("added a medicine"),
    "health.medication.stop": _("recorded a medicine stopped"),
    "health.disability.set": _("recorded a disability"),
    "health.disability.remove": _("removed a disability"),
    "health.allergies": _("changed the allergies"),
    "health.alerts_to_family": _("recorded the consent to tell the family of health alerts"),
})
FIELDS.update({
    "conditions": _("chronic conditions"),
    "medications": _("medications"),
    "disabilities": _("disabilities"),
    "allergies": _("allergies"),
    "alerts_to_family": _("tell the family of health alerts"),
})
