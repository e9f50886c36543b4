"""`kangyang routes solve FILE`: one line of JSON, or a clear error and a non-zero exit."""

import json
import math
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
import vrplib
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.utils import translation

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "vrptw"
needs_data = pytest.mark.skipif(not (DATA / "bks.csv").is_file(),
                                reason=f"VRPTW instances not found in {DATA}")


def routes(*args: str) -> dict:
    out = StringIO()
    with translation.override("en"):
        call_command("routes", *args, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def dimacs_cost(vrp: Path, routes: list[list[int]]) -> float:
    """Total distance recomputed from the file's coordinates: Euclidean, truncated to 0.1."""
    coord = vrplib.read_instance(str(vrp))["node_coord"]

    def d(a: int, b: int) -> int:  # in tenths; customer n is node n + 1 of the file
        return int(10 * math.dist(coord[a], coord[b]))

    tenths = sum(d(0, r[0]) + sum(d(a, b) for a, b in pairwise(r)) + d(r[-1], 0)
                 for r in routes)
    return tenths / 10


@needs_data
def test_solve_prints_cost_vehicles_and_routes_as_one_line_of_json():
    vrp = DATA / "solomon" / "C201.vrp"
    result = routes("solve", str(vrp), "--seconds", "1", "--seed", "3")

    assert set(result) == {"cost", "vehicles", "routes"}
    served = sorted(c for r in result["routes"] for c in r)
    assert served == list(range(1, 101))
    assert result["vehicles"] == len(result["routes"])
    assert result["cost"] == dimacs_cost(vrp, result["routes"])


def test_a_missing_file_is_an_error():
    with translation.override("en"), pytest.raises(CommandError, match="No such file"):
        call_command("routes", "solve", "/nonexistent/R101.vrp")


def test_a_garbage_file_is_an_error(tmp_path):
    junk = tmp_path / "junk.vrp"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n not an instance at all")
    with translation.override("en"), pytest.raises(CommandError, match="Cannot read"):
        call_command("routes", "solve", str(junk))

    half = tmp_path / "half.vrp"
    half.write_text("NAME : X\nTYPE : CVRPTW\nDIMENSION : 3\nNODE_COORD_SECTION\n1 0 0\n")
    with translation.override("en"), pytest.raises(CommandError, match="Cannot read"):
        call_command("routes", "solve", str(half))


def test_an_infeasible_instance_is_an_error(tmp_path):
    # One vehicle, two customers due at the same moment far apart: nobody can serve both.
    text = """TWO

VEHICLE
NUMBER     CAPACITY
  1   100

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0   50   50    0    0  1000    0
    1   10   10   10   60    60    10
    2   90   90   10   60    60    10
"""
    path = tmp_path / "two.txt"
    path.write_text(text)
    with translation.override("en"), pytest.raises(CommandError, match="No feasible solution"):
        call_command("routes", "solve", str(path), "--seconds", "0.3")


def test_the_command_line_exits_non_zero_with_the_message_on_stderr(capsys):
    with translation.override("en"), pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["kangyang", "routes", "solve", "/nonexistent/R101.vrp"])

    assert exit_.value.code != 0
    assert "No such file: /nonexistent/R101.vrp" in capsys.readouterr().err
