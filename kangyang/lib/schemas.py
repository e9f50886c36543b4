"""Strict input types for API schemas: dates, months and datetimes only as ISO strings; and
the one output form of a datetime (UtcDatetime).

Pydantic's lax mode reads a number as a Unix timestamp, so `{"date": 0}` or `?month=0`
would be 1970-01-01. These types accept the ISO text form only (and the Python value
itself, for code that builds a schema directly). Their OpenAPI form is the same as the
plain type's, with the pattern added.
"""

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MONTH = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
# RFC 3339: a date, "T" (or a space), a time, and an offset or Z; fractions allowed.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        return value.strip()
    raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")


def _iso_month(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.replace(day=1)
    if isinstance(value, str):
        found = _MONTH.fullmatch(value.strip())
        if found:
            year, month, day = int(found[1]), int(found[2]), int(found[3] or 1)
            if not 1 <= month <= 12:
                raise PydanticCustomError("month_range", "The month should be from 1 to 12")
            try:
                dt.date(year, month, day)
            except ValueError:
                raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD") from None
            if year < 1:
                raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")
            return dt.date(year, month, 1)
    raise PydanticCustomError("month_parsing", "Input should be a month as YYYY-MM (or a day of it, YYYY-MM-DD)")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATETIME.fullmatch(value.strip()):
        return value.strip()
    raise PydanticCustomError("datetime_parsing", "Input should be a date and time as RFC 3339")


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError("timezone_aware", "Input should have timezone info")
    return value


# A calendar date given as "YYYY-MM-DD".
StrictDate = Annotated[
    dt.date, BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-12-01"]}),
]

# A month given as "YYYY-MM" (or any day of it as "YYYY-MM-DD"); the value is its first day.
# The month number must be 1–12.
Month = Annotated[
    dt.date, BeforeValidator(_iso_month),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "examples": ["2026-12"]}),
]

# A month of the year by number, 1–12.
MonthNumber = Annotated[int, Field(ge=1, le=12)]

# A date and time with its offset, given as RFC 3339 text ("2026-12-02T11:00:00+08:00").
StrictAwareDatetime = Annotated[
    dt.datetime, BeforeValidator(_iso_datetime), AfterValidator(_aware),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

def _utc_z(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


# An output datetime, the API's one form: RFC 3339 in UTC with "Z" ("2026-12-02T03:00:00Z"),
# whatever the installation's time zone. Inputs may carry any offset (StrictAwareDatetime).
UtcDatetime = Annotated[
    dt.datetime, PlainSerializer(_utc_z, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-12-02T03:00:00Z"]}),
]

# Ids and counts a database integer column can hold (PostgreSQL bigint, SQLite INTEGER).
DB_INT_MAX = 2**63 - 1
