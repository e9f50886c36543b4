"""Route quality on the VRPTW benchmark sets: our solver against plain PyVRP, same wall time.

    python bench/vrptw.py                              Solomon (56 × 100 customers), 10 s each
    python bench/vrptw.py --seconds 60                 the same at 60 s (about 2 h with baseline)
    python bench/vrptw.py --family gh200 --seconds 30  Gehring–Homberger, 200 customers
    python bench/vrptw.py --instances R101 RC208 --no-baseline

For every instance of the family it runs our solver (kangyang/services/routing/solver.py, on
every CPU) for --seconds of wall time and then, unless --no-baseline, single-seed plain
`pyvrp.solve` (one process) with MaxRuntime(--seconds). It prints one row per instance as it
goes (BKS, ours, gap, wall, others; plain, gap, wall, others) and the means per family and
per class (C1, R2, …).

Convention (DIMACS 2021 VRPTW, that of ../shared/data/vrptw/bks.csv): Euclidean distances
and durations truncated to one decimal, cost = total distance, the vehicle count not
minimised. Gap = (cost − BKS) / BKS. Both solvers read the instance the same way
(`read_instance`, PyVRP's `round_func="dimacs"`), and both are given the same seed.

Both solvers are timed by wall clock and ours uses every CPU, so what other processes do
meanwhile matters. The bench does not wait for a quiet machine: beside each run it prints
"oth", the CPUs that all other processes used on average during it (bench/cpu_share.py:
/proc/stat less this process and its descendants), marks with "!" a run during which they
used 0.1 CPU or more, and gives their mean and highest at the end.
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

from cpu_share import QUIET, OthersMeter  # bench/, on sys.path as the script's folder

from kangyang.services.routing import read_instance, solve
from kangyang.services.routing.solver import available_cpus

DATA = ROOT.parent / "shared" / "data" / "vrptw"
FAMILIES = ["solomon", "gh200", "gh400", "gh1000"]  # folders of DATA


def timed(run):
    """(result, wall seconds, CPUs the other processes used meanwhile) of run()."""
    meter, t0 = OthersMeter(), time.monotonic()
    result = run()
    wall = time.monotonic() - t0
    return result, wall, meter.cpus()


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
    args = ap.parse_args()
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
    head = f"{'instance':10} {'BKS':>9} {'ours':>9} {'gap%':>7} {'wall':>5} {'oth':>5}"
    if baseline:
        head += f"  {'plain':>9} {'gap%':>7} {'wall':>5} {'oth':>5}"
    print(head, flush=True)

    ours_gaps: dict[str, list[float]] = defaultdict(list)
    plain_gaps: dict[str, list[float]] = defaultdict(list)
    others_by_run: dict[str, float] = {}
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
        for i, (label, gaps, run) in enumerate(runs):
            sol, wall, others = timed(run)
            others_by_run[f"{name} ({label})"] = others
            mark = "!" if others >= QUIET else " "
            row += "  " if i else " "
            if sol.is_feasible():
                cost = instance.cost(sol)
                gaps[instance_class(name)].append(gap(cost, bks[name]))
                row += f"{cost:9.1f} {gap(cost, bks[name]):7.2f}"
            else:
                row += f"{'infeas.':>9} {'':7}"
            row += f" {wall:5.1f} {others:4.2f}{mark}"
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
    print(f"other processes meanwhile (CPUs of {os.cpu_count()}): mean "
          f"{statistics.fmean(others_by_run.values()):.2f}, highest "
          f"{max(others_by_run.values()):.2f}")
    disturbed = [run for run, others in others_by_run.items() if others >= QUIET]
    if disturbed:
        print(f"{len(disturbed)} of {len(others_by_run)} runs with others at {QUIET:g} CPU or "
              f"more (marked !)" + (f": {', '.join(disturbed)}" if len(disturbed) <= 8 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
