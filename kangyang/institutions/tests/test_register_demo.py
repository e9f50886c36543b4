"""The register's demo data (demo_register.seed): every kind, residents from the registry,
deterministic, callable twice."""

import random

import pytest

from kangyang.institutions import demo_register
from kangyang.institutions.models import CentralisedCareWish, Institution, Resident
from kangyang.institutions.queries import register as queries
from kangyang.ops import demo
from kangyang.regions import demo as regions_demo
from kangyang.registry import demo as registry_demo


@pytest.fixture(scope="module")
def seeded(shared_data):
    def make():
        district = demo.get_district()
        regions_demo.seed_demo(district=district, rng=random.Random("regions"), elders=3000)
        registry_demo.seed_demo(district=district, rng=random.Random("registry"), elders=3000)
        text = demo_register.seed(district=district, rng=random.Random("register"), elders=3000)
        return district, text

    yield from shared_data(make)


def test_every_kind_and_residents(seeded):
    district, text = seeded
    institutions = Institution.objects.filter(region_code__startswith=district.prefix)
    assert set(institutions.values_list("kind", flat=True)) == set(Institution.Kind.values)
    assert 25 <= institutions.count() <= 40, text
    assert institutions.filter(ownership="public").exists() and institutions.filter(ownership="private").exists()
    # deliberate shortfalls and flags
    assert institutions.filter(kind="subdistrict_centre", beds_total=36).exists()
    assert institutions.filter(kind="day_care_centre", floor_area_m2=180).exists()
    assert 1 <= queries.flagged_funds(institutions).count() <= 2
    assert queries.expiring_documents(institutions).exists()
    # residents from the registry; 特困 in centralised care in a township home
    rows = queries.with_occupancy(institutions)
    assert sum(r.beds_occupied for r in rows) == Resident.objects.filter(region_code__startswith=district.prefix).count() > 0
    assert all(r.beds_occupied <= r.beds_total for r in rows)
    care = Resident.objects.filter(centralised_care=True)
    assert care.exists() and care.filter(institution__kind="township_home").exists()
    assert all(s.elder.categories and "extreme_poverty" in s.elder.categories for s in care)
    assert CentralisedCareWish.objects.exists()
    # coordinates in the district's area
    assert all(28 < i.lat < 29.5 and 115 < i.lng < 116.5 for i in institutions if i.lat is not None)


def test_second_call_adds(seeded):
    district, _text = seeded
    before = Institution.objects.count()
    residents = Resident.objects.count()
    demo_register.seed(district=district, rng=random.Random("again"), elders=3000)
    assert Institution.objects.count() > before
    assert Resident.objects.count() >= residents
    names = list(Institution.objects.values_list("name", flat=True))
    assert len(names) == len(set(names))
