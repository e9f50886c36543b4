"""The indicator framework: what an app declares in its own `indicators.py`, and the site
that collects the declarations (as Django's admin collects `admin.py`).

An app lists its indicators in `INDICATORS = [Indicator(...), ...]`. Most indicators are a count of
records or a share of two counts, so an app gives the records, not the arithmetic:

    INDICATORS = [Indicator(
        code="alarms_answered_60s_rate", name=_("alarms answered within 60 s"), unit=PERCENT,
        group="alarms",
        numerator=lambda q: raised(q).filter(seconds_to_answer__lte=60),
        numerator_text=_("alarms acknowledged by an operator within 60 seconds"),
        denominator=raised,
        denominator_text=_("alarms raised in the period"),
        as_of_text=_("alarms raised from the first to the last day of the period"),
    )]

`numerator` and `denominator` take a `Query` (the region and the period) and return a
queryset of the records behind the number (narrowed by `numerator_where` / `denominator_where`
where given); the framework filters them to the region by their `region_field`, counts (or
sums `measure`), breaks them down by sub-region in one grouped query for all the indicators
that share a base, and lists the records for the reader, scoped like every other list. An
indicator that is neither a count nor a share (a median, a 95th percentile) gives its own
`compute(q) -> {region code: Figure}`.

The codes of `plan-targets.yaml` are the plans' own indicators; an app that computes one
uses its code. Codes not in the file are the platform's operational indicators.
"""

from __future__ import annotations

import datetime as dt
import importlib
from concurrent.futures import ThreadPoolExecutor
from functools import partial
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.module_loading import module_has_submodule

from kangyang.regions import codes

# Units (plan-targets.yaml's, plus the platform's own).
PERCENT = "percent"
PERMILLE = "permille"
COUNT = "count"
YUAN = "yuan"
SECONDS = "seconds"
YEARS = "years"
PER_1000 = "per_1000_people"
HUNDRED_MILLION_YUAN = "100M_yuan"
SCALE = {PERCENT: 100, PERMILLE: 1000, PER_1000: 1000}

# Digits of a region code that name a node of each level (codes.prefix).
PREFIX_LENGTH = {"city": 4, "district": 6, "subdistrict": 9, "community": 12}
LEVELS = codes.LEVELS


