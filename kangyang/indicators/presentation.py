"""The indicators in words, for the pages: a figure formatted by its unit, its status and each
plan's target, the groups it is listed under, and the records behind it as rows a reader may
see (names and masked ID numbers only, as accounts.scope.identity_view says). Presentation
only: every number comes from queries.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from kangyang.accounts import scope
from kangyang.indicators import queries
from kangyang.indicators import registry as units
from kangyang.indicators import targets as T
from kangyang.indicators.registry import Figure
from kangyang.lib import numbers
from kangyang.registry.models import Elder

# The plans of plan-targets.yaml by their codes (its header names each one). A plan a bureau
# adds to its own copy is shown by its code.
PLAN_LABELS = {
    "xihu-2023": gettext_lazy("Xihu district three-year plan (2023–2025)"),
    "nanchang-14th": gettext_lazy("Nanchang 14th five-year plan"),
    "shapotou-2027": gettext_lazy("Shapotou district task list (2027)"),
    "xianning-2025": gettext_lazy("Xianning measures (2025)"),
}

# The headings indicators are listed under: the plans' categories and the apps' groups.
GROUP_LABELS = {
    "elders": pgettext_lazy("indicator group", "Elders"),
    "elder_categories": pgettext_lazy("indicator group", "Elders by category"),
    "health": pgettext_lazy("indicator group", "Health"),
    "elder_care": pgettext_lazy("indicator group", "Elder care"),
    "workforce": pgettext_lazy("indicator group", "Care workforce"),
    "assessment": pgettext_lazy("indicator group", "Capability assessment"),
    "allowances": pgettext_lazy("indicator group", "Allowances"),
    "services": pgettext_lazy("indicator group", "Home services"),
    "alarms": pgettext_lazy("indicator group", "Alarms"),
    "devices": pgettext_lazy("indicator group", "Devices"),
    "visits": pgettext_lazy("indicator group", "Visits"),
    "institutions": pgettext_lazy("indicator group", "Institutions"),
    "timebank": pgettext_lazy("indicator group", "Time bank"),
}

KIND_LABELS = {"binding": gettext_lazy("binding"), "expected": gettext_lazy("expected")}
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}

# The page of a record, by its model (`app.model`), where the app has one; the records of
# other models are listed without a link (an elder's own page is linked beside them).
RECORD_PAGES = {
    "registry.elder": "registry:detail",
    "alarms.alarm": "alarms:detail",
    "services.order": "services:order",
    "assessment.assessment": "assessment:report",
}


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, group))


def plan_label(plan: str) -> str:
    return str(PLAN_LABELS.get(plan, plan))


def _plain(value: Decimal, places: int = 2) -> str:
    """A number with thousands separators and at most `places` decimals (no trailing zeros)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    return f"{rounded:,f}"


def format_value(value, unit: str, *, guard=None) -> str:
    """A figure as it reads: 98.97% (never rounded across `guard`, its nearest target),
    ¥1,200.00, 12,345, 4.5‰, 78.6 years…; "—" for none."""
    if value is None:
        return numbers.NONE
    value = Decimal(value)
    if unit == units.PERCENT:
        return numbers.percent(value, guard)
    if unit == units.YUAN:
        return numbers.yuan(value)
    if unit == units.PERMILLE:
        return f"{_plain(value)}‰"
    if unit == units.SECONDS:
        return _("%(n)s s") % {"n": _plain(value, 1)}
    if unit == units.YEARS:
        return _("%(n)s years") % {"n": _plain(value)}
    if unit == units.HUNDRED_MILLION_YUAN:
        return _("%(n)s hundred million yuan") % {"n": _plain(value)}
    if unit == units.PER_1000:
        return _("%(n)s per 1,000 people") % {"n": _plain(value)}
    return _plain(value)


def target_text(value: Decimal, unit: str) -> str:
    """A target as the plans word it: 78%, not 78.0%."""
    if unit == units.PERCENT:
        return f"{_plain(value)}%"
    return format_value(value, unit)


