"""A large provider's day planned with plan_day: wall time, what fits, travel, and a check.

    python bench/day_plan.py [--visits 1500] [--workers 120] [--seconds 50] [--seed 1]

A synthetic, seeded day (no database): a ~10 km × 10 km district around (28.66, 115.89)
(central Nanchang), elders living in residential compounds, caregivers with home bases spread
over the district, and a mix of orders. Every figure below is an assumption chosen to look
like a home-care day, not data:

- shifts: 35% 07:00–15:00, 40% 08:00–17:00, 25% 11:00–20:00;
- skills: meals is the basic one (75% of caregivers, and all of the evening shift, which is
  rostered for dinners); those with meals hold 1–2 of cleaning, bathing, nursing, escort
  (weights 28, 22, 32, 18, about the hours of work each brings), the others 2–3: each
  caregiver holds 2–3;
- orders (share, minutes as min/mode/max of a triangular law): meals 36% (15/15/20, 1-hour
  windows starting 10:30–12:25 for lunch or 16:30–17:55 for dinner, 7 to 3), no skill 29%
  (safety check, companionship: 15/20/30, flexible half day), nursing 14% (20/30/40, 1-hour
  windows starting 08:00–16:45), cleaning 10% (30/40/60, flexible half day), bathing 8%
  (30/45/60, flexible half day), escort 3% (60/75/120, 1-hour windows); the mean service is
  27 minutes;
- 5% of orders are already accepted by a caregiver (fixed): one of the 5 nearest qualified
  caregivers on shift;
- travel: TravelModel() (haversine × 1.3 at 15 km/h, an e-bike; assumptions of its own).

It builds the visits and workers, calls plan_day with --seconds as the whole budget, and
prints the time to quality: when the search first reached the final plan's quality (what is
served, then travel; from plan_day's progress, counted from the start of building the
inputs), beside the wall time (which is the budget: the search runs until it is spent) and
how the best improved on the way. Then assigned / unassigned with the reason each unassigned
visit could not be placed, travel in km and hours, and visits per caregiver, and the CPUs
that other processes used meanwhile (bench/cpu_share.py; it does not wait for a quiet
machine). Then it checks the plan independently of the solver (times recomputed from
TravelModel: every visit at most once, windows, skills, fixed caregivers, shifts, totals).
Exit status 0 when the check passes and the wall time is within --target seconds (default
60), 1 otherwise.
"""

import argparse
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cpu_share import QUIET, OthersMeter

from kangyang.services.routing.day import (
    TravelModel,
    Visit,
    Worker,
    plan_day,
)

CENTRE = (28.66, 115.89)
KM_LAT = 1 / 110.574  # degrees of latitude per km (WGS-84, near 28°N)
KM_LNG = 1 / (111.320 * 0.8775)  # degrees of longitude per km at 28.66°N (cos 28.66° ≈ 0.8775)
H = 3600

SHIFTS = [((7 * H, 15 * H), 0.35), ((8 * H, 17 * H), 0.40), ((11 * H, 20 * H), 0.25)]
MEALS_SHARE = 0.75  # caregivers who help with meals, the basic skill
# Weights of the other skills, roughly as the hours of work they bring (see ORDERS).
SPECIAL = {"cleaning": 0.28, "bathing": 0.22, "nursing": 0.32, "escort": 0.18}
# skill: (share of orders, (min, mode, max) duration in minutes, window kind)
ORDERS = {
    "meals": (0.36, (15, 15, 20), "meal"),
    "": (0.29, (15, 20, 30), "flexible"),
    "nursing": (0.14, (20, 30, 40), "fixed"),
    "cleaning": (0.10, (30, 40, 60), "flexible"),
    "bathing": (0.08, (30, 45, 60), "flexible"),
    "escort": (0.03, (60, 75, 120), "fixed"),
}


def point(rng: random.Random, centre=CENTRE, spread_km=5.0) -> tuple[float, float]:
    """Uniform over a square of 2 × spread_km around centre."""
    return (centre[0] + rng.uniform(-spread_km, spread_km) * KM_LAT,
            centre[1] + rng.uniform(-spread_km, spread_km) * KM_LNG)


def make_workers(rng: random.Random, n: int) -> list[Worker]:
    special, weights = list(SPECIAL), list(SPECIAL.values())
    out = []
    for key in range(1, n + 1):
        (start, end), = rng.choices([s for s, _ in SHIFTS], [w for _, w in SHIFTS])
        # The evening shift is rostered for dinners: all of it helps with meals.
        meals = start == 11 * H or rng.random() < MEALS_SHARE
        held: set[str] = {"meals"} if meals else set()
        k = rng.choice([1, 2]) if meals else rng.choice([2, 3])
        while len(held) < k + meals:
            held.add(rng.choices(special, weights)[0])
        lat, lng = point(rng)
        out.append(Worker(key=key, lat=lat, lng=lng, shift_start=start, shift_end=end,
                          skills=frozenset(held)))
    return out


