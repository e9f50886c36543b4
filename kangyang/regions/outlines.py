"""Approximate community outlines, for maps drawn without tiles (the demo, an offline room).

The region tree keeps a centre point per region (Region.lat/lng) and the compounds' points
(Compound.lat/lng), not boundaries: statistical division codes carry none, and community
boundaries (社区界线) are not open data. So the outlines here are *derived*, and every map
that draws them says so: each community gets the part of its area nearer to its centre
than to any other community's centre (a Voronoi cell), and the whole area is the convex hull
of every centre and compound, grown by a margin (half the typical distance between
neighbouring centres, at least MIN_MARGIN_M). A community's cell therefore holds its own
compounds in most cases, but its edges are not its legal boundary.

Why not a boundary field on Region: nothing fills it today, and a map of made-up boundaries
that looked official would mislead a command room more than visibly approximate cells.
Where a bureau has real boundaries (GeoJSON from its natural-resources department), they can
replace these cells behind `community_places` without any change to the maps.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from kangyang.lib.geometry import LocalPlane, padded_hull, voronoi_cells
from kangyang.regions import codes
from kangyang.regions.models import Compound, Region

MIN_MARGIN_M = 300.0


@dataclass
class Place:
    """A community on a map: its centre and approximate outline, both (lat, lng) WGS-84."""

    code: str
    name: str
    lat: float
    lng: float
    outline: list[tuple[float, float]] = field(default_factory=list)


def community_places(region_code: str) -> list[Place]:
    """The communities under a region (or the community itself) that have a location: the
    region's own centre, else the mean of its compounds' points; with approximate outlines."""
    prefix = codes.prefix(region_code)
    compounds = defaultdict(list)
    for code, lat, lng in Compound.objects.filter(
        region_code__startswith=prefix, lat__isnull=False, lng__isnull=False,
    ).values_list("region_code", "lat", "lng"):
        compounds[code].append((lat, lng))
    places = []
    for code, name, lat, lng in Region.objects.filter(
        level=Region.Level.COMMUNITY, code__startswith=prefix,
    ).order_by("code").values_list("code", "name", "lat", "lng"):
        if lat is None or lng is None:
            points = compounds.get(code)
            if not points:
                continue  # nowhere to put it: not on the map
            lat, lng = sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)
        places.append(Place(code=code, name=name, lat=lat, lng=lng))
    if not places:
        return []
    plane = LocalPlane(lat0=sum(p.lat for p in places) / len(places))
    sites = [plane.to_xy(p.lat, p.lng) for p in places]
    others = [plane.to_xy(lat, lng) for points in compounds.values() for lat, lng in points]
    area = padded_hull(sites + others, _margin(sites))
    for place, cell in zip(places, voronoi_cells(sites, area)):
        place.outline = [tuple(round(v, 6) for v in plane.to_latlng(x, y)) for x, y in cell]
    return places


def _margin(sites: list[tuple[float, float]]) -> float:
    """Half the median distance from a centre to its nearest neighbour, at least MIN_MARGIN_M."""
    if len(sites) < 2:
        return MIN_MARGIN_M * 2
    nearest = [min(math.dist(s, t) for j, t in enumerate(sites) if j != i) for i, s in enumerate(sites)]
    return max(MIN_MARGIN_M, statistics.median(nearest) / 2)
