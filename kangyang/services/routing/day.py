"""A provider's day: which caregiver visits which home, in what order, at what time.

Pure data in, pure data out (no Django): the services app turns orders and caregivers into
`Visit` and `Worker`, calls `plan_day` (the whole day) or `best_insertion` (one more order
into today's routes), and stores the answer.

The rules every plan keeps, and that `best_insertion` keeps for the route it changes:

- a caregiver leaves their home base no earlier than the shift start and is back by the
  shift end;
- service starts inside the visit's window [earliest, latest] (arriving early means waiting)
  and lasts `duration`;
- a visit that needs a skill goes only to a caregiver who has it;
- a visit with a fixed `caregiver` goes to that caregiver or to nobody (it still needs the
  skill);
- the objective is the least total travel time, the way back home included.

Times are seconds since local midnight; the schedule of a route starts every service as
early as its window allows, and the caregiver leaves home just in time for the first one.

How `plan_day` encodes this for PyVRP (0.14): one depot per distinct home base; one vehicle
type per caregiver (start and end at its home, time window = shift); one location per visit;
travel seconds as both the distance and the duration matrix, so PyVRP's distance objective is
travel time. Every visit is an optional client with a prize far above any travel it could
save, so serving is always preferred and what cannot fit is left out (`unassigned`). The
prize is the same for every visit: when not all fit, the plan serves as many as it can, so a
long visit goes before two short ones — except a visit fixed to its caregiver, whose prize is
worth more than all the others together: the plan serves the fixed visits first. A visit that no caregiver could serve even on an
empty day (skill, shift, fixed caregiver absent) never enters the search. PyVRP has
no skill constraint, so skills and fixed caregivers are encoded as load dimensions, which are
hard constraints on a feasible solution:

- one dimension per skill: a visit needing it has demand 1 there; a caregiver with the skill
  has capacity for all visits, one without it has capacity 0;
- fixed caregivers by a binary code: each caregiver who has fixed visits gets a number c;
  for bit b there are two dimensions (b, 0) and (b, 1); the caregiver has capacity in
  (b, bit b of c) and 0 in the other, everyone else 0 in both; a visit fixed to c has demand
  1 in (b, bit b of c) for every b. Any other caregiver differs from c in some bit and has
  capacity 0 there. 2·⌈log2 k⌉ dimensions for k such caregivers instead of k profiles (a
  full travel matrix each).

The returned plan is rebuilt from the solver's routes with this module's own schedule (the
same rules as `best_insertion`), not read from the solver's schedule.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, VehicleType
from pyvrp.PenaltyManager import PenaltyParams
from pyvrp.solve import SolveParams

from kangyang.services.routing import solver

log = logging.getLogger("kangyang.services.routing")

# IUGG mean Earth radius (R1), metres: the usual radius for haversine distances.
EARTH_RADIUS_M = 6_371_008.8


def _haversine_m(lat1, lng1, lat2, lng2):
    """Great-circle distance in metres; takes floats or numpy arrays (broadcast)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lng2) - np.radians(lng1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


@dataclass(frozen=True)
class TravelModel:
    """Travel between homes: great-circle (haversine) distance × detour factor, at a speed."""

    # Assumptions, not measurements: an e-bike in town averages about 15 km/h with stops
    # (walking is about 4.5 km/h); street distance is taken as 1.3 × the straight line, a
    # common rule of thumb for urban grids. Calibrate both against real check-in times.
    speed_kmh: float = 15.0  # e-bike in town; walking is ~4.5
    detour: float = 1.3  # street distance / straight-line distance

    def metres(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        """Street metres between two (lat, lng) points (WGS-84), rounded to the metre."""
        return int(np.rint(_haversine_m(a[0], a[1], b[0], b[1]) * self.detour))

    def seconds(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        """Travel seconds between two (lat, lng) points."""
        return self.seconds_for(self.metres(a, b))

    def seconds_for(self, metres: int) -> int:
        """Travel seconds for a street distance; from the rounded metres, so that the matrix
        and the pairwise functions agree exactly."""
        return int(np.rint(metres * 3.6 / self.speed_kmh))

    def matrices(self, points: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Metres and seconds between all pairs of points (int64), equal to `metres` and
        `seconds` pair by pair."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        lat, lng = pts[:, 0], pts[:, 1]
        m = np.rint(_haversine_m(lat[:, None], lng[:, None], lat[None, :], lng[None, :])
                    * self.detour).astype(np.int64)
        s = np.rint(m * 3.6 / self.speed_kmh).astype(np.int64)
        return m, s


@dataclass(frozen=True)
class Visit:
    """One order to place in the day."""

    key: int  # the order id
    lat: float
    lng: float
    earliest: int  # service may start from (seconds since local midnight)
    latest: int  # service must start by
    duration: int  # seconds of service at the home
    skill: str = ""  # required skill code, "" = none
    caregiver: int | None = None  # fixed to this worker (already accepted / checked in)
    flexible: bool = False  # any time in the window suits the elder (dispatch_rules.on_shift)

    @property
    def point(self) -> tuple[float, float]:
        return (self.lat, self.lng)


@dataclass(frozen=True)
class Worker:
    """A caregiver on shift that day."""

    key: int  # the caregiver id
    lat: float  # home base (start and end of the route)
    lng: float
    shift_start: int  # seconds since local midnight
    shift_end: int
    skills: frozenset[str] = frozenset()

    @property
    def point(self) -> tuple[float, float]:
        return (self.lat, self.lng)


@dataclass(frozen=True)
class PlannedStop:
    """One visit in a caregiver's route."""

    key: int  # Visit.key
    arrival: int  # seconds since midnight
    start: int  # service start (>= arrival, within the window)
    travel_seconds: int  # from the previous stop (or home base)
    travel_metres: int


@dataclass
class DayPlan:
    """Every caregiver's route for the day, and what did not fit."""

    routes: dict[int, list[PlannedStop]]  # Worker.key → stops in order (no stop: may be absent)
    unassigned: list[int]  # Visit.keys no worker could take (skill, shift, window)
    travel_seconds: int  # total, including return to home base
    travel_metres: int
    solve_seconds: float
    # Per worker: travel back home after the last stop (seconds, metres), included in the
    # totals above.
    returns: dict[int, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RouteSchedule:
    """One route timed by `schedule_route`."""

    stops: list[PlannedStop]
    feasible: bool
    travel_seconds: int
    travel_metres: int
    back_seconds: int
    back_metres: int
    first_late: int | None  # index of the first stop that starts after its window, if any


class _Memo:
    """TravelModel with each pair computed once, for the many overlapping routes one
    `best_insertion` call tries."""

    def __init__(self, travel: TravelModel):
        self.travel = travel
        self.seen: dict[tuple, int] = {}

    def metres(self, a: tuple[float, float], b: tuple[float, float]) -> int:
        if (a, b) not in self.seen:
            self.seen[a, b] = self.travel.metres(a, b)
        return self.seen[a, b]

    def seconds_for(self, metres: int) -> int:
        return self.travel.seconds_for(metres)


def schedule_route(worker: Worker, visits: Sequence[Visit], *,
                   travel: TravelModel | _Memo = TravelModel()) -> RouteSchedule:
    """The times of one route under this module's rules (see the module docstring)."""
    stops: list[PlannedStop] = []
    here, clock = worker.point, worker.shift_start
    total_s = total_m = 0
    first_late = None
    for i, v in enumerate(visits):
        m = travel.metres(here, v.point)
        s = travel.seconds_for(m)
        arrival = clock + s
        start = max(arrival, v.earliest)
        if i == 0:
            arrival = start  # the worker leaves home just in time for the first visit
        if start > v.latest and first_late is None:
            first_late = i
        stops.append(PlannedStop(key=v.key, arrival=arrival, start=start,
                                 travel_seconds=s, travel_metres=m))
        total_s, total_m = total_s + s, total_m + m
        here, clock = v.point, start + v.duration
    back_m = travel.metres(here, worker.point) if visits else 0
    back_s = travel.seconds_for(back_m)
    feasible = first_late is None and clock + back_s <= worker.shift_end
    return RouteSchedule(stops, feasible, total_s + back_s, total_m + back_m, back_s, back_m,
                     first_late)


def qualified(worker: Worker, visit: Visit) -> bool:
    """The skill and fixed-caregiver rules (not time)."""
    return ((not visit.skill or visit.skill in worker.skills)
            and (visit.caregiver is None or visit.caregiver == worker.key))


def best_insertion(visit: Visit, workers: Sequence[Worker], routes: Mapping[int, Sequence[Visit]],
                   *, travel: TravelModel = TravelModel()) -> tuple[int, int, int] | None:
    """Where to put one more visit into current routes (each worker's visits in order) with the least
    added travel time while every stop of that route still starts inside its window and the route
    ends within the shift: (worker key, index in that route, added travel seconds), or None when no
    worker (with the skill, on shift) can take it. Used for automatic dispatch and for inserting an
    urgent order into today's plan.

    Ties go to the earlier worker in `workers`, then the earlier index. A worker whose current
    route already breaks a window or the shift is not offered more work."""
    best: tuple[int, int, int] | None = None
    memo = _Memo(travel)
    for worker in workers:
        if not qualified(worker, visit):
            continue
        route = list(routes.get(worker.key, ()))
        base = schedule_route(worker, route, travel=memo)
        if not base.feasible:
            continue
        for i in range(len(route) + 1):
            new = schedule_route(worker, route[:i] + [visit] + route[i:], travel=memo)
            if not new.feasible:
                continue
            added = new.travel_seconds - base.travel_seconds
            if best is None or added < best[2]:
                best = (worker.key, i, added)
    return best


def plan_day(visits: Sequence[Visit], workers: Sequence[Worker], *,
             travel: TravelModel = TravelModel(), seconds: float = 10.0,
             seed: int = 1, progress: list[tuple[float, int]] | None = None) -> DayPlan:
    """Plan every visit of the day into the workers' routes with the least total travel time,
    keeping the rules of the module docstring; what no plan can fit is `unassigned`.

    `seconds` bounds the whole call (building the problem, the search on every core,
    checking the result); `solve_seconds` is the wall time it took. `progress`, when given,
    receives the search's improvements as `solver.solve` gives them, in seconds since this
    call: the last one is when the plan's quality (what is served, then travel) was first
    reached."""
    t0 = time.monotonic()
    visits = list(visits)
    _check(visits, list(workers))
    # A shift that ends before it starts has no time for anything (PyVRP would refuse it).
    workers = [w for w in workers if w.shift_start <= w.shift_end]

    # A visit no single worker could serve on an otherwise empty day (skill, fixed caregiver
    # absent, window outside every shift or out of reach) never enters the search.
    candidates = [v for v in visits
                  if any(qualified(w, v) and schedule_route(w, [v], travel=travel).feasible
                         for w in workers)]
    if not candidates:
        return DayPlan({}, [v.key for v in visits], 0, 0, time.monotonic() - t0)

    data = _problem_data(candidates, workers, travel)
    remaining = seconds - (time.monotonic() - t0)
    search_start = time.monotonic() - t0
    improvements: list[tuple[float, int]] = []
    best = solver.solve(data, seconds=max(remaining - _ASSEMBLY_SECONDS, 0.0), seed=seed,
                        params=_solve_params(data), progress=improvements)
    if progress is not None:
        progress += [(search_start + at, cost) for at, cost in improvements]

    routes = {workers[route.vehicle_type()].key: [candidates[a.idx] for a in route if a.is_client()]
              for route in best.routes()}

    plan = DayPlan({}, [], 0, 0, 0.0)
    for worker in workers:
        stops = routes.get(worker.key)
        if not stops:
            continue
        # The solver's best is feasible and uses the same integers as schedule_route, so the
        # two loops below drop nothing; they are a safeguard (e.g. should no feasible solution
        # turn up at all), not a step of the method: never hand out a route that breaks a rule.
        if not all(qualified(worker, v) for v in stops):
            log.warning("plan_day: worker %s was given visits they may not take", worker.key)
            stops = [v for v in stops if qualified(worker, v)]
        sched = schedule_route(worker, stops, travel=travel)
        while not sched.feasible:
            drop = sched.first_late if sched.first_late is not None else len(stops) - 1
            log.warning("plan_day: dropping visit %s from worker %s (route breaks a window "
                        "or the shift)", stops[drop].key, worker.key)
            stops = stops[:drop] + stops[drop + 1:]
            sched = schedule_route(worker, stops, travel=travel)
        if not stops:
            continue
        plan.routes[worker.key] = sched.stops
        plan.returns[worker.key] = (sched.back_seconds, sched.back_metres)
        plan.travel_seconds += sched.travel_seconds
        plan.travel_metres += sched.travel_metres
    planned = {s.key for stops in plan.routes.values() for s in stops}
    plan.unassigned = [v.key for v in visits if v.key not in planned]
    plan.solve_seconds = time.monotonic() - t0
    return plan


# Time kept back from the search for turning the solution into a plan (measured: well under
# 0.1 s for 1,500 visits).
_ASSEMBLY_SECONDS = 0.2


def _check(visits: list[Visit], workers: list[Worker]) -> None:
    """Refuse input that is a programming error rather than a hard day."""
    if len({v.key for v in visits}) != len(visits):
        raise ValueError("Visit keys must be distinct.")
    if len({w.key for w in workers}) != len(workers):
        raise ValueError("Worker keys must be distinct.")
    if any(v.duration < 0 for v in visits):
        raise ValueError("Visit durations must not be negative.")


def _problem_data(visits: list[Visit], workers: list[Worker],
                  travel: TravelModel) -> ProblemData:
    homes = sorted({w.point for w in workers})
    home_idx = {p: i for i, p in enumerate(homes)}
    points = homes + [v.point for v in visits]
    _, secs = travel.matrices(points)

    skills = sorted({v.skill for v in visits if v.skill and v.caregiver is None})
    fixed = sorted({v.caregiver for v in visits if v.caregiver is not None})
    code = {key: c for c, key in enumerate(fixed)}
    bits = max(1, (len(fixed) - 1).bit_length()) if fixed else 0
    big = len(visits)

    def demand(v: Visit) -> list[int]:
        out = [int(v.caregiver is None and v.skill == s) for s in skills]
        for b in range(bits):
            bit = (code[v.caregiver] >> b) & 1 if v.caregiver is not None else None
            out += [int(bit == 0), int(bit == 1)]
        return out

    def capacity(w: Worker) -> list[int]:
        out = [big if s in w.skills else 0 for s in skills]
        for b in range(bits):
            bit = (code[w.key] >> b) & 1 if w.key in code else None
            out += [big if bit == 0 else 0, big if bit == 1 else 0]
        return out

    # A prize far above any travel one visit can add (out and back across the whole area,
    # three times over), so that serving is always preferred; kept well below the penalty
    # cap of the search (see _solve_params) so that breaking a window never pays.
    prize = 3 * int(secs.max()) + 3600
    dims = len(skills) + 2 * bits
    clients = [
        Client(location=len(homes) + i, delivery=demand(v), pickup=[0] * dims,
               service_duration=v.duration, tw_early=v.earliest, tw_late=v.latest,
               prize=prize * (len(visits) + 1) if v.caregiver is not None else prize, required=False,
               name=str(v.key))
        for i, v in enumerate(visits)
    ]
    vehicle_types = [
        VehicleType(num_available=1, capacity=capacity(w), start_depot=home_idx[w.point],
                    end_depot=home_idx[w.point], tw_early=w.shift_start, tw_late=w.shift_end,
                    initial_load=[0] * dims, name=str(w.key))
        for w in workers
    ]
    data = ProblemData(
        locations=[Location(x=lng, y=lat) for lat, lng in points],
        clients=clients,
        depots=[Depot(location=i) for i in range(len(homes))],
        vehicle_types=vehicle_types,
        distance_matrices=[secs],
        duration_matrices=[secs],
    )
    return data


def _solve_params(data: ProblemData) -> SolveParams:
    # PyVRP caps each penalty at 100,000 per unit of violation by default. One second of
    # lateness at the cap must cost more than a visit's prize, or a late plan could beat an
    # on-time one; raise the cap only for areas so large that the prize comes near it.
    prize = max((c.prize for c in data.clients()), default=0)
    return SolveParams(penalty=PenaltyParams(max_penalty=max(100_000.0, 10.0 * prize)))
