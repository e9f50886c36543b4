"""Reads: the indicators of a region for a period, against their targets; breakdowns; the
records behind a figure, scoped to the reader; the report's JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.indicators import targets as T
from kangyang.indicators.models import ManualValue, Snapshot, TargetSet
from kangyang.indicators.registry import LEVELS, Figure, Indicator, Period, Query, evaluate, site
from kangyang.regions import codes

LIVE, SNAPSHOT = "live", "snapshot"
COMPUTED, ENTERED, NONE = "computed", "entered", "none"


@dataclass
class Row:
    """One indicator of a region and period, as a page, a file or the JSON shows it."""

    code: str
    name: str
    unit: str
    group: str
    kind: str  # expected / binding / "" (an operational indicator of the platform)
    figure: Figure
    origin: str  # computed / entered / none
    as_of: object  # a date
    indicator: Indicator | None = None
    plan: T.PlanIndicator | None = None
    targets: list[tuple[T.Target, str]] = field(default_factory=list)
    entered: ManualValue | None = None

    @property
    def status(self) -> str:
        if self.figure.value is None:
            return T.NO_DATA
        return T.overall([s for _t, s in self.targets])

    @property
    def binding_miss(self) -> bool:
        return self.kind == "binding" and self.status in (T.BEHIND, T.NO_DATA)

    def as_json(self) -> dict:
        figure = self.figure
        return {
            "code": self.code, "name": str(self.name), "unit": self.unit, "kind": self.kind or None,
            "value": _number(figure.value), "numerator": _number(figure.numerator),
            "denominator": _number(figure.denominator), "origin": self.origin, "status": self.status,
            "targets": [t.as_json(s) for t, s in self.targets],
            "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 6))


# -- targets ----------------------------------------------------------------------------------

def target_set_for(region_code: str) -> TargetSet | None:
    """The latest saved target set of the nearest bureau at or above the region."""
    chain = [region_code]
    while (parent := codes.parent_code_of(chain[-1])) is not None:
        chain.append(parent)
    found = {s.region_code: s for s in TargetSet.objects.filter(region_code__in=chain).order_by("region_code", "version")}
    for code in chain:
        if code in found:
            return found[code]
    return None


def plan_indicators_for(region_code: str) -> dict[str, T.PlanIndicator]:
    saved = target_set_for(region_code)
    return T.parse(saved.text) if saved else T.shipped()


# -- figures ----------------------------------------------------------------------------------

def catalogue(region_code: str) -> tuple[dict[str, T.PlanIndicator], list[str]]:
    """(the plans' indicators in force, every code in order: the plans' first, then the
    platform's own)."""
    plans = plan_indicators_for(region_code)
    order = list(plans) + [i.code for i in site.all() if i.code not in plans]
    return plans, order


def snapshot_figures(region_code: str, period: Period) -> tuple[dict[str, Figure], object]:
    """({code: Figure}, when they were computed) from the stored snapshots."""
    rows = Snapshot.objects.filter(region_code=region_code, period=period.key)
    figures, computed_at = {}, None
    for s in rows:
        figures[s.code] = Figure(value=s.value, numerator=s.numerator, denominator=s.denominator)
        computed_at = max(computed_at, s.computed_at) if computed_at else s.computed_at
    return figures, computed_at


def latest_entries(region_code: str, year: int) -> dict[str, ManualValue]:
    """The latest entered figure of each code for the region and year."""
    found: dict[str, ManualValue] = {}
    for entry in ManualValue.objects.filter(region_code=region_code, year=year).order_by("-entered_at", "-id"):
        found.setdefault(entry.code, entry)
    return found


def rows_for(region_code: str, period: Period, *, source: str = LIVE) -> list[Row]:
    """Every indicator of the region for the period: computed (live, or from the latest
    snapshots), entered by the bureau, or without data; each against its plans' targets."""
    plans, order = catalogue(region_code)
    q = Query(region_code, period)
    if source == LIVE:
        figures = {code: by_region.get(region_code) for code, by_region in evaluate(site.all(), q).items()}
    else:
        figures = snapshot_figures(region_code, period)[0]
    entries = latest_entries(region_code, period.year)
    rows = []
    for code in order:
        indicator, plan = site.get(code), plans.get(code)
        entry = None
        if indicator is not None and LEVELS.index(q.level) <= LEVELS.index(indicator.level):
            figure = figures.get(code) or indicator.empty_figure()
            origin, as_of = COMPUTED, period.as_of
        elif (entry := entries.get(code)) is not None:
            figure, origin, as_of = Figure(value=entry.value), ENTERED, entry.as_of
        else:
            figure, origin, as_of = Figure(None), NONE, None
        row = Row(code=code, name=indicator.name if indicator else (plan.name_zh if plan else code),
                  unit=indicator.unit if indicator else plan.unit, group=indicator.group if indicator else plan.category,
                  kind=plan.kind if plan else "", figure=figure, origin=origin, as_of=as_of,
                  indicator=indicator, plan=plan, entered=entry)
        if plan is not None:
            row.targets = [(t, T.status(figure.value, t, year=period.year, elapsed=_elapsed_of_year(period),
                                        unit=row.unit))
                           for t in T.targets_for(plan, period.year)]
        rows.append(row)
    return rows


def _elapsed_of_year(period: Period) -> float:
    return Period(period.year).elapsed if period.as_of.year == period.year else 1.0


def ordered_for_reading(rows: list[Row]) -> list[Row]:
    """Binding misses first, then the rest behind, then everything else in catalogue order."""
    def rank(row: Row) -> int:
        if row.binding_miss:
            return 0
        return 1 if row.status == T.BEHIND else 2
    return sorted(rows, key=rank)


def report(region_code: str, period: Period, *, source: str = LIVE) -> dict:
    """The report's JSON (the indicators issue, CONTRACTS.md)."""
    rows = rows_for(region_code, period, source=source)
    return {"region": region_code, "year": period.year, "month": period.month,
            "as_of": period.as_of.isoformat(), "indicators": [row.as_json() for row in rows]}


def breakdown(indicator: Indicator, region_code: str, period: Period, by: str, *,
              source: str = LIVE) -> dict[str, Figure]:
    """{code of each sub-region of level `by`: Figure}, live or from the snapshots."""
    if source == LIVE:
        return indicator.figures(Query(region_code, period), by=by)
    rows = Snapshot.objects.filter(code=indicator.code, period=period.key,
                                   region_code__startswith=codes.prefix(region_code))
    want = codes.LEVELS.index(by)
    return {s.region_code: Figure(s.value, s.numerator, s.denominator) for s in rows
            if codes.LEVELS.index(codes.level_of(s.region_code)) == want}


def history(code: str, region_code: str, year: int) -> list[tuple[str, Decimal | None]]:
    """The monthly snapshots of one indicator for one region, oldest first: [(period, value)]."""
    rows = Snapshot.objects.filter(code=code, region_code=region_code, period__startswith=f"{year}-").order_by("period")
    return [(s.period, s.value) for s in rows]


# -- the records behind a figure ----------------------------------------------------------------

class NoRecords(LookupError):
    pass


def records_for(user, indicator: Indicator, region_code: str, period: Period, *,
                denominator: bool = False) -> QuerySet:
    """The records behind a figure that this reader may see: the region's records, cut to
    the reader's own area like every other list (accounts/scope.py)."""
    if not scope.sees_indicator_records(user, indicator.sensitivity):
        raise PermissionError
    try:
        qs = indicator.records(Query(region_code, period), denominator=denominator)
    except LookupError:
        raise NoRecords(indicator.code) from None
    return qs.filter(scope.region_filter(user, field=indicator.records_field(denominator=denominator)))


STATUS_LABELS = {
    T.MET: _("met"), T.ON_TRACK: _("on track"), T.BEHIND: _("behind"), T.NO_DATA: _("no data yet"),
    T.NO_TARGET: _("no target"),
}
