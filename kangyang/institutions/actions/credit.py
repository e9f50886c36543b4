"""Writes of credit: the daily computation of the scores (and the credit status they put each
organisation in), and the bureau's blacklist decisions taken from the credit page, through the
register of organisations' own actions (kangyang.accounts.organisations)."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from kangyang.accounts import organisations as register
from kangyang.accounts.models import Organisation
from kangyang.institutions import credit
from kangyang.institutions.models import CreditScore
from kangyang.institutions.queries import credit as queries

log = logging.getLogger(__name__)


@transaction.atomic
def compute_scores(today: dt.date | None = None) -> int:
    """Score every organisation running an institution or a provider for `today` (again the
    same day: replaced), and set its credit status from the score's band. The dishonest band
    only proposes the blacklist on the credit page; it never blacklists. Returns how many."""
    today = today or timezone.localdate()
    organisations = list(queries.scored_organisations().order_by("pk"))
    counts = queries.counts_for([o.pk for o in organisations], today=today)
    for organisation in organisations:
        value, parts = credit.score(counts[organisation.pk])
        CreditScore.objects.update_or_create(organisation=organisation, computed_on=today,
                                             defaults={"score": value, "parts": parts})
        status = credit.band(value)
        if organisation.credit_status != status:
            Organisation.objects.filter(pk=organisation.pk).update(credit_status=status)
    if organisations:
        log.info("credit scores computed for %d organisations", len(organisations))
    return len(organisations)


def proposes_blacklist(organisation: Organisation) -> bool:
    """The dishonest band proposes the blacklist (the bureau admin decides)."""
    return organisation.credit_status == Organisation.CreditStatus.DISHONEST and not organisation.is_barred()


def blacklist(organisation: Organisation, *, by, reason: str, until: dt.date | None = None) -> Organisation:
    """The bureau admin bars the organisation from the credit page (the register's action:
    its checks, history and audit)."""
    return register.blacklist_organisation(organisation, by=by, reason=reason, until=until)


def lift(organisation: Organisation, *, by, reason: str) -> Organisation:
    return register.lift_blacklist(organisation, by=by, reason=reason)
