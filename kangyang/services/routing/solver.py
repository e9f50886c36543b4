"""Our VRP solver: PyVRP's search in several processes that exchange their best solution.

Strategy. The budget is cut into `exchanges` + 1 equal epochs. In every epoch, `processes`
searches run side by side, each one PyVRP's own iterated local search (`pyvrp.solve`) with a
seed of its own: one in this process, the others in child processes. At the end of an epoch
every search hands back its best solution; the next epoch starts the searches from the best
of them (`initial_solution`), again with new seeds, so that what one search found is
improved on by all. The answer is the best solution of the last epoch (a search never
returns worse than its start, so it is also the best of the whole run).

What measured best (bench/vrptw.py, Solomon, 10 s per instance, this 2-CPU machine):
one exchange at mid-budget. On 16 of the harder instances (one seed): plain PyVRP 0.33% mean
gap, two independent searches 0.35%, one exchange 0.25%, three 0.34%, seven 0.31%. On all 56
instances with one exchange: 0.14% against plain PyVRP's 0.23%. Note that the two CPUs of
this machine give about 1.1 times the throughput of one (a CPU-bound loop takes 6.6 s alone
and 12.1 s each when two run together; PyVRP does about half the iterations per second in
each of two processes), so the gain comes from the exchange, not from more iterations; on
machines with real cores it should be larger.

Time. Every search stops at an absolute deadline (`time.monotonic()`, shared by the
processes on one machine), counted from the call; the last one ends a little before the
budget to leave time for handing back the solution. So `solve` returns within `seconds` plus
at most one search iteration; starting the children comes out of their share (a few
milliseconds once the fork server runs, about 0.2 s the first time in a process).

Progress. Each search notes the time and cost each time its best feasible solution improves
(PyVRP hands the stopping criterion the best cost at every iteration); `solve(progress=[])`
merges these notes of every search into the run's own improvements, so a caller can tell
when the answer's quality was first reached (bench/day_plan.py prints it).

Processes. Children come from a fork server (safe in a threaded host such as a web or task
worker, unlike a plain fork) that has this module preloaded; a child that dies or overruns
is ignored and killed. The problem data is sent to each child once per call.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler

import pyvrp
from pyvrp import ProblemData, Solution
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.search import NeighbourhoodParams, PerturbationParams
from pyvrp.solve import SolveParams

# One exchange at mid-budget measured best (see the docstring).
EXCHANGES = 1
# Time kept back at the end for the children to hand their solution back.
_HANDBACK_SECONDS = 0.05
# How long past a deadline a child may take before it is given up (an iteration of the local
# search on a large instance can run for a while after the deadline has passed).
_GRACE_SECONDS = 5.0


@dataclass
class Deadline:
    """PyVRP stopping criterion: stop once `time.monotonic()` reaches `at`. On the way it notes
    (time.monotonic(), cost) each time the best cost it is handed goes down."""

    at: float
    improvements: list[tuple[float, int]] = field(default_factory=list)

    def __call__(self, best_cost: int) -> bool:
        now = time.monotonic()
        if not self.improvements or best_cost < self.improvements[-1][1]:
            self.improvements.append((now, best_cost))
        return now >= self.at


def objective(solution: Solution) -> tuple[bool, int]:
    """Sort key: feasible solutions first, then by PyVRP's objective (lower is better)."""
    return (not solution.is_feasible(), solution.distance_cost() + solution.duration_cost()
            + solution.fixed_vehicle_cost() + solution.uncollected_prizes())


def available_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0))


