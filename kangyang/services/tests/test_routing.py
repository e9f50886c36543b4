"""Route planning: benchmark instances and our solver, a provider's day, one more visit.

Plans are checked with `check_plan` below, which recomputes every time from TravelModel and
knows nothing of the planner's own schedule code or of the solver.
"""

import csv
import math
from collections import Counter
from pathlib import Path

import pytest
import vrplib
from pyvrp import Solution

from kangyang.services.routing import (
    TravelModel,
    Visit,
    Worker,
    best_insertion,
    plan_day,
    read_instance,
    solve,
)

# The shared data sits beside the repository (../shared from the repo root), also on CI.
DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "vrptw"
needs_data = pytest.mark.skipif(not (DATA / "bks.csv").is_file(),
                                reason=f"VRPTW instances not found in {DATA}")

H = 3600
CENTRE = (28.66, 115.89)
KM_LAT = 1 / 110.574  # degrees of latitude per km near 28°N (WGS-84)
KM_LNG = 1 / (111.320 * math.cos(math.radians(CENTRE[0])))


def at(north_km: float, east_km: float) -> tuple[float, float]:
    return (CENTRE[0] + north_km * KM_LAT, CENTRE[1] + east_km * KM_LNG)


def bks(name: str) -> float:
    with (DATA / "bks.csv").open() as f:
        return next(float(r["distance"]) for r in csv.DictReader(f) if r["instance"] == name)


def sol_routes(path: Path) -> list[list[int]]:
    return [r for r in vrplib.read_solution(str(path))["routes"] if r]


# --- benchmark instances and the solver -------------------------------------------------


@needs_data
def test_solver_comes_within_a_few_percent_of_the_best_known_solution():
    instance = read_instance(DATA / "solomon" / "R101.vrp")
    solution = solve(instance.data, seconds=2, seed=1)

    assert solution.is_feasible()
    routes = instance.routes(solution)
    served = Counter(c for r in routes for c in r)
    assert sorted(served) == list(range(1, 101)) and set(served.values()) == {1}
    assert instance.cost(solution) <= bks("R101") * 1.03


@needs_data
def test_routes_are_numbered_as_the_sol_files_number_customers():
    # Read the best-known solution through our numbering: if the numbers meant something
    # else, these routes would not be feasible or would not cost the published figure.
    instance = read_instance(DATA / "solomon" / "RC105.vrp")
    by_label = {lb: i for i, lb in enumerate(instance.labels)}
    client_of = {c.location: k for k, c in enumerate(instance.data.clients())}
    routes = [[client_of[by_label[n]] for n in r] for r in sol_routes(DATA / "solomon" / "RC105.sol")]
    best = Solution(instance.data, routes)

    assert best.is_feasible()
    assert instance.cost(best) == bks("RC105")
    assert instance.routes(best) == sol_routes(DATA / "solomon" / "RC105.sol")


def _subset(name: str, every: int) -> dict:
    """Depot and every `every`-th customer of a VRPLIB instance, with their file numbers."""
    full = vrplib.read_instance(str(DATA / "solomon" / f"{name}.vrp"))
    rows = [0] + list(range(every, len(full["node_coord"]), every))
    return {"rows": rows, "coord": full["node_coord"], "demand": full["demand"],
            "tw": full["time_window"], "service": full["service_time"],
            "vehicles": full["vehicles"], "capacity": full["capacity"]}


def _write_solomon(path: Path, s: dict) -> None:
    lines = ["SUBSET", "", "VEHICLE", "NUMBER     CAPACITY", f"  {s['vehicles']}   {s['capacity']}",
             "", "CUSTOMER",
             "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME", ""]
    for k in s["rows"]:
        x, y = s["coord"][k]
        e, late = s["tw"][k]
        service = 0 if k == 0 else s["service"]
        lines.append(f"{k:5d} {x:8d} {y:8d} {s['demand'][k]:8d} {e:8d} {late:8d} {service:8d}")
    path.write_text("\n".join(lines) + "\n")


def _write_vrplib(path: Path, s: dict) -> None:
    rows = s["rows"]
    out = ["NAME : SUBSET", "TYPE : CVRPTW", f"DIMENSION : {len(rows)}",
           f"VEHICLES : {s['vehicles']}", f"CAPACITY : {s['capacity']}",
           f"SERVICE_TIME : {s['service']}", "EDGE_WEIGHT_TYPE : EUC_2D", "NODE_COORD_SECTION"]
    out += [f"{i} {s['coord'][k][0]} {s['coord'][k][1]}" for i, k in enumerate(rows, start=1)]
    out += ["DEMAND_SECTION"] + [f"{i} {s['demand'][k]}" for i, k in enumerate(rows, start=1)]
    out += ["TIME_WINDOW_SECTION"]
    out += [f"{i} {s['tw'][k][0]} {s['tw'][k][1]}" for i, k in enumerate(rows, start=1)]
    out += ["DEPOT_SECTION", "1", "-1", "EOF"]
    path.write_text("\n".join(out) + "\n")


