"""Where an allowance starts and what keeps it going, each step audited.

An application (申请) is recorded by the community worker (for the elder, the family, or
on their own initiative), put on public notice (公示) for the policy's number of days, and
approved by the subdistrict officer or the bureau admin once the notice is over and every
objection raised during it has been answered. The first payment is for the month after
approval (eligibility.py).

A survival certification (生存认证) is recorded by the worker after a home visit or a video
call, or sent as a photo in the app by the elder or the family and reviewed by the worker.
Without one within the policy's period the elder's payments pause; the paused months are
paid as back pay once one comes (actions.rolls._add_resumed_back_pay).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import images
from kangyang.regions import codes
from kangyang.registry.models import Elder
from kangyang.allowances.actions.rolls import invalid
from kangyang.allowances.models import Application, Objection, Policy, SurvivalCheck

__all__ = [
    "submit_application", "publish_notice", "record_objection", "answer_objection", "approve_application",
    "reject_application", "record_survival_check", "review_survival_check", "open_survival_photo",
]
A = Application.Status


def _not_future(day: dt.date, field: str) -> dt.date:
    if day > timezone.localdate():
        raise invalid(field, _("The date cannot be in the future."), "date")
    return day


@transaction.atomic
def submit_application(elder: Elder, *, by, policy: Policy, applicant: str, applicant_name: str, channel: str,
                       applied_on: dt.date, documents: str = "") -> Application:
    """Record an application for an allowance. One live application per elder and policy."""
    if not scope.records_allowance_cases_of(by, elder.region_code):
        raise PermissionDenied
    if not elder.region_code.startswith(codes.prefix(policy.region_code)):
        raise invalid("policy", _("The policy does not cover this elder's region."), "region")
    if not policy.needs_application:
        raise invalid("policy", _("This allowance is granted without an application."), "no_application")
    if applicant not in Application.Applicant.values:
        raise invalid("applicant", _("Choose who applies."), "applicant")
    if channel not in Application.Channel.values or channel == Application.Channel.UPGRADE:
        raise invalid("channel", _("Choose how the application came in."), "channel")
    applicant_name = applicant_name.strip() or (elder.name if applicant == Application.Applicant.ELDER else "")
    if not applicant_name:
        raise invalid("applicant_name", _("Enter the applicant's name."), "applicant_name")
    _not_future(applied_on, "applied_on")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                elder=elder, policy=policy, region_code=elder.region_code, applicant=applicant,
                applicant_name=applicant_name, channel=channel, applied_on=applied_on,
                documents=documents.strip(), created_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("This elder has an application for this allowance already."),
                              code="duplicate") from None
    record(by, AuditEntry.Action.CREATE, application, verb="application.submit",
           changes={"elder": elder.pk, "policy": policy.pk, "applicant": applicant, "channel": channel,
                    "applied_on": applied_on.isoformat()})
    return application


@transaction.atomic
def publish_notice(application: Application, *, by, start: dt.date | None = None) -> Application:
    """Put the application on public notice for the policy's number of days from `start`
    (today by default): on notice from that day to the last day of the period."""
    if not scope.records_allowance_cases_of(by, application.region_code):
        raise PermissionDenied
    start = start or timezone.localdate()
    days = max(application.policy.notice_days, 1)
    until = start + dt.timedelta(days=days - 1)
    updated = Application.objects.filter(pk=application.pk, status=A.SUBMITTED).update(
        status=A.ON_NOTICE, notice_from=start, notice_until=until,
    )
    if not updated:
        raise ValidationError(_("Only a submitted application can be put on notice."), code="conflict")
    record(by, AuditEntry.Action.CHANGE, application, verb="application.notice",
           changes={"status": [A.SUBMITTED, A.ON_NOTICE], "notice_from": start.isoformat(),
                    "notice_until": until.isoformat()})
    application.refresh_from_db()
    return application


@transaction.atomic
def record_objection(application: Application, *, by, received_on: dt.date, content: str,
                     objector: str = "") -> Objection:
    """An objection received while the application is on notice."""
    if not scope.records_allowance_cases_of(by, application.region_code):
        raise PermissionDenied
    if application.status != A.ON_NOTICE:
        raise ValidationError(_("Objections are recorded while the application is on notice."), code="conflict")
    _not_future(received_on, "received_on")
    if not application.notice_from <= received_on <= application.notice_until:
        raise invalid("received_on", _("The objection was not received during the notice."), "date")
    if len(content.strip()) < 2:
        raise invalid("content", _("Write down the objection."), "content")
    objection = Objection.objects.create(
        application=application, received_on=received_on, objector=objector.strip(), content=content.strip(),
        recorded_by=by,
    )
    record(by, AuditEntry.Action.CREATE, objection, verb="application.objection", region_code=application.region_code,
           changes={"application": application.pk, "received_on": received_on.isoformat()})
    return objection


@transaction.atomic
def answer_objection(objection: Objection, *, by, finding: str) -> Objection:
    """What checking the objection found. Once."""
    application = objection.application
    if not scope.records_allowance_cases_of(by, application.region_code):
        raise PermissionDenied
    if len(finding.strip()) < 2:
        raise invalid("finding", _("Write down what checking the objection found."), "finding")
    if not Objection.objects.filter(pk=objection.pk, finding="").update(finding=finding.strip()):
        raise ValidationError(_("This objection is answered already."), code="conflict")
    record(by, AuditEntry.Action.CHANGE, objection, verb="application.objection_answer",
           region_code=application.region_code, changes={"application": application.pk})
    objection.refresh_from_db()
    return objection


@transaction.atomic
def approve_application(application: Application, *, by, note: str = "") -> Application:
    """Approve once the public notice is over (the day after its last day) and every
    objection is answered; the first payment is for the next month."""
    if not scope.decides_applications_of(by, application.region_code):
        raise PermissionDenied
    today = timezone.localdate()
    if application.status != A.ON_NOTICE:
        raise ValidationError(_("Only an application that was on public notice can be approved."),
                              code="not_noticed")
    if today <= application.notice_until:
        raise ValidationError(
            _("The application is on public notice until %(date)s; approve it after that.")
            % {"date": application.notice_until.isoformat()}, code="on_notice",
        )
    if application.objections.filter(finding="").exists():
        raise ValidationError(_("Answer every objection before approving."), code="objection")
    Application.objects.filter(pk=application.pk, status=A.ON_NOTICE).update(
        status=A.APPROVED, decided_on=today, decided_by=by, decision_note=note.strip(),
    )
    record(by, AuditEntry.Action.CHANGE, application, verb="application.approve", note=note.strip(),
           changes={"status": [A.ON_NOTICE, A.APPROVED], "decided_on": today.isoformat()})
    application.refresh_from_db()
    return application


@transaction.atomic
def reject_application(application: Application, *, by, note: str) -> Application:
    """Reject, with the reason; a new application may follow."""
    if not scope.decides_applications_of(by, application.region_code):
        raise PermissionDenied
    if len(note.strip()) < 2:
        raise invalid("note", _("Say why the application is rejected."), "note")
    before = application.status
    if not Application.objects.filter(pk=application.pk, status__in=[A.SUBMITTED, A.ON_NOTICE]).update(
            status=A.REJECTED, decided_on=timezone.localdate(), decided_by=by, decision_note=note.strip()):
        raise ValidationError(_("This application is decided already."), code="conflict")
    record(by, AuditEntry.Action.CHANGE, application, verb="application.reject", note=note.strip(),
           changes={"status": [before, A.REJECTED]})
    application.refresh_from_db()
    return application


# -- survival certification ----------------------------------------------------------------------
@transaction.atomic
def record_survival_check(elder: Elder, *, by, method: str, checked_on: dt.date, evidence: str = "",
                          photo=None) -> SurvivalCheck:
    """A survival certification. Staff of the elder's area record a visit, a video call or a
    photo they checked (accepted at once); the elder or the family send a photo in the app
    (`photo`: the uploaded file, a JPEG, PNG or WebP image), which waits for the community
    worker's review, one at a time."""
    personal = scope.is_personal(by)
    if personal:
        if not Elder.objects.filter(scope.elder_filter(by), pk=elder.pk).exists():
            raise PermissionDenied
        if method != SurvivalCheck.Method.PHOTO:
            raise invalid("method", _("In the app, a survival certification is a photo."), "method")
        if SurvivalCheck.objects.filter(elder=elder, status=SurvivalCheck.Status.SUBMITTED).exists():
            raise ValidationError(_("A photo of this elder is waiting for the community worker's review already."),
                                  code="pending")
    elif not scope.records_allowance_cases_of(by, elder.region_code):
        raise PermissionDenied
    if method not in SurvivalCheck.Method.values:
        raise invalid("method", _("Choose how the elder was seen."), "method")
    _not_future(checked_on, "checked_on")
    stored = None
    if photo is not None:
        if method != SurvivalCheck.Method.PHOTO:
            raise invalid("photo", _("Only a photo certification carries a photo."), "method")
        data = photo.read()
        try:
            kind = images.check_photo(data)
        except ValidationError as e:
            raise ValidationError({"photo": e}) from None
        stored = ContentFile(data, name=f"photo.{images.extension(kind)}")
        evidence = evidence.strip() or _("Photo sent in the app")
    if len(evidence.strip()) < 2:
        raise invalid("evidence", _("Say what was seen."), "evidence")
    status = SurvivalCheck.Status.SUBMITTED if personal else SurvivalCheck.Status.ACCEPTED
    check = SurvivalCheck(
        elder=elder, region_code=elder.region_code, method=method, checked_on=checked_on, evidence=evidence.strip(),
        status=status, recorded_by=by,
        reviewed_by=None if personal else by, reviewed_at=None if personal else timezone.now(),
    )
    if stored is not None:
        check.photo.save(stored.name, stored, save=False)  # encrypted at rest (lib/storage.py)
    check.save()
    record(by, AuditEntry.Action.CREATE, check, verb="survival.record",
           changes={"elder": elder.pk, "method": method, "checked_on": checked_on.isoformat(), "status": status,
                    "photo": bool(stored)})
    return check


