"""The plans' targets and how a figure stands against them. Plain functions over plain data.

The shipped targets are `data/plan-targets.yaml`, a copy of the project's spec file (its
header names each plan it quotes). A bureau edits its own copy in the app (models.TargetSet,
versioned); a region uses the latest version of the nearest bureau above it, or the shipped
file.

Which target a year is measured against, per plan: the plan's target for that year; else its
last target before that year (a plan's final target stays in force after the plan ends: the
2025 figure still applies in 2026), marked as carried; else its first target after that year,
which the figure is not yet due to meet.

Status, for one target:
* ``met``: the value meets the target by the target's comparison (exact: 98.97 against ≥ 99
  is not met, however it is rounded on screen);
* ``on_track``: the period still runs (or the target's year is still to come) and the value
  meets the target pro-rated for the share of the year that is over, starting from the
  plan's previous-year target (from zero for counts; without a previous target a share is
  never "on track", only met or behind);
* ``behind``: neither; ``no_data``: no value.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHIPPED = Path(__file__).with_name("data") / "plan-targets.yaml"
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "=": operator.eq}
KINDS = ("expected", "binding")
MET, ON_TRACK, BEHIND, NO_DATA, NO_TARGET = "met", "on_track", "behind", "no_data", "no_target"


@dataclass(frozen=True)
class PlanIndicator:
    """An indicator of the plans: code, Chinese name as the plans word it, and targets."""

    code: str
    name_zh: str
    category: str
    unit: str
    kind: str
    op: str
    # {plan: {"op": op, year: value}} as in the file, values as Decimal
    targets: dict


@dataclass(frozen=True)
class Target:
    plan: str
    year: int  # the year the target is set for
    value: Decimal
    op: str
    kind: str
    previous: Decimal | None  # the same plan's target for the year before, if any

    def as_json(self, status: str) -> dict:
        return {"plan": self.plan, "year": self.year, "value": float(self.value), "op": self.op,
                "kind": self.kind, "status": status}


def parse(text: str) -> dict[str, PlanIndicator]:
    """The indicators of a targets file, by code; ValidationError naming the entry at fault."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ValidationError(_("The file is not valid YAML: %(error)s") % {"error": str(e).splitlines()[0]},
                              code="yaml") from None
    if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
        raise ValidationError(_("The file needs a list under “indicators”."), code="indicators")
    found: dict[str, PlanIndicator] = {}
    for n, entry in enumerate(data["indicators"], start=1):
        indicator = _entry(entry, n)
        if indicator.code in found:
            raise ValidationError(_("Indicator %(code)s appears twice.") % {"code": indicator.code}, code="twice")
        found[indicator.code] = indicator
    return found


def _entry(entry, n: int) -> PlanIndicator:
    def bad(message: str):
        return ValidationError(_("Indicator no. %(n)s: %(message)s") % {"n": n, "message": message}, code="entry")

    if not isinstance(entry, dict) or not isinstance(entry.get("code"), str) or not entry["code"].strip():
        raise bad(_("it needs a code."))
    op = entry.get("op", ">=")
    if op not in OPS:
        raise bad(_("the comparison must be one of > >= < <= =."))
    kind = entry.get("kind", "expected")
    if kind not in KINDS:
        raise bad(_("the kind must be expected or binding."))
    targets = {}
    for plan, years in (entry.get("targets") or {}).items():
        if not isinstance(years, dict):
            raise bad(_("the targets of plan %(plan)s must be year: value pairs.") % {"plan": plan})
        plan_op = years.get("op", op)
        if plan_op not in OPS:
            raise bad(_("the comparison must be one of > >= < <= =."))
        values = {}
        for year, value in years.items():
            if year == "op":
                continue
            if not isinstance(year, int) or not 2000 <= year <= 2100:
                raise bad(_("%(year)s is not a year.") % {"year": year})
            try:
                values[year] = Decimal(str(value))
            except InvalidOperation:
                raise bad(_("%(value)s is not a number.") % {"value": value}) from None
            if not values[year].is_finite():
                raise bad(_("%(value)s is not a number.") % {"value": value})
        targets[str(plan)] = {"op": plan_op, **values}
    return PlanIndicator(code=entry["code"].strip(), name_zh=str(entry.get("name_zh", "")),
                         category=str(entry.get("category", "")), unit=str(entry.get("unit", "")),
                         kind=kind, op=op, targets=targets)


@functools.cache
def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


@functools.cache
def shipped() -> dict[str, PlanIndicator]:
    return parse(shipped_text())


def targets_for(indicator: PlanIndicator, year: int) -> list[Target]:
    """The target each plan holds this indicator to in `year` (see the module's rule)."""
    chosen = []
    for plan, entry in indicator.targets.items():
        years = sorted(y for y in entry if y != "op")
        if not years:
            continue
        earlier = [y for y in years if y <= year]
        target_year = earlier[-1] if earlier else years[0]
        chosen.append(Target(plan=plan, year=target_year, value=entry[target_year], op=entry["op"],
                             kind=indicator.kind, previous=entry.get(target_year - 1)))
    return chosen


def meets(value: Decimal, op: str, target: Decimal) -> bool:
    return OPS[op](value, target)


def status(value: Decimal | None, target: Target, *, year: int, elapsed: float, unit: str) -> str:
    """met / on_track / behind / no_data of one value against one target (module docstring).
    `elapsed`: the share of `year` that is over (1.0 for a year that ended)."""
    if value is None:
        return NO_DATA
    if meets(value, target.op, target.value):
        return MET
    if target.year > year:
        return ON_TRACK  # not yet due: its year is still to come
    if target.year < year or elapsed >= 1:
        return BEHIND
    start = target.previous if target.previous is not None else (Decimal(0) if unit == "count" else None)
    if start is None:
        return BEHIND
    expected = start + (target.value - start) * Decimal(str(elapsed))
    return ON_TRACK if meets(value, target.op, expected) else BEHIND


def overall(statuses: list[str]) -> str:
    """One word for an indicator with several plans' targets: behind if any is behind."""
    if not statuses:
        return NO_TARGET
    for word in (NO_DATA, BEHIND, ON_TRACK):
        if word in statuses:
            return word
    return MET
