"""Reads of the health app's readings topic: readings and health alerts as the user may see them
(accounts/scope/health.py: health_filter for readings, health_alert_filter for alerts), the
panel's "readings to look at", and the trend charts of an elder's page."""

import datetime as dt

from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.health import charts
from kangyang.health.models import HealthAlert, Reading
from kangyang.health.models.followups import Classification
from kangyang.health.models.readings import ReadingKind
from kangyang.health.actions import audit_read as health_audit_read

TO_LOOK_AT = (Classification.URGENT, Classification.UNCONTROLLED)
TREND_DAYS = 90
PANEL_LIMIT = 20


# -- alerts -----------------------------------------------------------------------------------
def alerts_for(user, *, status: str = "", elder=None):
    alerts = (HealthAlert.objects.filter(scope.health_alert_filter(user))
              .select_related("elder", "reading", "team", "acknowledged_by", "closed_by"))
    if status:
        alerts = alerts.filter(status=status)
    if elder is not None:
        alerts = alerts.filter(elder=elder)
    # open first, then acknowledged, then closed; newest first within each
    order = Case(When(status=HealthAlert.Status.OPEN, then=Value(0)),
                 When(status=HealthAlert.Status.ACKNOWLEDGED, then=Value(1)), default=Value(2),
                 output_field=IntegerField())
    return alerts.annotate(_order=order).order_by("_order", "-raised_at", "-pk")


def get_alert_for(user, alert_id: int) -> HealthAlert:
    alert = alerts_for(user).filter(pk=alert_id).first()
    if alert is None:
        raise Http404
    return alert


def counts_for(user) -> dict[str, int]:
    found = dict.fromkeys(HealthAlert.Status.values, 0)
    for row in (HealthAlert.objects.filter(scope.health_alert_filter(user)).order_by()
                .values_list("status").annotate(n=Count("pk"))):
        found[row[0]] = row[1]
    return found


# -- readings ---------------------------------------------------------------------------------
def readings_for(user, *, elder=None, kind: str = "", classification: str | None = None,
                 since: dt.datetime | None = None):
    readings = Reading.objects.visible_to(user).select_related("elder", "reviewed_by")
    if elder is not None:
        readings = readings.filter(elder=elder)
    if kind:
        readings = readings.filter(kind=kind)
    if classification is not None:
        readings = readings.filter(classification=classification)
    if since is not None:
        readings = readings.filter(measured_at__gte=since)
    return readings.order_by("-measured_at", "-pk")


def get_reading_for(user, reading_id: int) -> Reading:
    reading = readings_for(user).filter(pk=reading_id).first()
    if reading is None:
        raise Http404
    return reading


def to_look_at(user):
    """Uncontrolled and urgent readings nobody has looked at, of the user's team's elders (a
    doctor) or area (staff), newest first."""
    return readings_for(user).filter(classification__in=TO_LOOK_AT, reviewed_at__isnull=True)


def value_text(reading: Reading) -> str:
    """The reading's values with their units, e.g. "152/96 mmHg"."""
    k = reading.kind
    if k == ReadingKind.BLOOD_PRESSURE:
        text = f"{reading.systolic}/{reading.diastolic} mmHg"
        return text + (f", {reading.pulse}/min" if reading.pulse else "")
    if k in (ReadingKind.FASTING_GLUCOSE, ReadingKind.GLUCOSE):
        return f"{reading.glucose:g} mmol/L" if reading.glucose is not None else ""
    if k == ReadingKind.SPO2:
        return f"{reading.spo2}%" + (f", {reading.pulse}/min" if reading.pulse else "")
    if k == ReadingKind.HEART_RATE:
        return f"{reading.pulse}/min" if reading.pulse else ""
    if k == ReadingKind.WEIGHT:
        return f"{reading.weight_kg:g} kg" if reading.weight_kg is not None else ""
    return ""


def audit_read(user, target, *, verb: str, note: str = "") -> None:
    health_audit_read(user, target, verb=verb, note=note)


