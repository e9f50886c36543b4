"""Recording a care visit: who may, what is checked, and which visits due it settles.

The visit is kept whatever its location says: a home visit far from the elder's home, or
sent without a location, is recorded with its flag (the services module's check: distance
from the home within KANGYANG_VISIT_RADIUS_M, or the phone's accuracy circle reaching into it)
and only the distance is kept, never the point. A record captured on a phone without a
connection carries the phone's `client_id`: sent again, it is the same record.
"""

import datetime as dt
import math
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import coords
from kangyang.registry.models import Elder
from kangyang.services import queries as services_queries
from kangyang.services import rules as services_rules
from kangyang.services.actions.service_visits import Fix
from kangyang.visits.actions.plans import settle_visit
from kangyang.visits.models import CareVisit, Finding, Mode

# The checklist of a visit (issue 15 §3): each item "ok" or "concern", with a note.
FINDING_ITEMS = dict(Finding.choices)
OK, CONCERN = "ok", "concern"
FINDING_STATES = {OK: gettext_lazy("all right"), CONCERN: gettext_lazy("a concern")}

# The location check of a home visit, as CareVisit.location_flag keeps it.
FAR, IMPRECISE, NO_LOCATION, HOME_UNKNOWN = "far", "imprecise", "no_location", "home_unknown"
LOCATION_FLAGS = {
    FAR: gettext_lazy("recorded far from the elder's home"),
    IMPRECISE: gettext_lazy("location too imprecise to verify"),
    NO_LOCATION: gettext_lazy("no location sent"),
    HOME_UNKNOWN: gettext_lazy("the elder's home has no location"),
}

# A phone's clock may run a little ahead; a visit further in the future is refused.
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)
# A visit recorded after the fact (a paper note typed in, a phone without a connection for days).
MAX_BACKDATE = dt.timedelta(days=31)
MAX_DURATION = dt.timedelta(hours=12)
NOTE_MAX = 500
NOTES_MAX = 4000
CLIENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def clean_text(value, field: str, *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, _("Send text here."))
    if "\x00" in value:
        raise invalid(field, _("The text holds a character that cannot be stored (NUL)."))
    value = value.strip()
    if len(value) > limit:
        raise invalid(field, _("Keep it to %(limit)d characters.") % {"limit": limit})
    return value


def clean_findings(findings) -> dict:
    """The checklist as stored: {item: {"state": "ok" | "concern", "note": str}}. Items left
    out were not checked; a concern says what it is."""
    if findings in (None, ""):
        return {}
    if not isinstance(findings, dict):
        raise invalid("findings", _("The findings are a checklist: health, safety, living, needs, mood."))
    cleaned = {}
    for item, value in findings.items():
        if item not in FINDING_ITEMS:
            raise invalid("findings", _("There is no finding called “%(item)s”: use health, safety, living, needs or mood.")
                          % {"item": str(item)[:20]})
        if isinstance(value, str):
            value = {"state": value}
        if not isinstance(value, dict):
            raise invalid(f"findings.{item}", _("Say “ok” or “concern”, with a note."))
        state = value.get("state")
        if state not in FINDING_STATES:
            raise invalid(f"findings.{item}", _("Say “ok” or “concern”."))
        note = clean_text(value.get("note"), f"findings.{item}", limit=NOTE_MAX)
        if state == CONCERN and not note:
            raise invalid(f"findings.{item}", _("Say what the concern is."))
        cleaned[item] = {"state": state, "note": note}
    return cleaned


def concerns_of(visit: CareVisit) -> list[str]:
    """The items of a visit's checklist found a concern, in the checklist's order."""
    return [item for item in FINDING_ITEMS if (visit.findings or {}).get(item, {}).get("state") == CONCERN]


