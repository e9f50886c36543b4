"""An order told in words for the elder and her family in the app (issue 14): its state in a
sentence ("the caregiver 熊秀梅 is on the way since 10:05"), when it is, and its timeline;
never a colour or a code alone. Read by the services card of the home screen and by the
portal's order pages."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.services.models import Order, OrderEvent

S = Order.Status
K = OrderEvent.Kind

# Statuses of an order still to come or under way (not yet finished by the caregiver).
COMING = (S.CREATED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE, S.CHECKED_IN)


def hhmm(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def _last_event_at(order: Order, kind: str) -> dt.datetime | None:
    return order.events.filter(kind=kind).order_by("-at", "-id").values_list("at", flat=True).first()


def _caregiver(order: Order) -> str:
    return order.caregiver.name if order.caregiver_id else _("the caregiver")


def state(order: Order) -> str:
    """The order's state in one sentence."""
    who = _caregiver(order)
    visit = getattr(order, "service_visit", None) if order.status in (S.CHECKED_IN, S.CHECKED_OUT, S.CONFIRMED,
                                                                        S.SETTLED) else None
    if order.status == S.CREATED:
        return _("Ordered. A caregiver is being found.")
    if order.status == S.DISPATCHED:
        return _("Caregiver %(name)s will come.") % {"name": who}
    if order.status == S.ACCEPTED:
        return _("Caregiver %(name)s has taken the order.") % {"name": who}
    if order.status == S.EN_ROUTE:
        return _("Caregiver %(name)s is on the way since %(time)s.") % {
            "name": who, "time": hhmm(_last_event_at(order, K.EN_ROUTE))}
    if order.status == S.CHECKED_IN:
        return _("Caregiver %(name)s arrived at %(time)s.") % {
            "name": who, "time": hhmm(visit.checked_in_at if visit else _last_event_at(order, K.CHECKED_IN))}
    if order.status == S.CHECKED_OUT:
        return _("Finished at %(time)s. Please confirm and rate the service.") % {
            "time": hhmm(visit.checked_out_at if visit else _last_event_at(order, K.CHECKED_OUT))}
    if order.status in (S.CONFIRMED, S.SETTLED):
        if order.rating:
            return _("Done and confirmed, rated %(n)d of 5.") % {"n": order.rating}
        return _("Done and confirmed.")
    if order.status == S.CANCELLED:
        return _("Cancelled.")
    if order.no_show_party == Order.NoShowParty.ELDER:
        return _("Not done: nobody was at home.")
    return _("Not done: the caregiver did not come.")


def short_state(order: Order) -> str:
    """A few words for the order's state (the label next to it)."""
    return {
        S.CREATED: _("ordered"), S.DISPATCHED: _("caregiver assigned"), S.ACCEPTED: _("caregiver assigned"),
        S.EN_ROUTE: _("on the way"), S.CHECKED_IN: _("arrived"), S.CHECKED_OUT: _("finished, to confirm"),
        S.CONFIRMED: _("confirmed"), S.SETTLED: _("confirmed"), S.CANCELLED: _("cancelled"),
        S.NO_SHOW: _("not done"),
    }[order.status]


def day_words(day: dt.date, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if day == today:
        return _("today")
    if day == today + dt.timedelta(days=1):
        return _("tomorrow")
    if day == today - dt.timedelta(days=1):
        return _("yesterday")
    return _("%(month)d/%(day)d") % {"month": day.month, "day": day.day}


def when(order: Order) -> str:
    """"today 11:00–13:00", "tomorrow 09:00–09:30", "3月5日 15:00–15:30"."""
    start = timezone.localtime(order.window_start)
    return _("%(day)s %(start)s–%(end)s") % {
        "day": day_words(start.date()), "start": hhmm(order.window_start), "end": hhmm(order.window_end)}


def _who(event: OrderEvent) -> str:
    return event.caregiver.name if event.caregiver else ""


def steps(order: Order) -> list[tuple[dt.datetime, str]]:
    """The timeline in words, oldest first; steps of the provider's own work (planning,
    reviews) left out."""
    words = {
        K.CREATED: lambda e: _("Ordered."),
        K.DISPATCHED: lambda e: _("Caregiver %(name)s was assigned.") % {"name": _who(e)},
        K.REASSIGNED: lambda e: _("Caregiver %(name)s was assigned.") % {"name": _who(e)},
        K.ACCEPTED: lambda e: _("Caregiver %(name)s took the order.") % {"name": _who(e)},
        K.EN_ROUTE: lambda e: _("Caregiver %(name)s set off.") % {"name": _who(e)},
        K.CHECKED_IN: lambda e: _("Caregiver %(name)s arrived.") % {"name": _who(e)},
        K.CHECKED_OUT: lambda e: _("Caregiver %(name)s finished and left.") % {"name": _who(e)},
        K.CONFIRMED: lambda e: _("The service was confirmed."),
        K.CANCELLED: lambda e: _("Cancelled: %(reason)s") % {"reason": e.note} if e.note else _("Cancelled."),
        K.NO_SHOW: lambda e: _("Not done."),
        K.COMPLAINT: lambda e: _("A complaint was made: %(text)s") % {"text": e.note},
    }
    return [(e.at, words[e.kind](e)) for e in order.events.select_related("caregiver").order_by("at", "id")
            if e.kind in words]
