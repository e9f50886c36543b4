"""The routes of a day as a map (static/js/map.js on the vendored Leaflet, the same component
as the wall display): each caregiver's line from the home base through the numbered stops and
back, and the orders not on a route. On the configured tiles (KANGYANG_MAP_TILES), with every
point in the tiles' system (GCJ-02 for AMap); with none, on a plain background with a scale
bar, as before. Colour is never the only signal: each route has its own dash pattern too,
and stops are numbered."""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F6A00", "#56B4E9", "#7F3C8D", "#3D6B00"]
DASHES = ["", "8 4", "2 4", "12 4 2 4", "", "8 4", "2 4", "12 4 2 4"]


@dataclass
class Route:
    """One caregiver's route: a home base and stops, each (lat, lng, label), WGS-84."""

    key: int
    name: str
    home: tuple[float, float] | None
    stops: list[tuple[float, float, str]] = field(default_factory=list)


def colour(index: int) -> tuple[str, str]:
    return PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]


def draw(routes: list[Route], loose: list[tuple[float, float, str]]) -> dict | None:
    """The map's configuration (see static/js/map.js); None when nothing has a location."""
    if not any(r.home or r.stops for r in routes) and not loose:
        return None
    tiles = settings.MAP_TILES
    lines, points = [], []
    for i, r in enumerate(routes):
        stroke, dash = colour(i)
        home = tiles.project(*r.home) if r.home else None
        stops = [tiles.project(lat, lng) for lat, lng, _label in r.stops]
        path = ([home] if home else []) + stops + ([home] if home and stops else [])
        if len(path) >= 2:
            lines.append({"path": path, "colour": stroke, "dash": dash, "text": r.name})
        if home:
            points.append({"at": home, "symbol": "square", "colour": stroke,
                           "text": _("%(name)s: home base") % {"name": r.name}})
        for n, (at, (_lat, _lng, label)) in enumerate(zip(stops, r.stops), start=1):
            points.append({"at": at, "symbol": "circle", "colour": stroke, "label": n,
                           "text": f"{r.name} {n}: {label}"})
    for lat, lng, label in loose:
        points.append({"at": tiles.project(lat, lng), "symbol": "cross", "text": label})
    return {"tiles": tiles.as_json(), "lines": lines, "points": points, "routes": len(routes)}
