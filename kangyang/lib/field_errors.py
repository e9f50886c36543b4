"""Pydantic's field errors in the caller's language.

Pydantic words its errors in English ("Input should be a valid string"). The API answers
in the request's language, so each error type it can raise on our schemas gets a
message of our own, through gettext; a type we have not named gets a generic one.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _limit(ctx: Mapping[str, Any], key: str) -> Any:
    return ctx.get(key, "")


def _count(ctx: Mapping[str, Any], key: str) -> int:
    try:
        return int(ctx.get(key, 0))
    except (TypeError, ValueError):
        return 0


def _choices(ctx: Mapping[str, Any]) -> str:
    # pydantic gives "'a', 'b' or 'c'"; keep the values, drop its English "or".
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", ", ")


def _too_long(ctx: Mapping[str, Any]) -> str:
    n = _count(ctx, "max_length")
    return ngettext("Send at most %(n)d item.", "Send at most %(n)d items.", n) % {"n": n}


def _too_short(ctx: Mapping[str, Any]) -> str:
    n = _count(ctx, "min_length")
    return ngettext("Send at least %(n)d item.", "Send at least %(n)d items.", n) % {"n": n}


def _string_too_long(ctx: Mapping[str, Any]) -> str:
    n = _count(ctx, "max_length")
    return ngettext("Enter at most %(n)d character.", "Enter at most %(n)d characters.", n) % {"n": n}


def _string_too_short(ctx: Mapping[str, Any]) -> str:
    n = _count(ctx, "min_length")
    if n <= 1:
        return _("This field may not be empty.")
    return ngettext("Enter at least %(n)d character.", "Enter at least %(n)d characters.", n) % {"n": n}


def _value_error(ctx: Mapping[str, Any]) -> str:
    # Our own validators raise ValueError with a message that is already translated.
    error = ctx.get("error")
    return str(error) if error else _("Enter a valid value.")


# Error type → message. The English texts are the gettext source (CONVENTIONS.md §11).
MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("This field is not allowed."),
    "string_type": lambda ctx: _("Enter text."),
    "string_unicode": lambda ctx: _("Enter text."),
    "string_too_long": _string_too_long,
    "string_too_short": _string_too_short,
    "string_pattern_mismatch": lambda ctx: _("Enter a value in the expected format."),
    "too_long": _too_long,
    "too_short": _too_short,
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_parsing_size": lambda ctx: _("This number is too large."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "float_type": lambda ctx: _("Enter a number."),
    "float_parsing": lambda ctx: _("Enter a number."),
    "finite_number": lambda ctx: _("Enter a finite number."),
    "decimal_type": lambda ctx: _("Enter a number."),
    "decimal_parsing": lambda ctx: _("Enter a number."),
    "decimal_max_digits": lambda ctx: _("Enter a number with at most %(n)s digits.") % {
        "n": _limit(ctx, "max_digits")},
    "decimal_max_places": lambda ctx: _("Enter a number with at most %(n)s decimal places.") % {
        "n": _limit(ctx, "decimal_places")},
    "decimal_whole_digits": lambda ctx: _("Enter a number with fewer digits before the decimal point."),
    "bool_type": lambda ctx: _("Enter true or false."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "greater_than": lambda ctx: _("Enter a value greater than %(limit)s.") % {"limit": _limit(ctx, "gt")},
    "greater_than_equal": lambda ctx: _("Enter a value of at least %(limit)s.") % {"limit": _limit(ctx, "ge")},
    "less_than": lambda ctx: _("Enter a value less than %(limit)s.") % {"limit": _limit(ctx, "lt")},
    "less_than_equal": lambda ctx: _("Enter a value of at most %(limit)s.") % {"limit": _limit(ctx, "le")},
    "date_type": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "month_parsing": lambda ctx: _("Enter a month as YYYY-MM."),
    "month_range": lambda ctx: _("The month must be from 1 to 12."),
    "datetime_type": lambda ctx: _("Enter a date and time, e.g. 2026-12-02T11:00:00+08:00."),
    "datetime_parsing": lambda ctx: _("Enter a date and time, e.g. 2026-12-02T11:00:00+08:00."),
    "datetime_from_date_parsing": lambda ctx: _("Enter a date and time, e.g. 2026-12-02T11:00:00+08:00."),
    "timezone_aware": lambda ctx: _("Give the time with its offset from UTC, e.g. +08:00."),
    "time_type": lambda ctx: _("Enter a time as HH:MM."),
    "time_parsing": lambda ctx: _("Enter a time as HH:MM."),
    "enum": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": _choices(ctx)},
    "literal_error": lambda ctx: _("Choose one of: %(choices)s.") % {"choices": _choices(ctx)},
    "json_invalid": lambda ctx: _("The body is not valid JSON."),
    "json_type": lambda ctx: _("The body is not valid JSON."),
    "model_type": lambda ctx: _("Send an object."),
    "model_attributes_type": lambda ctx: _("Send an object."),
    "dict_type": lambda ctx: _("Send an object."),
    "list_type": lambda ctx: _("Send a list."),
    "set_type": lambda ctx: _("Send a list."),
    "tuple_type": lambda ctx: _("Send a list."),
    "union_tag_invalid": lambda ctx: _("Enter a valid value."),
    "url_parsing": lambda ctx: _("Enter a valid URL."),
    "value_error": _value_error,
    "assertion_error": _value_error,
}


def message_for(error: Mapping[str, Any]) -> str:
    """The caller's-language message for one pydantic error (a dict of `errors()`)."""
    make = MESSAGES.get(str(error.get("type", "")))
    if make is None:
        return _("Enter a valid value.")
    return make(error.get("ctx") or {})