def window(rng: random.Random, kind: str, duration: int) -> tuple[int, int]:
    if kind == "meal":
        lunch = rng.random() < 0.7
        earliest = rng.randrange(10 * H + H // 2, 12 * H + H // 2, 300) if lunch \
            else rng.randrange(16 * H + H // 2, 18 * H, 300)
        return earliest, earliest + H
    if kind == "fixed":
        earliest = rng.randrange(8 * H, 17 * H, 900)
        return earliest, earliest + H
    # Flexible: "some time this morning / this afternoon", service started by the end.
    return (8 * H, 12 * H) if rng.random() < 0.5 else (13 * H, 18 * H - duration)


def make_visits(rng: random.Random, n: int, workers: list[Worker],
                travel: TravelModel) -> list[Visit]:
    # Elders live in compounds (小区) of a few hundred metres; several orders may share one.
    compounds = [point(rng) for _ in range(max(1, n // 5))]
    kinds = list(ORDERS)
    visits = []
    for key in range(1, n + 1):
        skill = rng.choices(kinds, [ORDERS[k][0] for k in kinds])[0]
        lo, mode, hi = ORDERS[skill][1]
        duration = round(rng.triangular(lo, hi, mode)) * 60
        earliest, latest = window(rng, ORDERS[skill][2], duration)
        lat, lng = point(rng, rng.choice(compounds), spread_km=0.3)
        visits.append(Visit(key=key, lat=lat, lng=lng, earliest=earliest, latest=latest,
                            duration=duration, skill=skill))
    # Already accepted: 5%, by one of the 5 nearest caregivers with the skill whose shift
    # holds the visit.
    for i in rng.sample(range(n), n // 20):
        v = visits[i]
        able = [w for w in workers if (not v.skill or v.skill in w.skills)
                and w.shift_start + travel.seconds(w.point, v.point) <= v.latest
                and max(v.earliest, w.shift_start) + v.duration
                + travel.seconds(v.point, w.point) <= w.shift_end]
        able.sort(key=lambda w: travel.metres(w.point, v.point))
        if able:
            visits[i] = Visit(**{**v.__dict__, "caregiver": rng.choice(able[:5]).key})
    return visits


def check(plan, visits: list[Visit], workers: list[Worker], travel: TravelModel) -> list[str]:
    """Problems with the plan, recomputed from scratch (not the planner's schedule code)."""
    problems = []
    by_visit = {v.key: v for v in visits}
    by_worker = {w.key: w for w in workers}
    seen = Counter(s.key for stops in plan.routes.values() for s in stops)
    problems += [f"visit {k} planned {n} times" for k, n in seen.items() if n > 1]
    problems += [f"unknown visit {k}" for k in seen if k not in by_visit]
    both = set(seen) & set(plan.unassigned)
    problems += [f"visit {k} both planned and unassigned" for k in both]
    missing = set(by_visit) - set(seen) - set(plan.unassigned)
    problems += [f"visit {k} neither planned nor unassigned" for k in missing]
    total_s = total_m = 0
    for wkey, stops in plan.routes.items():
        w = by_worker[wkey]
        here, free = w.point, w.shift_start
        for s in stops:
            v = by_visit[s.key]
            t, m = travel.seconds(here, v.point), travel.metres(here, v.point)
            if (s.travel_seconds, s.travel_metres) != (t, m):
                problems.append(f"visit {v.key}: travel {s.travel_seconds} s, expected {t} s")
            if s.arrival < free + t:
                problems.append(f"visit {v.key}: arrives before it can get there")
            if not (s.arrival <= s.start and v.earliest <= s.start <= v.latest):
                problems.append(f"visit {v.key}: starts {s.start} outside "
                                f"[{v.earliest}, {v.latest}] or before arrival")
            if v.skill and v.skill not in w.skills:
                problems.append(f"visit {v.key}: needs {v.skill}, worker {w.key} lacks it")
            if v.caregiver is not None and v.caregiver != w.key:
                problems.append(f"visit {v.key}: fixed to {v.caregiver}, planned for {w.key}")
            total_s, total_m = total_s + t, total_m + m
            here, free = v.point, s.start + v.duration
        t, m = travel.seconds(here, w.point), travel.metres(here, w.point)
        total_s, total_m = total_s + t, total_m + m
        if free + t > w.shift_end:
            problems.append(f"worker {w.key}: home at {free + t}, after shift end {w.shift_end}")
    if (total_s, total_m) != (plan.travel_seconds, plan.travel_metres):
        problems.append(f"totals {plan.travel_seconds} s / {plan.travel_metres} m, "
                        f"recomputed {total_s} s / {total_m} m")
    return problems


def why_unassigned(v: Visit, workers: list[Worker], travel: TravelModel) -> str:
    skilled = [w for w in workers if (not v.skill or v.skill in w.skills)
               and (v.caregiver is None or v.caregiver == w.key)]
    if not skilled:
        return "nobody with the skill" if v.caregiver is None else "fixed caregiver lacks it"
    alone = [w for w in skilled
             if max(w.shift_start + travel.seconds(w.point, v.point), v.earliest) <= v.latest
             and max(w.shift_start + travel.seconds(w.point, v.point), v.earliest) + v.duration
             + travel.seconds(v.point, w.point) <= w.shift_end]
    if not alone:
        return "outside every qualified shift"
    return f"qualified caregivers full in its window ({v.skill or 'no skill'})"


def best_so_far(progress: list[tuple[float, int]], offset: float, wall: float) -> str:
    """The best cost (PyVRP's objective: travel seconds plus the prize of every visit left
    out) at a few moments, as a share above the final one."""
    final = progress[-1][1]
    out = []
    for at in (1, 2, 5, 10, 20, 30, 40, 50, 60, 90, 120):
        if at > wall:
            break
        reached = [cost for t, cost in progress if offset + t <= at]
        if reached:
            out.append(f"{at} s +{100 * (reached[-1] - final) / final:.2f}%")
    return ", ".join(out) or "-"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--visits", type=int, default=1500)
    ap.add_argument("--workers", type=int, default=120)
    ap.add_argument("--seconds", type=float, default=50.0,
                    help="plan_day's whole budget (default %(default)s)")
    ap.add_argument("--target", type=float, default=60.0,
                    help="wall-time target in seconds (default %(default)s)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    meter = OthersMeter()
    travel = TravelModel()
    t0 = time.monotonic()
    rng = random.Random(args.seed)
    workers = make_workers(rng, args.workers)
    visits = make_visits(rng, args.visits, workers, travel)
    t_inputs = time.monotonic() - t0
    progress: list[tuple[float, int]] = []
    plan = plan_day(visits, workers, travel=travel, seconds=args.seconds, seed=args.seed,
                    progress=progress)
    wall = time.monotonic() - t0
    others = meter.cpus()

    served = sum(len(s) for s in plan.routes.values())
    used = len(plan.routes)
    print(f"day: {len(visits)} visits ({sum(v.caregiver is not None for v in visits)} fixed), "
          f"{len(workers)} caregivers, seed {args.seed}")
    if progress:
        reached = t_inputs + progress[-1][0]
        print(f"time to quality: {reached:.1f} s (the final plan's quality first reached, "
              f"inputs included; {len(progress)} improvements of the best)")
        print("  best so far: " + best_so_far(progress, t_inputs, wall))
    else:
        print("time to quality: none (the search found no feasible plan)")
    print(f"wall time: {wall:.1f} s (inputs {t_inputs:.1f} s, plan_day {plan.solve_seconds:.1f} s"
          f" of a {args.seconds:g} s budget, spent whole by the search)")
    print(f"other processes meanwhile: {others:.2f} CPU of {os.cpu_count()}"
          + (" (disturbed: 0.1 or more)" if others >= QUIET else ""))
    print(f"assigned: {served}   unassigned: {len(plan.unassigned)}")
    by_key = {v.key: v for v in visits}
    reasons = Counter(why_unassigned(by_key[k], workers, travel) for k in plan.unassigned)
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")
    print(f"travel: {plan.travel_metres / 1000:.1f} km, {plan.travel_seconds / 3600:.1f} h "
          f"({plan.travel_metres / 1000 / max(served, 1):.2f} km per visit)")
    print(f"caregivers with visits: {used} of {len(workers)}; "
          f"mean {served / len(workers):.1f} visits per caregiver "
          f"({served / max(used, 1):.1f} per caregiver used)")
    service_h = sum(by_key[s.key].duration for st in plan.routes.values() for s in st) / 3600
    shift_h = sum(w.shift_end - w.shift_start for w in workers) / 3600
    print(f"service {service_h:.0f} h + travel {plan.travel_seconds / 3600:.0f} h "
          f"of {shift_h:.0f} shift hours")
    problems = check(plan, visits, workers, travel)
    print(f"independent check: {'OK' if not problems else f'{len(problems)} problems'}")
    for p in problems[:20]:
        print("  " + p)
    return 0 if not problems and wall <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
