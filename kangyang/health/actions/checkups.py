"""Writes of the yearly check-up of the 65+ (老年人健康管理): record or update a year's check-up,
and the link of the elder's health record to the health centre's system (the EHR number).

Who may: `scope.records_health_facts` — the elder's family-doctor team, or an editor whose area
covers the elder (the community worker writes down a check-up done at the health centre)."""

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.health.models import CHECKUP_PARTS, Checkup
from kangyang.registry.models import Elder, HealthRecord
from kangyang.health.actions.contracts import team_of

__all__ = ["SELF_CARE_MAX", "FIGURES", "record_checkup", "record_ehr", "clean_figures"]

# 老年人生活自理能力评估表 (national basic public-health service specification, 3rd ed., annex):
# five items — eating 0/0/3/5, grooming 0/1/3/7, dressing 0/0/3/5, toileting 0/1/5/10, moving
# about 0/1/5/10 — add up to 0–37 (0–3 able to care for oneself, 4–8 mildly, 9–18 moderately
# dependent, 19 and over unable).
SELF_CARE_MAX = 37

# The figures a check-up may keep: name → (integer only?, lowest, highest). Plausible for a
# living adult; anything else is a typing error.
FIGURES = {
    "systolic": (True, 60, 300),  # mmHg
    "diastolic": (True, 30, 200),  # mmHg
    "heart_rate": (True, 20, 250),  # per minute
    "fasting_glucose": (False, Decimal("1.0"), Decimal("40.0")),  # mmol/L
    "weight_kg": (False, Decimal("20"), Decimal("250")),
    "height_cm": (False, Decimal("100"), Decimal("230")),
    "bmi": (False, Decimal("10"), Decimal("70")),  # kg/m²
    "waist_cm": (False, Decimal("40"), Decimal("200")),
}
EHR_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_/.]{0,39}")
MAX_FINDINGS = 4000


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _number(name: str, value, integer: bool, low, high):
    if isinstance(value, bool) or value is None:
        raise _invalid("figures", _("%(figure)s: give a number.") % {"figure": name})
    if isinstance(value, str):
        value = value.strip()
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise _invalid("figures", _("%(figure)s: give a number.") % {"figure": name}) from None
    if not number.is_finite():
        raise _invalid("figures", _("%(figure)s: give a number.") % {"figure": name})
    if integer and number != number.to_integral_value():
        raise _invalid("figures", _("%(figure)s: give a whole number.") % {"figure": name})
    if not low <= number <= high:
        raise _invalid("figures", _("%(figure)s: %(low)s to %(high)s.") % {"figure": name, "low": low, "high": high},
                       "out_of_range")
    return int(number) if integer else float(number.quantize(Decimal("0.1")))


def clean_figures(figures) -> dict:
    """The figures dict checked and normalised: known names only, numbers in plausible ranges,
    the diastolic below the systolic; the BMI computed from weight and height when not given."""
    if figures in (None, ""):
        return {}
    if not isinstance(figures, dict):
        raise _invalid("figures", _("Give the figures as names and numbers."))
    unknown = sorted(str(k)[:30] for k in figures if k not in FIGURES)
    if unknown:
        raise _invalid("figures", _("Unknown figure: %(names)s.") % {"names": ", ".join(unknown)}, "unknown")
    cleaned = {}
    for name, value in figures.items():
        if value in (None, ""):
            continue
        integer, low, high = FIGURES[name]
        cleaned[name] = _number(name, value, integer, low, high)
    if ("systolic" in cleaned) != ("diastolic" in cleaned):
        raise _invalid("figures", _("Give the blood pressure as both systolic and diastolic."), "incomplete")
    if "systolic" in cleaned and cleaned["diastolic"] >= cleaned["systolic"]:
        raise _invalid("figures", _("The diastolic pressure must be lower than the systolic."), "inconsistent")
    if "bmi" not in cleaned and "weight_kg" in cleaned and "height_cm" in cleaned:
        bmi = cleaned["weight_kg"] / (cleaned["height_cm"] / 100) ** 2
        if 10 <= bmi <= 70 and math.isfinite(bmi):
            cleaned["bmi"] = round(bmi, 1)
    return cleaned


def _check_parts(parts: Iterable[str]) -> set[str]:
    if isinstance(parts, str) or not isinstance(parts, (list, tuple, set, frozenset)):
        raise _invalid("parts", _("Give the parts done as a list."))
    wanted = set()
    for part in parts:
        if not isinstance(part, str) or part not in CHECKUP_PARTS:
            raise _invalid("parts", _("Unknown part of the check-up: %(part)s.") % {"part": str(part)[:40]}, "unknown")
        wanted.add(part)
    return wanted


def _check_day(elder: Elder, day, field: str) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise _invalid(field, _("Give a date."), "required")
    if day > timezone.localdate():
        raise _invalid(field, _("The date cannot be in the future."), "future")
    if day < elder.birth_date:
        raise _invalid(field, _("The date is before the elder's birth."), "before_birth")
    if elder.status != Elder.Status.ACTIVE and elder.status_date is not None and day > elder.status_date:
        raise _invalid(field, _("The elder was no longer on the registry on that day."), "after_status")
    return day


