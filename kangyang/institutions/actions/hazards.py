"""Writes of hazards: opening one (from an inspection's finding or on its own), putting it
right, the re-check that closes it, and escalating overdue ones.

The lifecycle: open → rectified (the institution's side reports what was done, with photos
"after putting right") → closed, only by a re-check of an inspector or the bureau's staff of
the area with at least one re-check photo. A failed re-check sends the hazard back to open,
with a note and, optionally, a new deadline (which starts the escalation afresh).

Escalation (`escalate_overdue_hazards_once`, daily): an open hazard past its deadline goes to
level 1 (the subdistrict officers of its area are told), and KANGYANG_HAZARD_ESCALATE_DAYS
days after its deadline to level 2 (the district bureau admins); each level once. A serious
hazard tells the district bureau at once when it is opened.
"""

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.institutions.models import Hazard, HazardPhoto, Institution

log = logging.getLogger(__name__)
S = Hazard.Status
R = scope.R

# Photos: at most this many bytes each, in one of these formats (read by Pillow, not the name).
MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PHOTOS = 10



def escalate_after_days() -> int:
    return int(getattr(settings, "HAZARD_ESCALATE_DAYS", 7))


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_photo(upload) -> None:
    """An image of an accepted format and size, or a ValidationError in words."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(upload, "size", None) or 0
    if size > MAX_PHOTO_BYTES:
        raise _invalid("photos", _("A photo may be at most %(mb)d MB; %(name)s is larger.") % {
            "mb": MAX_PHOTO_BYTES // (1024 * 1024), "name": getattr(upload, "name", "")}, "photo_size")
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _invalid("photos", _("%(name)s is not a photo: send a JPEG, PNG or WebP image.") % {
            "name": getattr(upload, "name", "") or _("the file")}, "photo_type") from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise _invalid("photos", _("%(name)s is not a photo: send a JPEG, PNG or WebP image.") % {
            "name": getattr(upload, "name", "") or _("the file")}, "photo_type")


def _add_photos(hazard: Hazard, photos: Iterable, *, kind: str, by, now: dt.datetime) -> list[HazardPhoto]:
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise _invalid("photos", _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}, "too_many")
    for upload in photos:
        check_photo(upload)
    made = []
    for upload in photos:
        photo = HazardPhoto(hazard=hazard, kind=kind, taken_at=now, by=by if by is not None and by.is_authenticated
                            else None)
        # The stored name says nothing of the upload's own name (it may carry a person's name).
        from PIL import Image

        upload.seek(0)
        with Image.open(upload) as image:
            ext = PHOTO_FORMATS[image.format]
        upload.seek(0)
        photo.image.save(f"h{hazard.pk}-{kind}.{ext}", upload, save=True)
        made.append(photo)
    return made


def _recipients(role: str, region_code: str):
    return User.objects.filter(role=role, region__code=region_code, is_active=True).order_by("pk")


def _tell(users, *, template: str, context: dict, key: str, region_code: str, now: dt.datetime) -> int:
    from kangyang.notify import actions as notify
    from kangyang.notify import queries as notify_queries
    from kangyang.notify.models import Kind

    told = 0
    for user in users:
        notify.notify(notify_queries.recipient_for(user, audience="bureau"), template=template, context=context,
                      kind=Kind.SUPERVISION, key=f"{key}:user:{user.pk}", region_code=region_code, now=now)
        told += 1
    return told


def _district_code(region_code: str) -> str:
    return region_code[:6] + "000000"


def _subdistrict_code(region_code: str) -> str:
    return region_code[:9] + "000"


@transaction.atomic
def open_hazard(*, institution: Institution, description: str, severity: str, responsible_person: str,
                deadline: dt.date, evidence_required: str = "", inspection=None, item: str = "", by=None,
                photos: Iterable = ()) -> Hazard:
    """A hazard to be put right by `deadline` (the inspections' findings come through here).
    A serious one tells the district bureau at once."""
    if severity not in Hazard.Severity.values:
        raise _invalid("severity", _("Unknown severity."), "severity")
    if not (description or "").strip():
        raise _invalid("description", _("Describe the hazard."), "required")
    hazard = Hazard.objects.create(
        institution=institution, region_code=institution.region_code, inspection=inspection, item=item,
        description=description, severity=severity, responsible_person=responsible_person, deadline=deadline,
        evidence_required=evidence_required, created_by=by)
    record(by, AuditEntry.Action.CREATE, hazard, verb="hazard.open",
           changes={"severity": severity, "deadline": deadline.isoformat(), "item": item})
    now = timezone.now()
    if photos:
        _add_photos(hazard, photos, kind=HazardPhoto.Kind.FOUND, by=by, now=now)
    if severity == Hazard.Severity.SERIOUS:
        _tell(_recipients(R.BUREAU_ADMIN, _district_code(hazard.region_code)), template="hazard.serious",
              context={"hazard": f"#{hazard.pk}", "institution": institution.name, "deadline": deadline.isoformat()},
              key=f"hazard.serious:{hazard.pk}", region_code=hazard.region_code, now=now)
    return hazard


@transaction.atomic
def rectify_hazard(hazard: Hazard, *, by, text: str, photos: Iterable = (), now: dt.datetime | None = None) -> Hazard:
    """The institution reports the hazard put right: what was done, with photos "after putting
    right". By its organisation's manager, or the bureau admin of the area on its behalf."""
    if by is not None and not scope.may_rectify_hazard(by, hazard):
        raise PermissionDenied
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status != S.OPEN:
        raise ValidationError(_("Only a hazard still to be put right can be reported put right."), code="wrong_status")
    text = (text or "").strip()
    if len(text) < 2:
        raise _invalid("text", _("Say what was done to put it right."), "required")
    now = now or timezone.now()
    added = _add_photos(hazard, photos, kind=HazardPhoto.Kind.RECTIFIED, by=by, now=now)
    hazard.status, hazard.rectification, hazard.rectified_at = S.RECTIFIED, text, now
    hazard.save(update_fields=["status", "rectification", "rectified_at"])
    record(by, AuditEntry.Action.CHANGE, hazard, verb="hazard.rectify",
           changes={"status": [S.OPEN, S.RECTIFIED], "photos": len(added)})
    return hazard


@transaction.atomic
def recheck_hazard(hazard: Hazard, *, by, passed: bool, note: str = "", photos: Iterable = (),
                   new_deadline: dt.date | None = None, now: dt.datetime | None = None) -> Hazard:
    """The re-check of a hazard reported put right. Passed: closed, which needs at least one
    photo taken at the re-check (code photo_required). Failed: back to open with a note,
    and a new deadline if given (its escalation starts again)."""
    if by is not None and not scope.may_recheck_hazard(by, hazard):
        raise PermissionDenied
    hazard = Hazard.objects.select_for_update().get(pk=hazard.pk)
    if hazard.status != S.RECTIFIED:
        raise ValidationError(_("Only a hazard reported put right can be re-checked."), code="wrong_status")
    photos = list(photos or ())
    note = (note or "").strip()
    now = now or timezone.now()
    if passed and not photos:
        raise _invalid("photos", _("Closing a hazard needs at least one photo taken at the re-check."),
                       "photo_required")
    if not passed and len(note) < 2:
        raise _invalid("note", _("Say what is still wrong."), "required")
    if new_deadline is not None and new_deadline < timezone.localdate(now):
        raise _invalid("deadline", _("The new deadline cannot be in the past."), "deadline")
    added = _add_photos(hazard, photos, kind=HazardPhoto.Kind.RECHECK, by=by, now=now)
    before = hazard.status
    hazard.rechecked_at, hazard.recheck_note = now, note
    hazard.rechecked_by = by if by is not None and by.is_authenticated else None
    fields = ["status", "rechecked_at", "rechecked_by", "recheck_note"]
    changes = {"passed": passed, "photos": len(added)}
    if passed:
        hazard.status = S.CLOSED
    else:
        hazard.status = S.OPEN
        if new_deadline is not None:
            changes["deadline"] = [hazard.deadline.isoformat(), new_deadline.isoformat()]
            hazard.deadline, hazard.escalation, hazard.escalated_at = new_deadline, 0, None
            fields += ["deadline", "escalation", "escalated_at"]
    changes["status"] = [before, hazard.status]
    hazard.save(update_fields=fields)
    record(by, AuditEntry.Action.CHANGE, hazard, verb="hazard.recheck", note=note, changes=changes)
    return hazard


def escalate_overdue_hazards_once(today: dt.date | None = None, *, now: dt.datetime | None = None) -> int:
    """One daily pass: each open hazard past its deadline goes up to the level its lateness
    calls for, each level told once (a conditional update claims it, so two workers never
    tell twice). Returns how many escalations were made."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    days = escalate_after_days()
    made = 0
    overdue = (Hazard.objects.filter(status=S.OPEN, deadline__lt=today, escalation__lt=2)
               .select_related("institution").order_by("deadline", "pk"))
    for hazard in overdue.iterator():
        late = (today - hazard.deadline).days
        for level, due, role, code in (
                (1, late >= 1, R.SUBDISTRICT_OFFICER, _subdistrict_code(hazard.region_code)),
                (2, late > days, R.BUREAU_ADMIN, _district_code(hazard.region_code))):
            if not due:
                break
            with transaction.atomic():
                claimed = Hazard.objects.filter(pk=hazard.pk, status=S.OPEN, escalation=level - 1).update(
                    escalation=level, escalated_at=now)
                if not claimed:
                    continue
                _tell(_recipients(role, code), template="hazard.overdue",
                      context={"hazard": f"#{hazard.pk}", "institution": hazard.institution.name,
                               "deadline": hazard.deadline.isoformat(), "days": late, "level": level},
                      key=f"hazard.overdue:{hazard.pk}:{level}:{hazard.deadline.isoformat()}",
                      region_code=hazard.region_code, now=now)
                record(None, AuditEntry.Action.CHANGE, hazard, verb="hazard.escalate",
                       changes={"escalation": [level - 1, level], "days_overdue": late})
            made += 1
    if made:
        log.info("escalated %d overdue hazards", made)
    return made
