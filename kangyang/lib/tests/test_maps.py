"""Map tiles (KANGYANG_MAP_TILES) and the approximate outlines: each source's coordinate system,
the Content-Security-Policy's img-src, and outlines that partition the area."""

import math
import random

import pytest
from django.core.exceptions import ImproperlyConfigured

from kangyang.lib import geometry, maps
from kangyang.lib.coords import wgs84_to_gcj02


def test_no_tiles_by_default_and_nothing_to_allow():
    source = maps.tile_source("none")
    assert not source.has_tiles and source.as_json() is None and source.img_sources == ()
    assert source.project(28.66, 115.89) == (28.66, 115.89)


def test_amap_draws_in_gcj02_so_points_are_converted():
    source = maps.tile_source("amap")
    lat, lng = source.project(28.66, 115.89)
    g_lng, g_lat = wgs84_to_gcj02(115.89, 28.66)
    assert (lat, lng) == (round(g_lat, 6), round(g_lng, 6))
    # The GCJ-02 offset in Nanchang is hundreds of metres, not noise.
    assert 200 < math.dist((lat * 111_195, lng * 97_600), (28.66 * 111_195, 115.89 * 97_600)) < 1000
    assert source.img_sources == ("https://*.is.autonavi.com",) and source.as_json()["system"] == "gcj02"


def test_tianditu_keeps_wgs84_and_needs_the_bureaus_key():
    with pytest.raises(ImproperlyConfigured, match="KANGYANG_TIANDITU_KEY"):
        maps.tile_source("tianditu")
    source = maps.tile_source("tianditu", tianditu_key="abc123")
    assert source.project(28.66, 115.89) == (28.66, 115.89)
    assert len(source.layers) == 2 and all("tk=abc123" in layer for layer in source.layers)  # streets + labels
    assert source.img_sources == ("https://*.tianditu.gov.cn",)


def test_a_self_hosted_tile_server_is_allowed_by_its_host_only():
    source = maps.tile_source("https://tiles.example:8443/osm/{z}/{x}/{y}.png", attribution="© OSM")
    assert source.img_sources == ("https://tiles.example:8443",) and source.attribution == "© OSM"
    assert source.project(28.66, 115.89) == (28.66, 115.89)
    assert maps.tile_source("https://{s}.tiles.example/{z}/{x}/{y}.png").img_sources == ("https://*.tiles.example",)
    assert maps.tile_source("/tiles/{z}/{x}/{y}.png").img_sources == ()  # this site: 'self'


@pytest.mark.parametrize("value", [
    "https://tiles.example/{z}/{x}.png",  # no {y}
    "ftp://tiles.example/{z}/{x}/{y}.png",
    "https://tiles.example/{z}/{x}/{y}.png; script-src *",
    "https://a.{s}.example/{z}/{x}/{y}.png",
    "google",
])
def test_a_wrong_tile_setting_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured):
        maps.tile_source(value)


def test_the_policy_allows_the_tile_host_only_when_configured(client, settings, admin):
    client.force_login(admin)
    policy = client.get("/registry/")["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy and "autonavi" not in policy
    settings.MAP_TILES = maps.tile_source("amap")
    policy = client.get("/registry/")["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.is.autonavi.com;" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy  # images only


# -- the outlines ---------------------------------------------------------------------------

def test_voronoi_cells_partition_the_area_and_hold_their_sites():
    rng = random.Random(7)
    sites = [(rng.uniform(0, 5000), rng.uniform(0, 5000)) for _ in range(60)]
    area = geometry.padded_hull(sites, 300)
    cells = geometry.voronoi_cells(sites, area)
    assert sum(geometry.polygon_area(c) for c in cells) == pytest.approx(geometry.polygon_area(area), rel=1e-9)
    for site, cell in zip(sites, cells):
        # Inside its own convex cell: on the left of every edge of the counter-clockwise ring.
        assert all(geometry._cross(cell[i], cell[(i + 1) % len(cell)], site) >= -1e-6 for i in range(len(cell)))


def test_without_tiles_the_wall_map_draws_community_outlines(settings, tree):
    from kangyang.indicators.wall import map_config
    from kangyang.regions.outlines import community_places

    places = {p.code: p for p in community_places(tree.code)}
    assert set(places) == {"360103001001", "360103002001"}
    config = map_config(tree)
    assert config["tiles"] is None and config["note"]  # drawn on a plain background, said to be approximate
    outlines = {a["id"]: a["outline"] for a in config["areas"]}
    assert all(len(o) >= 3 for o in outlines.values())
    # Community A's compound (28.66, 115.89) lies in A's cell, not in B's.
    plane = geometry.LocalPlane(28.65)
    a = [plane.to_xy(*p) for p in outlines["360103001001"]]
    x, y = plane.to_xy(28.66, 115.89)
    assert all(geometry._cross(a[i], a[(i + 1) % len(a)], (x, y)) >= 0 for i in range(len(a)))


def test_with_amap_tiles_the_outlines_are_in_gcj02(settings, tree):
    from kangyang.indicators.wall import map_config

    plain = {a["id"]: a["outline"] for a in map_config(tree)["areas"]}
    settings.MAP_TILES = maps.tile_source("amap")
    config = map_config(tree)
    assert config["tiles"]["layers"][0].startswith("https://webrd0{s}.is.autonavi.com/")
    assert not config["note"]
    converted = {a["id"]: a["outline"] for a in config["areas"]}
    lat, lng = plain["360103001001"][0]
    g_lng, g_lat = wgs84_to_gcj02(lng, lat)
    assert converted["360103001001"][0] == (round(g_lat, 6), round(g_lng, 6))
