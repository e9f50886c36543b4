"""Trend charts of an elder's readings, drawn on the server as inline SVG (templates/health/
_trend_chart.html), like the indicators' bar charts (templates/indicators/_bars.html, which draws
bars only): a line per series through the readings in time order, each point coloured by its
class, the target lines dashed and named; the template puts the same figures in a table under
a <details> for those who do not read the picture.

This module only computes positions (plain numbers the template writes into the SVG)."""

import dataclasses
import datetime as dt

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 10, 24


@dataclasses.dataclass
class Point:
    x: float
    y: float
    value: float
    at: dt.datetime
    classification: str
    label: str  # e.g. "152/96 mmHg, 3 Dec 08:10, not controlled"


@dataclasses.dataclass
class Series:
    name: str
    points: list[Point]
    shape: str = "circle"  # "circle" or "square"

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclasses.dataclass
class Line:
    y: float
    value: float
    label: str


@dataclasses.dataclass
class Tick:
    y: float
    text: str


@dataclasses.dataclass
class Chart:
    width: int
    height: int
    series: list[Series]
    targets: list[Line]
    ticks: list[Tick]
    start_label: str
    end_label: str
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def _nice_step(span: float) -> float:
    for step in (0.5, 1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 6:
            return step
    return 200


def trend_chart(series: list[tuple[str, list[tuple[dt.datetime, float, str, str]]]], *, start: dt.datetime,
                end: dt.datetime, targets: list[tuple[float, str]] = (), shapes: tuple[str, ...] = ("circle", "square"),
                start_label: str = "", end_label: str = "") -> Chart:
    """`series`: (name, [(when, value, class, label), …]); `targets`: (value, label). The y
    range covers every value and target, with a margin."""
    values = [v for _, points in series for _, v, _, _ in points] + [t for t, _ in targets]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = max((high - low) * 0.1, 1.0 if high > 20 else 0.5)
    low, high = low - pad, high + pad
    span_t = max((end - start).total_seconds(), 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(at: dt.datetime) -> float:
        return LEFT + plot_w * min(max((at - start).total_seconds() / span_t, 0.0), 1.0)

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    drawn = []
    for index, (name, points) in enumerate(series):
        ordered = sorted(points, key=lambda p: p[0])
        drawn.append(Series(name, [Point(x_of(at), y_of(v), v, at, cls, label) for at, v, cls, label in ordered],
                            shape=shapes[index % len(shapes)]))
    step = _nice_step(high - low)
    ticks = []
    tick = (int(low / step) + 1) * step
    while tick < high:
        ticks.append(Tick(y_of(tick), f"{tick:g}"))
        tick += step
    return Chart(WIDTH, HEIGHT, drawn, [Line(y_of(v), v, label) for v, label in targets], ticks,
                 start_label, end_label)
