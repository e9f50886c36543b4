"""The rules of home services as plain functions: who pays what, and when a visit needs a
supervisor's look. No database here; actions.py applies them."""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from kangyang.services import constants
from kangyang.services.models import ServiceVisitFlag

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
Code = ServiceVisitFlag.Code


@dataclass(frozen=True)
class Split:
    """Who pays an order's price: the service allowance, the consumption voucher, the elder."""

    price: Decimal
    allowance: Decimal
    voucher: Decimal
    own: Decimal

    def __post_init__(self):
        assert self.allowance + self.voucher + self.own == self.price, "shares must add up to the price"


def order_price(unit_price: Decimal, quantity: int) -> Decimal:
    return (unit_price * quantity).quantize(FEN)


def split_price(price: Decimal, *, voucher_cover: Decimal, allowance_balance: Decimal) -> Split:
    """Subsidy first, then self-pay (SYSTEM.md). The consumption voucher pays first, what its
    share of the price allows and its balance holds (`voucher_cover`, worked out by the
    allowances app): it expires at the end of the month, while the service allowance
    carries over. The service allowance pays what it can of the rest; the elder pays the
    remainder. Every share is to the fen and never negative."""
    voucher = max(ZERO, min(voucher_cover, price)).quantize(FEN, rounding=ROUND_DOWN)
    allowance = max(ZERO, min(allowance_balance, price - voucher)).quantize(FEN, rounding=ROUND_DOWN)
    return Split(price=price, allowance=allowance, voucher=voucher, own=price - voucher - allowance)


def location_flag(distance_m: float | None, accuracy_m: float | None, *, radius_m: float, far: str) -> str | None:
    """The flag a check-in or check-out point earns, or None when it passes: within the
    radius of the home passes whatever the accuracy; farther, it is `far` — unless the
    phone's own accuracy circle reaches into the radius, when it is only imprecise."""
    if distance_m is None:
        return Code.NO_LOCATION
    if distance_m <= radius_m:
        return None
    if accuracy_m is not None and distance_m - accuracy_m <= radius_m:
        return Code.IMPRECISE
    return far


def too_short(minutes: float, planned_minutes: int) -> bool:
    return minutes < constants.TOO_SHORT_SHARE * planned_minutes


def impossible_travel(distance_m: float, elapsed: dt.timedelta) -> bool:
    """Faster than an e-bike may go, in a straight line, between two homes."""
    seconds = elapsed.total_seconds()
    if distance_m <= 0:
        return False
    if seconds <= 0:
        return True
    return distance_m / seconds * 3.6 > constants.IMPOSSIBLE_SPEED_KMH


def overlap(a_start: dt.datetime, a_end: dt.datetime | None, b_start: dt.datetime, b_end: dt.datetime | None) -> bool:
    """Two visits of one caregiver overlap; an open visit (no end yet) lasts until now."""
    far = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    return a_start < (b_end or far) and b_start < (a_end or far)


def check_in_timing(moment: dt.datetime, window_start: dt.datetime, window_end: dt.datetime, *,
                    early: dt.timedelta) -> tuple[str, int] | None:
    """The flag a check-in's time earns, with the minutes it is off, or None when it passes:
    earlier than `early` before the window (KANGYANG_EARLY_CHECK_IN_HOURS), or after the
    window's end (service starts inside the window)."""
    if moment < window_start - early:
        return Code.EARLY_CHECK_IN, int((window_start - moment).total_seconds() // 60)
    if moment > window_end:
        return Code.LATE_CHECK_IN, int((moment - window_end).total_seconds() // 60)
    return None
