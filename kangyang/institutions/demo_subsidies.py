"""Demo data of the institutions' subsidies topic (kangyang/institutions/demo.py calls it, after
the register's demo has made the institutions and residents).

The rates are EXAMPLES, not any bureau's policy: a construction subsidy of ¥10,000 per new bed
(¥15,000 per new nursing bed), and an operating subsidy per occupied bed-month of ¥100 (intact,
level 0), ¥150, ¥200, ¥250 and ¥300 (complete loss, level 4), ¥100 for a resident not assessed,
valid from the first day of last year. The rolls: the last three months of the district, the
oldest approved and paid, the one before this approved, this month's a draft. Calling it again
adds what is missing and changes nothing made already.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.institutions.actions import subsidies as actions
from kangyang.institutions.models import SubsidyRate, SubsidyRoll

EXAMPLE_CONSTRUCTION = Decimal(10_000)
EXAMPLE_CONSTRUCTION_NURSING = Decimal(15_000)
EXAMPLE_OPERATING = {None: Decimal(100), 0: Decimal(100), 1: Decimal(150), 2: Decimal(200), 3: Decimal(250),
                     4: Decimal(300)}


def _months_back(today: dt.date, n: int) -> dt.date:
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1)


def seed_rates(district) -> int:
    if SubsidyRate.objects.filter(region_code=district.code).exists():
        return 0
    start = dt.date(timezone.localdate().year - 1, 1, 1)
    rates = [SubsidyRate(region=district, region_code=district.code, kind=SubsidyRate.Kind.CONSTRUCTION,
                         amount=EXAMPLE_CONSTRUCTION, valid_from=start),
             SubsidyRate(region=district, region_code=district.code, kind=SubsidyRate.Kind.CONSTRUCTION,
                         nursing_only=True, amount=EXAMPLE_CONSTRUCTION_NURSING, valid_from=start)]
    rates += [SubsidyRate(region=district, region_code=district.code, kind=SubsidyRate.Kind.OPERATING,
                          care_level=level, amount=amount, valid_from=start)
              for level, amount in EXAMPLE_OPERATING.items()]
    SubsidyRate.objects.bulk_create(rates)
    return len(rates)


def seed_rolls(district, *, today: dt.date | None = None, by=None) -> list[SubsidyRoll]:
    today = today or timezone.localdate()
    made = []
    for back, steps in ((2, 2), (1, 1), (0, 0)):
        month = _months_back(today, back)
        if SubsidyRoll.objects.filter(region=district, month=month).exists():
            continue
        roll = actions._make(district, month, by)
        if steps >= 1:
            roll = actions._approve(roll, by)
        if steps >= 2:
            roll = actions._pay(roll, by)
        made.append(roll)
    return made


def seed(*, district, rng, elders: int) -> str:
    rates = seed_rates(district)
    rolls = seed_rolls(district)
    if not rates and not rolls:
        return ""
    return _("%(rates)d example subsidy rates, %(rolls)d subsidy rolls") % {"rates": rates, "rolls": len(rolls)}


def seed_accounts(*, accounts: dict, district, rng) -> str:
    """The demo's approved rolls were approved by the district's bureau admin."""
    admin = accounts.get("admin")
    if admin is None:
        return ""
    n = SubsidyRoll.objects.filter(region=district, approved_by__isnull=True).exclude(
        status=SubsidyRoll.Status.DRAFT).update(approved_by=admin)
    return _("%(n)d subsidy rolls approved by %(user)s") % {"n": n, "user": admin.username} if n else ""
