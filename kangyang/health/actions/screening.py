"""Writes of the health app's screening topic: cognitive screenings (scored by
kangyang/health/screening_tools.py), referrals up to a named medical institution and their return
(双向转诊), and home sickbed episodes (家庭病床). All are the elder's family-doctor team's
(scope.writes_health); every write is audited."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.assessment.actions import ICD10
from kangyang.audit.actions import record
from kangyang.health import screening_tools
from kangyang.health.models import MedicalInstitution, Referral, Screening, Sickbed
from kangyang.health.actions.contracts import team_of

MAX_TEXT = 4000
MAX_VISITS_PER_WEEK = 14


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _require_writer(by, elder) -> None:
    if not scope.writes_health(by, elder):
        raise PermissionDenied(_("Only the elder's family-doctor team records screenings, referrals and sickbeds."))


def _day(value, field: str, *, required: bool = True) -> dt.date | None:
    today = timezone.localdate()
    if value is None:
        if required:
            return today
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _invalid(field, _("Give a date."))
    if value > today:
        raise _invalid(field, _("The date cannot be in the future."), "future")
    if value.year < 2000:
        raise _invalid(field, _("The date is too long ago."))
    return value


def _text(value, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or "\x00" in value:
        raise _invalid(field, _("Give text."))
    value = value.strip()
    if required and not value:
        raise _invalid(field, _("This is required."), "required")
    if len(value) > limit:
        raise _invalid(field, _("At most %(n)d characters.") % {"n": limit}, "too_long")
    return value


# -- screenings ------------------------------------------------------------------------------

def record_screening(*, by, elder, tool, answers, screened_on: dt.date | None = None) -> Screening:
    """Score the answers with the instrument and keep them, the score and the result."""
    _require_writer(by, elder)
    result = screening_tools.score(tool, answers)
    day = _day(screened_on, "screened_on")
    if elder.birth_date and day < elder.birth_date:
        raise _invalid("screened_on", _("The date is before the elder's birth."))
    screening = Screening.objects.create(
        elder=elder, tool=tool, screened_on=day, answers=result.answers, score=result.score,
        positive=result.positive, team=team_of(by, elder), recorded_by=by)
    record(by, "create", screening, verb="health.screening.record", region_code=elder.region_code,
           changes={"tool": tool})  # the result stays out of the audit log
    return screening


# -- referrals -------------------------------------------------------------------------------

def refer(*, by, elder, to_institution, reason, urgent: bool = False, referred_on: dt.date | None = None) -> Referral:
    """Refer the elder up to a named medical institution (上转)."""
    _require_writer(by, elder)
    if not isinstance(to_institution, MedicalInstitution):
        raise _invalid("to_institution", _("Choose a medical institution."))
    if not isinstance(urgent, bool):
        raise _invalid("urgent", _("Say yes or no."))
    referral = Referral.objects.create(
        elder=elder, to_institution=to_institution, from_team=team_of(by, elder),
        reason=_text(reason, "reason", required=True), urgent=urgent,
        referred_on=_day(referred_on, "referred_on"), recorded_by=by)
    record(by, "create", referral, verb="health.referral.send", region_code=elder.region_code,
           changes={"institution": to_institution.name, "urgent": urgent})
    return referral


def _step(referral: Referral, by, *, allowed: tuple[str, ...], refusal: str) -> Referral:
    _require_writer(by, referral.elder)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status not in allowed:
        raise ValidationError(refusal % {"status": locked.get_status_display()}, code="wrong_status")
    return locked


def _on_or_after(day: dt.date, earlier: dt.date, field: str) -> None:
    if day < earlier:
        raise _invalid(field, _("The date is before %(date)s.") % {"date": earlier.isoformat()})


@transaction.atomic
def mark_received(referral: Referral, *, by, on: dt.date | None = None) -> Referral:
    """The institution took the elder in (接诊)."""
    referral = _step(referral, by, allowed=(Referral.Status.SENT,),
                     refusal=_("Only a referral that was sent can be marked received; this one is %(status)s."))
    day = _day(on, "received_on")
    _on_or_after(day, referral.referred_on, "received_on")
    referral.status, referral.received_on = Referral.Status.RECEIVED, day
    referral.save(update_fields=["status", "received_on"])
    record(by, "update", referral, verb="health.referral.receive", region_code=referral.elder.region_code)
    return referral


@transaction.atomic
def return_to_community(referral: Referral, *, by, summary, on: dt.date | None = None) -> Referral:
    """The elder comes back to the community (下转), with the institution's summary."""
    referral = _step(referral, by, allowed=(Referral.Status.SENT, Referral.Status.RECEIVED),
                     refusal=_("A referral that is %(status)s cannot be returned."))
    summary = _text(summary, "return_summary", required=True)
    day = _day(on, "returned_on")
    _on_or_after(day, referral.received_on or referral.referred_on, "returned_on")
    referral.status, referral.returned_on, referral.return_summary = Referral.Status.RETURNED, day, summary
    referral.save(update_fields=["status", "returned_on", "return_summary"])
    record(by, "update", referral, verb="health.referral.return", region_code=referral.elder.region_code)
    return referral


