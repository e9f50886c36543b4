"""WGS-84 ↔ GCJ-02 ↔ BD-09: the published transforms and their iterative inverses."""

import pytest
from hypothesis import given, settings, strategies as st

from kangyang.lib import coords

# Tiananmen (116.404, 39.915): the reference values of wandergis/coordtransform (test/app.js).
POINT = (116.404, 39.915)


def close(a, b, tol=1e-9):
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


def test_wgs84_to_gcj02_matches_the_published_reference():
    assert close(coords.wgs84_to_gcj02(*POINT), (116.41024449916938, 39.91640428150164))


def test_gcj02_to_bd09_matches_the_published_reference():
    assert close(coords.gcj02_to_bd09(*POINT), (116.41036949371029, 39.92133699351021))


def test_bd09_to_gcj02_agrees_with_the_one_step_formula_to_a_few_centimetres():
    # The one-step formula (coordtransform: 116.39762729119315, 39.90865673957631) is itself
    # approximate; the iterated inverse differs from it by well under 1e-6 degrees.
    assert close(coords.bd09_to_gcj02(*POINT), (116.39762729119315, 39.90865673957631), tol=1e-6)


def test_gcj02_to_wgs84_is_exact_where_the_one_step_formula_is_off_by_metres():
    wgs = coords.gcj02_to_wgs84(*POINT)
    assert close(coords.wgs84_to_gcj02(*wgs), POINT, tol=1e-8)
    # the common one-step answer (116.39775550083061, 39.91359571849836) is ~1e-6 away
    assert not close(wgs, (116.39775550083061, 39.91359571849836), tol=1e-7)


def test_a_known_point_of_nanchang_round_trips_through_all_three_systems():
    wgs = (115.8921, 28.6765)  # Bayi Square, Nanchang (WGS-84)
    gcj = coords.wgs84_to_gcj02(*wgs)
    bd = coords.wgs84_to_bd09(*wgs)
    # the GCJ-02 offset there is some 470 m east and 370 m south
    assert 0.0045 < gcj[0] - wgs[0] < 0.0052 and -0.0036 < gcj[1] - wgs[1] < -0.0031
    assert close(coords.to_wgs84(*gcj, "gcj02"), wgs, tol=1e-6)
    assert close(coords.to_wgs84(*bd, "bd09"), wgs, tol=1e-6)


def test_outside_china_gcj02_is_wgs84():
    paris = (2.3522, 48.8566)
    assert coords.wgs84_to_gcj02(*paris) == paris
    assert coords.to_wgs84(*paris, "gcj02") == paris


def test_an_unknown_system_is_refused():
    with pytest.raises(ValueError):
        coords.to_wgs84(*POINT, "utm")


@settings(max_examples=300, deadline=None)
@given(st.floats(73.5, 135.0), st.floats(18.0, 53.5))
def test_every_inverse_is_within_1e_6_degrees_across_china(lng, lat):
    assert close(coords.gcj02_to_wgs84(*coords.wgs84_to_gcj02(lng, lat)), (lng, lat), tol=1e-6)
    assert close(coords.bd09_to_wgs84(*coords.wgs84_to_bd09(lng, lat)), (lng, lat), tol=1e-6)