def solve(data: ProblemData, *, seconds: float, seed: int = 1, processes: int | None = None,
          exchanges: int = EXCHANGES, params: SolveParams | None = None,
          progress: list[tuple[float, int]] | None = None) -> Solution:
    """The best solution found in `seconds` of wall time by `processes` searches (default: one
    per available CPU) that restart from the best solution `exchanges` times.

    `progress`, when given, receives (seconds since the call, cost) each time the best
    feasible solution of the whole run improved, in time order; cost is PyVRP's objective
    (that of `objective`), so the last entry tells when the answer's cost was first reached
    (none when no feasible solution turned up)."""
    start = time.monotonic()
    notes: list[tuple[float, int]] = []
    params = params or SolveParams()
    n = max(1, processes or available_cpus())
    epochs = exchanges + 1
    children = [_Child(data, params) for _ in range(n - 1)]
    best: Solution | None = None
    try:
        for e in range(epochs):
            deadline = start + seconds * (e + 1) / epochs
            if e == epochs - 1:
                deadline -= _HANDBACK_SECONDS
            seeds = [seed + 1000 * (e * n + i) for i in range(n)]
            for child, s in zip(children, seeds[1:]):
                child.send(best, s, deadline)
            found = [_search(data, best, seeds[0], deadline, params)]
            found += [got for child in children
                      if (got := child.receive(deadline + _GRACE_SECONDS)) is not None]
            best = min((sol for sol, _ in found), key=objective)
            notes += [note for _, improvements in found for note in improvements]
    finally:
        for child in children:
            child.close()
    if progress is not None:
        progress += _run_improvements(notes, start)
    return best


def _run_improvements(notes: list[tuple[float, int]], start: float) -> list[tuple[float, int]]:
    """The improvements of the best over all searches, from each search's own: a search that
    starts from the best so far notes its cost again, later, which is no improvement. PyVRP
    gives an infeasible best the largest cost there is, which is no quality reached."""
    out: list[tuple[float, int]] = []
    for at, cost in sorted(notes):
        if cost < _INFEASIBLE and (not out or cost < out[-1][1]):
            out.append((at - start, cost))
    return out


_INFEASIBLE = 2**63 - 1  # PyVRP's CostEvaluator.cost of an infeasible solution (int64 max)


def _search(data: ProblemData, initial: Solution | None, seed: int, deadline: float,
            params: SolveParams) -> tuple[Solution, list[tuple[float, int]]]:
    """The best solution of one search, and its improvements (see `Deadline`)."""
    stop = Deadline(deadline)
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their cap, i.e. when no feasible solution turns
        # up; callers learn that from Solution.is_feasible() and say it in their own words.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(data, stop=stop, seed=seed, collect_stats=False,
                             params=params, initial_solution=initial)
    return result.best, stop.improvements


def _serve(conn: Connection, data: ProblemData, params: SolveParams) -> None:
    """A child's loop: (start solution, seed, deadline) in, (best solution, improvements) out;
    None stops."""
    while (job := conn.recv()) is not None:
        conn.send(_search(data, *job, params))


# Two parts of SolveParams are C++ objects without pickle support; children need them.
ForkingPickler.register(NeighbourhoodParams, lambda p: (NeighbourhoodParams, (
    p.weight_wait_time, p.num_neighbours, p.symmetric_proximity)))
ForkingPickler.register(PerturbationParams, lambda p: (PerturbationParams, (
    p.min_perturbations, p.max_perturbations)))

_preloaded = False


def _context() -> mp.context.BaseContext:
    global _preloaded
    ctx = mp.get_context("forkserver")
    if not _preloaded:
        # Children then start by forking a server that has PyVRP and this module imported.
        ctx.set_forkserver_preload([__name__])
        _preloaded = True
    return ctx


class _Child:
    """One search in a child process, reused across the epochs of one `solve` call."""

    def __init__(self, data: ProblemData, params: SolveParams):
        ctx = _context()
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(theirs, data, params), daemon=True)
        self.process.start()
        theirs.close()
        self.alive = True

    def send(self, initial: Solution | None, seed: int, deadline: float) -> None:
        if self.alive:
            try:
                self.conn.send((initial, seed, deadline))
            except OSError:  # BrokenPipeError and friends: the child has gone
                self.alive = False

    def receive(self, give_up_at: float) -> tuple[Solution, list[tuple[float, int]]] | None:
        if not self.alive:
            return None
        try:
            if self.conn.poll(max(0.0, give_up_at - time.monotonic())):
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        self.alive = False  # died or overran: its result is not waited for again
        return None

    def close(self) -> None:
        if self.alive:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(timeout=0.5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()
