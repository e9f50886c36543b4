"""THE MONTHLY VISIT RATE (特殊困难老年人月探访率): the share of the vulnerable elders due a visit
in a month who were visited in it. The plans' target is 100% (plan-targets.yaml:
vulnerable_monthly_visit_rate). The rule, as written in README "Care visits: the monthly
visit rate":

Month. A calendar month in Asia/Shanghai (KANGYANG_TIME_ZONE): from 00:00 local on the 1st
to 00:00 local on the next month's 1st (stored times are UTC; 1 December 00:00 in Nanchang is
30 November 16:00 UTC). While the month runs, it ends now. A year's figure is the rate of its
last month (the running month while the year runs).

Denominator: the vulnerable elders due a visit in the month —
1. with a visit tier (`VisitProfile.tier`: the derived tier or the one set by hand; an elder
   in an institution or with no vulnerability category has none: actions/tiers.py);
2. registered in the platform before the month ends (`Elder.created_at`): an elder added, or
   moved in from outside, on the 20th is due this month — the community knows of her;
3. not gone before the month starts: active, or deceased or moved out (`status`) on or after
   its first day (`status_date`). An elder who died or moved away on the 10th is still due this
   month — a visit before the 10th counts her as visited. One whose status has no date is
   treated as gone before the month;
4. due in the month by her tier: every month for a tier visited monthly or more often (weekly
   and monthly tiers); a tier visited every k months (quarterly: k = 3) is due in one month of
   each block of k months, the month of `elder.id mod k` (actions/plans.py puts her plan line
   there too);
5. counted in the community where she actually lives (`Elder.community` → `region_code`), not
   where her hukou is (`registered_community`); the subdistrict, district and city add up
   their communities. An elder who moved between two communities of the platform counts
   wholly in the one she lives in now, and a visit before the move counts too.

Numerator: those of the denominator with at least one care visit
* recorded as done (`CareVisit.status == "done"`; "elder not met" is not a visit),
* that started (`started_at`) within the month — for a tier visited every k months, within
  her block of k months up to the month's end (the quarter's visit may come early),
* of a mode her tier counts (`Tier.counted_modes`). The default policy: the high-risk and key
  tiers count a home visit or a visit through a neighbour or relative (someone saw her at
  home); a phone or video call counts only for the general tier. A bureau changes this per
  tier in the admin.
Two visits in a month count once. A weekly tier's four visits are the plan's business (the
overdue lists), not the rate's: one counted visit makes her visited for the month.

The tier is the elder's tier now (a profile keeps the tier of an elder who died or moved out),
so a month's figure recomputed later follows later tier changes; the indicators' monthly
snapshot, taken as the month ends, keeps the figure as it was.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.indicators.registry import Figure, Period, Query
from kangyang.registry.models import Elder
from kangyang.visits.actions.plans import block_start, local, month_start, months_per_visit, next_month
from kangyang.visits.models import CareVisit, Tier

NOTHING = Q(pk__in=[])


def month_of(period: Period) -> dt.date:
    """The month a period's rate is of: the month itself, or a year's last (running) month."""
    if period.month is not None:
        return period.first_day
    return month_start(period.as_of)


def bounds(month: dt.date, *, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a month in local time; while it runs, it ends now."""
    now = now or timezone.now()
    return local(month), min(local(next_month(month)), now)


