"""Reads of care calls: the operator's call list, an elder's calls, the month's outcomes, and
the audited reveal of the number to dial. Every read starts from `calls_for(user)`
(accounts/scope.py: care_call_filter)."""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.registry import actions as registry_actions
from kangyang.registry.models import Elder
from kangyang.visits.models import CareCall

O = CareCall.Outcome
# The longest list one page shows (oldest first: the rest wait their turn).
LIST_LENGTH = 100
# How many earlier calls each row of the list shows.
LAST_CALLS = 3


def calls_for(user) -> QuerySet[CareCall]:
    """The care calls `user` may see: those of the elders of their area, for care-call roles."""
    return CareCall.objects.filter(scope.care_call_filter(user))


def get_call_for(user, call_id: int) -> CareCall:
    """The only way views load a call. Outside the user's scope → 404."""
    return get_object_or_404(calls_for(user).select_related("elder", "elder__community", "operator"), pk=call_id)


def due_calls_for(user, *, now: dt.datetime | None = None, limit: int = LIST_LENGTH) -> list[CareCall]:
    """The operator's list: calls due now to active elders, oldest first; a retry has
    `attempt` > 1 (the page marks it)."""
    now = now or timezone.now()
    return list(
        calls_for(user).filter(outcome=O.PENDING, scheduled_for__lte=now, elder__status=Elder.Status.ACTIVE)
        .select_related("elder", "elder__community", "operator").order_by("scheduled_for", "pk")[:limit]
    )


def due_count_for(user, *, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return calls_for(user).filter(outcome=O.PENDING, scheduled_for__lte=now, elder__status=Elder.Status.ACTIVE).count()


def next_due_for(user, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the next call that is not due yet falls due (for an empty list's message)."""
    now = now or timezone.now()
    return (calls_for(user).filter(outcome=O.PENDING, scheduled_for__gt=now, elder__status=Elder.Status.ACTIVE)
            .order_by("scheduled_for").values_list("scheduled_for", flat=True).first())


def calls_of(elder: Elder, *, limit: int = 20) -> list[CareCall]:
    """An elder's calls, newest first (the one waiting, if any, on top)."""
    return list(CareCall.objects.filter(elder=elder).select_related("operator", "visit_due")
                .order_by("-scheduled_for", "-pk")[:limit])


def last_calls_by_elder(elder_ids, *, per_elder: int = LAST_CALLS) -> dict[int, list[CareCall]]:
    """Each elder's latest recorded calls (at most `per_elder`), in one query for a page."""
    found: dict[int, list[CareCall]] = defaultdict(list)
    rows = (CareCall.objects.filter(elder_id__in=list(elder_ids)).exclude(outcome=O.PENDING)
            .only("elder_id", "outcome", "called_at", "attempt", "note").order_by("elder_id", "-called_at", "-pk"))
    for call in rows:
        if len(found[call.elder_id]) < per_elder:
            found[call.elder_id].append(call)
    return dict(found)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next, in the installation's time zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=tz)
    return start, following


def outcome_counts(user, *, month: dt.date) -> dict[str, int]:
    """Calls recorded in the month (local time) by outcome, for the user's area: every
    recorded outcome is a key (0 when none), and "total"."""
    start, end = month_bounds(month)
    counts = dict(calls_for(user).filter(called_at__gte=start, called_at__lt=end).exclude(outcome=O.PENDING)
                  .values_list("outcome").annotate(n=Count("pk")).order_by())
    result = {outcome: counts.get(outcome, 0) for outcome in (O.WELL, O.NEEDS_HELP, O.NO_ANSWER)}
    result["total"] = sum(result.values())
    return result


def number_to_dial(call: CareCall, *, by) -> str:
    """The elder's full phone number, to dial this call: audited as a reveal of the record
    (registry.actions.reveal_elder), with the call as its reason. Empty if none is on file."""
    if not scope.makes_care_calls_of(by, call.region_code):
        raise PermissionDenied
    numbers = registry_actions.reveal_elder(
        call.elder, by=by, reason=_("care call %(id)d") % {"id": call.pk})
    return numbers["phone"] or ""
