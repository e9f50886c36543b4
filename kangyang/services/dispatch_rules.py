"""Who can do a visit: the rules of dispatch as plain functions over routing values (no
database, no Django). Manual dispatch (the board, `/assign`), automatic dispatch and the
route planner all decide with these.

A caregiver fits a visit when

- she holds the skill the service needs;
- no other visit of hers that day is booked at once with it (`at_once`: the two cannot both
  be kept whatever the order, even with no travel between them);
- she is on shift for the whole window that day (a flexible order: for the whole service,
  at some time in the window);
- her day, with the visit put where it adds the least travel, still starts every visit in
  its window (arrival from the previous stop included) and brings her home by the shift's end.

The first two are hard: nobody may break them, not even by override. The others are soft: a
manager may choose a caregiver who breaks them, with a reason, and the order keeps a warning.

Times are seconds since local midnight, as in routing.day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kangyang.services.routing.day import TravelModel, Visit, Worker, schedule_route

DAY_END = 24 * 3600 - 1


class Problem:
    """Why a caregiver does not fit a visit (codes kept on the order's warning)."""

    SKILL = "skill"  # hard: she lacks the skill
    OVERLAP = "overlap"  # hard: another visit of hers is booked at once
    OFF_SHIFT = "off_shift"  # no shift that day, or the window is not inside it
    LATE = "late"  # she would start this visit, or a later one, after its window
    OVERTIME = "overtime"  # her day would end after the shift


HARD = frozenset({Problem.SKILL, Problem.OVERLAP})


@dataclass(frozen=True)
class Fit:
    """How one caregiver would do one visit, at the best place in her day."""

    caregiver: int
    problems: tuple[str, ...]
    added_seconds: int  # travel the visit adds to her day
    added_metres: int
    index: int  # where in her day (time order) the visit goes
    visits: int  # her other visits that day
    shift: tuple[int, int] | None  # her shift that day, if any
    start: int  # when the visit would start
    late: tuple[int, ...] = ()  # her other visits (keys) that would start after their window
    starts_late: bool = False  # this visit would start after its window
    overlaps: tuple[int, ...] = ()  # visits (keys) booked at once with this one
    late_starts: tuple[tuple[int, int], ...] = ()  # (key, start) of the other visits made late

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def allowed(self) -> bool:
        """May be chosen at all (with an override when not ok)."""
        return not HARD.intersection(self.problems)


def at_once(a: Visit, b: Visit) -> bool:
    """Two visits that cannot both be kept by one person, whatever the order: neither can end
    before the other must start (its window's end). The same as their busy times
    [latest start, earliest end] overlapping, which is what the database guards."""
    return a.earliest + a.duration > b.latest and b.earliest + b.duration > a.latest


def busy_time(earliest: int, latest: int, duration: int) -> tuple[int, int] | None:
    """The part of the day a visit takes whenever it starts in its window, or None."""
    return (latest, earliest + duration) if latest < earliest + duration else None


def on_shift(visit: Visit, shift: tuple[int, int] | None) -> bool:
    """On shift for the whole window: the shift starts by the window's start and lasts past
    its end. A flexible order's window is when the elder is at home, not when the service
    is due: there, the shift must hold the whole service at some start in the window."""
    if shift is None:
        return False
    if visit.flexible:
        start = max(visit.earliest, shift[0])
        return start <= visit.latest and start + visit.duration <= shift[1]
    return shift[0] <= visit.earliest and visit.latest <= shift[1]


def _timed(worker: Worker, route: Sequence[Visit], travel) -> tuple[set[int], bool, int, int, dict[int, int]]:
    """Late visits, whether the day ends after the shift, travel seconds and metres, starts."""
    sched = schedule_route(worker, route, travel=travel)
    late = {s.key for s, v in zip(sched.stops, route) if s.start > v.latest}
    end = worker.shift_start
    if sched.stops:
        end = sched.stops[-1].start + route[-1].duration + sched.back_seconds
    return late, end > worker.shift_end, sched.travel_seconds, sched.travel_metres, {s.key: s.start for s in sched.stops}


def assess(visit: Visit, *, caregiver: int, home: tuple[float, float], skills: Iterable[str],
           shift: tuple[int, int] | None, route: Sequence[Visit], travel: TravelModel = TravelModel(),
           anywhere: bool = True) -> Fit:
    """How the caregiver would do the visit (see the module's rules). `route` is her other
    visits of the day in time order; `shift` None means no shift that day. Off shift, her day
    is timed as if she worked all day, so that an override still gets a sensible place.

    `anywhere`: the visit may go at any place in her day (a planned day, whose stops keep the
    order they are given); otherwise only where `in_time_order` puts it (a day without a
    plan, done in the order of the windows), so that the day assessed is the day she does."""
    problems: list[str] = []
    if visit.skill and visit.skill not in set(skills):
        problems.append(Problem.SKILL)
    overlaps = tuple(v.key for v in route if at_once(visit, v))
    if overlaps:
        problems.append(Problem.OVERLAP)
    covered = on_shift(visit, shift)
    if not covered:
        problems.append(Problem.OFF_SHIFT)
    start, end = shift if covered and shift is not None else (0, DAY_END)
    worker = Worker(key=caregiver, lat=home[0], lng=home[1], shift_start=start, shift_end=end)
    route = list(route)
    base_late, base_over, base_s, base_m, _starts = _timed(worker, route, travel)
    best = None  # (rank, fit facts)
    places = range(len(route) + 1)
    if not anywhere:
        places = [in_time_order(route + [visit]).index(visit)]
    for i in places:
        day = route[:i] + [visit] + route[i:]
        late, over, s, m, starts = _timed(worker, day, travel)
        new_late = late - base_late
        rank = (len(new_late), over and not base_over, s - base_s, i)
        if best is None or rank < best[0]:
            best = (rank, i, tuple(sorted(new_late)), over and not base_over, s - base_s, m - base_m, starts)
    _rank, index, late, over, added_s, added_m, starts = best
    begins = starts[visit.key]
    late_starts = tuple((k, starts[k]) for k in late if k != visit.key)
    starts_late = visit.key in late
    late = tuple(k for k in late if k != visit.key)
    if late or starts_late:
        problems.append(Problem.LATE)
    if over:
        problems.append(Problem.OVERTIME)
    return Fit(caregiver=caregiver, problems=tuple(problems), added_seconds=added_s, added_metres=added_m,
               index=index, visits=len(route), shift=shift, start=begins, late=late, starts_late=starts_late,
               overlaps=overlaps, late_starts=late_starts)


def rank(fits: Iterable[Fit]) -> list[Fit]:
    """Those who fit first, by least added travel; then those a manager may choose by
    override (fewest problems first); then those nobody may choose. Ties keep the given order."""
    def key(f: Fit):
        return (0 if f.ok else 1 if f.allowed else 2, len(f.problems), f.added_seconds)
    return sorted(fits, key=key)


def best_fit(fits: Iterable[Fit]) -> Fit | None:
    """The caregiver automatic dispatch chooses: the one who fits with the least added travel."""
    ranked = rank(fits)
    return ranked[0] if ranked and ranked[0].ok else None


def in_time_order(visits: Iterable[Visit], planned: dict[int, int] | None = None) -> list[Visit]:
    """A caregiver's visits in the order she does them: by planned start where known, else
    by the window."""
    planned = planned or {}
    return sorted(visits, key=lambda v: (planned.get(v.key, v.earliest), v.latest, v.key))
