"""The app's audit codes in words (kangyang/audit/labels.py): signing in by code or card,
the elder's card, family bindings."""

from django.utils.translation import gettext_lazy as _

from kangyang.portal.models import Binding

VERBS = {
    "login.sms_code": _("signed in with a code by SMS"),
    "login.sms_code_failed": _("entered a wrong sign-in code"),
    "login.card": _("signed in with the elder's card"),
    "login.card_unknown": _("tried to sign in with an unknown card"),
    "login.card_revoked": _("tried to sign in with a revoked card"),
    "login.card_refused": _("was refused signing in with the elder's card"),
    "account.create_elder": _("created the elder's own account"),
    "app_card.print": _("printed the elder's app card"),
    "app_card.revoke": _("revoked the elder's app card"),
    "binding.ask": _("asked to be bound to the elder"),
    "binding.code": _("showed a binding code"),
    "binding.approve": _("bound a family account to the elder"),
    "binding.refuse": _("refused a family binding"),
    "binding.revoke": _("removed a family account from the elder"),
}


def _choices(choices):
    return lambda values: {v: choices(v).label for v in values if v in choices.values}


FIELDS = {
    "card": _("card"), "revoked": _("cards revoked"), "binding": _("request"), "via": _("asked by"),
    "matched": _("an elder matched"), "family": _("family account"), "contact": _("contact"),
    "contacts": _("contacts unlinked"), "consent_by": _("who consented"), "consent_how": _("how"),
    "consent_at": _("consented at"), "elder": _("elder"),
}
VALUES = {
    "via": _choices(Binding.Via),
    "consent_by": _choices(Binding.ConsentBy),
    "consent_how": _choices(Binding.ConsentHow),
}
