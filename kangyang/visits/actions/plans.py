"""The month's visit plan, the community worker's adjustments, pairings, settling the dues
by the visits made, and reminding visitors of overdue visits.

The plan (`make_monthly_plan`). For each vulnerable elder with a tier (active, not in an
institution: actions/tiers.py), the visits her tier asks of the month, each a `VisitDue`
with the moment it opens (`created_at`) and the moment it is due by (`due_by`, the last day
of its window at 23:59:59 Asia/Shanghai):

* a tier visited more often than every 28 days (weekly, interval 7): one line per window of
  `interval_days` days from the 1st — days 1–7, 8–14, 15–21 and 22 to the month's end for a
  weekly tier (the month's last, longer week takes the odd days);
* a tier visited about monthly (28–45 days): one line, open the whole month;
* a tier visited every k months (quarterly: 91 days → k = 3; the nearest divisor of 12): one
  line in one month of each block of k months (January–March, April–June… for a quarterly
  tier), due by the end of that month and open from the block's first day. Which month of
  the block is the elder's is `elder.id mod k` (0 the first), so a community's quarterly
  visits spread over the quarter's three months instead of crowding one. queries/rate.py
  counts a quarterly elder in the month of her line, with any counted visit of the block up
  to it.

The proposed visitor is, in order: the helper of a pairing in force in the month (结对帮扶);
the visitor of her lines already in this month's plan; last month's visitor, if still one of
the community's visitors; otherwise the community's visitor with the fewest lines this month
(community workers of the community, then volunteers of the community or its subdistrict).
The plan assigns the proposed visitor (`visitor`); the community worker changes it
(`assign_visitor`) or cancels a line with a note (`cancel_visit_due`).

Idempotent: a line is identified by (elder, month, due_by) among the plan's lines; running
again adds only what is missing (a newly registered or newly vulnerable elder), never a line
that was cancelled, and never a window already past when the line would be made.

Settling: a visit due is settled (status done, `visit` set) by the first counted visit to the
elder at or after it opened — done, of a mode the due's tier counts (Tier.counted_modes; a due
without a tier: a home visit or one through a neighbour or relative). `settle_visit(visit)` for
one recorded visit; `settle_open_dues(now)` sweeps them all (the worker, hourly).

Reminders: `remind_overdue(now)` tells each visitor once of their lines that fell due unvisited
(`reminded_at` marks a line told of; a claim by conditional UPDATE, so two workers never tell
twice).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.registry.models import Elder
from kangyang.visits.actions.tiers import IN_PERSON
from kangyang.visits.models import CareVisit, Pairing, Tier, VisitDue, VisitProfile

R = User.Role
S = VisitDue.Status


# -- the windows of a month ----------------------------------------------------------------------

def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def local(day: dt.date, time: dt.time = dt.time()) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


def end_of(day: dt.date) -> dt.datetime:
    """23:59:59 of a local day (what a line is due by)."""
    return local(day, dt.time(23, 59, 59))


DIVISORS_OF_12 = (1, 2, 3, 4, 6, 12)


def months_per_visit(interval_days: int) -> int:
    """1 for a tier visited monthly or more often; otherwise the divisor of 12 nearest to the
    interval in months (91 days → 3, 182 → 6, 365 → 12)."""
    if interval_days <= 45:
        return 1
    months = interval_days / 30.44
    return min(DIVISORS_OF_12, key=lambda k: (abs(k - months), k))


def block_start(month: dt.date, k: int) -> dt.date:
    """The first month of the block of k months that `month` is in (quarters for k = 3)."""
    return dt.date(month.year, (month.month - 1) // k * k + 1, 1)


def windows(interval_days: int, month: dt.date, elder_id: int) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of each plan line of the month for an elder of a tier with this
    interval (see the module's docstring)."""
    month = month_start(month)
    last = month_end(month)
    if interval_days < 28:
        n = max(1, interval_days)
        count = max(1, last.day // n)
        found = []
        for i in range(count):
            start = month + dt.timedelta(days=i * n)
            end = last if i == count - 1 else start + dt.timedelta(days=n - 1)
            found.append((start, end))
        return found
    k = months_per_visit(interval_days)
    if k == 1:
        return [(month, last)]
    first = block_start(month, k)
    if month.month - first.month != elder_id % k:
        return []
    return [(first, last)]


# -- visitors ---------------------------------------------------------------------------------------

VISITOR_ROLES = (R.COMMUNITY_WORKER, R.VOLUNTEER)


def visitors_of(community_code: str):
    """The community's visitors: its community workers, and the volunteers of the community or
    of its subdistrict (community workers first)."""
    subdistrict = community_code[:9] + "000"
    return (User.objects.filter(is_active=True)
            .filter(Q(role=R.COMMUNITY_WORKER, region__code=community_code)
                    | Q(role=R.VOLUNTEER, region__code__in=[community_code, subdistrict]))
            .order_by("role", "pk"))


def may_visit(user, elder: Elder) -> bool:
    """Whether an account may be the visitor (or paired helper) of this elder: an active
    community worker or volunteer whose area covers her community."""
    return (user.is_active and user.role in VISITOR_ROLES and user.region_id is not None
            and elder.region_code.startswith(user.region.prefix))


def _pairing_in_force(month: dt.date) -> Q:
    return Q(started_on__lte=month_end(month)) & (Q(ended_on__isnull=True) | Q(ended_on__gte=month))


def propose_visitor(elder: Elder, *, month: dt.date) -> User | None:
    """The visitor the plan would propose for one elder this month (the module's order)."""
    pairing = Pairing.objects.filter(_pairing_in_force(month), elder=elder).select_related("helper").first()
    if pairing is not None and pairing.helper.is_active:
        return pairing.helper
    pool = list(visitors_of(elder.region_code))
    if not pool:
        return None
    ids = {u.pk: u for u in pool}
    recent = (VisitDue.objects.filter(elder=elder, visitor__isnull=False, month__lte=month)
              .order_by("-month", "-due_by").values_list("visitor_id", flat=True).first())
    if recent in ids:
        return ids[recent]
    loads = dict(VisitDue.objects.filter(month=month, visitor__in=pool).values_list("visitor").annotate(n=Count("pk")))
    return min(pool, key=lambda u: loads.get(u.pk, 0))


# -- the plan --------------------------------------------------------------------------------------

@dataclass
class PlanMade:
    month: dt.date
    elders: int = 0
    created: int = 0
    kept: int = 0  # elders with nothing (more) to add this month


def make_monthly_plan(month: dt.date, *, region_code: str = "", by=None, now: dt.datetime | None = None,
                      batch: int = 5000) -> PlanMade:
    """The plan's lines of the month for the elders of a region (all by default); see the
    module's docstring. Idempotent."""
    month = month_start(month)
    now = now or timezone.now()
    made = PlanMade(month=month)
    tiers = {t.pk: t for t in Tier.objects.all()}
    profiles = VisitProfile.objects.filter(tier__isnull=False, elder__status=Elder.Status.ACTIVE)
    if region_code:
        profiles = profiles.filter(elder__region_code__startswith=region_code)
    rows = list(profiles.values_list("elder_id", "elder__region_code", "tier_id").order_by(
        "elder__region_code", "tier__rank", "elder_id").iterator(chunk_size=batch))
    made.elders = len(rows)
    plan = VisitDue.objects.filter(month=month, reason=VisitDue.Reason.PLAN)
    if region_code:
        plan = plan.filter(region_code__startswith=region_code)
    existing: set[tuple[int, dt.datetime]] = set()
    current_visitor: dict[int, int] = {}
    loads: dict[int, int] = defaultdict(int)
    for elder_id, due_by, visitor_id in plan.values_list("elder_id", "due_by", "visitor_id").iterator(chunk_size=batch):
        existing.add((elder_id, due_by))
        if visitor_id is not None:
            current_visitor[elder_id] = visitor_id
            loads[visitor_id] += 1
    before = month - dt.timedelta(days=1)
    previous = dict(VisitDue.objects.filter(month=month_start(before), reason=VisitDue.Reason.PLAN,
                                            visitor__isnull=False)
                    .filter(region_code__startswith=region_code).order_by("due_by")
                    .values_list("elder_id", "visitor_id").iterator(chunk_size=batch))
    helpers = dict(Pairing.objects.filter(_pairing_in_force(month), helper__is_active=True)
                   .filter(region_code__startswith=region_code).order_by("started_on", "pk")
                   .values_list("elder_id", "helper_id"))
    pools: dict[str, list[int]] = {}

    def pool_of(code: str) -> list[int]:
        if code not in pools:
            pools[code] = list(visitors_of(code).values_list("pk", flat=True))
        return pools[code]

    new: list[tuple] = []
    for elder_id, code, tier_id in rows:
        tier = tiers[tier_id]
        lines = [(start, end) for start, end in windows(tier.interval_days, month, elder_id)
                 if (elder_id, end_of(end)) not in existing and end_of(end) >= now]
        if not lines:
            made.kept += 1
            continue
        pool = pool_of(code)
        visitor = helpers.get(elder_id) or current_visitor.get(elder_id)
        if visitor is None and previous.get(elder_id) in pool:
            visitor = previous[elder_id]
        if visitor is None and pool:
            visitor = min(pool, key=lambda pk: loads[pk])
        if visitor is not None:
            loads[visitor] += len(lines)
            current_visitor[elder_id] = visitor
        for start, end in lines:
            new.append((elder_id, code, tier_id, month, VisitDue.Reason.PLAN.value, end_of(end), visitor, visitor,
                        S.OPEN.value, "", local(start)))
    _insert(new, batch=batch)
    made.created = len(new)
    if by is not None:
        record(by, AuditEntry.Action.CREATE, None, verb="visit_plan.make", note=month.strftime("%Y-%m"),
               region_code=region_code,
               changes={"month": [None, month.strftime("%Y-%m")], "created": [None, made.created]})
    return made


PLAN_COLUMNS = ("elder_id", "region_code", "tier_id", "month", "reason", "due_by", "proposed_visitor_id", "visitor_id",
                "status", "note", "created_at")


def _insert(rows: list[tuple], *, batch: int) -> None:
    """Many plan lines at once (a city's month: hundreds of thousands), as tuples of
    PLAN_COLUMNS: on PostgreSQL by COPY (bench/visits.py: 180,000 lines in seconds, where
    bulk_create took half a minute), elsewhere by bulk_create."""
    if not rows:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = VisitDue._meta.db_table
            with connection.cursor() as cursor, cursor.cursor.copy(
                    f"COPY {table} ({', '.join(PLAN_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            VisitDue.objects.bulk_create([VisitDue(**dict(zip(PLAN_COLUMNS, row))) for row in rows], batch_size=batch)


# -- the community worker's adjustments ------------------------------------------------------------

def _check_open(due: VisitDue) -> None:
    if due.status != S.OPEN:
        raise ValidationError(_("This visit is no longer open."), code="wrong_status")


@transaction.atomic
def assign_visitor(due: VisitDue, *, visitor: User, by) -> VisitDue:
    """Give an open line to another visitor (a community worker or volunteer whose area covers
    the elder). Audited."""
    if not scope.plans_visits_of(by, due.region_code):
        raise PermissionDenied
    _check_open(due)
    if not may_visit(visitor, due.elder):
        raise ValidationError({"visitor": ValidationError(
            _("This person cannot visit this elder: choose a community worker or volunteer of her community."),
            code="invalid")})
    before = due.visitor_id
    due.visitor = visitor
    due.save(update_fields=["visitor"])
    record(by, AuditEntry.Action.CHANGE, due, verb="visit_due.assign", changes={"visitor": [before, visitor.pk]})
    return due


@transaction.atomic
def cancel_visit_due(due: VisitDue, *, note: str, by) -> VisitDue:
    """Cancel an open line, saying why (in hospital all month, away with family…). Audited.
    Cancelling twice changes nothing."""
    if not scope.plans_visits_of(by, due.region_code):
        raise PermissionDenied
    if due.status == S.CANCELLED:
        return due
    _check_open(due)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ValidationError(_("Say why the visit is cancelled."), code="required")})
    due.status = S.CANCELLED
    due.note = note
    due.save(update_fields=["status", "note"])
    record(by, AuditEntry.Action.CHANGE, due, verb="visit_due.cancel", note=note)
    return due


