"""Map tiles: which tile server the pages' maps draw on, and the coordinate system its tiles
are drawn in (KANGYANG_MAP_TILES, README).

Kangyang stores WGS-84. Each source says its system and `TileSource.project` converts a
stored point into it before a page gets it:

* ``none`` (the default, and the demo's): no tiles. Maps draw region outlines and points on
  a plain background; they work offline and ask no outside host for anything.
* ``tianditu``: 天地图, the national platform's Web-Mercator tiles (vec_w, with the
  annotation layer cva_w), with the bureau's browser key (KANGYANG_TIANDITU_KEY). Its datum
  is CGCS2000, which agrees with WGS-84 to a few centimetres: points are drawn as stored.
* ``amap``: AMap's (高德) street tiles, drawn in GCJ-02 (the offset system every map of a
  mainland Chinese provider uses): points are converted to GCJ-02 (lib/coords.py), else
  they would stand a few hundred metres off their streets.
* a URL template with ``{z}``, ``{x}`` and ``{y}`` (and optionally ``{s}``): a tile server
  of the bureau's own, e.g. OpenStreetMap tiles rendered in-house. Taken as WGS-84, as
  OpenStreetMap is.

Only a configured source's host is added to the Content-Security-Policy's img-src
(`img_sources`); with ``none`` the pages load no image from anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from kangyang.lib.coords import wgs84_to_gcj02

NONE, TIANDITU, AMAP, URL = "none", "tianditu", "amap", "url"
WGS84, GCJ02 = "wgs84", "gcj02"

# The national platform's WMTS in Web Mercator ("_w"): streets, and the Chinese labels over them.
TIANDITU_LAYER = ("https://t{s}.tianditu.gov.cn/%(layer)s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                  "&LAYER=%(layer)s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                  "&TILECOL={x}&tk=%(key)s")
AMAP_LAYER = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
DEFAULT_ATTRIBUTION = {
    TIANDITU: "© 天地图 国家地理信息公共服务平台",
    AMAP: "© 高德地图 AutoNavi",
    URL: "© OpenStreetMap contributors",
}


@dataclass(frozen=True)
class TileSource:
    """A tile server as the maps use it: the layers' URL templates (Leaflet's {s} {z} {x} {y}),
    the system its tiles are drawn in, and the hosts the browser must be allowed to load from."""

    kind: str = NONE
    layers: tuple[str, ...] = ()
    subdomains: str = "abc"
    attribution: str = ""
    max_zoom: int = 18
    system: str = WGS84
    img_sources: tuple[str, ...] = ()

    @property
    def has_tiles(self) -> bool:
        return bool(self.layers)

    def project(self, lat: float, lng: float) -> tuple[float, float]:
        """A stored WGS-84 point as (lat, lng) in the tiles' system, rounded to about 10 cm."""
        if self.system == GCJ02:
            lng, lat = wgs84_to_gcj02(lng, lat)
        return round(lat, 6), round(lng, 6)

    def as_json(self) -> dict | None:
        """What static/js/map.js needs to load the tiles (None: draw on a plain background)."""
        if not self.has_tiles:
            return None
        return {"kind": self.kind, "layers": list(self.layers), "subdomains": self.subdomains,
                "attribution": self.attribution, "maxZoom": self.max_zoom, "system": self.system}


def _origin_of(template: str, name: str) -> str:
    """The CSP source of a tile URL's host ({s} as the first label becomes a wildcard)."""
    parts = urlsplit(template)
    host = parts.netloc
    if "@" in host:
        raise ImproperlyConfigured(f"{name} must not carry credentials in its host")
    if "{s}" in host:
        if not host.startswith("{s}.") or host.count("{s}") != 1:
            raise ImproperlyConfigured(f"{name}: {{s}} may only stand as the first label of the host")
        host = "*." + host[len("{s}."):]
    if not host or any(c in host for c in " ;,'\"{}"):
        raise ImproperlyConfigured(f"{name} has no usable host")
    return f"{parts.scheme}://{host}"


def tile_source(value: str, *, tianditu_key: str = "", attribution: str = "", subdomains: str = "",
                name: str = "KANGYANG_MAP_TILES") -> TileSource:
    """The tile source an environment describes, or ImproperlyConfigured saying what is wrong."""
    value = (value or NONE).strip()
    if value == NONE:
        return TileSource()
    if value == TIANDITU:
        key = (tianditu_key or "").strip()
        if not key or not all(c.isalnum() for c in key):
            raise ImproperlyConfigured(
                f"{name}=tianditu needs the bureau's browser key in KANGYANG_TIANDITU_KEY (letters and digits)")
        layers = tuple(TIANDITU_LAYER % {"layer": layer, "key": key} for layer in ("vec", "cva"))
        return TileSource(kind=TIANDITU, layers=layers, subdomains="01234567",
                          attribution=attribution or DEFAULT_ATTRIBUTION[TIANDITU], max_zoom=18, system=WGS84,
                          img_sources=("https://*.tianditu.gov.cn",))
    if value == AMAP:
        return TileSource(kind=AMAP, layers=(AMAP_LAYER,), subdomains="1234",
                          attribution=attribution or DEFAULT_ATTRIBUTION[AMAP], max_zoom=18, system=GCJ02,
                          img_sources=("https://*.is.autonavi.com",))
    if not all(part in value for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(
            f"{name} must be none, tianditu, amap, or a tile URL template with {{z}}, {{x}} and {{y}}, not {value!r}")
    if any(c in value for c in " '\"<>;"):
        raise ImproperlyConfigured(f"{name} must be a URL without spaces, quotes or semicolons")
    if value.startswith("/") and not value.startswith("//"):
        sources: tuple[str, ...] = ()  # tiles served by this site ('self')
    elif value.startswith(("https://", "http://")):
        sources = (_origin_of(value, name),)
    else:
        raise ImproperlyConfigured(f"{name}: a tile URL must start with https://, http:// or / (this site)")
    return TileSource(kind=URL, layers=(value,), subdomains=subdomains or "abc",
                      attribution=attribution or DEFAULT_ATTRIBUTION[URL], max_zoom=19, system=WGS84,
                      img_sources=sources)


# AMap's URI API (https://lbs.amap.com/api/uri-api/guide/travel/route): a route from where the
# phone is to a point given in GCJ-02 as lon,lat[,name]; "ride" is by bicycle or e-bike, as
# caregivers go; callnative=1 opens the AMap app when the phone has it, else AMap's web page.
AMAP_NAVIGATION = "https://uri.amap.com/navigation"


def web_navigation(source: TileSource, lat: float, lng: float, *, label: str = "") -> str | None:
    """A link that opens turn-by-turn directions to a stored WGS-84 point in the web map of
    the configured tile provider, or None.

    Only AMap has one: the bureau that chose AMap's tiles has accepted that points go to
    AMap. Tianditu publishes no documented link of this kind, a bureau's own tile server has
    none, and with ``none`` nothing is sent to any map provider: those pages keep the
    geo: URI only (which works offline and opens whichever map app the phone has). The
    link carries the point and a label, never an address or a name."""
    if source.kind != AMAP:
        return None
    from urllib.parse import urlencode

    glat, glng = source.project(lat, lng)
    to = f"{glng:.6f},{glat:.6f}" + (f",{label}" if label else "")
    return f"{AMAP_NAVIGATION}?{urlencode({'to': to, 'mode': 'ride', 'src': 'kangyang', 'callnative': 1}, safe=',')}"
