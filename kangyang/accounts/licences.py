"""Telling people that a licence lapses soon (issue 12 §2: notifications of expiring licences).

A daily pass (`warn_expiring_licences`, run by `kangyang worker`'s housekeeping) looks at the
licences of the register of organisations (accounts.Licence) and at those other apps hand it
(a provider's own licence, services.notifications). For each licence it finds the warning due
today, the narrowest threshold the days left have reached:

* KANGYANG_LICENCE_WARNING_DAYS before the expiry (30 by default),
* 7 days before,
* on the day (0), or within CATCH_UP_DAYS after it when the worker was down that day;

and tells, once per licence number, expiry date and threshold (LicenceWarning), the
organisation's managers and the bureau admins of its district (scope.hears_of_licences_of),
through notify. A pass that runs again, or a second worker beside the first, tells nobody
twice; a threshold passed while nothing ran is not told late once a narrower one is due; a
renewed licence (a new expiry date) is told afresh. Each warning is in the audit log.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy

from kangyang.accounts import scope
from kangyang.accounts.models import Licence, LicenceWarning, Organisation, User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify.models import Kind

log = logging.getLogger("kangyang.accounts.licences")

SECOND_WARNING_DAYS = 7
# A licence that expired while no pass ran (the worker down) is still told this long after.
CATCH_UP_DAYS = 7
AUDIENCES = {User.Role.PROVIDER_MANAGER: "organisation", User.Role.BUREAU_ADMIN: "bureau"}


@dataclass(frozen=True)
class ExpiringLicence:
    """A licence as the pass needs it: whose, its words for the message (kind and number,
    lazy so each recipient reads it in their language), its number and its expiry."""

    organisation: Organisation
    words: object
    number: str
    expires: dt.date


def thresholds(first: int | None = None) -> tuple[int, ...]:
    """Days before expiry at which people are told, widest first: (30, 7, 0) by default; `first`
    another first warning (an institution's documents: KANGYANG_INSTITUTION_EXPIRY_DAYS)."""
    first = settings.LICENCE_WARNING_DAYS if first is None else first
    return tuple(sorted({t for t in (first, SECOND_WARNING_DAYS, 0) if t <= first}, reverse=True))


def threshold_due(days_left: int, *, first: int | None = None) -> int | None:
    """The warning due with this many days left: the narrowest threshold reached; None before
    the first, or once the catch-up time after the expiry is over. (The same rule tells of the
    institutions' documents, with their own `first`.)"""
    first = settings.LICENCE_WARNING_DAYS if first is None else first
    if days_left > first or days_left < -CATCH_UP_DAYS:
        return None
    return min(t for t in thresholds(first) if days_left <= t)


def warning_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Expiry dates a pass on `today` looks at (first and last, inclusive)."""
    return today - dt.timedelta(days=CATCH_UP_DAYS), today + dt.timedelta(days=settings.LICENCE_WARNING_DAYS)


def register_licences(*, today: dt.date) -> list[ExpiringLicence]:
    """Licences of the register whose expiry is in the window of a pass on `today`."""
    start, end = warning_window(today)
    licences = (Licence.objects.filter(expires__range=(start, end))
                .select_related("organisation", "organisation__region").order_by("expires", "pk"))
    return [ExpiringLicence(organisation=lic.organisation, words=format_lazy("{} {}", lic.get_kind_display(), lic.number),
                            number=lic.number, expires=lic.expires) for lic in licences]


def recipients_of(organisation: Organisation) -> list[User]:
    """The organisation's managers, and the bureau admins of the narrowest area (its district,
    else the city) that covers its seat."""
    users = (User.objects.filter(is_active=True, role__in=scope.LICENCE_WARNED_ROLES)
             .select_related("region").order_by("pk"))
    heard = [u for u in users if scope.hears_of_licences_of(u, organisation)]
    admins = [u for u in heard if u.role == User.Role.BUREAU_ADMIN]
    if admins:
        narrowest = max(len(u.region.prefix) for u in admins)
        admins = [u for u in admins if len(u.region.prefix) == narrowest]
    return [u for u in heard if u.role == User.Role.PROVIDER_MANAGER] + admins


def warn_expiring_licences(*, today: dt.date | None = None, licences: Iterable[ExpiringLicence] | None = None) -> int:
    """One pass: tell of each licence whose warning is due today and not told yet (the
    register's licences, or `licences` when given). Returns how many warnings were made."""
    today = today or timezone.localdate()
    found = register_licences(today=today) if licences is None else licences
    return sum(_warn(licence, today=today) for licence in found)


@transaction.atomic
def _warn(licence: ExpiringLicence, *, today: dt.date) -> bool:
    threshold = threshold_due((licence.expires - today).days)
    if threshold is None:
        return False
    organisation = licence.organisation
    try:
        with transaction.atomic():  # the claim: a second pass or worker finds it taken
            warning = LicenceWarning.objects.create(
                organisation=organisation, region_code=organisation.region.code, number=licence.number,
                expires=licence.expires, threshold=threshold,
            )
    except IntegrityError:
        return False
    template = "licence.expired" if threshold == 0 else "licence.expiring"
    context = {"licence": licence.words, "organisation": organisation.name, "date": licence.expires.isoformat()}
    told = 0
    for user in recipients_of(organisation):
        recipient = notify_queries.recipient_for(user, audience=AUDIENCES[user.role])
        queued = notify.notify(recipient, template=template, context=context, kind=Kind.LICENCE,
                               key=f"licence:{warning.pk}:user:{user.pk}", region_code=warning.region_code)
        told += bool(queued)
    LicenceWarning.objects.filter(pk=warning.pk).update(recipients=told)
    warning.recipients = told
    record(None, AuditEntry.Action.CREATE, warning, verb="licence.warning",
           changes={"number": licence.number, "expires": licence.expires.isoformat(), "threshold": threshold,
                    "recipients": told})
    log.info("licence of organisation %d expiring %s: %d-day warning to %d people", organisation.pk,
             licence.expires, threshold, told)
    return True
