"""Reads of visit records and follow-ups: the visitor's day (the phone board), an elder's
history, the open follow-ups; and the one way views and API handlers load a visit, a
follow-up, or the elder a visit is recorded for. Outside scope → 404."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.lib import coords
from kangyang.registry.models import Elder
from kangyang.services import queries as services_queries
from kangyang.visits.models import CareVisit, FollowUp, VisitDue

HISTORY_SHOWN = 20
STOP_HISTORY = 3  # earlier visits shown with each stop of the board


def visits_for(user) -> QuerySet[CareVisit]:
    """Every care visit the user may read (accounts.scope.care_visit_filter)."""
    return CareVisit.objects.filter(scope.care_visit_filter(user)).distinct()


def _int(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def get_visit_for(user, visit_id) -> CareVisit:
    visit = visits_for(user).select_related("elder", "visitor").filter(pk=_int(visit_id)).first()
    if visit is None:
        raise Http404
    return visit


def follow_ups_for(user) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(scope.follow_up_filter(user))


def get_follow_up_for(user, follow_up_id) -> FollowUp:
    found = follow_ups_for(user).select_related("visit", "elder").filter(pk=_int(follow_up_id)).first()
    if found is None:
        raise Http404
    return found


def elder_to_visit(user, elder_id) -> Elder:
    """The elder a visit is recorded for: whom the user may visit; one they may see but not
    visit is a 403, anyone else a 404 (an id says nothing about elders outside scope)."""
    elder = Elder.objects.select_related("household", "compound", "community").filter(pk=_int(elder_id)).first()
    if elder is None:
        raise Http404
    if scope.may_record_care_visit(user, elder):
        return elder
    if Elder.objects.visible_to(user).filter(pk=elder.pk).exists():
        raise PermissionDenied
    raise Http404


def elder_history(user, elder: Elder, *, shown: int = HISTORY_SHOWN) -> list[CareVisit]:
    """An elder's latest visits as the user may read them, newest first."""
    return list(visits_for(user).filter(elder=elder).select_related("visitor")[:shown])


def open_follow_ups(user, *, region_code: str = "") -> QuerySet[FollowUp]:
    """Open follow-ups the user may read, oldest first (the longest waiting on top); narrowed
    to a community (or any region) by its code."""
    found = follow_ups_for(user).filter(status=FollowUp.Status.OPEN)
    if region_code:
        found = found.filter(region_code__startswith=region_code)
    return found.select_related("elder", "visit", "opened_by").order_by("opened_at", "pk")


def open_follow_ups_by_community(user) -> dict[str, int]:
    """{community code: open follow-ups} the user may read."""
    counts: dict[str, int] = {}
    for code in follow_ups_for(user).filter(status=FollowUp.Status.OPEN).values_list("region_code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    return counts


# -- the visitor's day ------------------------------------------------------------------------
@dataclass
class Stop:
    """One elder to visit on the board: the open visits due (the most pressing first), where
    she lives, the way there, and what the visitor sees of who she is (scope.identity_view)."""

    elder: Elder
    dues: list[VisitDue]
    identity: dict
    place: tuple[float, float] | None
    navigate: dict | None
    last_visit: CareVisit | None = None
    overdue: bool = False
    distance_m: int | None = None
    history: list[CareVisit] = field(default_factory=list)

    @property
    def due_by(self) -> dt.datetime:
        return min(d.due_by for d in self.dues)


def _week_end(today: dt.date) -> dt.datetime:
    """The end (exclusive) of the local week (Monday to Sunday) of `today`."""
    sunday = today + dt.timedelta(days=6 - today.weekday())
    return timezone.make_aware(dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time()))


def dues_of(user, *, today: dt.date | None = None) -> QuerySet[VisitDue]:
    """The visitor's open visits due by the end of this week (overdue ones too): those given to
    them, and those proposed for them that nobody has been given yet."""
    today = today or timezone.localdate()
    mine = Q(visitor=user) | Q(visitor__isnull=True, proposed_visitor=user)
    return (VisitDue.objects.filter(mine, status=VisitDue.Status.OPEN, due_by__lt=_week_end(today))
            .select_related("elder__household", "elder__compound", "elder__community", "tier")
            .order_by("due_by", "pk"))