def _tier_groups() -> dict[tuple[int, tuple[str, ...]], list[int]]:
    """{(months per visit, counted modes): [tier ids]}."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
    for pk, interval, modes in Tier.objects.values_list("pk", "interval_days", "counted_modes"):
        groups[(months_per_visit(interval), tuple(sorted(modes or [])))].append(pk)
    return groups


def due_filter(month: dt.date, *, now: dt.datetime | None = None, path: str = "") -> Q:
    """Elders due a visit in the month (the denominator, rules 1–4; `path` prefixes the lookups
    for a model related to the elder)."""
    start, end = bounds(month, now=now)
    gone_after = Q(**{f"{path}status__in": (Elder.Status.DECEASED, Elder.Status.MOVED_OUT),
                      f"{path}status_date__gte": month})
    alive = Q(**{f"{path}status": Elder.Status.ACTIVE}) | gone_after
    due_by_tier = NOTHING
    by_k: dict[int, list[int]] = defaultdict(list)
    for (k, _modes), ids in _tier_groups().items():
        by_k[k].extend(ids)
    for k, ids in by_k.items():
        in_tier = Q(**{f"{path}visit_profile__tier_id__in": ids})
        if k == 1:
            due_by_tier |= in_tier
        else:
            offset = month.month - block_start(month, k).month
            due_by_tier |= in_tier & Q(Exact(Mod(F(f"{path}id"), k), offset))
    return Q(**{f"{path}created_at__lt": end}) & alive & due_by_tier


def visited_filter(month: dt.date, *, now: dt.datetime | None = None) -> Q:
    """Of the elders due, those visited (the numerator's condition; on Elder)."""
    _start, end = bounds(month, now=now)
    found = NOTHING
    for (k, modes), ids in _tier_groups().items():
        if not modes:
            continue
        since = local(block_start(month, k)) if k > 1 else local(month)
        counted = CareVisit.objects.filter(elder_id=OuterRef("pk"), status=CareVisit.Status.DONE, mode__in=modes,
                                           started_at__gte=since, started_at__lt=end)
        found |= Q(visit_profile__tier_id__in=ids) & Q(Exists(counted))
    return found


def due_elders(month: dt.date, *, region_code: str = "", now: dt.datetime | None = None) -> QuerySet:
    """The denominator's elders of a region (all regions by default)."""
    qs = Elder.objects.filter(due_filter(month_start(month), now=now))
    if region_code:
        qs = qs.filter(region_code__startswith=_prefix(region_code))
    return qs


def _prefix(region_code: str) -> str:
    from kangyang.regions import codes

    return codes.prefix(region_code) if len(region_code) == 12 else region_code


# -- for the indicator (indicators.py) and the pages -------------------------------------------------

def denominator(q: Query) -> QuerySet:
    """The indicator's base: the elders due in the query's month."""
    return Elder.objects.filter(due_filter(month_of(q.period), now=q.end))


def numerator_where(q: Query) -> Q:
    return visited_filter(month_of(q.period), now=q.end)


def rate_tree(region_code: str, month: dt.date) -> dict[str, Figure]:
    """{code: Figure(value %, numerator visited, denominator due)} of the region and of every
    region below it that has elders due, from one grouped query by community (the higher
    levels add up their communities: a rate of a subdistrict is its visited over its due)."""
    from kangyang.indicators.registry import ratio
    from kangyang.regions import codes
    from kangyang.visits.indicators import VISIT_RATE

    month = month_start(month)
    communities = VISIT_RATE.figures(Query(region_code, Period(month.year, month.month)), by="community")
    level = codes.LEVELS.index(codes.level_of(region_code))
    sums: dict[str, list] = defaultdict(lambda: [0, 0])
    for code, figure in communities.items():
        for length, depth in ((4, 0), (6, 1), (9, 2), (12, 3)):
            if depth < level:
                continue
            node = code[:length].ljust(12, "0")
            sums[node][0] += figure.numerator or 0
            sums[node][1] += figure.denominator or 0
    return {code: ratio(n, d, 100) for code, (n, d) in sums.items()}


def rate_by_region(region_code: str, month: dt.date, *, by: str | None = None) -> dict[str, Figure]:
    """{region code: Figure} for the region (by=None) or each of its sub-regions of level `by`
    that has elders due (one query: rate_tree)."""
    from kangyang.regions import codes

    by = by or codes.level_of(region_code)
    return {code: f for code, f in rate_tree(region_code, month).items() if codes.level_of(code) == by}


def unvisited_for(user, *, region_code: str, month: dt.date) -> QuerySet:
    """The drill-down: elders of the region due in the month and not visited, as the user may
    see them (their own area only)."""
    month = month_start(month)
    end = bounds(month)[1]
    return (due_elders(month, region_code=region_code).exclude(visited_filter(month, now=end))
            .filter(scope.visit_plan_filter(user)).select_related("visit_profile__tier", "community"))


def visited_of(elder_ids, month: dt.date) -> set[int]:
    """Of these elders, those counted as visited in the month (for marking a list)."""
    month = month_start(month)
    return set(Elder.objects.filter(pk__in=list(elder_ids)).filter(visited_filter(month, now=bounds(month)[1]))
               .values_list("pk", flat=True))
