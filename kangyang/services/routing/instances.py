"""Benchmark instances (VRPTW) in two file formats, read into PyVRP under the DIMACS convention.

Formats, detected from the text:

- VRPLIB (``NAME : …``, ``NODE_COORD_SECTION`` …), as in /work/shared/data/vrptw: read with
  ``pyvrp.read``. Customers are reported by location index, depot = 0, which is how the
  VRPLIB ``.sol`` files number them (file node ``k`` is reported as ``k - 1``).
- Classic Solomon text (``VEHICLE`` / ``NUMBER CAPACITY`` / ``CUSTOMER`` / ``CUST NO. XCOORD.
  …``): translated to VRPLIB text and read the same way, so that both formats give the same
  problem. Customers are reported by their ``CUST NO.``.

Convention (DIMACS 2021 VRPTW challenge, the one of ``bks.csv``): Euclidean distances and
durations truncated to one decimal, i.e. every value scaled by 10 and truncated (PyVRP's
``round_func="dimacs"``); cost = total distance; the number of vehicles is not minimised.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pyvrp
from pyvrp import ProblemData, Solution

# DIMACS: values are tenths, so integer costs are divided by 10 for display.
DIMACS_SCALE = 10


class InstanceError(ValueError):
    """The file is missing, unreadable, or in neither supported format."""


@dataclass(frozen=True)
class Instance:
    """A problem read from a file, with the numbers its file format gives the locations."""

    name: str
    data: ProblemData
    labels: tuple[int, ...]  # location index → the number a solution file uses for it
    scale: int = DIMACS_SCALE

    def routes(self, solution: Solution) -> list[list[int]]:
        """The solution's routes as lists of customer numbers (depot excluded)."""
        return [
            [self.labels[self.data.client(a.idx).location] for a in route if a.is_client()]
            for route in solution.routes()
        ]

    def cost(self, solution: Solution) -> float:
        """The objective in the instance's own units (total distance for VRPTW)."""
        # Integer / 10 is correctly rounded, so 8273 prints as 827.3.
        raw = solution.distance_cost() + solution.duration_cost() + solution.fixed_vehicle_cost()
        return raw / self.scale


def read_instance(path: str | Path) -> Instance:
    """Read a VRPLIB or classic Solomon file. Raises InstanceError when that is impossible."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InstanceError(str(e)) from e

    if _is_solomon(text):
        name, vrplib_text, labels = _solomon_to_vrplib(text)
        with tempfile.TemporaryDirectory() as tmp:
            vrp = Path(tmp) / "instance.vrp"
            vrp.write_text(vrplib_text, encoding="utf-8")
            data = _read_vrplib(vrp)
        return Instance(name=name or path.stem, data=data, labels=labels)

    if not re.search(r"^\s*DIMENSION\s*:", text, re.MULTILINE):
        raise InstanceError("neither VRPLIB (no DIMENSION) nor Solomon (no VEHICLE/CUSTOMER)")
    data = _read_vrplib(path)
    match = re.search(r"^\s*NAME\s*:\s*(\S+)", text, re.MULTILINE)
    return Instance(
        name=match.group(1) if match else path.stem,
        data=data,
        labels=tuple(range(data.num_locations)),
    )


def _read_vrplib(path: Path) -> ProblemData:
    try:
        # PyVRP warns (ScalingWarning) only about huge values; for a malformed file it raises
        # one of these from vrplib's parser or its own builder.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=pyvrp.exceptions.ScalingWarning)
            data = pyvrp.read(path, round_func="dimacs")
    except (ValueError, KeyError, IndexError, TypeError, RuntimeError) as e:
        raise InstanceError(f"not a readable VRPLIB instance: {e}") from e
    if data.num_clients == 0:
        raise InstanceError("the instance has no customers")
    return data


_SOLOMON_HEADERS = ("VEHICLE", "CUSTOMER", "CUST", "XCOORD")


def _is_solomon(text: str) -> bool:
    upper = text.upper()
    return all(h in upper for h in _SOLOMON_HEADERS) and "NODE_COORD_SECTION" not in upper


def _numbers(line: str) -> list[float] | None:
    try:
        return [float(tok) for tok in line.split()]
    except ValueError:
        return None


def _solomon_to_vrplib(text: str) -> tuple[str, str, tuple[int, ...]]:
    """Name, the same problem as VRPLIB text, and the CUST NO. of each row (depot first)."""
    lines = text.splitlines()
    name = next((ln.strip() for ln in lines if ln.strip()), "")
    upper = [ln.upper() for ln in lines]
    try:
        v = next(i for i, ln in enumerate(upper) if ln.strip().startswith("VEHICLE"))
        c = next(i for i, ln in enumerate(upper) if ln.strip().startswith("CUSTOMER"))
    except StopIteration:
        raise InstanceError("no VEHICLE or CUSTOMER section") from None

    fleet = next((n for ln in lines[v + 1:c] if (n := _numbers(ln)) and len(n) == 2), None)
    if fleet is None or fleet[0] < 1 or fleet[0] != int(fleet[0]):
        raise InstanceError("the VEHICLE section has no NUMBER and CAPACITY")
    vehicles, capacity = int(fleet[0]), fleet[1]

    rows = []
    for ln in lines[c + 1:]:
        if not ln.strip() or "CUST" in ln.upper():
            continue
        n = _numbers(ln)
        if n is None or len(n) != 7:
            raise InstanceError(f"a CUSTOMER row is not 7 numbers: {ln.strip()!r}")
        rows.append(n)
    if len(rows) < 2:
        raise InstanceError("the CUSTOMER section needs the depot and at least one customer")
    labels = tuple(int(r[0]) for r in rows)
    if len(set(labels)) != len(labels) or any(lb != r[0] for lb, r in zip(labels, rows)):
        raise InstanceError("CUST NO. values must be distinct integers")

    def fmt(x: float) -> str:
        return str(int(x)) if x == int(x) else repr(x)

    out = [
        f"NAME : {name.split()[0] if name else 'solomon'}",
        "TYPE : CVRPTW",
        f"DIMENSION : {len(rows)}",
        f"VEHICLES : {vehicles}",
        f"CAPACITY : {fmt(capacity)}",
        "EDGE_WEIGHT_TYPE : EUC_2D",
        "NODE_COORD_SECTION",
        *(f"{k} {fmt(r[1])} {fmt(r[2])}" for k, r in enumerate(rows, start=1)),
        "DEMAND_SECTION",
        *(f"{k} {fmt(r[3])}" for k, r in enumerate(rows, start=1)),
        "TIME_WINDOW_SECTION",
        *(f"{k} {fmt(r[4])} {fmt(r[5])}" for k, r in enumerate(rows, start=1)),
        "SERVICE_TIME_SECTION",
        *(f"{k} {fmt(r[6])}" for k, r in enumerate(rows, start=1)),
        "DEPOT_SECTION",
        "1",
        "-1",
        "EOF",
    ]
    return name, "\n".join(out) + "\n", labels