@transaction.atomic
def review_survival_check(check: SurvivalCheck, *, by, accept: bool, note: str = "") -> SurvivalCheck:
    """The community worker of the elder's area accepts or rejects a photo sent in the app,
    with a note (required to reject). Once."""
    if not scope.sees_survival_photo(by, check.region_code):
        raise PermissionDenied
    if not accept and len(note.strip()) < 2:
        raise invalid("note", _("Say why the photo is not accepted."), "note")
    status = SurvivalCheck.Status.ACCEPTED if accept else SurvivalCheck.Status.REJECTED
    if not SurvivalCheck.objects.filter(pk=check.pk, status=SurvivalCheck.Status.SUBMITTED).update(
            status=status, reviewed_by=by, reviewed_at=timezone.now(), review_note=note.strip()):
        raise ValidationError(_("This certification is reviewed already."), code="conflict")
    record(by, AuditEntry.Action.CHANGE, check, verb="survival.review", note=note.strip(),
           changes={"status": [SurvivalCheck.Status.SUBMITTED, status]})
    check.refresh_from_db()
    return check


def open_survival_photo(check: SurvivalCheck, *, by) -> tuple[bytes, str]:
    """(image, content type) of a survival photo, for the community worker of the elder's area
    only; each view is in the audit log as a full view of personal data."""
    if not scope.sees_survival_photo(by, check.region_code):
        raise PermissionDenied
    if not check.photo:
        raise ValidationError(_("This certification has no photo."), code="no_photo")
    try:
        with check.photo.open("rb") as f:
            data = f.read()
    except OSError:  # the media directory lost it (a restore without it): say so, not a 500
        raise ValidationError(_("The photo's file is missing; ask the family to send the photo again."),
                              code="missing") from None
    kind = images.image_type(data)
    record(by, AuditEntry.Action.VIEW_FULL, check, verb="survival.photo_view",
           changes={"elder": check.elder_id})
    return data, images.content_type(kind) if kind else "application/octet-stream"
