"""Verified visits (Electronic Visit Verification): check-in and check-out from the
caregiver's phone, the checks that flag a visit for review, and the review.

A failed check never blocks the caregiver: the visit is recorded and flagged with a
reason code, and held back from settlement until a supervisor accepts or rejects it.
Locations arrive as WGS-84, GCJ-02 (AMap, Tencent) or BD-09 (Baidu) and are converted to
WGS-84 (lib.coords); only the distance to the elder's home and the pass/fail are kept,
never the point itself or a trace between visits.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import coords
from kangyang.services import constants, notifications, queries, rules
from kangyang.services.actions._common import K, S, add_event, invalid, transition
from kangyang.services.models import Order, ServiceVisit, ServiceVisitFlag

F = ServiceVisitFlag.Code


@dataclass(frozen=True)
class Fix:
    """A location from the phone: degrees in its coordinate system, and the accuracy radius
    the phone reports (metres, 68% confidence in the W3C Geolocation API)."""

    lat: float
    lng: float
    accuracy_m: float | None = None
    system: str = "wgs84"

    def wgs84(self) -> tuple[float, float]:
        lng, lat = coords.to_wgs84(self.lng, self.lat, self.system)
        return lat, lng


def _check_fix(fix: Fix | None) -> None:
    if fix is None:
        return
    if fix.system not in coords.SYSTEMS:
        raise invalid("coord", _("The coordinate system is wgs84, gcj02 or bd09."), "coord")
    if not (-90 <= fix.lat <= 90 and -180 <= fix.lng <= 180):
        raise invalid("lat", _("This is not a location on Earth."), "coord")
    if fix.accuracy_m is not None and fix.accuracy_m < 0:
        raise invalid("accuracy", _("Accuracy is a distance in metres, zero or more."), "coord")


def _moment(at: dt.datetime | None, now: dt.datetime, *, not_before: dt.datetime) -> dt.datetime:
    """When the phone says it happened (a check queued while offline): within limits, and
    not before the order was placed. (Not "after the previous step": an accept queued on
    the same phone is recorded when it is sent, after the check-in it preceded.)"""
    if at is None:
        return now
    if timezone.is_naive(at):
        raise invalid("at", _("Give the time with its time zone."), "time")
    if at > now + constants.MAX_CLOCK_SKEW or at < now - constants.MAX_BACKDATE:
        raise invalid("at", _("The time of the check is too far from now; check the phone's clock."), "time")
    if at < not_before:
        raise invalid("at", _("The time of the check is before the order was placed."), "time")
    return min(at, now)



def _distance(order: Order, fix: Fix | None) -> tuple[int | None, str | None]:
    """Metres from the elder's home and the flag the point earns (None: it passes)."""
    home = queries.home_of(order.elder)
    if home is None:
        return None, F.HOME_UNKNOWN
    if fix is None:
        return None, F.NO_LOCATION
    lat, lng = fix.wgs84()
    return round(coords.distance_m(lat, lng, *home)), None


def _flag(service_visit: ServiceVisit, code: str, facts: dict | None = None, *, by=None, now: dt.datetime) -> bool:
    """Add a flag (once per reason) with its figures and hold the visit back for review."""
    _obj, created = ServiceVisitFlag.objects.get_or_create(service_visit=service_visit, code=code,
                                                   defaults={"facts": facts or {}, "created_at": now})
    if created:
        if service_visit.review != ServiceVisit.Review.PENDING:
            ServiceVisit.objects.filter(pk=service_visit.pk).update(review=ServiceVisit.Review.PENDING, reviewed_by=None, reviewed_at=None)
            service_visit.review = ServiceVisit.Review.PENDING
        add_event(service_visit.order, K.FLAGGED, by=by, at=now, code=code)
    return created


def _point_flag(order: Order, fix: Fix | None, *, far: str) -> tuple[int | None, bool | None, str | None]:
    distance, flag = _distance(order, fix)
    if flag is None:
        flag = rules.location_flag(distance, fix.accuracy_m, radius_m=settings.VISIT_RADIUS_M, far=far)
    ok = None if distance is None else flag is None
    return distance, ok, flag