# -- pairings --------------------------------------------------------------------------------------

@transaction.atomic
def create_pairing(elder: Elder, *, helper: User, kind: str, started_on: dt.date, by) -> Pairing:
    """Pair a helper with an elder from a date (结对帮扶). The helper is a community worker or
    volunteer whose area covers the elder; one pairing in force per elder and helper."""
    if not scope.plans_visits_of(by, elder.region_code):
        raise PermissionDenied
    if kind not in Pairing.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Choose what the helper is."), code="invalid")})
    if not may_visit(helper, elder):
        raise ValidationError({"helper": ValidationError(
            _("This person cannot be paired with this elder: choose a community worker or volunteer of her "
              "community."), code="invalid")})
    if Pairing.objects.filter(elder=elder, helper=helper, ended_on__isnull=True).exists():
        raise ValidationError(_("This helper is already paired with this elder."), code="duplicate")
    pairing = Pairing.objects.create(elder=elder, region_code=elder.region_code, helper=helper, kind=kind,
                                     started_on=started_on, created_by=by)
    record(by, AuditEntry.Action.CREATE, pairing, verb="pairing.create",
           changes={"helper": [None, helper.pk], "kind": [None, kind]})
    return pairing


@transaction.atomic
def end_pairing(pairing: Pairing, *, ended_on: dt.date, by) -> Pairing:
    """End a pairing on a date (not before it started). Ending an ended pairing changes nothing."""
    if not scope.plans_visits_of(by, pairing.region_code):
        raise PermissionDenied
    if pairing.ended_on is not None:
        return pairing
    if ended_on < pairing.started_on:
        raise ValidationError({"ended_on": ValidationError(_("A pairing cannot end before it started."),
                                                           code="invalid")})
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on"])
    record(by, AuditEntry.Action.CHANGE, pairing, verb="pairing.end",
           changes={"ended_on": [None, ended_on.isoformat()]})
    return pairing