@transaction.atomic
def cancel_referral(referral: Referral, *, by) -> Referral:
    """Withdraw a referral the institution has not taken up."""
    referral = _step(referral, by, allowed=(Referral.Status.SENT,),
                     refusal=_("Only a referral that was sent and not yet received can be cancelled; "
                               "this one is %(status)s."))
    referral.status = Referral.Status.CANCELLED
    referral.save(update_fields=["status"])
    record(by, "update", referral, verb="health.referral.cancel", region_code=referral.elder.region_code)
    return referral


# -- home sickbeds ---------------------------------------------------------------------------

def clean_diagnosis(value) -> str:
    """One ICD-10 code, upper case (as the assessment writes them: F03, I63.9)."""
    code = _text(value, "diagnosis", required=True, limit=16).upper()
    if not ICD10.match(code):
        raise _invalid("diagnosis", _("“%(code)s” is not an ICD-10 code (a letter and two digits, e.g. F01 or I10).")
                       % {"code": code}, "icd10")
    return code


def open_sickbed(*, by, elder, institution, diagnosis, visits_per_week: int = 1,
                 opened_on: dt.date | None = None) -> Sickbed:
    """Open a home sickbed episode; an elder has at most one open."""
    _require_writer(by, elder)
    if not isinstance(institution, MedicalInstitution):
        raise _invalid("institution", _("Choose a medical institution."))
    if isinstance(visits_per_week, bool) or not isinstance(visits_per_week, int) \
            or not 1 <= visits_per_week <= MAX_VISITS_PER_WEEK:
        raise _invalid("visits_per_week", _("From 1 to %(n)d visits a week.") % {"n": MAX_VISITS_PER_WEEK})
    code = clean_diagnosis(diagnosis)
    day = _day(opened_on, "opened_on")
    if Sickbed.objects.filter(elder=elder, closed_on__isnull=True).exists():
        raise ValidationError(_("The elder already has an open home sickbed; close it first."), code="conflict")
    try:
        with transaction.atomic():
            sickbed = Sickbed.objects.create(elder=elder, institution=institution, diagnosis=code, opened_on=day,
                                             visits_per_week=visits_per_week, recorded_by=by)
    except IntegrityError:  # another open at the same moment (health_one_open_sickbed)
        raise ValidationError(_("The elder already has an open home sickbed; close it first."),
                              code="conflict") from None
    record(by, "create", sickbed, verb="health.sickbed.open", region_code=elder.region_code,
           changes={"institution": institution.name})  # no diagnosis in the audit log
    return sickbed


@transaction.atomic
def close_sickbed(sickbed: Sickbed, *, by, reason, closed_on: dt.date | None = None) -> Sickbed:
    """Close (discharge) a home sickbed episode with a reason."""
    _require_writer(by, sickbed.elder)
    sickbed = Sickbed.objects.select_for_update().get(pk=sickbed.pk)
    if sickbed.closed_on is not None:
        raise ValidationError(_("This home sickbed was already closed on %(date)s.")
                              % {"date": sickbed.closed_on.isoformat()}, code="wrong_status")
    reason = _text(reason, "close_reason", required=True, limit=200)
    day = _day(closed_on, "closed_on")
    _on_or_after(day, sickbed.opened_on, "closed_on")
    sickbed.closed_on, sickbed.close_reason = day, reason
    sickbed.save(update_fields=["closed_on", "close_reason"])
    record(by, "update", sickbed, verb="health.sickbed.close", region_code=sickbed.elder.region_code)
    return sickbed
