"""Coordinates: WGS-84 (what we store), GCJ-02 (AMap, Tencent; 火星坐标) and BD-09 (Baidu).

Chinese map and phone APIs return GCJ-02 or BD-09; Kangyang stores WGS-84 (SYSTEM.md) and
converts at the edges. The forward transforms are the published ones (the GCJ-02 offset on
the Krasovsky 1940 ellipsoid as reverse-engineered in eviltransform, and Baidu's BD-09 on
top of GCJ-02, as in wandergis/coordtransform). Neither has a closed-form inverse, so the
inverses here solve forward(x) = y by fixed-point iteration to better than 1e-7 degrees
(about 1 cm), instead of the common one-step approximation that is off by metres.

Outside mainland China the GCJ-02 offset is not applied (the published `out_of_china` box),
so a WGS-84 point there is its own GCJ-02 point. All functions take and return
(lng, lat) in degrees, longitude first, as the map APIs do.
"""

import math

# Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

TOLERANCE = 1e-9  # degrees: iteration stops below this
MAX_ITERATIONS = 30


def out_of_china(lng: float, lat: float) -> bool:
    """The published bounding box outside which GCJ-02 equals WGS-84."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lng + dlng, lat + dlat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def _invert(forward, lng: float, lat: float, guess: tuple[float, float]) -> tuple[float, float]:
    """The x with forward(x) = (lng, lat), by x ← x − (forward(x) − target). The offsets
    change slowly with position, so each step gains about three orders of magnitude."""
    x, y = guess
    for _ in range(MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = fx - lng, fy - lat
        x, y = x - dx, y - dy
        if abs(dx) < TOLERANCE and abs(dy) < TOLERANCE:
            break
    return x, y


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    # Baidu's published one-step inverse, refined by iteration.
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return _invert(gcj02_to_bd09, lng, lat, (z * math.cos(theta), z * math.sin(theta)))


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    return _invert(wgs84_to_gcj02, lng, lat, (lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


SYSTEMS = ("wgs84", "gcj02", "bd09")


def to_wgs84(lng: float, lat: float, system: str = "wgs84") -> tuple[float, float]:
    """A point in one of SYSTEMS, as WGS-84."""
    if system == "wgs84":
        return lng, lat
    if system == "gcj02":
        return gcj02_to_wgs84(lng, lat)
    if system == "bd09":
        return bd09_to_wgs84(lng, lat)
    raise ValueError(f"unknown coordinate system: {system!r}")


EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS-84 points. Within a city
    its error against the ellipsoid is well under 0.5%, far below a phone's accuracy."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