# -- settling and reminding -------------------------------------------------------------------------

def _mode_groups() -> list[tuple[list[int | None], list[str]]]:
    """[(tier ids, counted modes)], tiers with the same modes together; None: dues without a tier."""
    groups: dict[tuple[str, ...], list[int | None]] = defaultdict(list)
    for pk, modes in Tier.objects.values_list("pk", "counted_modes"):
        groups[tuple(sorted(modes or []))].append(pk)
    groups[tuple(sorted(IN_PERSON))].append(None)
    return [(ids, list(modes)) for modes, ids in groups.items() if modes]


def _tier_in(ids: list[int | None], field: str = "tier_id") -> Q:
    known = [pk for pk in ids if pk is not None]
    q = Q(**{f"{field}__in": known})
    if None in ids:
        q |= Q(**{f"{field}__isnull": True})
    return q


def settle_visit(visit: CareVisit) -> int:
    """Settle the elder's open dues that this visit counts for (opened at or before it, its mode
    counted by the due's tier). Returns how many; a visit not done settles nothing."""
    if visit.status != CareVisit.Status.DONE:
        return 0
    settled = 0
    # A line of a later month's plan is never settled by this visit, whenever it was made.
    later_plan = Q(reason=VisitDue.Reason.PLAN, month__gt=timezone.localdate(visit.started_at))
    for ids, modes in _mode_groups():
        if visit.mode not in modes:
            continue
        settled += VisitDue.objects.filter(_tier_in(ids), elder_id=visit.elder_id, status=S.OPEN,
                                           created_at__lte=visit.started_at).exclude(later_plan).update(
            status=S.DONE, visit=visit)
    return settled