def _point_facts(distance: int | None, fix: Fix | None) -> dict:
    if distance is None:
        return {}
    return {"distance_m": distance, "accuracy_m": round(fix.accuracy_m) if fix and fix.accuracy_m is not None else None}


def _previous_visit(service_visit: ServiceVisit) -> ServiceVisit | None:
    return (ServiceVisit.objects.filter(caregiver=service_visit.caregiver, checked_in_at__lt=service_visit.checked_in_at)
            .exclude(pk=service_visit.pk).select_related("elder__household", "elder__compound")
            .order_by("-checked_in_at").first())


@transaction.atomic
def check_in(order: Order, *, by, fix: Fix | None, at: dt.datetime | None = None, now: dt.datetime | None = None) -> ServiceVisit:
    """The caregiver arrives. Checked: the distance to the elder's home (radius
    KANGYANG_VISIT_RADIUS_M), the time against the order's window (not earlier than
    KANGYANG_EARLY_CHECK_IN_HOURS before it, not after its end), another visit of theirs
    still open, and whether they could have come from their previous visit in the time.
    The elder is told her caregiver is there."""
    if not queries.is_caregiver_of(by, order):
        raise PermissionDenied
    _check_fix(fix)
    now = now or timezone.now()
    moment = _moment(at, now, not_before=order.created_at)
    distance, ok, flag = _point_flag(order, fix, far=F.FAR_AT_CHECK_IN)
    order = transition(order, S.CHECKED_IN, by=by, allowed=[S.ACCEPTED, S.EN_ROUTE, S.DISPATCHED],
                       event=K.CHECKED_IN, now=now, at=moment, changes={"distance_m": distance, "within": ok})
    service_visit = ServiceVisit.objects.create(
        order=order, provider=order.provider, caregiver=order.caregiver, elder=order.elder,
        region_code=order.region_code, checked_in_at=moment, check_in_distance_m=distance,
        check_in_accuracy_m=round(fix.accuracy_m) if fix and fix.accuracy_m is not None else None,
        check_in_ok=ok,
    )
    if flag:
        _flag(service_visit, flag, _point_facts(distance, fix), by=by, now=moment)
    timing = rules.check_in_timing(moment, order.window_start, order.window_end, early=settings.EARLY_CHECK_IN)
    if timing is not None:
        _flag(service_visit, timing[0], {"minutes": timing[1]}, by=by, now=moment)
    open_elsewhere = ServiceVisit.objects.filter(caregiver=service_visit.caregiver, checked_out_at__isnull=True).exclude(pk=service_visit.pk)
    if open_elsewhere.exists():
        _flag(service_visit, F.OVERLAP, {}, by=by, now=moment)
    previous = _previous_visit(service_visit)
    if previous is not None:
        here, there = queries.home_of(order.elder), queries.home_of(previous.elder)
        left = previous.checked_out_at or previous.checked_in_at
        if here and there and rules.impossible_travel(coords.distance_m(*here, *there), moment - left):
            _flag(service_visit, F.IMPOSSIBLE_TRAVEL, {"km": round(coords.distance_m(*here, *there) / 1000, 1),
                                               "minutes": max(0, int((moment - left).total_seconds() // 60))},
                  by=by, now=moment)
    notifications.tell_elder(order, template="order.checked_in", at=moment)
    return service_visit


@transaction.atomic
def check_out(order: Order, *, by, fix: Fix | None, notes: str = "", at: dt.datetime | None = None,
              now: dt.datetime | None = None) -> ServiceVisit:
    """The caregiver leaves, with notes for the record. Checked: the distance again, a visit
    much shorter than planned, and overlap with another of their visits."""
    if not queries.is_caregiver_of(by, order):
        raise PermissionDenied
    _check_fix(fix)
    now = now or timezone.now()
    moment = _moment(at, now, not_before=order.created_at)
    service_visit = ServiceVisit.objects.select_for_update().get(order=order) if hasattr(order, "service_visit") else None
    if service_visit is None:
        raise ValidationError(_("Check in first."), code="wrong_status")
    if moment < service_visit.checked_in_at:
        raise invalid("at", _("The check-out cannot be before the check-in."), "time")
    distance, ok, flag = _point_flag(order, fix, far=F.FAR_AT_CHECK_OUT)
    order = transition(order, S.CHECKED_OUT, by=by, allowed=[S.CHECKED_IN], event=K.CHECKED_OUT, now=now, at=moment,
                       changes={"distance_m": distance, "within": ok})
    service_visit.checked_out_at = moment
    service_visit.check_out_distance_m = distance
    service_visit.check_out_accuracy_m = round(fix.accuracy_m) if fix and fix.accuracy_m is not None else None
    service_visit.check_out_ok = ok
    service_visit.notes = notes.strip()
    service_visit.save(update_fields=["checked_out_at", "check_out_distance_m", "check_out_accuracy_m", "check_out_ok", "notes"])
    if flag and flag != F.HOME_UNKNOWN:  # an unknown home was flagged at check-in already
        _flag(service_visit, flag, _point_facts(distance, fix), by=by, now=moment)
    minutes = (moment - service_visit.checked_in_at).total_seconds() / 60
    if rules.too_short(minutes, order.planned_minutes):
        _flag(service_visit, F.TOO_SHORT, {"minutes": int(minutes), "planned": order.planned_minutes}, by=by, now=moment)
    others = ServiceVisit.objects.filter(caregiver=service_visit.caregiver).exclude(pk=service_visit.pk).filter(
        checked_in_at__lt=moment).exclude(checked_out_at__lte=service_visit.checked_in_at)
    if others.exists():
        _flag(service_visit, F.OVERLAP, {"order": others.first().order_id}, by=by, now=moment)
    return service_visit


def flag_missing_check_outs(*, now: dt.datetime | None = None) -> int:
    """Flag visits still open long after their planned end (the sweep calls this)."""
    now = now or timezone.now()
    flagged = 0
    candidates = (ServiceVisit.objects.filter(checked_out_at__isnull=True, order__status=S.CHECKED_IN)
                  .exclude(flags__code=F.MISSING_CHECK_OUT).select_related("order__item"))
    for service_visit in candidates.iterator():
        planned_end = service_visit.checked_in_at + dt.timedelta(minutes=service_visit.order.planned_minutes)
        if planned_end + constants.MISSING_CHECK_OUT_GRACE < now:
            with transaction.atomic():
                flagged += _flag(service_visit, F.MISSING_CHECK_OUT, {"since": service_visit.checked_in_at.isoformat()}, now=now)
    return flagged


@transaction.atomic
def review_service_visit(service_visit: ServiceVisit, *, by, accept: bool, note: str, now: dt.datetime | None = None) -> ServiceVisit:
    """A supervisor decides on a flagged visit: accepted, it is settled like any other;
    rejected, the order is void — cancelled, its allowance shares refunded, nothing paid."""
    if not queries.can_review(by, service_visit):
        raise PermissionDenied
    note = note.strip()
    if len(note) < 2:
        raise invalid("note", _("Say what you found."), "note")
    now = now or timezone.now()
    decision = ServiceVisit.Review.ACCEPTED if accept else ServiceVisit.Review.REJECTED
    taken = ServiceVisit.objects.filter(pk=service_visit.pk, review=ServiceVisit.Review.PENDING).update(
        review=decision, reviewed_by=by, reviewed_at=now, review_note=note)
    if not taken:
        raise ValidationError(_("This visit is not waiting for review."), code="conflict")
    service_visit.refresh_from_db()
    order = service_visit.order
    add_event(order, K.REVIEWED, by=by, at=now, code=decision, note=note)
    record(by, AuditEntry.Action.CHANGE, service_visit, verb="visit.review", changes={"review": [ServiceVisit.Review.PENDING, decision]},
           note=note)
    if not accept:
        from kangyang.services.actions.orders import refund_shares

        # The timeline's "reviewed: rejected" says why; the reason is the reviewer's own words.
        transition(order, S.CANCELLED, by=by, allowed=[S.CHECKED_IN, S.CHECKED_OUT, S.CONFIRMED],
                   event=K.CANCELLED, now=now, note=note, cancel_reason=note)
        refund_shares(order, by=by)
    return service_visit
