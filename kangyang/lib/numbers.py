"""Money and rates as people read them, for pages and files alike."""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

NONE = "—"
# Beyond this many decimals a rate that still rounds onto its target is cut towards its own
# side (99.99999 against 100 shows 99.999999%, never 100.0%).
MAX_PLACES = 6
# The .xlsx number format of money cells: thousands separators and two decimals.
MONEY_FORMAT = "#,##0.00"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def yuan(amount) -> str:
    """¥2,306,550.00; -¥12.50; "—" for None or what is not a number."""
    number = _decimal(amount)
    if number is None:
        return NONE
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    return f"{sign}¥{abs(number):,.2f}"


def percent_places(rate: Decimal, target: Decimal | None, places: int = 1) -> tuple[Decimal, int]:
    """`rate` rounded to `places` decimals, or to more when that rounding would put it on the
    other side of `target` (at or above it, or below it) than the rate itself."""
    above = target is not None and rate >= target
    for p in range(places, MAX_PLACES + 1):
        shown = rate.quantize(Decimal(1).scaleb(-p), rounding=ROUND_HALF_UP)
        if target is None or (shown >= target) == above:
            return shown, p
    # Still across at the last place: cut towards the rate's own side.
    cut = ROUND_CEILING if above else ROUND_FLOOR
    return rate.quantize(Decimal(1).scaleb(-MAX_PLACES), rounding=cut), MAX_PLACES


def percent(rate, target=None, *, places: int = 1) -> str:
    """A rate in percent (98.97 for 98.97 %) as "98.97%": one decimal unless more are needed to
    keep it on its side of `target` (in percent too); "—" for None."""
    number = _decimal(rate)
    if number is None:
        return NONE
    shown, p = percent_places(number, _decimal(target), places)
    return f"{shown:.{p}f}%"