def settle_open_dues(*, now: dt.datetime | None = None, region_code: str = "") -> int:
    """Settle every open due by the first counted visit since it opened (one UPDATE per group of
    tiers that count the same modes). Idempotent."""
    now = now or timezone.now()
    settled = 0
    for ids, modes in _mode_groups():
        counted = CareVisit.objects.filter(elder_id=OuterRef("elder_id"), status=CareVisit.Status.DONE,
                                           mode__in=modes, started_at__gte=OuterRef("created_at"),
                                           started_at__lte=now)
        dues = VisitDue.objects.filter(_tier_in(ids), status=S.OPEN, created_at__lte=now)
        if region_code:
            dues = dues.filter(region_code__startswith=region_code)
        settled += dues.filter(Exists(counted)).update(
            status=S.DONE, visit=Subquery(counted.order_by("started_at", "pk").values("pk")[:1]))
    return settled


def remind_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell each visitor, once, of their open lines that fell due before `now` (first settling the
    dues by the visits recorded). Returns how many visitors were told."""
    from kangyang.notify import actions as notify
    from kangyang.notify import queries as notify_queries
    from kangyang.notify.models import Kind

    now = now or timezone.now()
    settle_open_dues(now=now)
    overdue = VisitDue.objects.filter(status=S.OPEN, due_by__lt=now, reminded_at__isnull=True, visitor__isnull=False)
    by_visitor: dict[int, list[int]] = defaultdict(list)
    for pk, visitor_id in overdue.values_list("pk", "visitor_id").order_by("visitor_id", "due_by"):
        by_visitor[visitor_id].append(pk)
    told = 0
    for visitor in User.objects.filter(pk__in=list(by_visitor), is_active=True):
        ids = by_visitor[visitor.pk]
        with transaction.atomic():
            claimed = VisitDue.objects.filter(pk__in=ids, reminded_at__isnull=True).update(reminded_at=now)
            if not claimed:
                continue  # another worker told them
            earliest = VisitDue.objects.filter(pk__in=ids).order_by("due_by").values_list("due_by", flat=True).first()
            notify.notify(
                notify_queries.recipient_for(visitor, audience="visitor"), template="visit.overdue",
                context={"count": claimed, "date": timezone.localtime(earliest).date().isoformat()},
                kind=Kind.VISIT, key=f"visit.overdue:{now:%Y%m%d%H}:user:{visitor.pk}",
                region_code=visitor.region.code if visitor.region_id else "", now=now)
        told += 1
    return told
