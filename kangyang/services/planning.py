"""Between the database and the route planner (services/routing) and the dispatch rules
(dispatch_rules): orders and caregivers of a provider's day become routing.Visit and
routing.Worker values, planned routes come back as times, and each caregiver's fit for an
order comes back with its reasons in words. Reads only; the writes are in actions/dispatch.py."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kangyang.services import dispatch_rules, queries
from kangyang.services.models import Caregiver, Order, Shift
from kangyang.services.routing import TravelModel, Visit, Worker

DAY_SECONDS = 24 * 3600


def travel_model() -> TravelModel:
    return TravelModel(speed_kmh=settings.ROUTE_SPEED_KMH, detour=settings.ROUTE_DETOUR)


def seconds_of_day(moment: dt.datetime, day: dt.date) -> int:
    """Seconds from the local midnight of `day` to `moment`, clipped to that day."""
    start, _end = queries.day_bounds(day)
    return int(min(max((moment - start).total_seconds(), 0), DAY_SECONDS - 1))


def at_seconds(day: dt.date, seconds: int) -> dt.datetime:
    start, _end = queries.day_bounds(day)
    return start + dt.timedelta(seconds=seconds)


def location_of(order: Order) -> tuple[float, float] | None:
    """Where the service happens, for travel: the elder's home, else the centre of their
    community (good enough to plan with; the visit check needs the home itself)."""
    home = queries.home_of(order.elder)
    if home is not None:
        return home
    community = order.elder.community
    if community.lat is not None and community.lng is not None:
        return community.lat, community.lng
    return None


def is_fixed(order: Order) -> bool:
    """The planner keeps it with its caregiver: she accepted it, or the manager gave it to
    her by hand."""
    return order.caregiver_id is not None and (
        order.status in queries.FIXED or (order.status == queries.S.DISPATCHED and order.assigned_by_hand))


def visit_of(order: Order, day: dt.date, *, fixed: bool | None = None) -> Visit | None:
    """The order as a stop to plan; None when nothing says where it is. `fixed` keeps it with
    its caregiver (by default: once the caregiver has accepted it)."""
    place = location_of(order)
    if place is None:
        return None
    if fixed is None:
        fixed = is_fixed(order)
    return Visit(
        key=order.pk, lat=place[0], lng=place[1],
        earliest=seconds_of_day(order.window_start, day),
        latest=seconds_of_day(order.window_end, day),
        duration=order.planned_minutes * 60,
        skill=order.item.skill,
        caregiver=order.caregiver_id if fixed and order.caregiver_id else None,
    )


def shifts_on(day: dt.date, caregivers: Iterable[Caregiver]) -> dict[int, Shift]:
    weekday = day.isoweekday()
    return {s.caregiver_id: s for s in Shift.objects.filter(caregiver__in=list(caregivers), weekday=weekday)}


def worker_of(caregiver: Caregiver, shift: Shift, day: dt.date) -> Worker | None:
    """The caregiver on shift, starting and ending at their home base (or the provider's
    office when none is recorded)."""
    lat, lng = caregiver.home_lat, caregiver.home_lng
    if lat is None or lng is None:
        lat, lng = caregiver.provider.lat, caregiver.provider.lng
    if lat is None or lng is None:
        return None
    start, _end = queries.day_bounds(day)
    return Worker(
        key=caregiver.pk, lat=lat, lng=lng,
        shift_start=seconds_of_day(timezone.make_aware(dt.datetime.combine(day, shift.starts_at)), day),
        shift_end=seconds_of_day(timezone.make_aware(dt.datetime.combine(day, shift.ends_at)), day),
        skills=frozenset(caregiver.skills),
    )


def workers_on(day: dt.date, caregivers: Sequence[Caregiver]) -> dict[int, Worker]:
    """Caregivers with a shift that day, as workers, by caregiver id."""
    shifts = shifts_on(day, caregivers)
    workers = {}
    for c in caregivers:
        if c.pk in shifts and (w := worker_of(c, shifts[c.pk], day)) is not None:
            workers[c.pk] = w
    return workers


# -- dispatch rules (dispatch_rules) over the database ------------------------------------------
def clock(day: dt.date, seconds: int) -> str:
    return timezone.localtime(at_seconds(day, seconds)).strftime("%H:%M")


def home_base(caregiver: Caregiver) -> tuple[float, float] | None:
    """Where the caregiver's day starts: her home base, else the provider's office."""
    for lat, lng in ((caregiver.home_lat, caregiver.home_lng), (caregiver.provider.lat, caregiver.provider.lng)):
        if lat is not None and lng is not None:
            return lat, lng
    return None


def rules_visit(order: Order, day: dt.date, *, fallback: tuple[float, float]) -> Visit:
    """The order as dispatch_rules sees it; a place that is not known counts no travel (it is
    put at `fallback`, the caregiver's home base)."""
    place = location_of(order) or fallback
    return Visit(key=order.pk, lat=place[0], lng=place[1], earliest=seconds_of_day(order.window_start, day),
                 latest=seconds_of_day(order.window_end, day), duration=order.planned_minutes * 60,
                 skill=order.item.skill, flexible=order.flexible)


def booked_orders(caregivers: Sequence[Caregiver], day: dt.date, *, leaving_out: Order | None = None):
    """The caregivers' orders of the day that take their time (dispatched to them, not yet
    done or closed), with their planned stops."""
    start, end = queries.day_bounds(day)
    orders = (Order.objects.filter(caregiver__in=list(caregivers), status__in=queries.IN_PLAN,
                                   window_start__gte=start, window_start__lt=end)
              .select_related("elder__household", "elder__compound", "elder__community", "item", "stop"))
    if leaving_out is not None:
        orders = orders.exclude(pk=leaving_out.pk)
    return orders


def day_of(caregiver: Caregiver, orders: Iterable[Order], day: dt.date, *,
           fallback: tuple[float, float]) -> list[Visit]:
    """Her visits of the day in time order (the plan's starts where there is a plan)."""
    planned = {}
    visits = []
    for o in orders:
        stop = getattr(o, "stop", None)  # RelatedObjectDoesNotExist is an AttributeError
        if stop is not None:
            planned[o.pk] = seconds_of_day(stop.start, day)
        visits.append(rules_visit(o, day, fallback=fallback))
    return dispatch_rules.in_time_order(visits, planned)


@dataclass
class Option:
    """A caregiver as a choice for an order, with how she fits it."""

    caregiver: Caregiver
    fit: dispatch_rules.Fit
    day: dt.date

    @property
    def ok(self) -> bool:
        return self.fit.ok

    @property
    def allowed(self) -> bool:
        return self.fit.allowed

    def reason(self) -> str:
        """Why she is offered ("on shift 08:00–17:00, 1.2 km added, 3 visits today"), or why
        she does not fit, in the reader's language."""
        if self.fit.ok:
            return ngettext(
                "on shift %(shift)s, %(km).1f km added, %(visits)d visit today",
                "on shift %(shift)s, %(km).1f km added, %(visits)d visits today", self.fit.visits,
            ) % {"shift": self._shift(), "km": self.fit.added_metres / 1000, "visits": self.fit.visits}
        return describe_problems(warning_of(self.fit, self.day))

    def _shift(self) -> str:
        s = self.fit.shift
        return f"{clock(self.day, s[0])}–{clock(self.day, s[1])}" if s else ""


def options_for(order: Order, *, caregivers: Sequence[Caregiver] | None = None) -> list[Option]:
    """Every active caregiver of the order's provider as a choice for it, ranked
    (dispatch_rules.rank): those who fit first, by least added travel."""
    day = timezone.localdate(order.window_start)
    if caregivers is None:
        caregivers = list(order.provider.caregivers.filter(active=True).select_related("provider").order_by("name", "id"))
    shifts = shifts_on(day, caregivers)
    by_caregiver: dict[int, list[Order]] = {c.pk: [] for c in caregivers}
    for o in booked_orders(caregivers, day, leaving_out=order):
        by_caregiver[o.caregiver_id].append(o)
    travel = travel_model()
    planned = queries.plan_of(order.provider, day) is not None
    options = []
    for c in caregivers:
        home = home_base(c) or location_of(order) or (0.0, 0.0)
        shift = shifts.get(c.pk)
        span = None
        if shift is not None:
            span = (seconds_of_day(timezone.make_aware(dt.datetime.combine(day, shift.starts_at)), day),
                    seconds_of_day(timezone.make_aware(dt.datetime.combine(day, shift.ends_at)), day))
        fit = dispatch_rules.assess(rules_visit(order, day, fallback=home), caregiver=c.pk, home=home,
                                    skills=c.skills, shift=span, route=day_of(c, by_caregiver[c.pk], day, fallback=home),
                                    travel=travel, anywhere=planned)
        options.append(Option(caregiver=c, fit=fit, day=day))
    ranked = dispatch_rules.rank(o.fit for o in options)
    order_of = {f.caregiver: i for i, f in enumerate(ranked)}
    return sorted(options, key=lambda o: order_of[o.caregiver.pk])


def warning_of(fit: dispatch_rules.Fit, day: dt.date) -> dict:
    """What an order keeps of a fit that breaks the rules (Order.warning): the codes and the
    figures the words need."""
    if fit.ok:
        return {}
    return {
        "codes": list(fit.problems),
        "shift": f"{clock(day, fit.shift[0])}–{clock(day, fit.shift[1])}" if fit.shift else "",
        "start": clock(day, fit.start),
        "late": list(fit.late),
        "starts_late": fit.starts_late,
        "overlaps": list(fit.overlaps),
    }


def describe_problems(warning: dict) -> str:
    """The problems of a warning in words, joined."""
    P = dispatch_rules.Problem
    words = []
    for code in warning.get("codes", []):
        if code == P.SKILL:
            words.append(_("does not have the skill"))
        elif code == P.OVERLAP:
            words.append(_("booked at the same time for order %(orders)s") % {
                "orders": ", ".join(f"#{k}" for k in warning.get("overlaps", []))})
        elif code == P.OFF_SHIFT:
            words.append(_("off shift (shift %(shift)s)") % {"shift": warning["shift"]} if warning.get("shift")
                         else _("no shift on this day"))
        elif code == P.LATE:
            others = warning.get("late", [])
            if warning.get("starts_late") or not others:
                words.append(_("would start at %(time)s, after the window") % {"time": warning.get("start", "")})
            if others:
                words.append(_("would make order %(orders)s late") % {"orders": ", ".join(f"#{k}" for k in others)})
        elif code == P.OVERTIME:
            words.append(_("the day would end after the shift"))
    return pgettext("between items of a list", "; ").join(str(w) for w in words)


def describe_warning(warning: dict) -> str:
    """Order.warning in words, "" when there is none."""
    if not warning.get("codes"):
        return ""
    return _("Dispatched against the rules: %(problems)s.") % {"problems": describe_problems(warning)}
