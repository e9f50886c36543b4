"""Home-service fixtures: the catalogue, the `provider` persona's organisation as a provider
serving subdistrict 1 (community A, not B), its caregivers with shifts and home bases, and
an elder of community A whose allowances were paid through real payment rolls.

Times: orders are placed for `tomorrow` at fixed local hours, so tests run the same at any
time of day; settlement is issued "next month" by passing `now=` to the action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.services import actions
from kangyang.services.constants import CATALOGUE
from kangyang.services.models import ServiceItem
from kangyang.allowances import actions as allowances
from kangyang.allowances.models import PaymentRoll
from kangyang.allowances.tests.conftest import (  # noqa: F401  (fixtures)
    approve_all, assess, born, generate, last_month, service, this_month, voucher,
)

# Community A's compound is at (28.66, 115.89) (the project conftest).
HOME = (28.66, 115.89)
ALL_DAY = {d: (dt.time(7), dt.time(20)) for d in range(1, 8)}


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def metres_north(point, metres: float) -> tuple[float, float]:
    """A point `metres` north of `point` (1° of latitude ≈ 111,195 m)."""
    return point[0] + metres / 111_195, point[1]


@pytest.fixture(autouse=True)
def _check_in_a_day_early(settings):
    """Orders here are for `tomorrow` and their visits are checked in now: a check-in that
    early is flagged (KANGYANG_EARLY_CHECK_IN_HOURS), which test_check_in_time.py tests on its
    own; the other tests allow it, so that each checks only its own flags."""
    settings.EARLY_CHECK_IN = dt.timedelta(hours=48)


@pytest.fixture
def tomorrow(today):
    return today + dt.timedelta(days=1)


@pytest.fixture
def catalogue(db):
    """The catalogue of constants.CATALOGUE, by code."""
    items = {}
    for i, (code, name, category, unit, minutes, skill, payable, _price) in enumerate(CATALOGUE):
        items[code] = actions.add_service_item(by=None, code=code, name=name, category=category, unit=unit,
                                               duration_minutes=minutes, skill=skill, payable_by=payable, position=i)
    return items


@pytest.fixture
def home_provider(provider_org, subdistrict_1, catalogue):
    """The `provider` persona's organisation, serving subdistrict 1, at its example prices."""
    p = actions.register_provider(by=None, organisation=provider_org, areas=[subdistrict_1],
                                  lat=28.655, lng=115.885, phone="079188886666")
    for code, *_rest, price in CATALOGUE:
        actions.set_price(p, by=None, item=catalogue[code], price=price)
    return p


@pytest.fixture
def carer(home_provider, caregiver):
    """The `caregiver` persona's profile: every skill, on shift 7:00–20:00 every day, living
    1 km north of community A's compound."""
    from kangyang.services.models import Skill

    lat, lng = metres_north(HOME, 1000)
    c = actions.add_caregiver(home_provider, by=None, name="熊秀梅", skills=Skill.values, phone="13979112345",
                              level=4, home_lat=lat, home_lng=lng, user=caregiver)
    return actions.set_shifts(c, by=None, shifts=ALL_DAY)


@pytest.fixture
def far_carer(home_provider):
    """A second caregiver with every skill but no account, living 5 km south."""
    from kangyang.services.models import Skill

    lat, lng = metres_north(HOME, -5000)
    c = actions.add_caregiver(home_provider, by=None, name="万丽", skills=Skill.values, home_lat=lat, home_lng=lng)
    return actions.set_shifts(c, by=None, shifts=ALL_DAY)


@pytest.fixture
def funded_elder(admin, subdistrict, worker_a, community_a, service, voucher, generate, this_month, last_month, district):
    """An elder of community A, 78, on the minimum living allowance and assessed at level 2:
    this month's service allowance (¥100, example amount) and consumption voucher (¥800,
    paying 50% of a home-service price) credited through approved payment rolls."""
    number = residentid.make("360103", dt.date(1948, 5, 16), 24)
    elder = create_elder(by=worker_a, name="周淑英", id_number=number, community=community_a,
                         categories=["low_income"], compound=community_a.compounds.first(),
                         address="桃花小区1栋101")
    assess(elder, 2, on=last_month)
    for policy in (service, voucher):
        generate(admin, policy, this_month, district)
        roll = approve_all(PaymentRoll.objects.get(policy=policy, month=this_month),
                           worker=worker_a, officer=subdistrict, admin=admin)
        allowances.credit_voucher_roll(roll, by=admin)
    return elder


@pytest.fixture
def meal(catalogue) -> ServiceItem:
    return catalogue["meal"]


__all__ = ["Decimal", "local", "metres_north", "HOME", "ALL_DAY"]
