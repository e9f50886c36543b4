"""The accounts app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

from kangyang.accounts.models import Licence

VERBS = {
    "login": _("signed in"),
    "login.failed": _("failed to sign in"),
    "login.throttled": _("sign-in refused after too many failures"),
    "login.otp_failed": _("entered a wrong second-factor code"),
    "otp.enable": _("turned on two-factor sign-in"),
    "otp.disable": _("turned off two-factor sign-in"),
    "otp.reset": _("reset two-factor sign-in"),
    "otp.recovery_codes": _("made new recovery codes"),
    "otp.recovery_code_used": _("signed in with a recovery code"),
    "password.change": _("changed the password"),
    "password.reset": _("reset a password"),
    "token.issue": _("received an API token"),
    "token.revoke": _("revoked an API token"),
    "account.create": _("created an account"),
    "account.update": _("changed an account"),
    "account.deactivate": _("deactivated an account"),
    "account.reactivate": _("reactivated an account"),
    "accounts.import": _("imported staff accounts"),
    "organisation.register": _("registered an organisation"),
    "organisation.edit": _("edited an organisation"),
    "organisation.licence_add": _("added a licence"),
    "organisation.licence_remove": _("removed a licence"),
    "organisation.blacklist": _("put an organisation on the blacklist"),
    "organisation.lift_blacklist": _("took an organisation off the blacklist"),
    "demo.mark": _("marked the database as a demo"),
    "licence.warning": _("told of an expiring licence"),
}

def _licence_kinds(values) -> dict:
    """A licence's kind, recorded on its organisation (`business` → 营业执照)."""
    return {v: Licence.Kind(v).label for v in values if v in Licence.Kind.values}


def _licence_warning(warning) -> str:
    return _("Licence %(number)s of %(organisation)s") % {
        "number": warning.number or "—", "organisation": warning.organisation.name}


TARGETS = {"accounts.licencewarning": _licence_warning}
VALUES = {"kind": _licence_kinds}
FIELDS = {
    "role": _("role"), "organisation": _("organisation"), "active": _("active"),
    "tokens_revoked": _("API tokens revoked"), "blacklisted": _("blacklisted"),
    "until": _("until"), "number": _("number"), "expires": _("expires"),
    "credit_code": _("unified social credit code"),
    "threshold": _("days before expiry"), "recipients": _("people told"),
}
