"""Writes: monthly snapshots (by the worker), a bureau's targets, figures entered by hand."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.indicators import targets as T
from kangyang.indicators.models import ManualValue, Snapshot, TargetSet
from kangyang.indicators.registry import LEVELS, Period, Query, evaluate, site
from kangyang.regions import codes
from kangyang.regions.models import Region

log = logging.getLogger(__name__)


# -- snapshots ----------------------------------------------------------------------------------

def take_snapshot(period: Period, *, roots: list[str] | None = None) -> int:
    """Compute every indicator for every region under each root (the top nodes of the tree
    by default), one grouped query per indicator and level, and store the figures, replacing
    the period's earlier ones. Returns the number of figures stored."""
    if roots is None:
        roots = list(Region.objects.filter(parent__isnull=True).values_list("code", flat=True))
    if not roots:
        return 0
    now = timezone.now()
    rows: dict[tuple[str, str], Snapshot] = {}
    for root in roots:
        q = Query(root, period)
        # The root's own figure always, even without records (a zero; so a period's snapshot
        # is seen as taken).
        for indicator in site.all():
            empty = indicator.empty_figure()
            rows[(root, indicator.code)] = Snapshot(
                code=indicator.code, region_code=root, period=period.key, value=empty.value,
                numerator=empty.numerator, denominator=empty.denominator, computed_at=now)
        for level in LEVELS[LEVELS.index(q.level):]:
            for indicator_code, figures in evaluate(site.all(), q, by=level).items():
                for code, figure in figures.items():
                    rows[(code, indicator_code)] = Snapshot(
                        code=indicator_code, region_code=code, period=period.key, value=figure.value,
                        numerator=figure.numerator, denominator=figure.denominator, computed_at=now)
    with transaction.atomic():
        # A region whose records all went (a share with nothing left to divide) keeps no stale figure.
        in_roots = Q()
        for root in roots:
            in_roots |= Q(region_code__startswith=codes.prefix(root))
        Snapshot.objects.filter(in_roots, period=period.key).delete()
        Snapshot.objects.bulk_create(rows.values(), batch_size=2000)
    log.info("indicator snapshot %s: %d figures", period.key, len(rows))
    return len(rows)


def periods_due(today: dt.date, *, refresh: dt.timedelta, now: dt.datetime) -> list[Period]:
    """Which periods the worker should snapshot now: the running month and year when their
    snapshot is older than `refresh`, and the month (and year) that ended once after its end,
    so its figures are final."""
    month = Period(today.year, today.month)
    last_month = Period(today.year - 1, 12) if today.month == 1 else Period(today.year, today.month - 1)
    due = []
    for period, final in ((month, False), (Period(today.year), False), (last_month, True),
                          (Period(last_month.year), True)):
        if period in due:
            continue
        taken = Snapshot.objects.filter(period=period.key).aggregate(at=Max("computed_at"))["at"]
        if final:
            if period.year == today.year and period.month is None:
                continue  # the running year, handled above
            if taken is None or taken < period.end:
                due.append(period)
        elif taken is None or now - taken >= refresh:
            due.append(period)
    return due


# -- a bureau's targets ---------------------------------------------------------------------------

@transaction.atomic
def save_target_set(*, by, region_code: str, text: str, note: str) -> TargetSet:
    """Save a new version of the bureau's targets (the whole YAML), after checking it."""
    if not scope.edits_targets_of(by, region_code):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say what changed.")}, code="note")
    T.parse(text)  # raises with the entry at fault
    last = TargetSet.objects.select_for_update().filter(region_code=region_code).aggregate(v=Max("version"))["v"]
    saved = TargetSet.objects.create(region_code=region_code, version=(last or 0) + 1, text=text,
                                     note=note.strip(), created_by=by)
    record(by, AuditEntry.Action.CREATE, saved, verb="targets.save", region_code=region_code,
           changes={"version": saved.version, "note": saved.note})
    return saved


# -- figures entered by hand -----------------------------------------------------------------------

@transaction.atomic
def enter_value(*, by, code: str, region_code: str, year: int, value, source: str, as_of: dt.date,
                attachment=None) -> ManualValue:
    """Record a figure the platform cannot compute, with its source and date."""
    if not scope.enters_indicator_values_of(by, region_code):
        raise PermissionDenied
    errors = {}
    if site.get(code) is not None:
        errors["code"] = _("The platform computes this indicator; it cannot be entered by hand.")
    try:
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["value"] = _("Enter a number.")
    if not source.strip():
        errors["source"] = _("Name the source of the figure.")
    if as_of > timezone.localdate():
        errors["as_of"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    entry = ManualValue.objects.create(code=code, region_code=region_code, year=year, value=number,
                                       source=source.strip(), as_of=as_of, entered_by=by)
    if attachment is not None:
        entry.attachment.save(f"{code}-{region_code}-{year}-{entry.pk}-{attachment.name}"[-120:], attachment)
    record(by, AuditEntry.Action.CREATE, entry, verb="indicator_value.enter", region_code=region_code,
           changes={"code": code, "year": year, "value": str(number), "source": entry.source,
                    "as_of": as_of.isoformat()})
    return entry