@needs_data
def test_a_classic_solomon_file_gives_the_same_problem_and_cost_as_vrplib(tmp_path):
    s = _subset("R101", every=4)  # customers 4, 8, …, 100: 25 of them
    _write_solomon(tmp_path / "subset.txt", s)
    _write_vrplib(tmp_path / "subset.vrp", s)

    solomon = read_instance(tmp_path / "subset.txt")
    vrp = read_instance(tmp_path / "subset.vrp")

    assert solomon.data.distance_matrix(0).tolist() == vrp.data.distance_matrix(0).tolist()
    assert solomon.data.clients() == vrp.data.clients()
    assert solomon.data.vehicle_types() == vrp.data.vehicle_types()
    a, b = solve(solomon.data, seconds=1), solve(vrp.data, seconds=1)
    assert a.is_feasible() and b.is_feasible()
    assert solomon.cost(a) == vrp.cost(b)
    # The Solomon file's routes carry its CUST NO. column, the VRPLIB file's its positions.
    assert sorted(c for r in solomon.routes(a) for c in r) == s["rows"][1:]
    assert sorted(c for r in vrp.routes(b) for c in r) == list(range(1, 26))


@needs_data
def test_solver_keeps_to_its_time_budget():
    import time

    instance = read_instance(DATA / "solomon" / "RC201.vrp")
    t0 = time.monotonic()
    solve(instance.data, seconds=1.0)
    assert time.monotonic() - t0 < 1.0 + 0.5  # process start-up and hand-back included


@needs_data
def test_solver_reports_when_its_answer_was_first_reached():
    from kangyang.services.routing.solver import objective

    instance = read_instance(DATA / "solomon" / "R101.vrp")
    progress: list[tuple[float, int]] = []
    solution = solve(instance.data, seconds=1.0, seed=1, progress=progress)

    times, costs = [t for t, _ in progress], [c for _, c in progress]
    assert progress and times == sorted(times) and 0 <= times[0] and times[-1] < 1.0
    assert all(a > b for a, b in zip(costs, costs[1:]))  # improvements only
    assert costs[-1] == objective(solution)[1]  # the last one is the answer's cost


# --- the travel model --------------------------------------------------------------------


def test_one_kilometre_north_is_a_kilometre_times_the_detour():
    travel = TravelModel()
    north = (CENTRE[0] + math.degrees(1000 / 6_371_008.8), CENTRE[1])

    assert travel.metres(CENTRE, north) == pytest.approx(1000 * travel.detour, abs=2)
    assert travel.seconds(CENTRE, north) == pytest.approx(
        1000 * travel.detour / (travel.speed_kmh / 3.6), abs=1)
    walking = TravelModel(speed_kmh=4.5)
    assert walking.seconds(CENTRE, north) > 3 * travel.seconds(CENTRE, north)


def test_travel_matrix_equals_the_pairwise_figures():
    travel = TravelModel()
    points = [at(n, e) for n in (-4.3, 0, 1.7) for e in (-3.1, 0.2, 4.9)]
    metres, seconds = travel.matrices(points)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            assert (metres[i, j], seconds[i, j]) == (travel.metres(a, b), travel.seconds(a, b))


# --- the independent checker -------------------------------------------------------------


def check_plan(plan, visits, workers, travel: TravelModel | None = None) -> list[str]:
    """Every rule of a day, recomputed from TravelModel; returns what is broken."""
    travel = travel or TravelModel()
    problems = []
    vs = {v.key: v for v in visits}
    ws = {w.key: w for w in workers}
    planned = [s.key for stops in plan.routes.values() for s in stops]
    if len(planned) != len(set(planned)):
        problems.append("a visit is planned twice")
    if set(planned) & set(plan.unassigned):
        problems.append("a visit is both planned and unassigned")
    if sorted(planned + plan.unassigned) != sorted(vs):
        problems.append("planned + unassigned is not every visit")
    total = 0
    for wkey, stops in plan.routes.items():
        w = ws[wkey]
        here, free = w.point, w.shift_start
        for s in stops:
            v = vs[s.key]
            t = travel.seconds(here, v.point)
            if s.travel_seconds != t or s.travel_metres != travel.metres(here, v.point):
                problems.append(f"{v.key}: travel figures wrong")
            if s.arrival < free + t or s.start < s.arrival:
                problems.append(f"{v.key}: arrives or starts before it can")
            if not v.earliest <= s.start <= v.latest:
                problems.append(f"{v.key}: starts outside its window")
            if v.skill and v.skill not in w.skills:
                problems.append(f"{v.key}: worker {wkey} lacks {v.skill}")
            if v.caregiver is not None and v.caregiver != wkey:
                problems.append(f"{v.key}: fixed to {v.caregiver}, given to {wkey}")
            total += t
            here, free = v.point, s.start + v.duration
        back = travel.seconds(here, w.point)
        total += back
        if free + back > w.shift_end:
            problems.append(f"worker {wkey}: back home after the shift")
    if total != plan.travel_seconds:
        problems.append(f"total travel {plan.travel_seconds}, recomputed {total}")
    return problems