def panel_section(user):
    """The readings part of the health panel (/health/): open alerts first (with their
    acknowledge buttons), then the readings to look at; None when it has nothing for them."""
    if not scope.can_open(user, "health"):
        return None
    alerts = list(alerts_for(user, status=HealthAlert.Status.OPEN)[:PANEL_LIMIT])
    readings = list(to_look_at(user)[:PANEL_LIMIT])
    if not alerts and not readings:
        return None
    for alert in alerts:
        alert.may_handle = scope.handles_health_alert(user, alert)
    for reading in readings:
        reading.value_text = value_text(reading)
    audit_read(user, None, verb="health_alert.list")
    return {"alerts": alerts, "readings": readings, "more_readings": to_look_at(user).count() > len(readings)}


# -- an elder's charts ------------------------------------------------------------------------
def bp_target(elder, on: dt.date) -> tuple[int, int]:
    """The follow-up target: below 140/90 mmHg, below 150/90 for those 65 and over."""
    return (150, 90) if elder.age(on) >= 65 else (140, 90)


def _when(at: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def _series_value(reading: Reading):
    return {ReadingKind.FASTING_GLUCOSE: reading.glucose, ReadingKind.GLUCOSE: reading.glucose,
            ReadingKind.SPO2: reading.spo2, ReadingKind.HEART_RATE: reading.pulse,
            ReadingKind.WEIGHT: reading.weight_kg}.get(reading.kind)


def trends(elder, *, now: dt.datetime | None = None, days: int = TREND_DAYS) -> list[dict]:
    """One chart per kind of reading the elder has in the last `days` days."""
    now = now or timezone.now()
    start = now - dt.timedelta(days=days)
    readings = list(Reading.objects.filter(elder=elder, measured_at__gte=start, measured_at__lte=now)
                    .order_by("measured_at", "pk"))
    by_kind: dict[str, list[Reading]] = {}
    for r in readings:
        by_kind.setdefault(r.kind, []).append(r)
    out = []
    for kind in ReadingKind.values:
        rows = by_kind.get(kind)
        if not rows:
            continue
        for r in rows:
            r.value_text = value_text(r)
            r.class_label = Classification(r.classification).label if r.classification in Classification.values else ""

        def point(r, value):
            return (r.measured_at, float(value), r.classification or "none",
                    f"{r.value_text} · {_when(r.measured_at)} · {r.class_label}")

        if kind == ReadingKind.BLOOD_PRESSURE:
            sys_t, dia_t = bp_target(elder, timezone.localdate(now))
            series = [(_("systolic"), [point(r, r.systolic) for r in rows if r.systolic is not None]),
                      (_("diastolic"), [point(r, r.diastolic) for r in rows if r.diastolic is not None])]
            targets = [(sys_t, _("systolic target %(n)s") % {"n": sys_t}),
                       (dia_t, _("diastolic target %(n)s") % {"n": dia_t})]
        else:
            series = [(str(ReadingKind(kind).label), [point(r, _series_value(r)) for r in rows
                                                      if _series_value(r) is not None])]
            targets = []
            if kind == ReadingKind.FASTING_GLUCOSE:
                targets = [(7.0, _("target below %(n)s") % {"n": "7.0"}), (3.9, _("low %(n)s") % {"n": "3.9"})]
            elif kind == ReadingKind.GLUCOSE:
                targets = [(3.9, _("low %(n)s") % {"n": "3.9"})]
        chart = charts.trend_chart(series, start=start, end=now, targets=targets,
                                   start_label=formats.date_format(timezone.localtime(start), "SHORT_DATE_FORMAT"),
                                   end_label=formats.date_format(timezone.localtime(now), "SHORT_DATE_FORMAT"))
        out.append({"kind": kind, "label": ReadingKind(kind).label, "chart": chart,
                    "rows": list(reversed(rows))})
    return out


def elder_section(user, elder):
    """The readings part of an elder's health page (/health/elders/<id>/), already allowed to the
    user (scope.reads_health): trend charts of the last 90 days and her alerts not closed."""
    charts_ = trends(elder)
    alerts = list(alerts_for(user, elder=elder).exclude(status=HealthAlert.Status.CLOSED))
    for alert in alerts:
        alert.may_handle = scope.handles_health_alert(user, alert)
    if not charts_ and not alerts:
        return None
    return {"elder": elder, "trends": charts_, "alerts": alerts, "days": TREND_DAYS}
