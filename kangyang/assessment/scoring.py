"""Scoring a GB/T 42195-2022 assessment: item answers → dimensions, total, levels.

Plain functions over plain data, so the web form, the API, the command line and a third
party's checks all get the same answer.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kangyang.assessment.standard import DIMENSIONS, ITEMS, LEVEL_BANDS, MAX_LEVEL, RISK_EVENTS

_ICD10_F = re.compile(r"^F(\d{2})")


@dataclass(frozen=True)
class Result:
    total: int
    dimensions: dict[str, int]
    preliminary_level: int
    final_level: int
    reasons: list[str] = field(default_factory=list)  # codes: coma, dementia, mental_disorder, risk_events

    def as_dict(self) -> dict:
        return {
            "total": self.total, "dimensions": self.dimensions,
            "preliminary_level": self.preliminary_level, "final_level": self.final_level,
            "reasons": self.reasons,
        }


def check_items(items: Mapping[str, object]) -> dict[str, int]:
    """Every one of the 26 items answered with one of its own points, and nothing else."""
    errors: dict[str, list[ValidationError]] = {}
    clean: dict[str, int] = {}
    for item in ITEMS:
        if item.code not in items or items[item.code] is None or items[item.code] == "":
            errors[item.code] = [ValidationError(
                _("Item %(code)s (%(name)s) is not answered.") % {"code": item.code, "name": item.zh},
                code="missing_item")]
            continue
        value = items[item.code]
        if isinstance(value, bool) or not isinstance(value, int) or item.option(value) is None:
            errors[item.code] = [ValidationError(
                _("Item %(code)s (%(name)s) takes 0 to %(max)d points, not %(value)s.")
                % {"code": item.code, "name": item.zh, "max": item.max_points, "value": value},
                code="out_of_range")]
            continue
        clean[item.code] = value
    for code in items:
        if code not in clean and code not in errors:
            errors[code] = [ValidationError(_("There is no item %(code)s.") % {"code": code}, code="unknown_item")]
    if errors:
        raise ValidationError(errors)
    return clean


def preliminary_level(total: int) -> int:
    """Annex C.3: 90 → 0, 66–89 → 1, 46–65 → 2, 30–45 → 3, 0–29 → 4."""
    return next(level for lowest, level in LEVEL_BANDS if total >= lowest)


def diagnosis_reasons(diagnoses: list[str]) -> list[str]:
    """F00–F03 dementia; F04–F99 another mental or behavioural disorder (ICD-10)."""
    reasons = []
    for code in diagnoses:
        m = _ICD10_F.match(code.strip().upper())
        if m:
            reasons.append("dementia" if int(m.group(1)) <= 3 else "mental_disorder")
    return sorted(set(reasons))


def check_risk_events(events: Mapping[str, object]) -> dict[str, int]:
    clean = {}
    for kind, count in events.items():
        if kind not in RISK_EVENTS:
            raise ValidationError({"risk_events_30d": _("Unknown care-risk event “%(kind)s”.") % {"kind": kind}})
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValidationError({"risk_events_30d": _("Counts of care-risk events are whole numbers ≥ 0.")})
        clean[kind] = count
    return clean


def score(
    items: Mapping[str, object], *, coma: bool = False, diagnoses: list[str] | None = None,
    risk_events_30d: Mapping[str, object] | None = None, stack_raises: bool = False,
) -> Result:
    """Annex C: total → preliminary level; coma → level 4; a dementia or other mental
    disorder diagnosis raises one level; two or more care-risk events in 30 days raise one
    level. Whether both raises stack is left open by the sources: `stack_raises`
    (setting KANGYANG_ASSESSMENT_STACK_RAISES, default off: at most one level)."""
    answers = check_items(items)
    events = check_risk_events(risk_events_30d or {})
    dimensions = {d: 0 for d in DIMENSIONS}
    for item in ITEMS:
        dimensions[item.dimension] += answers[item.code]
    total = sum(dimensions.values())
    level = preliminary_level(total)
    reasons: list[str] = []
    if coma:
        return Result(total, dimensions, level, MAX_LEVEL, ["coma"])
    diagnosis = diagnosis_reasons(diagnoses or [])
    raises = 0
    if diagnosis:
        reasons += diagnosis
        raises += 1
    if sum(events.values()) >= 2:
        reasons.append("risk_events")
        raises += 1
    if not stack_raises:
        raises = min(raises, 1)
    return Result(total, dimensions, level, min(level + raises, MAX_LEVEL), reasons)