def worker_of(plan, visit_key: int) -> int | None:
    return next((w for w, stops in plan.routes.items() if any(s.key == visit_key for s in stops)),
                None)


# --- plan_day ------------------------------------------------------------------------------


@pytest.fixture
def team() -> list[Worker]:
    return [
        Worker(key=1, lat=at(0, 0)[0], lng=at(0, 0)[1], shift_start=8 * H, shift_end=17 * H,
               skills=frozenset({"meals", "cleaning"})),
        Worker(key=2, lat=at(2, 2)[0], lng=at(2, 2)[1], shift_start=8 * H, shift_end=17 * H,
               skills=frozenset({"nursing"})),
        Worker(key=3, lat=at(-2, 1)[0], lng=at(-2, 1)[1], shift_start=7 * H, shift_end=12 * H,
               skills=frozenset({"meals", "bathing"})),
    ]


def visit(key, north, east, earliest, latest, minutes=30, skill="", caregiver=None) -> Visit:
    lat, lng = at(north, east)
    return Visit(key=key, lat=lat, lng=lng, earliest=earliest, latest=latest,
                 duration=minutes * 60, skill=skill, caregiver=caregiver)


@pytest.fixture
def day() -> list[Visit]:
    visits = []
    for k in range(12):  # spread over the district, mixed skills and windows
        north, east = (k % 4) - 1.5, (k // 4) - 1.0
        skill = ["", "meals", "cleaning", "nursing"][k % 4]
        start = 8 * H + (k % 6) * H
        visits.append(visit(100 + k, north, east, start, start + H, minutes=20, skill=skill))
    visits.append(visit(200, -1.9, 1.1, 8 * H, 10 * H, minutes=40, skill="bathing"))
    return visits


def test_plan_keeps_skills_shifts_windows_and_serves_what_fits(team, day):
    plan = plan_day(day, team, seconds=1.5)

    assert check_plan(plan, day, team) == []
    assert plan.unassigned == []
    assert worker_of(plan, 200) == 3  # only worker 3 bathes
    nursing = [v.key for v in day if v.skill == "nursing"]
    assert {worker_of(plan, k) for k in nursing} == {2}
    assert plan.travel_metres > 0 and plan.solve_seconds < 1.5 + 0.5


def test_plan_day_reports_when_the_plans_quality_was_first_reached(team, day):
    progress: list[tuple[float, int]] = []
    plan = plan_day(day, team, seconds=1.5, progress=progress)

    times, costs = [t for t, _ in progress], [c for _, c in progress]
    assert progress and times == sorted(times) and 0 <= times[0] <= times[-1] <= plan.solve_seconds
    assert all(a > b for a, b in zip(costs, costs[1:]))
    # Every visit is served, so the search's objective is the plan's travel time alone.
    assert plan.unassigned == [] and costs[-1] == plan.travel_seconds


def test_a_fixed_visit_goes_to_its_caregiver_even_when_another_is_nearer(team):
    # Worker 3 lives next door, cooks and bathes. A meal accepted by worker 1 stays with
    # worker 1; a bath accepted by worker 1, who cannot bathe, fits nobody.
    visits = [visit(1, -2, 1.05, 9 * H, 10 * H, skill="meals", caregiver=1),
              visit(2, -2, 0.95, 9 * H, 10 * H, skill="bathing", caregiver=1)]
    plan = plan_day(visits, team, seconds=0.5)

    assert check_plan(plan, visits, team) == []
    assert worker_of(plan, 1) == 1
    assert plan.unassigned == [2]


def test_visits_fixed_to_many_caregivers_each_go_to_their_own():
    # Five caregivers in a row 1 km apart; every visit is next door to one caregiver but
    # fixed to another, so any mix-up would save travel (the code for fixed caregivers uses
    # several bits here).
    workers = [Worker(key=10 + i, lat=at(0, i)[0], lng=at(0, i)[1], shift_start=8 * H,
                      shift_end=17 * H, skills=frozenset({"meals"})) for i in range(5)]
    visits = [visit(k, 0.1, k % 5, 9 * H, 15 * H, minutes=20, skill="meals",
                    caregiver=10 + (k + 2) % 5) for k in range(10)]
    plan = plan_day(visits, workers, seconds=1)

    assert check_plan(plan, visits, workers) == []
    assert plan.unassigned == []


def test_impossible_visits_are_reported_unassigned(team):
    visits = [visit(1, 0, 0.5, 9 * H, 10 * H, skill="escort"),  # nobody escorts
              visit(2, 0, 0.5, 21 * H, 22 * H),  # after every shift
              visit(3, 0, 0.5, 9 * H, 10 * H, skill="nursing"),
              # the only nurse cannot be in two places 6 km apart at 09:00 sharp
              visit(4, 3, 3, 9 * H, 9 * H, skill="nursing"),
              visit(5, -3, -3, 9 * H, 9 * H, skill="nursing")]
    plan = plan_day(visits, team, seconds=0.5)

    assert check_plan(plan, visits, team) == []
    assert {1, 2} <= set(plan.unassigned)
    assert len({4, 5} & set(plan.unassigned)) == 1
    assert worker_of(plan, 3) == 2


def test_no_visits_or_no_workers_still_give_a_plan(team, day):
    empty = plan_day([], team, seconds=0.5)
    assert (empty.routes, empty.unassigned, empty.travel_seconds) == ({}, [], 0)

    nobody = plan_day(day, [], seconds=0.5)
    assert nobody.routes == {} and sorted(nobody.unassigned) == sorted(v.key for v in day)

    backwards = Worker(key=9, lat=CENTRE[0], lng=CENTRE[1], shift_start=17 * H,
                       shift_end=8 * H)  # a shift that ends before it starts
    none_fit = plan_day(day, [backwards], seconds=0.5)
    assert none_fit.routes == {} and len(none_fit.unassigned) == len(day)


def test_duplicate_keys_are_refused(team):
    v = visit(1, 0, 0, 9 * H, 10 * H)
    with pytest.raises(ValueError):
        plan_day([v, v], team, seconds=0.5)


# --- best_insertion ----------------------------------------------------------------------


def test_best_insertion_picks_the_cheapest_feasible_position(team):
    travel = TravelModel()
    w = team[0]
    # A loop round a 1 km square from home at (0, 0); the new visit is on its first side.
    route = [visit(1, 1, 0, 8 * H, 16 * H), visit(2, 1, 1, 8 * H, 16 * H),
             visit(3, 0, 1, 8 * H, 16 * H)]
    new = visit(9, 1.05, 0.5, 8 * H, 16 * H)

    found = best_insertion(new, [w], {w.key: route}, travel=travel)

    detour = (travel.seconds(route[0].point, new.point) + travel.seconds(new.point, route[1].point)
              - travel.seconds(route[0].point, route[1].point))
    assert found == (w.key, 1, detour)


def test_best_insertion_keeps_the_windows_of_the_route(team):
    w = team[0]
    # Stop 2 must start by 08:40; putting the new visit (30 min) before it would make it late.
    route = [visit(1, 0, 1, 8 * H, 8 * H + 1200, minutes=10),
             visit(2, 0, 2, 8 * H, 8 * H + 2400, minutes=10)]
    new = visit(9, 0.05, 1.5, 8 * H, 16 * H, minutes=30)

    worker, index, _ = best_insertion(new, [w], {w.key: route})
    assert (worker, index) == (w.key, 2)


def test_best_insertion_refuses_a_worker_without_the_skill_or_off_shift(team):
    nurse = team[1]
    near_cook = Worker(key=7, lat=at(0, 0.1)[0], lng=at(0, 0.1)[1], shift_start=8 * H,
                       shift_end=17 * H, skills=frozenset({"meals"}))
    near_nurse_gone = Worker(key=8, lat=at(0, 0.2)[0], lng=at(0, 0.2)[1], shift_start=7 * H,
                             shift_end=9 * H, skills=frozenset({"nursing"}))
    new = visit(9, 0, 0.15, 13 * H, 14 * H, skill="nursing")

    found = best_insertion(new, [near_cook, near_nurse_gone, nurse], {})
    assert found is not None and found[0] == nurse.key


def test_best_insertion_is_none_when_nobody_fits(team):
    assert best_insertion(visit(9, 0, 0, 9 * H, 10 * H, skill="escort"), team, {}) is None
    assert best_insertion(visit(9, 0, 0, 22 * H, 23 * H), team, {}) is None
    assert best_insertion(visit(9, 0, 0, 9 * H, 10 * H), [], {}) is None
