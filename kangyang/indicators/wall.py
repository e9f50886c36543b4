"""The wall display's figures (可视化大屏): what the command room sees of one region, now.

Reads only, and counts only: no elder's name, phone, address, ID number or home location
ever leaves this module. Alarms are shown by type, community and time; orders and visits by
service; elders as a count per community (never points of homes); service points are the
providers' seats (organisations, not people). The key indicators come from the stored
snapshots (indicators/queries.rows_for), so a poll never recomputes a year of records.

Who may put which region on the wall: accounts/scope.py (`sees_wall_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kangyang.accounts import scope
from kangyang.alarms.constants import TIER_FIRST_LINE
from kangyang.alarms.models import Alarm
from kangyang.indicators import queries
from kangyang.indicators import targets as T
from kangyang.indicators.registry import COUNT, HUNDRED_MILLION_YUAN, PERCENT, PERMILLE, SECONDS, YEARS, YUAN, Period
from kangyang.lib import numbers
from kangyang.regions import codes
from kangyang.regions.models import Region
from kangyang.regions.outlines import community_places
from kangyang.registry.models import Elder
from kangyang.services.models import Order, Provider, ServiceVisit

# The platform's own indicators the room watches, in this order, when an app declares them
# (a code no app declares is skipped); after them the plans' indicators that have a figure.
# (The codes the alarms and services apps declare on the appind branch; until it is merged only
# the registry's are found.)
WALL_INDICATORS = (
    "alarms_answered_60s_rate", "alarm_response_median_seconds", "service_orders_completed",
    "service_orders_on_time_rate", "alarm_devices_online_rate", "elders",
)
MAX_INDICATORS = 8
LATEST_ALARMS = 6
# Services listed one by one; the rest are summed in one line (the wall does not scroll).
SERVICE_LINES = 7
# An alarm answered within this long counts as answered in time (alarm centres promise 60 s).
ANSWER_WITHIN = dt.timedelta(seconds=60)
# Density shading: the communities' elder counts in four bands (quartiles) above zero.
LEVELS = 4

# Orders of today by where they stand, in the order the room reads them.
ORDER_STAGES = (
    ("waiting", (Order.Status.CREATED, Order.Status.DISPATCHED)),
    ("accepted", (Order.Status.ACCEPTED,)),
    ("on_the_way", (Order.Status.EN_ROUTE,)),
    ("in_progress", (Order.Status.CHECKED_IN,)),
    ("done", (Order.Status.CHECKED_OUT, Order.Status.CONFIRMED, Order.Status.SETTLED)),
    ("cancelled", (Order.Status.CANCELLED, Order.Status.NO_SHOW)),
)


def _stage_labels() -> dict[str, str]:
    return {"waiting": _("waiting for a caregiver"), "accepted": _("accepted"), "on_the_way": _("on the way"),
            "in_progress": _("visit in progress"), "done": _("done"), "cancelled": _("cancelled or no-show")}


# -- which region -------------------------------------------------------------------------------

def regions_for(user) -> list[Region]:
    """The regions a user may put on the wall (city, district, subdistrict of their area)."""
    if not scope.sees_wall_display(user):
        return []
    prefix = scope.area_prefix(user)
    if prefix is None:
        return []
    return list(Region.objects.filter(code__startswith=prefix).exclude(level=Region.Level.COMMUNITY).order_by("code"))


def default_region_for(user) -> Region | None:
    """The user's own region; for the installer's superuser, the first top node of the tree."""
    if user.region_id is not None:
        return user.region
    if scope.area_prefix(user) == "":
        return Region.objects.filter(parent__isnull=True).order_by("code").first()
    return None


# -- the figures ----------------------------------------------------------------------------------

def utc_z(value: dt.datetime) -> str:
    """An instant as the API writes it: RFC 3339 in UTC with "Z" (CONTRACTS.md)."""
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _today_start(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _duration_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    if seconds < 3600:
        return _("%(m)d min %(s)d s") % {"m": seconds // 60, "s": seconds % 60}
    return _("%(h)d h %(m)d min") % {"h": seconds // 3600, "m": seconds % 3600 // 60}


def alarm_figures(prefix: str, *, now: dt.datetime, names: dict[str, str]) -> dict:
    """Alarms of the region: waiting, being handled, closed today; today's by type and how many
    were answered within 60 s; the latest ones by type, community and waiting time."""
    alarms = Alarm.objects.filter(region_code__startswith=prefix)
    start = _today_start(now)
    counts = alarms.aggregate(
        waiting=Count("id", filter=Q(status=Alarm.Status.RAISED)),
        handling=Count("id", filter=Q(status=Alarm.Status.ACKNOWLEDGED)),
        closed_today=Count("id", filter=Q(status=Alarm.Status.RESOLVED, resolved_at__gte=start)),
        today=Count("id", filter=Q(received_at__gte=start)),
    )
    answered = in_time = 0
    by_type: Counter = Counter()
    for kind, received, acknowledged in alarms.filter(received_at__gte=start).values_list(
            "type", "received_at", "acknowledged_at"):
        by_type[kind] += 1
        if acknowledged is not None:
            answered += 1
            in_time += acknowledged - received <= ANSWER_WITHIN
    types = dict(Alarm.Type.choices)
    latest = []
    for a in alarms.filter(Q(status__in=(Alarm.Status.RAISED, Alarm.Status.ACKNOWLEDGED)) | Q(received_at__gte=start)
                           ).order_by("-received_at", "-id").values(
            "type", "region_code", "status", "received_at", "acknowledged_at", "escalation_tier")[:LATEST_ALARMS]:
        if a["acknowledged_at"] is None:
            waited = (now - a["received_at"]).total_seconds()
            waiting_text = _("waiting %(time)s") % {"time": _duration_text(waited)}
        else:
            waited = (a["acknowledged_at"] - a["received_at"]).total_seconds()
            waiting_text = _("answered after %(time)s") % {"time": _duration_text(waited)}
        escalated = a["escalation_tier"] > TIER_FIRST_LINE and a["status"] != Alarm.Status.RESOLVED
        latest.append({
            "type": a["type"], "type_label": str(types.get(a["type"], a["type"])),
            "community": names.get(a["region_code"], ""),
            "time": timezone.localtime(a["received_at"]).strftime("%H:%M"),
            "status": a["status"], "status_label": str(Alarm.Status(a["status"]).label),
            "waited_seconds": int(waited), "waiting_text": waiting_text,
            "escalated": escalated,
            "escalated_text": _("escalated") if escalated else "",
        })
    return {
        **counts, "answered": answered, "answered_in_time": in_time,
        "answered_in_time_text": ngettext(
            "%(n)d of %(total)d answered within 60 s today", "%(n)d of %(total)d answered within 60 s today",
            answered) % {"n": in_time, "total": answered},
        "by_type": [{"type": k, "label": str(types.get(k, k)), "count": n} for k, n in by_type.most_common()],
        "latest": latest,
    }


def service_figures(prefix: str, *, now: dt.datetime) -> dict:
    """Today's orders (their window starts today) by stage and by service, and the service
    visits in progress (checked in, not yet out)."""
    start = _today_start(now)
    orders = Order.objects.filter(region_code__startswith=prefix, window_start__gte=start,
                                  window_start__lt=start + dt.timedelta(days=1))
    stage_of = {status: stage for stage, statuses in ORDER_STAGES for status in statuses}
    by_stage: Counter = Counter()
    by_item: dict[str, Counter] = {}
    for status, item, n in orders.order_by().values_list("status", "item__name").annotate(n=Count("id")):
        stage = stage_of.get(status, "waiting")
        by_stage[stage] += n
        by_item.setdefault(item, Counter())[stage] += n
        by_item[item]["orders"] += n
    visits = ServiceVisit.objects.filter(region_code__startswith=prefix, checked_out_at__isnull=True,
                                         checked_in_at__gte=start - dt.timedelta(hours=12))
    visits_by_item = Counter(dict(visits.order_by().values_list("order__item__name").annotate(n=Count("id"))))
    labels = _stage_labels()
    items = sorted(set(by_item) | set(visits_by_item), key=lambda name: (-by_item.get(name, Counter())["orders"], name))
    lines = [{"item": name, "orders": by_item.get(name, Counter())["orders"],
              "done": by_item.get(name, Counter())["done"], "in_progress": visits_by_item[name]} for name in items]
    if len(lines) > SERVICE_LINES:
        rest = lines[SERVICE_LINES - 1:]
        lines = lines[:SERVICE_LINES - 1] + [{
            "item": ngettext("%(n)d other service", "%(n)d other services", len(rest)) % {"n": len(rest)},
            **{k: sum(line[k] for line in rest) for k in ("orders", "done", "in_progress")}}]
    return {
        "orders": sum(by_stage.values()),
        "by_stage": [{"stage": stage, "label": labels[stage], "count": by_stage[stage]} for stage, _s in ORDER_STAGES],
        "visits_in_progress": sum(visits_by_item.values()),
        "by_item": lines,
    }


def _bands(values: list[int]) -> list[int]:
    """Upper bounds of LEVELS bands over the non-zero values (quartiles, rising)."""
    found = sorted(v for v in values if v > 0)
    if not found:
        return []
    bounds = []
    for k in range(1, LEVELS + 1):
        bound = found[min(len(found) - 1, (len(found) * k + LEVELS - 1) // LEVELS - 1)]
        if not bounds or bound > bounds[-1]:
            bounds.append(bound)
    return bounds


def _level(value: int, bounds: list[int]) -> int:
    if value <= 0 or not bounds:
        return 0
    for i, bound in enumerate(bounds):
        if value <= bound:
            return i + 1 + (LEVELS - len(bounds))
    return LEVELS


def elder_figures(prefix: str, *, names: dict[str, str]) -> dict:
    """Elders on the registry per community (counts, as the map shades them), and the bands."""
    counts = dict(Elder.objects.filter(region_code__startswith=prefix, status=Elder.Status.ACTIVE)
                  .order_by().values_list("region_code").annotate(n=Count("id")))
    bounds = _bands(list(counts.values()))
    by_community = {}
    for code, name in names.items():
        if codes.level_of(code) != "community":
            continue
        n = counts.get(code, 0)
        by_community[code] = {"value": n, "level": _level(n, bounds), "text": ngettext(
            "%(community)s: %(n)d elder", "%(community)s: %(n)d elders", n) % {"community": name, "n": n}}
    legend, low = [], 1
    for i, bound in enumerate(bounds):
        legend.append({"level": i + 1 + (LEVELS - len(bounds)),
                       "text": (_("%(low)d–%(high)d elders") % {"low": low, "high": bound}) if bound > low
                       else ngettext("%(n)d elder", "%(n)d elders", bound) % {"n": bound}})
        low = bound + 1
    return {"total": sum(counts.values()), "by_community": by_community, "legend": legend}


def display(value: Decimal | None, unit: str) -> str:
    """A figure as the room reads it."""
    if value is None:
        return numbers.NONE
    if unit == PERCENT:
        return numbers.percent(value)
    if unit == PERMILLE:
        return f"{Decimal(value).quantize(Decimal('0.1'))}‰"
    if unit == COUNT:
        return f"{int(value):,}"
    if unit == SECONDS:
        return _duration_text(float(value))
    if unit == YUAN:
        return numbers.yuan(value)
    if unit == YEARS:
        return _("%(n)s years") % {"n": Decimal(value).quantize(Decimal("0.1"))}
    if unit == HUNDRED_MILLION_YUAN:
        return _("%(n)s hundred million yuan") % {"n": Decimal(value).quantize(Decimal("0.01"))}
    return f"{Decimal(value).normalize():f}"


def indicator_figures(region_code: str, *, today: dt.date) -> dict:
    """A handful of indicators against their targets, from the year's latest snapshot. Before
    the first snapshot of the year, computed indicators have no figure yet (never a zero that
    was not counted); figures the bureau entered by hand stand as entered."""
    period = Period(today.year)
    computed_at = queries.snapshot_figures(region_code, period)[1]

    def value_of(row: queries.Row) -> Decimal | None:
        if computed_at is None and row.origin == queries.COMPUTED:
            return None
        return row.figure.value

    rows = {row.code: row for row in queries.rows_for(region_code, period, source=queries.SNAPSHOT)}
    chosen = [rows[code] for code in WALL_INDICATORS if code in rows and rows[code].indicator is not None]
    chosen += [row for row in queries.ordered_for_reading(list(rows.values()))
               if row.plan is not None and value_of(row) is not None and row not in chosen]
    out = []
    for row in chosen[:MAX_INDICATORS]:
        value = value_of(row)
        targets = [_("%(plan)s: %(op)s %(value)s (%(year)d)") % {
            "plan": t.plan, "op": t.op, "value": display(t.value, row.unit), "year": t.year} for t, _s in row.targets]
        if value is None:
            status = T.NO_DATA
        else:
            status = row.status if row.targets else T.NO_TARGET
        out.append({"code": row.code, "name": str(row.name), "unit": row.unit,
                    "value": None if value is None else float(value), "value_text": display(value, row.unit),
                    "status": status, "status_label": str(queries.STATUS_LABELS[status]),
                    "targets_text": "; ".join(targets), "binding": row.kind == "binding"})
    return {"period": period.key, "computed_at": utc_z(computed_at) if computed_at else None,
            "computed_at_text": (timezone.localtime(computed_at).strftime("%m-%d %H:%M") if computed_at
                                 else _("not computed yet")),
            "rows": out}


def community_names(prefix: str) -> dict[str, str]:
    return dict(Region.objects.filter(code__startswith=prefix, level=Region.Level.COMMUNITY)
                .values_list("code", "name"))


def figures(region: Region, *, now: dt.datetime | None = None) -> dict:
    """Everything the wall shows of a region that changes, as JSON (data.json)."""
    now = now or timezone.now()
    prefix = region.prefix
    names = community_names(prefix)
    return {
        "region": {"code": region.code, "name": region.name},
        "at": utc_z(now), "at_text": timezone.localtime(now).strftime("%H:%M:%S"),
        "alarms": alarm_figures(prefix, now=now, names=names),
        "services": service_figures(prefix, now=now),
        "elders": elder_figures(prefix, names=names),
        "indicators": indicator_figures(region.code, today=timezone.localdate(now)),
    }


# -- the map ------------------------------------------------------------------------------------

def map_config(region: Region, *, elders: dict | None = None) -> dict:
    """The wall's map (static/js/map.js): each community's approximate outline shaded by its
    elders, and the providers' seats serving the region; coordinates in the tiles' system."""
    tiles = settings.MAP_TILES
    prefix = region.prefix
    values = (elders or {}).get("by_community", {})
    areas = []
    for place in community_places(region.code):
        v = values.get(place.code, {})
        areas.append({"id": place.code, "name": place.name,
                      "outline": [tiles.project(lat, lng) for lat, lng in place.outline],
                      "value": v.get("value"), "level": v.get("level", 0), "text": v.get("text", place.name)})
    above = {codes.parent_code_of(region.code)} | {region.code[:n].ljust(12, "0") for n in (4, 6, 9)}
    serving = Provider.objects.filter(
        Q(region_code__startswith=prefix) | Q(areas__region_code__startswith=prefix)
        | Q(areas__region_code__in=above - {None})).values("pk")
    providers = (Provider.objects.receiving_orders().filter(pk__in=serving, lat__isnull=False, lng__isnull=False)
                 .select_related("organisation").annotate(served=Count("areas")).order_by("organisation__name"))
    points = [{"at": tiles.project(p.lat, p.lng), "symbol": "square", "colour": "#f0b400",
               "text": ngettext("%(name)s: serves %(n)d area", "%(name)s: serves %(n)d areas", p.served) % {
                   "name": p.name, "n": p.served}} for p in providers]
    return {
        "tiles": tiles.as_json(), "still": True, "labelAreas": True, "areas": areas, "points": points,
        "note": "" if tiles.has_tiles else _("Community outlines are approximate: drawn between community centres."),
        "centre": tiles.project(region.lat, region.lng) if region.lat is not None and region.lng is not None else None,
    }
