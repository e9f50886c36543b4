"""Writes of the health app's records topic: an elder's coded chronic conditions, medications,
disabilities, allergies and her consent to tell the family of health alerts. Who may write what is
in accounts/scope/health.py ("records"); every write is audited, naming what changed, never the
values (health data stay out of the audit log)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from kangyang.accounts import scope
from kangyang.assessment.actions import clean_diagnoses
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.health.models import Condition, Disability, Medication
from kangyang.health.models.records import Programme
from kangyang.registry.models import Elder, HealthRecord
from kangyang.health.actions import audit_read as health_audit_read

# The names of the conditions elder care meets most, by ICD-10 category (a condition added
# without a name takes this one).
NAMES = {
    "I10": "高血压", "I11": "高血压性心脏病", "I12": "高血压性肾病", "I13": "高血压性心脏和肾脏病",
    "I15": "继发性高血压", "E11": "2型糖尿病", "I25": "冠心病", "I69": "脑卒中后遗症",
    "J44": "慢性阻塞性肺疾病", "M19": "骨关节炎", "G30": "阿尔茨海默病", "G20": "帕金森病",
    "F03": "痴呆", "N18": "慢性肾脏病", "M81": "骨质疏松", "H25": "老年性白内障", "I48": "心房颤动",
    "I50": "心力衰竭",
}
HYPERTENSION = ("I10", "I11", "I12", "I13", "I14", "I15")
DIABETES = ("E11",)


def programme_for(code: str) -> str:
    """The follow-up programme a code puts the elder on: I10–I15 hypertension, E11 type 2
    diabetes, else none ("")."""
    category = code.strip().upper()[:3]
    if category in HYPERTENSION:
        return Programme.HYPERTENSION
    if category in DIABETES:
        return Programme.DIABETES
    return ""


def clean_code(value) -> str:
    """One ICD-10 code, normalised as the assessment's diagnoses are (assessment.actions)."""
    try:
        codes = clean_diagnoses([value if isinstance(value, str) else ""])
    except ValidationError as e:
        raise ValidationError({"code": e.error_dict["diagnoses"]}) from None
    if len(codes) != 1:
        raise ValidationError({"code": ValidationError(_("Enter one ICD-10 code, e.g. I10."), code="required")})
    return codes[0]


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_day(day, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: ValidationError(_("This date is in the future."), code="future")})


def _audit(by, elder: Elder, verb: str, **changes) -> None:
    record(by, AuditEntry.Action.CHANGE, elder, verb=verb, changes=changes)


def _text(value, field: str, max_length: int, *, required: bool = False) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError({field: ValidationError(_("This field is required."), code="required")})
    if len(text) > max_length:
        raise ValidationError({field: ValidationError(
            _("At most %(n)d characters.") % {"n": max_length}, code="max_length")})
    return text


# -- conditions ------------------------------------------------------------------------------
def add_condition(elder: Elder, *, by, code, name: str = "", diagnosed_on: dt.date | None = None) -> Condition:
    """A coded chronic condition, once per code; its programme follows from the code."""
    _check(scope.edits_conditions(by, elder))
    code = clean_code(code)
    name = _text(name, "name", 100) or NAMES.get(code[:3], "")
    _check_day(diagnosed_on, "diagnosed_on")
    if Condition.objects.filter(elder=elder, code=code).exists():
        raise ValidationError({"code": ValidationError(_("This condition is already on the record."),
                                                       code="duplicate")})
    try:
        with transaction.atomic():
            condition = Condition.objects.create(elder=elder, code=code, name=name, programme=programme_for(code),
                                                 diagnosed_on=diagnosed_on, recorded_by=by)
    except IntegrityError:
        raise ValidationError({"code": ValidationError(_("This condition is already on the record."),
                                                       code="duplicate")}) from None
    _audit(by, elder, "health.condition.add", conditions="added")
    return condition


def remove_condition(condition: Condition, *, by) -> None:
    """A condition recorded in error (a cured one stays history elsewhere: the follow-ups)."""
    elder = condition.elder
    _check(scope.edits_conditions(by, elder))
    condition.delete()
    _audit(by, elder, "health.condition.remove", conditions="removed")