def _self_care(score) -> int | None:
    if score in (None, ""):
        return None
    if isinstance(score, bool):
        raise _invalid("self_care_score", _("Give a whole number from 0 to %(max)d.") % {"max": SELF_CARE_MAX})
    try:
        value = int(score) if not isinstance(score, float) or score.is_integer() else None
    except (TypeError, ValueError, OverflowError):
        value = None
    if value is None or not 0 <= value <= SELF_CARE_MAX:
        raise _invalid("self_care_score", _("Give a whole number from 0 to %(max)d.") % {"max": SELF_CARE_MAX},
                       "out_of_range")
    return value


@transaction.atomic
def record_checkup(
    elder: Elder, *, by, examined_on: dt.date, parts: Iterable[str] = (), self_care_score=None,
    figures: dict | None = None, findings: str = "", institution=None,
) -> Checkup:
    """Record the year's check-up (the year is the examination's), or update the one of that
    year: the parts done replace those recorded before. The health summary's "last check-up"
    moves to this examination when it is the latest. Audited: which year, how many parts."""
    if not scope.records_health_facts(by, elder):
        raise PermissionDenied
    errors = {}
    cleaned = {}
    for key, check in (
        ("examined_on", lambda: _check_day(elder, examined_on, "examined_on")),
        ("parts", lambda: _check_parts(parts)),
        ("self_care_score", lambda: _self_care(self_care_score)),
        ("figures", lambda: clean_figures(figures)),
    ):
        try:
            cleaned[key] = check()
        except ValidationError as e:
            errors.update(e.error_dict)
    if not isinstance(findings, str) or "\x00" in findings or len(findings) > MAX_FINDINGS:
        errors["findings"] = [ValidationError(_("At most %(n)d characters of text.") % {"n": MAX_FINDINGS})]
    if errors:
        raise ValidationError(errors)
    day = cleaned["examined_on"]
    team = team_of(by, elder, day)
    values = {
        "examined_on": day,
        "self_care_score": cleaned["self_care_score"],
        "figures": cleaned["figures"],
        "findings": findings.strip(),
        "recorded_by": by,
        "recorded_at": timezone.now(),
        **{part: part in cleaned["parts"] for part in CHECKUP_PARTS},
    }
    if team is not None:
        values["team"] = team
        values["institution"] = institution or team.institution
    elif institution is not None:
        values["institution"] = institution
    checkup = Checkup.objects.select_for_update().filter(elder=elder, year=day.year).first()
    created = checkup is None
    if created:
        checkup = Checkup(elder=elder, year=day.year, **values)
        try:
            with transaction.atomic():
                checkup.save()
        except IntegrityError:  # recorded by someone else a moment ago: update theirs
            checkup = Checkup.objects.select_for_update().get(elder=elder, year=day.year)
            created = False
    if not created:
        for key, value in values.items():
            setattr(checkup, key, value)
        checkup.save()
    health, _new = HealthRecord.objects.select_for_update().get_or_create(
        elder=elder, defaults={"region_code": elder.region_code})
    latest = Checkup.objects.filter(elder=elder).order_by("-examined_on").values_list("examined_on", flat=True).first()
    if health.last_checkup_on != latest:
        health.last_checkup_on = latest
        health.save(update_fields=["last_checkup_on"])
    record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, elder, verb="checkup.record",
           region_code=elder.region_code,
           changes={"year": day.year, "parts": len(cleaned["parts"]), "complete": checkup.complete})
    return checkup


def record_ehr(elder: Elder, *, by, ehr_number: str, ehr_opened_on: dt.date | None) -> HealthRecord:
    """Link the elder's health record to the health centre's system: its number and the day it
    was opened (both, or neither to remove the link). Audited without the number."""
    if not scope.records_health_facts(by, elder):
        raise PermissionDenied
    if ehr_number is None:
        ehr_number = ""
    if not isinstance(ehr_number, str):
        raise _invalid("ehr_number", _("Give the health record number as text."))
    ehr_number = ehr_number.strip()
    errors = {}
    if ehr_number and not EHR_NUMBER.fullmatch(ehr_number):
        errors["ehr_number"] = [ValidationError(
            _("A health record number is up to 40 letters, digits, and - _ / ."), code="invalid")]
    if ehr_number and ehr_opened_on is None:
        errors["ehr_opened_on"] = [ValidationError(_("Give the day the health record was opened."), code="required")]
    elif not ehr_number and ehr_opened_on is not None:
        errors["ehr_number"] = [ValidationError(_("Give the health record number."), code="required")]
    elif ehr_opened_on is not None:
        try:
            _check_day(elder, ehr_opened_on, "ehr_opened_on")
        except ValidationError as e:
            errors.update(e.error_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        health, _new = HealthRecord.objects.select_for_update().get_or_create(
            elder=elder, defaults={"region_code": elder.region_code})
        changed = [k for k, v in (("ehr_number", ehr_number), ("ehr_opened_on", ehr_opened_on))
                   if getattr(health, k) != v]
        if changed:
            health.ehr_number, health.ehr_opened_on = ehr_number, ehr_opened_on
            health.save(update_fields=changed)
            record(by, AuditEntry.Action.CHANGE, elder, verb="checkup.ehr", region_code=elder.region_code,
                   changes={k: "changed" for k in changed})
    return health
