"""The routes of a day drawn as a small inline SVG, from the stops' coordinates alone: no
map tiles (none are reachable from a self-hosted platform's network, and it must not
depend on any). Equirectangular projection around the middle latitude, which is exact
enough at city scale; north is up; a scale bar in metres."""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT, PAD = 640, 420, 30
METRES_PER_DEGREE = 111_195  # of latitude, on a sphere of radius 6,371 km
MIN_SPAN_DEGREES = 0.003  # about 330 m: one stop alone is not drawn at an absurd zoom
# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies); each route
# also has its own dash pattern, and stops are numbered, so colour is never the only signal.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8F6A00", "#56B4E9", "#7F3C8D", "#3D6B00"]
DASHES = ["", "8 4", "2 4", "12 4 2 4", "", "8 4", "2 4", "12 4 2 4"]
SCALE_STEPS = [50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000]


@dataclass
class Route:
    """One caregiver's route: a home base and stops, each (lat, lng, label)."""

    key: int
    name: str
    home: tuple[float, float] | None
    stops: list[tuple[float, float, str]] = field(default_factory=list)


def colour(index: int) -> tuple[str, str]:
    return PALETTE[index % len(PALETTE)], DASHES[index % len(DASHES)]


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def draw(routes: list[Route], loose: list[tuple[float, float, str]]) -> dict | None:
    """What the template needs to draw: per route its colour, dash, polyline (home → stops →
    home), home mark and numbered stops; the loose points (unassigned orders); a scale bar.
    None when there is nothing with a location."""
    points = [p[:2] for r in routes for p in ([r.home] if r.home else []) + r.stops] + [p[:2] for p in loose]
    if not points:
        return None
    lat0 = (min(p[0] for p in points) + max(p[0] for p in points)) / 2
    k = math.cos(math.radians(lat0))
    xs, ys = [p[1] * k for p in points], [p[0] for p in points]
    span_x = max(max(xs) - min(xs), MIN_SPAN_DEGREES)
    span_y = max(max(ys) - min(ys), MIN_SPAN_DEGREES)
    scale = min((WIDTH - 2 * PAD) / span_x, (HEIGHT - 2 * PAD) / span_y)  # pixels per degree
    off_x = (WIDTH - (max(xs) - min(xs)) * scale) / 2
    off_y = (HEIGHT - (max(ys) - min(ys)) * scale) / 2
    min_x, min_y = min(xs), min(ys)

    def project(lat: float, lng: float) -> tuple[str, str]:
        return _fmt(off_x + (lng * k - min_x) * scale), _fmt(HEIGHT - (off_y + (lat - min_y) * scale))

    drawn = []
    for i, r in enumerate(routes):
        stroke, dash = colour(i)
        home = project(*r.home) if r.home else None
        stops = []
        for n, (lat, lng, label) in enumerate(r.stops, start=1):
            x, y = project(lat, lng)
            stops.append({"x": x, "y": y, "n": n, "label": label})
        line = ([home] if home else []) + [(s["x"], s["y"]) for s in stops] + ([home] if home and stops else [])
        drawn.append({
            "key": r.key, "name": r.name, "colour": stroke, "dash": dash, "stops": stops,
            "home": {"x": home[0], "y": home[1]} if home else None,
            "home_box": {"x": _fmt(float(home[0]) - 7), "y": _fmt(float(home[1]) - 7)} if home else None,
            "points": " ".join(f"{x},{y}" for x, y in line),
        })
    metres_per_px = METRES_PER_DEGREE / scale
    bar = next((m for m in SCALE_STEPS if 60 <= m / metres_per_px <= 200), None) or SCALE_STEPS[0]
    bar_px = bar / metres_per_px
    return {
        "width": WIDTH, "height": HEIGHT, "routes": drawn,
        "loose": [dict(zip(("x", "y"), project(lat, lng)), label=label) for lat, lng, label in loose],
        "scale": {"x1": PAD, "x2": _fmt(PAD + bar_px), "y": HEIGHT - 12, "metres": bar,
                  "km": bar >= 1000, "label_km": bar // 1000},
    }
