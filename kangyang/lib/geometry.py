"""Plane geometry for approximate outlines: convex hull, and Voronoi cells clipped to a convex
area, in plain Python (no GEOS, no SciPy).

Points are (x, y) in metres on a local plane (`LocalPlane`): at a district's scale, an
equirectangular projection around the middle latitude is off by far less than the
outlines themselves are approximate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]

METRES_PER_DEGREE = 111_195.0  # of latitude, on a sphere of radius 6,371 km


@dataclass(frozen=True)
class LocalPlane:
    """(lat, lng) ⇄ (x, y) metres around a reference latitude (east = +x, north = +y)."""

    lat0: float

    def to_xy(self, lat: float, lng: float) -> Point:
        return lng * METRES_PER_DEGREE * math.cos(math.radians(self.lat0)), lat * METRES_PER_DEGREE

    def to_latlng(self, x: float, y: float) -> tuple[float, float]:
        return y / METRES_PER_DEGREE, x / (METRES_PER_DEGREE * math.cos(math.radians(self.lat0)))


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def convex_hull(points: list[Point]) -> list[Point]:
    """The convex hull, counter-clockwise, without repeated or collinear points (Andrew's
    monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def padded_hull(points: list[Point], margin: float, *, directions: int = 16) -> list[Point]:
    """The convex hull of the points grown by `margin` metres (the hull of a polygon of
    `directions` corners around each point): the area the points stand for, with room
    around its edge."""
    ring = [(margin * math.cos(2 * math.pi * k / directions), margin * math.sin(2 * math.pi * k / directions))
            for k in range(directions)]
    return convex_hull([(x + dx, y + dy) for x, y in points for dx, dy in ring])


def clip_half_plane(polygon: list[Point], a: Point, b: Point) -> list[Point]:
    """The part of a convex polygon nearer to `a` than to `b` (one Sutherland–Hodgman step
    against their perpendicular bisector)."""
    mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    nx, ny = b[0] - a[0], b[1] - a[1]

    def side(p: Point) -> float:  # ≤ 0: on a's side
        return (p[0] - mx) * nx + (p[1] - my) * ny

    out: list[Point] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        sp, sq = side(p), side(q)
        if sp <= 0:
            out.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cells(sites: list[Point], area: list[Point]) -> list[list[Point]]:
    """For each site, the part of the convex `area` nearer to it than to any other site
    (sites at the same place share it: the first keeps the cell, the others get none).

    Each cell is the area clipped by the bisectors with the other sites, nearest first; a
    farther site cannot cut the cell once it is farther than twice the cell's farthest
    corner from the site, so the loop stops there (exact, and about n·k instead of n²)."""
    cells: list[list[Point]] = []
    for i, s in enumerate(sites):
        others = sorted((math.dist(s, t), j) for j, t in enumerate(sites) if j != i)
        cell = list(area)
        for distance, j in others:
            if not cell:
                break
            if distance == 0:
                if j < i:
                    cell = []
                continue
            reach = max(math.dist(s, p) for p in cell)
            if distance > 2 * reach:
                break
            cell = clip_half_plane(cell, s, sites[j])
        cells.append(cell)
    return cells


def polygon_area(polygon: list[Point]) -> float:
    """Area (shoelace formula), positive for a counter-clockwise ring."""
    n = len(polygon)
    return sum(polygon[i][0] * polygon[(i + 1) % n][1] - polygon[(i + 1) % n][0] * polygon[i][1]
               for i in range(n)) / 2