def _aware(value, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise invalid(field, _("Give a date and time."), "time")
    if timezone.is_naive(value):
        raise invalid(field, _("Give the time with its time zone."), "time")
    return value


def clean_times(started_at, ended_at, *, now: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
    started_at = _aware(started_at, "started_at")
    if started_at > now + MAX_CLOCK_SKEW:
        raise invalid("started_at", _("The visit cannot start in the future; check the phone's clock."), "time")
    if started_at < now - MAX_BACKDATE:
        raise invalid("started_at", _("The visit is more than 31 days ago: it can no longer be recorded here."), "time")
    if ended_at is None:
        return started_at, None
    ended_at = _aware(ended_at, "ended_at")
    if ended_at < started_at:
        raise invalid("ended_at", _("The visit cannot end before it started."), "time")
    if ended_at > now + MAX_CLOCK_SKEW:
        raise invalid("ended_at", _("The visit cannot end in the future; check the phone's clock."), "time")
    if ended_at - started_at > MAX_DURATION:
        raise invalid("ended_at", _("A visit lasts at most 12 hours."), "time")
    return started_at, ended_at


def check_fix(fix: Fix | None) -> None:
    if fix is None:
        return
    if fix.system not in coords.SYSTEMS:
        raise invalid("coord", _("The coordinate system is wgs84, gcj02 or bd09."), "coord")
    numbers = [fix.lat, fix.lng] + ([fix.accuracy_m] if fix.accuracy_m is not None else [])
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in numbers):
        raise invalid("lat", _("This is not a location on Earth."), "coord")
    if not (-90 <= fix.lat <= 90 and -180 <= fix.lng <= 180):
        raise invalid("lat", _("This is not a location on Earth."), "coord")
    if fix.accuracy_m is not None and not 0 <= fix.accuracy_m <= 100_000:
        raise invalid("accuracy", _("Accuracy is a distance in metres, zero or more."), "coord")


def location_check(elder: Elder, fix: Fix | None) -> tuple[int | None, bool | None, str]:
    """(metres from home, within the radius, flag) of a home visit; never refuses."""
    home = services_queries.home_of(elder)
    if home is None:
        return None, None, HOME_UNKNOWN
    if fix is None:
        return None, None, NO_LOCATION
    lat, lng = fix.wgs84()
    distance = round(coords.distance_m(lat, lng, *home))
    flag = services_rules.location_flag(distance, fix.accuracy_m, radius_m=settings.VISIT_RADIUS_M, far=FAR)
    return distance, flag is None, flag or ""


def _settle(visit: CareVisit) -> list[int]:
    """Mark done the elder's open visits due this visit counts for (the rule is the plan's:
    actions/plans.py settle_visit); the ids of those it settled."""
    settle_visit(visit)
    return list(visit.settled.order_by("pk").values_list("pk", flat=True))


def _existing(by, client_id: str) -> CareVisit | None:
    if not client_id:
        return None
    return CareVisit.objects.filter(visitor=by, client_id=client_id).first()


def record_visit(
    elder: Elder, *, by, mode: str, started_at: dt.datetime, ended_at: dt.datetime | None = None,
    fix: Fix | None = None, findings: dict | None = None, notes: str = "", client_id: str = "",
    met: bool = True, now: dt.datetime | None = None,
) -> CareVisit:
    """Record a care visit made by `by` (scope.may_record_care_visit). The same `client_id`
    from the same visitor returns the record already kept (a phone sending its queue again).
    A home visit gets the location check (never refused for it); a visit that met the elder
    settles her open visits due it counts for (a home visit or one through a neighbour any,
    a call only where the tier counts calls)."""
    now = now or timezone.now()
    client_id = (client_id or "").strip()
    if client_id and not CLIENT_ID.fullmatch(client_id):
        raise invalid("client_id", _("The record's id is 1 to 64 letters, digits, dots, dashes or colons."))
    existing = _existing(by, client_id)
    if existing is not None:
        return existing
    if not scope.may_record_care_visit(by, elder):
        raise PermissionDenied
    if mode not in Mode.values:
        raise invalid("mode", _("The mode is one of: home, phone, video, proxy."))
    started_at, ended_at = clean_times(started_at, ended_at, now=now)
    if elder.status != Elder.Status.ACTIVE and elder.status_date and elder.status_date < timezone.localtime(started_at).date():
        raise invalid("started_at", _("The elder had died or moved out before this date."), "elder_inactive")
    check_fix(fix)
    findings = clean_findings(findings)
    notes = clean_text(notes, "notes", limit=NOTES_MAX)
    distance, ok, flag = location_check(elder, fix) if mode == Mode.HOME else (None, None, "")
    accuracy = round(fix.accuracy_m) if mode == Mode.HOME and fix and fix.accuracy_m is not None else None
    try:
        with transaction.atomic():
            visit = CareVisit.objects.create(
                elder=elder, region_code=elder.region_code, visitor=by, mode=mode,
                status=CareVisit.Status.DONE if met else CareVisit.Status.NOT_MET,
                started_at=started_at, ended_at=ended_at, distance_m=distance, accuracy_m=accuracy,
                location_ok=ok, location_flag=flag, findings=findings, notes=notes, client_id=client_id,
                recorded_at=now,
            )
            settled = _settle(visit)
            record(by, AuditEntry.Action.CREATE, visit, verb="care_visit.record", changes={
                "elder": elder.pk, "mode": mode, "status": visit.status, "distance_m": distance,
                "location_flag": flag, "concerns": concerns_of(visit), "settled": settled,
            })
    except IntegrityError:
        # The same record sent twice at once: the other request kept it first.
        existing = _existing(by, client_id)
        if existing is None:
            raise
        return existing
    return visit