def walking_order(stops: list[Stop], start: tuple[float, float] | None) -> list[Stop]:
    """The stops as a walk: from `start` (the community's centre) always to the nearest stop not
    yet visited (straight-line distance); stops without a known place come last, by due time.
    Good enough for a few homes on foot; the services planner is for a provider's day."""
    placed = [s for s in stops if s.place is not None]
    unplaced = sorted((s for s in stops if s.place is None), key=lambda s: s.due_by)
    if start is None and placed:
        start = placed[0].place
    route = []
    here = start
    while placed:
        nearest = min(placed, key=lambda s: (coords.distance_m(*here, *s.place), s.due_by))
        nearest.distance_m = round(coords.distance_m(*here, *nearest.place))
        route.append(nearest)
        placed.remove(nearest)
        here = nearest.place
    return route + unplaced


def _centre(user, elders: list[Elder]) -> tuple[float, float] | None:
    """The community's centre: the user's community, else the first elder's."""
    region = user.region if getattr(user, "region_id", None) else None
    for r in ([region] if region else []) + [e.community for e in elders]:
        if r is not None and r.lat is not None and r.lng is not None:
            return r.lat, r.lng
    for e in elders:  # a community without a centre: its first compound
        if e.compound is not None and e.compound.lat is not None:
            return e.compound.lat, e.compound.lng
    return None


def visitor_day(user, *, today: dt.date | None = None) -> dict:
    """The phone board: {stops (in walking order), visited (visits recorded today), open_count,
    overdue_count}."""
    today = today or timezone.localdate()
    now = timezone.now()
    day_start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    by_elder: dict[int, Stop] = {}
    for due in dues_of(user, today=today):
        stop = by_elder.get(due.elder_id)
        if stop is None:
            elder = due.elder
            place = services_queries.home_of(elder)
            if place is None and elder.community.lat is not None and elder.community.lng is not None:
                place = (elder.community.lat, elder.community.lng)
            stop = by_elder[due.elder_id] = Stop(
                elder=elder, dues=[], identity=scope.identity_view(user, elder), place=place,
                navigate=services_queries.navigation_to(place))
        stop.dues.append(due)
        stop.overdue = stop.overdue or due.due_by < now
    last = {}
    if by_elder:
        for visit in CareVisit.objects.filter(elder_id__in=list(by_elder), status=CareVisit.Status.DONE).order_by(
                "elder_id", "-started_at"):
            last.setdefault(visit.elder_id, visit)
    for pk, stop in by_elder.items():
        stop.last_visit = last.get(pk)
        stop.history = elder_history(user, stop.elder, shown=STOP_HISTORY)
    stops = walking_order(list(by_elder.values()), _centre(user, [s.elder for s in by_elder.values()]))
    visited = list(CareVisit.objects.filter(visitor=user, started_at__gte=day_start,
                                            started_at__lt=day_start + dt.timedelta(days=1))
                   .select_related("elder").order_by("-started_at"))
    return {"stops": stops, "visited": visited, "open_count": len(stops),
            "overdue_count": sum(1 for s in stops if s.overdue), "today": today,
            "follow_ups": list(open_follow_ups(user))}


def today_count(user, *, today: dt.date | None = None) -> int:
    """How many elders the visitor has still to visit by the end of the day (the home card)."""
    today = today or timezone.localdate()
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    mine = Q(visitor=user) | Q(visitor__isnull=True, proposed_visitor=user)
    return (VisitDue.objects.filter(mine, status=VisitDue.Status.OPEN, due_by__lt=end)
            .values("elder_id").distinct().count())


def elder_visits_summary(user, elder: Elder) -> dict | None:
    """The elder's card: her last visit (when, how, who came) and the next visit due."""
    last = visits_for(user).filter(elder=elder, status=CareVisit.Status.DONE).select_related("visitor").first()
    due = (VisitDue.objects.filter(elder=elder, status=VisitDue.Status.OPEN).order_by("due_by", "pk").first())
    return {"elder": elder, "last": last, "next_due": due}