# -- medications -----------------------------------------------------------------------------
def add_medication(elder: Elder, *, by, name, dose: str = "", frequency: str = "",
                   started_on: dt.date | None = None) -> Medication:
    _check(scope.edits_medications(by, elder))
    medication = Medication(
        elder=elder, name=_text(name, "name", 100, required=True), dose=_text(dose, "dose", 50),
        frequency=_text(frequency, "frequency", 50), started_on=started_on, recorded_by=by)
    _check_day(started_on, "started_on")
    medication.save()
    _audit(by, elder, "health.medication.add", medications="added")
    return medication


def stop_medication(medication: Medication, *, by, on: dt.date | None = None) -> Medication:
    """The elder no longer takes it (from `on`, today when not given)."""
    elder = medication.elder
    _check(scope.edits_medications(by, elder))
    on = on or timezone.localdate()
    _check_day(on, "stopped_on")
    if medication.stopped_on is not None:
        raise ValidationError({"stopped_on": ValidationError(_("This medicine is already stopped."), code="stopped")})
    if medication.started_on and on < medication.started_on:
        raise ValidationError({"stopped_on": ValidationError(
            _("A medicine cannot stop before it started."), code="before_start")})
    medication.stopped_on = on
    medication.save(update_fields=["stopped_on"])
    _audit(by, elder, "health.medication.stop", medications="stopped")
    return medication


# -- disabilities ----------------------------------------------------------------------------
def set_disability(elder: Elder, *, by, kind, grade: int | None = None) -> Disability:
    """A disability of a kind, with the grade of the certificate (1 most severe to 4, or none)."""
    _check(scope.edits_disabilities(by, elder))
    if kind not in Disability.Kind.values:
        raise ValidationError({"kind": ValidationError(_("Choose a kind of disability."), code="invalid")})
    if grade is not None and (isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 4):
        raise ValidationError({"grade": ValidationError(_("The grade is 1 (most severe) to 4."), code="range")})
    with transaction.atomic():
        disability, created = Disability.objects.update_or_create(elder=elder, kind=kind, defaults={"grade": grade})
    _audit(by, elder, "health.disability.set", disabilities="added" if created else "changed")
    return disability


def remove_disability(disability: Disability, *, by) -> None:
    elder = disability.elder
    _check(scope.edits_disabilities(by, elder))
    disability.delete()
    _audit(by, elder, "health.disability.remove", disabilities="removed")


# -- on the registry's health record ---------------------------------------------------------
def _health_record(elder: Elder) -> HealthRecord:
    health, _created = HealthRecord.objects.get_or_create(elder=elder, defaults={"region_code": elder.region_code})
    return health


def set_allergies(elder: Elder, *, by, allergies) -> HealthRecord:
    _check(scope.edits_allergies(by, elder))
    text = allergies.strip() if isinstance(allergies, str) else ""
    health = _health_record(elder)
    if health.allergies != text:
        health.allergies = text
        health.full_clean(exclude=["elder"])
        health.save(update_fields=["allergies"])
        _audit(by, elder, "health.allergies", allergies="changed")
    return health


def set_alerts_to_family(elder: Elder, *, by, consent: bool) -> HealthRecord:
    """The elder's consent that her family is told of her health alerts (PIPL: her choice; she
    sets it herself, or staff record what she said)."""
    _check(scope.sets_alerts_consent(by, elder))
    if not isinstance(consent, bool):
        raise ValidationError({"alerts_to_family": ValidationError(_("Yes or no."), code="invalid")})
    health = _health_record(elder)
    if health.alerts_to_family != consent:
        health.alerts_to_family = consent
        health.save(update_fields=["alerts_to_family"])
        _audit(by, elder, "health.alerts_to_family", alerts_to_family=consent)
    return health


# -- reads -----------------------------------------------------------------------------------
READ_VIA = {"page": gettext_lazy("on the health page"), "api": gettext_lazy("through the API")}


def audit_health_read(by, elder: Elder, *, via: str) -> None:
    """A staff member read the elder's health record (the page, the API)."""
    health_audit_read(by, elder, verb="health.record.read", note=str(READ_VIA.get(via, via)))