def guard_for(value, targets: list[T.Target]) -> Decimal | None:
    """The target a percentage must not be rounded across: the one that needs the most
    decimals to keep the value on its own side (the nearest)."""
    if value is None or not targets:
        return None
    return max((t.value for t in targets), key=lambda t: numbers.percent_places(Decimal(value), t)[1])


@dataclass
class TargetLine:
    plan: str
    text: str  # ≥ 78%
    year: int
    carried: bool  # a plan's last target, still in force after its year
    ahead: bool  # a target for a later year, not yet due
    status: str
    status_label: str


@dataclass
class Line:
    """One indicator row of the dashboard."""

    row: queries.Row
    value_text: str
    status_label: str
    targets: list[TargetLine] = field(default_factory=list)
    kind_label: str = ""
    guard: Decimal | None = None  # the target a percentage is not rounded across
    pending: bool = False  # computed by the platform, but no snapshot of the period yet
    drill_url: str = ""  # its breakdown, ranking and trend
    records_url: str = ""  # the records it counts
    denominator_url: str = ""  # the records it divides by (a share)

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def status(self) -> str:
        return self.row.status


def line_for(row: queries.Row, year: int, *, pending: bool = False) -> Line:
    value = None if pending else row.figure.value
    plan_targets = [t for t, _s in row.targets]
    statuses = [T.NO_DATA if pending else s for _t, s in row.targets]
    status = T.NO_DATA if value is None else row.status
    guard = guard_for(value, plan_targets) if row.unit == units.PERCENT else None
    line = Line(
        row=row, pending=pending, guard=guard, value_text=format_value(value, row.unit, guard=guard),
        status_label=str(queries.STATUS_LABELS.get(status, status)),
        kind_label=str(KIND_LABELS.get(row.kind, "")),
    )
    for target, s in zip(plan_targets, statuses):
        line.targets.append(TargetLine(
            plan=plan_label(target.plan), year=target.year, carried=target.year < year, ahead=target.year > year,
            text=f"{OPS.get(target.op, target.op)} {target_text(target.value, row.unit)}",
            status=s, status_label=str(queries.STATUS_LABELS.get(s, s)),
        ))
    return line


def without_figures(rows: list[queries.Row]) -> list[queries.Row]:
    """The rows of a period nobody has computed yet: the platform's figures blanked (never a
    zero that was not counted); entered figures stay."""
    for row in rows:
        if row.origin == queries.COMPUTED:
            row.figure = Figure(None)
            row.targets = [(t, T.NO_DATA) for t, _s in row.targets]
    return rows


# -- the records behind a figure --------------------------------------------------------------

@dataclass
class RecordLine:
    kind: str  # the record's type in words
    label: str
    url: str
    elder: dict | None  # identity_view of the elder the record is about
    elder_url: str
    region: str


def _page_of(obj: models.Model) -> str:
    name = RECORD_PAGES.get(obj._meta.label_lower)
    if not name:
        return ""
    try:
        return reverse(name, args=[obj.pk])
    except NoReverseMatch:
        return ""


def has_elder(model) -> bool:
    try:
        related = model._meta.get_field("elder")
    except FieldDoesNotExist:
        return False
    return related.is_relation and related.related_model is Elder


def record_lines(user, records, *, region_field: str, region_names: dict[str, str]) -> list[RecordLine]:
    """The records of one page of the list, in words."""
    lines = []
    for obj in records:
        elder = obj if isinstance(obj, Elder) else getattr(obj, "elder", None) if has_elder(type(obj)) else None
        code = _field_value(obj, region_field)
        lines.append(RecordLine(
            kind=str(obj._meta.verbose_name), label=str(obj) if not isinstance(obj, Elder) else "",
            url=_page_of(obj), elder=scope.identity_view(user, elder) if elder is not None else None,
            elder_url=reverse("registry:detail", args=[elder.pk]) if elder is not None else "",
            region=region_names.get(code, code or ""),
        ))
    return lines


def _field_value(obj, path: str):
    """`household__region_code` of a record, following its relations."""
    value = obj
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value
