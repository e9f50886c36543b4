"""/api/v1/hazards: the hazards the caller may see (accounts.scope.hazard_filter; another's is
a 404), one hazard, reporting it put right and the re-check.

`POST /{id}/rectify` and `POST /{id}/recheck` take either a JSON object or a multipart form
(the way to send photos: one or more files in `photos`). Closing a hazard (`passed: true`)
needs at least one re-check photo: without, 422 `photo_required`. A step the hazard's
status does not allow is 409 `wrong_status`.
"""

import datetime as dt
import json
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kangyang.institutions.actions import hazards as actions
from kangyang.institutions.files import photo_response
from kangyang.institutions.models import Hazard, HazardPhoto
from kangyang.institutions.queries import hazards as queries
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, UtcDatetime

router = Router(tags=["hazards"])

StatusValue = Literal[tuple(Hazard.Status.values)]  # type: ignore[valid-type]
SeverityValue = Literal[tuple(Hazard.Severity.values)]  # type: ignore[valid-type]
MAX_TEXT = 4000


class HazardFilter(Schema):
    institution: int | None = Field(None, ge=1, le=DB_INT_MAX)
    status: StatusValue | None = None
    severity: SeverityValue | None = None
    overdue: bool | None = Field(None, description="true: only those past their deadline and not closed.")


class PhotoOut(Schema):
    id: int
    kind: str
    taken_at: UtcDatetime
    url: str

    @staticmethod
    def resolve_url(obj: HazardPhoto) -> str:
        return f"/api/v1/hazards/{obj.hazard_id}/photos/{obj.pk}"


class HazardOut(Schema):
    id: int
    institution: int = Field(..., alias="institution_id")
    institution_name: str
    organisation: int
    region_code: str
    inspection: int | None = Field(None, alias="inspection_id")
    item: str
    description: str
    severity: SeverityValue
    severity_label: str
    responsible_person: str
    deadline: dt.date
    evidence_required: str
    status: StatusValue
    status_label: str
    days_overdue: int
    escalation: int
    rectification: str
    rectified_at: UtcDatetime | None
    rechecked_at: UtcDatetime | None
    recheck_note: str
    created_at: UtcDatetime
    photos: list[PhotoOut]

    @staticmethod
    def resolve_institution_name(obj: Hazard) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_organisation(obj: Hazard) -> int:
        return obj.institution.organisation_id

    @staticmethod
    def resolve_severity_label(obj: Hazard) -> str:
        return str(obj.get_severity_display())

    @staticmethod
    def resolve_status_label(obj: Hazard) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_days_overdue(obj: Hazard) -> int:
        return queries.days_overdue(obj)

    @staticmethod
    def resolve_photos(obj: Hazard) -> list:
        return list(obj.photos.all())


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _input(request) -> tuple[dict, list]:
    """The fields and the photos of a JSON object or a form (multipart for photos)."""
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        return {k: request.POST.get(k) for k in request.POST}, request.FILES.getlist("photos")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise _invalid("body", _("Send a JSON object or a form.")) from None
    if not isinstance(data, dict):
        raise _invalid("body", _("Send a JSON object or a form."))
    if "photos" in data:
        raise _invalid("photos", _("Photos are sent as files in a multipart form."), "photo_type")
    return data, []


def _text(data: dict, field: str, *, required: bool = False) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(field, _("Give text."))
    if len(value) > MAX_TEXT:
        raise _invalid(field, _("At most %(n)d characters.") % {"n": MAX_TEXT}, "too_long")
    if "\x00" in value:
        raise _invalid(field, _("Give text."))
    return value


def _bool(data: dict, field: str) -> bool:
    value = data.get(field)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "yes", "on", "false", "0", "no", "off"):
        return value.lower() in ("true", "1", "yes", "on")
    raise _invalid(field, _("Say true (passed) or false (not put right)."), "required")


def _date(data: dict, field: str) -> dt.date | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else _raise()
    except (ValueError, TypeError):
        raise _invalid(field, _("Give a date as YYYY-MM-DD.")) from None


def _raise():
    raise ValueError


def _with_photos(hazard: Hazard) -> Hazard:
    return Hazard.objects.select_related("institution").prefetch_related("photos").get(pk=hazard.pk)


@router.get("", response=list[HazardOut], summary="List hazards")
@paginate(Page)
def list_hazards(request, filters: Query[HazardFilter]):
    """Hazards the caller may see (supervisors by area, a provider manager her organisation's),
    by status then deadline; filters: institution, status, severity, overdue."""
    return queries.hazards_for(request.auth, institution=filters.institution, status=filters.status or "",
                               severity=filters.severity or "", overdue=filters.overdue).prefetch_related("photos")


@router.get("/{hazard_id}", response=HazardOut, summary="A hazard")
def get_hazard(request, hazard_id: int):
    return _with_photos(queries.get_hazard_for(request.auth, hazard_id))


@router.get("/{hazard_id}/photos/{photo_id}", summary="A photo of a hazard (the image itself)")
def get_photo(request, hazard_id: int, photo_id: int):
    photo = queries.get_photo_for(request.auth, photo_id)
    if photo.hazard_id != hazard_id:
        from django.http import Http404

        raise Http404
    return photo_response(photo)




@router.post("/{hazard_id}/rectify", response=HazardOut, summary="Report a hazard put right")
def rectify(request, hazard_id: int):
    """`text`: what was done; `photos` (multipart, optional): after putting right."""
    hazard = queries.get_hazard_for(request.auth, hazard_id)
    data, photos = _input(request)
    hazard = actions.rectify_hazard(hazard, by=request.auth, text=_text(data, "text"), photos=photos)
    return _with_photos(hazard)


@router.post("/{hazard_id}/recheck", response=HazardOut, summary="Re-check a hazard put right")
def recheck(request, hazard_id: int):
    """`passed` (true closes it, with at least one photo in `photos`), `note`, and for a failed
    re-check an optional `deadline` (YYYY-MM-DD)."""
    hazard = queries.get_hazard_for(request.auth, hazard_id)
    data, photos = _input(request)
    hazard = actions.recheck_hazard(hazard, by=request.auth, passed=_bool(data, "passed"), note=_text(data, "note"),
                                    photos=photos, new_deadline=_date(data, "deadline"))
    return _with_photos(hazard)