@dataclass(frozen=True)
class Period:
    """A calendar year, or one month of it, in the platform's time zone."""

    year: int
    month: int | None = None

    def __post_init__(self) -> None:
        if not 2000 <= self.year <= 2100:
            raise ValueError("year out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError("month out of range")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, 1)

    @property
    def next_first_day(self) -> dt.date:
        if self.month is None or self.month == 12:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, self.month + 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next_first_day - dt.timedelta(days=1)

    @property
    def as_of(self) -> dt.date:
        """The day the figures are as of: the period's last day, or today while it runs."""
        return min(self.last_day, timezone.localdate())

    @property
    def start(self) -> dt.datetime:
        """The period's first instant (aware), for records stamped with a time."""
        return _midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """The instant after the period (aware), or now while it runs."""
        return min(_midnight(self.next_first_day), timezone.now())

    @property
    def elapsed(self) -> float:
        """The share of the period that is over (1.0 once it ended), for "on track"."""
        days = (self.next_first_day - self.first_day).days
        return min(1.0, max(0.0, ((self.as_of - self.first_day).days + 1) / days))

    @property
    def key(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class Query:
    """What an indicator is asked for: a region (its 12-digit code) and a period."""

    region_code: str
    period: Period

    @property
    def level(self) -> str:
        return codes.level_of(self.region_code)

    @property
    def prefix(self) -> str:
        return codes.prefix(self.region_code)

    # Short names the declarations read well with.
    @property
    def start(self) -> dt.datetime:
        return self.period.start

    @property
    def end(self) -> dt.datetime:
        return self.period.end

    @property
    def as_of(self) -> dt.date:
        return self.period.as_of


@dataclass(frozen=True)
class Figure:
    """One indicator's number for one region: the value, and for a share the counts it
    divides (a count's numerator is the count itself)."""

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def ratio(numerator, denominator, scale: int) -> Figure:
    """numerator ÷ denominator × scale, exact (Decimal); no value when nothing to divide by."""
    n, d = Decimal(numerator or 0), Decimal(denominator or 0)
    return Figure(value=(n * scale / d) if d else None, numerator=n, denominator=d)


Where = Callable[["Query"], Q]


@dataclass(frozen=True)
class Indicator:
    """One indicator, declared by the app that owns its records.

    `numerator` (and `denominator`) return a queryset of records for a query; the optional
    `numerator_where` (and `denominator_where`) return a Q that narrows it. Indicators that
    share one base function (the same function object) and region field are computed
    together, one grouped query with a conditional count per indicator: give the common
    records as the base and what sets each indicator apart as its `where`."""

    code: str
    name: str  # lazy translation
    unit: str
    group: str  # a heading the dashboard lists it under: elders, assessment, alarms…
    numerator_text: str  # what is counted (or summed), in words
    as_of_text: str  # which records, as of which date
    numerator: Callable[[Query], QuerySet] | None = None
    numerator_where: Where | None = None
    denominator: Callable[[Query], QuerySet] | None = None
    denominator_where: Where | None = None
    denominator_text: str = ""
    region_field: str = "region_code"  # of the numerator's (and denominator's) records
    denominator_region_field: str | None = None  # when it differs from the numerator's
    measure: str | None = None  # a numeric field of the numerator's records to sum instead of counting
    compute: Callable[[Query, str], dict[str, Figure]] | None = None
    level: str = "community"  # the deepest level it breaks down to
    lower_is_better: bool = False  # for charts and rankings (a response time)
    # Whom its list of records may be shown to, beyond the area rule (accounts/scope.py).
    sensitivity: str = ""  # "" or "health"
    app_label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if (self.compute is None) == (self.numerator is None):
            raise ValueError(f"indicator {self.code}: give either numerator (and denominator) or compute")

    @property
    def scale(self) -> int:
        return SCALE.get(self.unit, 1)

    @property
    def is_share(self) -> bool:
        return self.denominator is not None

    def terms(self) -> list["Term"]:
        """What is counted: the numerator, and the denominator of a share."""
        found = [Term(self.numerator, self.numerator_where, self.region_field, self.measure)]
        if self.denominator is not None:
            found.append(Term(self.denominator, self.denominator_where,
                              self.denominator_region_field or self.region_field, None))
        return found

    def figures(self, q: Query, by: str | None = None) -> dict[str, Figure]:
        """{region code: Figure}: the query's region alone (by=None), or each of its
        sub-regions of level `by` that has records."""
        return evaluate([self], q, by).get(self.code, {})

    def figure(self, q: Query) -> Figure:
        """The query's region as one figure (see `empty_figure` when it has no records)."""
        return self.figures(q).get(q.region_code) or self.empty_figure()

    def empty_figure(self) -> Figure:
        """A region without records: a count of zero; a share with nothing to divide by."""
        if self.compute is not None:
            return Figure(None)
        if self.is_share:
            return Figure(value=None, numerator=Decimal(0), denominator=Decimal(0))
        return Figure(value=Decimal(0), numerator=Decimal(0))

    def records(self, q: Query, *, denominator: bool = False) -> QuerySet:
        """The records behind the number, in the query's region (not yet scoped to a reader:
        queries.records_for does that)."""
        if self.compute is not None or (denominator and self.denominator is None):
            raise LookupError(f"indicator {self.code} has no list of records")
        term = self.terms()[1 if denominator else 0]
        qs = term.base(q).filter(**{f"{term.field}__startswith": q.prefix})
        return qs.filter(term.where(q)) if term.where is not None else qs

    def records_field(self, *, denominator: bool = False) -> str:
        return (self.denominator_region_field or self.region_field) if denominator else self.region_field


@dataclass(frozen=True)
class Term:
    base: Callable[[Query], QuerySet]
    where: Where | None
    field: str
    measure: str | None


def evaluate(indicators: list[Indicator], q: Query, by: str | None = None) -> dict[str, dict[str, Figure]]:
    """{indicator code: {region code: Figure}} for the query's region (by=None) or each of
    its sub-regions of level `by`, computing together the terms that share a base.

    The queries (one per shared base, one per computed indicator) are independent: on
    PostgreSQL, outside a transaction, they run side by side on PARALLEL connections
    (bench/indicators.py: a city of a million elders, the live report 5.4 s one after the
    other); inside a transaction, whose uncommitted rows other connections would not see,
    and on SQLite, one after the other."""
    by = by or q.level
    if LEVELS.index(by) < LEVELS.index(q.level):
        raise ValueError("a breakdown goes down the tree")
    wanted = [i for i in indicators if LEVELS.index(by) <= LEVELS.index(i.level)]
    results: dict[str, dict[str, Figure]] = {i.code: {} for i in indicators}
    batches: dict[tuple, list[tuple[str, int, Term]]] = {}
    computed = [i for i in wanted if i.compute is not None]
    for indicator in wanted:
        if indicator.compute is None:
            for n, term in enumerate(indicator.terms()):
                batches.setdefault((term.base, term.field), []).append((indicator.code, n, term))
    jobs = [partial(indicator.compute, q, by) for indicator in computed]
    jobs += [partial(_grouped_terms_of, base, q=q, field=field_name, by=by, terms=terms)
             for (base, field_name), terms in batches.items()]
    done = _run(jobs)
    for indicator, figures in zip(computed, done):
        results[indicator.code] = figures
    totals: dict[tuple[str, int], dict[str, Decimal]] = {}
    for found in done[len(computed):]:
        totals.update(found)
    for indicator in wanted:
        if indicator.compute is not None:
            continue
        numerators = totals.get((indicator.code, 0), {})
        if not indicator.is_share:
            results[indicator.code] = {c: Figure(value=n, numerator=n) for c, n in numerators.items()}
        else:
            results[indicator.code] = {c: ratio(numerators.get(c, 0), d, indicator.scale)
                                       for c, d in totals.get((indicator.code, 1), {}).items() if d}
    return results


# Connections one evaluation uses at once on PostgreSQL (each from the process's pool).
PARALLEL = 3


def _run(jobs: list[Callable]) -> list:
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(jobs) < 2:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="indicators") as pool:
        return list(pool.map(_on_own_connection, jobs))


def _on_own_connection(job: Callable):
    """A job in a worker thread: Django gives the thread its own connection, handed back
    (to the pool, or closed) when the job ends."""
    try:
        return job()
    finally:
        connection.close()


def _grouped_terms_of(base: Callable, *, q: Query, field: str, by: str, terms) -> dict:
    return _grouped_terms(base(q), field=field, q=q, by=by, terms=terms)


def _grouped_terms(qs: QuerySet, *, field: str, q: Query, by: str, terms) -> dict[tuple[str, int], dict[str, Decimal]]:
    """One query: per node of level `by`, a conditional count (or sum) for each term."""
    from django.db.models import Sum

    distinct = _needs_distinct(qs)
    aggregates = {}
    for k, (_code, _n, term) in enumerate(terms):
        where = term.where(q) if term.where is not None else None
        if term.measure:
            aggregates[f"_t{k}"] = Sum(term.measure, filter=where)
        else:
            aggregates[f"_t{k}"] = Count("pk", filter=where, distinct=distinct)
    rows = (qs.filter(**{f"{field}__startswith": q.prefix})
            .annotate(_node=Substr(field, 1, PREFIX_LENGTH[by])).order_by().values("_node").annotate(**aggregates))
    found: dict[tuple[str, int], dict[str, Decimal]] = {(code, n): {} for code, n, _t in terms}
    for row in rows:
        node = node_code(row["_node"])
        for k, (code, n, _t) in enumerate(terms):
            found[(code, n)][node] = Decimal(row[f"_t{k}"] or 0)
    return found


def lazy_format(text, **values):
    """`text % values`, translated when shown (a lazy string's own % translates at once)."""
    return lazy(lambda: str(text) % {k: str(v) for k, v in values.items()}, str)()


def node_code(code_prefix: str) -> str:
    """The 12-digit code of the node whose prefix this is (3601 → 360100000000)."""
    return code_prefix.ljust(12, "0")


def _needs_distinct(qs: QuerySet) -> bool:
    """A queryset filtered across a to-many relation may repeat a record."""
    return bool(qs.query.distinct) or qs.query.combinator is not None


class _WithinGroup(Aggregate):
    """PostgreSQL's ordered-set aggregates: percentile_cont(f) / percentile_disc(f) WITHIN
    GROUP (ORDER BY expression)."""

    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"


def durations_per_region(q: Query, by: str, qs: QuerySet, field: str, duration, *, fraction: Decimal,
                         exact: bool) -> dict[str, Figure]:
    """For `compute`: per node of level `by`, a percentile of the `duration` expression (an
    interval) over `qs`'s rows, in seconds, with the row count as denominator.

    `exact=False`: interpolated between the two nearest values (for 0.5, the mean of the two
    middle ones); `exact=True`: nearest rank (the ⌈f·n⌉-th smallest). On PostgreSQL one grouped
    query (percentile_cont / percentile_disc); elsewhere the rows are read and counted here,
    with the same definitions. Seconds are rounded to the millisecond either way."""
    qs = qs.filter(**{f"{field}__startswith": q.prefix}).order_by()
    if connection.vendor == "postgresql":
        aggregate = _WithinGroup(duration, function="percentile_disc" if exact else "percentile_cont",
                                 fraction=str(fraction), output_field=DurationField())
        rows = (qs.annotate(_node=Substr(field, 1, PREFIX_LENGTH[by])).values("_node")
                .annotate(_v=aggregate, _n=Count("pk")))
        return {node_code(r["_node"]): Figure(value=_seconds(r["_v"]), denominator=Decimal(r["_n"])) for r in rows}
    values = qs.annotate(_d=ExpressionWrapper(duration, output_field=DurationField())).values_list(field, "_d")
    rows = ((code, _seconds(d)) for code, d in values.iterator(chunk_size=5000))
    pick = (lambda xs: nearest_rank(xs, fraction)) if exact else (lambda xs: interpolated(xs, fraction))
    return {code: Figure(value=v.quantize(MILLISECOND), denominator=f.denominator)
            for code, f in per_region(q, by, rows, pick).items() for v in [f.value]}


MILLISECOND = Decimal("0.001")


def _seconds(d: dt.timedelta) -> Decimal:
    return (Decimal(d.days * 86_400_000_000 + d.seconds * 1_000_000 + d.microseconds) / 1_000_000).quantize(MILLISECOND)


def nearest_rank(xs: list[Decimal], fraction: Decimal) -> Decimal:
    """The smallest value that at least `fraction` of the values do not exceed (the ⌈f·n⌉-th
    smallest), as PostgreSQL's percentile_disc."""
    ordered = sorted(xs)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def interpolated(xs: list[Decimal], fraction: Decimal) -> Decimal:
    """Linear interpolation between the two nearest ranks, as PostgreSQL's percentile_cont
    (for 0.5: the median, the mean of the two middle values for an even count)."""
    ordered = sorted(xs)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def per_region(q: Query, by: str, rows, value: Callable[[list], Decimal | None]) -> dict[str, Figure]:
    """For `compute`: group (region code, x) rows by node of level `by`, then `value` of
    each group's xs (a median, a percentile)."""
    length = PREFIX_LENGTH[by]
    groups: dict[str, list] = {}
    for code, x in rows:
        if code and code.startswith(q.prefix):
            groups.setdefault(node_code(code[:length]), []).append(x)
    return {code: Figure(value=value(xs), denominator=Decimal(len(xs))) for code, xs in groups.items()}


def in_region(field: str, prefix: str) -> Q:
    return Q(**{f"{field}__startswith": prefix})


class IndicatorSite:
    """Every declared indicator, by code, in INSTALLED_APPS order."""

    def __init__(self) -> None:
        self._indicators: dict[str, Indicator] | None = None

    def discover(self) -> None:
        """Read `INDICATORS` from every installed app's `indicators` module (found the way
        Django's admin finds `admin.py`: this app never names another)."""
        from django.apps import apps

        found: dict[str, Indicator] = {}
        for config in apps.get_app_configs():
            if not module_has_submodule(config.module, "indicators"):
                continue
            module = importlib.import_module(f"{config.name}.indicators")
            for indicator in getattr(module, "INDICATORS", ()):
                if indicator.code in found:
                    raise ImproperlyConfigured(f"indicator {indicator.code} is declared twice")
                if indicator.level not in LEVELS:
                    raise ImproperlyConfigured(f"indicator {indicator.code}: unknown level {indicator.level}")
                object.__setattr__(indicator, "app_label", config.label)
                found[indicator.code] = indicator
        self._indicators = found

    @property
    def _all(self) -> dict[str, Indicator]:
        if self._indicators is None:
            self.discover()
        return self._indicators

    def get(self, code: str) -> Indicator | None:
        return self._all.get(code)

    def all(self) -> list[Indicator]:
        return list(self._all.values())


site = IndicatorSite()
