"""Route quality on the VRPTW benchmark sets: our solver against plain PyVRP, same wall time.

    python bench/vrptw.py                              Solomon (56 × 100 customers), 10 s each
    python bench/vrptw.py --seconds 60                 the same at 60 s (about 2 h with baseline)
    python bench/vrptw.py --family gh200 --seconds 30  Gehring–Homberger, 200 customers
    python bench/vrptw.py --instances R101 RC208 --no-baseline

For every instance of the family it runs our solver (kangyang/services/routing/solver.py, on
every CPU) for --seconds of wall time and then, unless --no-baseline, single-seed plain
`pyvrp.solve` (one process) with MaxRuntime(--seconds). It prints one row per instance as it
goes (BKS, ours, gap, plain, gap) and the means per family and per class (C1, R2, …).

Convention (DIMACS 2021 VRPTW, that of ../shared/data/vrptw/bks.csv): Euclidean distances
and durations truncated to one decimal, cost = total distance, the vehicle count not
minimised. Gap = (cost − BKS) / BKS. Both solvers read the instance the same way
(`read_instance`, PyVRP's `round_func="dimacs"`), and both are given the same seed.

Both solvers need the machine to themselves: ours uses every CPU, and plain PyVRP is timed
by wall clock. So before each run the bench waits until all other processes (not its own
children) use under 10% of a CPU, and it reruns (up to twice) a run during which they used more; a run
still disturbed is marked "!" (Linux /proc; --no-guard turns this off).
"""

import argparse
import csv
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyvrp
from pyvrp.stop import MaxRuntime

from kangyang.services.routing import read_instance, solve
from kangyang.services.routing.solver import available_cpus

DATA = ROOT.parent / "shared" / "data" / "vrptw"
FAMILIES = ["solomon", "gh200", "gh400", "gh1000"]  # folders of DATA


def others_cpu_seconds() -> float:
    """CPU seconds used so far by every process but this one and its descendants (the
    solver's children), their reaped children included (Linux /proc)."""
    stats = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # ppid, then utime, stime, cutime, cstime
        stats[int(pid)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    ours, grew = {os.getpid()}, True
    while grew:
        new = {pid for pid, (ppid, _) in stats.items() if ppid in ours} - ours
        ours |= new
        grew = bool(new)
    ticks = sum(t for pid, (_, t) in stats.items() if pid not in ours)
    return ticks / os.sysconf("SC_CLK_TCK")


QUIET = 0.1  # CPUs that others may use during a run (system daemons here: about 0.02)


def wait_for_quiet(max_wait: float = 1800.0) -> None:
    """Return once others have used under QUIET CPUs for 2 s (or after max_wait)."""
    give_up = time.monotonic() + max_wait
    while time.monotonic() < give_up:
        before = others_cpu_seconds()
        time.sleep(2.0)
        if others_cpu_seconds() - before < 2.0 * QUIET:
            return
        time.sleep(10.0)


def timed(run, guard: bool):
    """(result, wall seconds, disturbed) of run(), rerun up to twice when disturbed."""
    for _ in range(3 if guard else 1):
        if guard:
            wait_for_quiet()
        others, t0 = others_cpu_seconds(), time.monotonic()
        result = run()
        wall = time.monotonic() - t0
        disturbed = guard and others_cpu_seconds() - others > QUIET * wall
        if not disturbed:
            break
    return result, wall, disturbed


def best_known() -> dict[str, float]:
    with (DATA / "bks.csv").open() as f:
        return {r["instance"]: float(r["distance"]) for r in csv.DictReader(f)}


def gap(cost: float, bks: float) -> float:
    return 100 * (cost - bks) / bks


def instance_class(name: str) -> str:
    """C1, C2, R1, R2, RC1, RC2 from C101 or C1_2_1."""
    letters = name.rstrip("0123456789_")
    return letters + name[len(letters)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--family", choices=FAMILIES, default="solomon")
    ap.add_argument("--seconds", type=float, default=None,
                    help="wall time per instance and solver (default 10; 30 for gh200)")
    ap.add_argument("--instances", nargs="+", metavar="NAME", help="a subset, e.g. R101 RC208")
    ap.add_argument("--no-baseline", action="store_true", help="skip plain PyVRP")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-guard", action="store_true",
                    help="do not wait for a quiet machine or rerun disturbed runs")
    args = ap.parse_args()
    guard = not args.no_guard
    seconds = args.seconds or (10.0 if args.family == "solomon" else 30.0)

    if not (DATA / "bks.csv").is_file():
        print(f"no instances in {DATA}", file=sys.stderr)
        return 1
    bks = best_known()
    folder = DATA / args.family
    names = sorted(p.stem for p in folder.glob("*.vrp"))
    if args.instances:
        unknown = set(args.instances) - set(names)
        if unknown:
            print(f"not in {args.family}: {' '.join(sorted(unknown))}", file=sys.stderr)
            return 1
        names = [n for n in names if n in args.instances]

    baseline = not args.no_baseline
    print(f"{args.family}: {len(names)} instances, {seconds:g} s each; ours on "
          f"{available_cpus()} CPUs{', plain PyVRP on 1' if baseline else ''}; seed {args.seed}; "
          "gaps to bks.csv (DIMACS)")
    head = f"{'instance':10} {'BKS':>9} {'ours':>9} {'gap%':>7} {'wall':>6}"
    if baseline:
        head += f" {'plain':>9} {'gap%':>7} {'wall':>6}"
    print(head, flush=True)

    ours_gaps: dict[str, list[float]] = defaultdict(list)
    plain_gaps: dict[str, list[float]] = defaultdict(list)
    disturbed_runs = []
    for name in names:
        instance = read_instance(folder / f"{name}.vrp")
        data = instance.data
        runs = [("ours", ours_gaps,
                 lambda data=data: solve(data, seconds=seconds, seed=args.seed))]
        if baseline:
            runs.append(("plain", plain_gaps,
                         lambda data=data: pyvrp.solve(data, stop=MaxRuntime(seconds),
                                                       seed=args.seed, collect_stats=False).best))
        row = f"{name:10} {bks[name]:9.1f}"
        for label, gaps, run in runs:
            sol, wall, disturbed = timed(run, guard)
            mark = "!" if disturbed else " "
            if disturbed:
                disturbed_runs.append(f"{name} ({label})")
            if sol.is_feasible():
                cost = instance.cost(sol)
                gaps[instance_class(name)].append(gap(cost, bks[name]))
                row += f" {cost:9.1f} {gap(cost, bks[name]):7.2f} {wall:5.1f}{mark}"
            else:
                row += f" {'infeas.':>9} {'':7} {wall:5.1f}{mark}"
        print(row, flush=True)

    print()
    summary = [("all", [g for gs in ours_gaps.values() for g in gs],
                [g for gs in plain_gaps.values() for g in gs])]
    summary += [(c, ours_gaps[c], plain_gaps.get(c, [])) for c in sorted(ours_gaps)]
    for label, ours, plain in summary:
        line = f"mean {label:6} n={len(ours):3d}  ours {statistics.fmean(ours):6.3f}%"
        if baseline and plain:
            line += f"   plain {statistics.fmean(plain):6.3f}% (n={len(plain)})"
        print(line)
    infeasible = len(names) - len(summary[0][1])
    if infeasible:
        print(f"ours infeasible on {infeasible} instances (left out of the means)")
    if disturbed_runs:
        print(f"disturbed by other processes (marked !): {', '.join(disturbed_runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
