"""The building standards an institution or facility is checked against (issue 16 §3).

The numbers come from `facility_standards` of the plans' targets file — the shipped
kangyang/indicators/data/plan-targets.yaml, or the copy a bureau edited (indicators.TargetSet):
a region uses the latest version of the nearest bureau at or above it, as the indicators do.
A key missing from an edited copy (or not a number) falls back to the shipped value.

The rules, in words (README "Institutions: standards, indicators and subsidies"):

* a subdistrict centre (街道综合养老服务中心) has at least 40 beds, and at least 80% of them
  nursing beds;
* an embedded home (嵌入式养老院) has at least 750 m² of floor area and at least 25 beds;
* a day-care centre (日间照料中心) has at least 200 m² of floor area, 350 m² in a complete
  community (完整社区);
* a township home (敬老院) has at least 60% nursing beds when newly built, 50% when rebuilt
  or extended (an existing one is not held to a share);
* a newly built care home, embedded home or subdistrict centre has at least 80% nursing beds
  (for a subdistrict centre this is the same rule as its own share, and is shown once, unless
  an edited copy sets the two apart).

Each rule gives a `Check`: the number required, the number recorded, and passed True/False, or
None when the data are missing ("not recorded": no floor area, or no beds to take a share of).
Shares are compared exactly (79.99% is short of 80%, however it is rounded on screen).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml
from django.utils.translation import gettext as _

from kangyang.indicators import targets as T
from kangyang.regions import codes

BEDS, PERCENT, AREA = "beds", "percent", "m2"

# Rule codes.
SUBDISTRICT_BEDS = "subdistrict_centre_beds"
SUBDISTRICT_NURSING = "subdistrict_centre_nursing_share"
EMBEDDED_AREA = "embedded_home_floor_area"
EMBEDDED_BEDS = "embedded_home_beds"
DAY_CARE_AREA = "day_care_centre_floor_area"
TOWNSHIP_NURSING = "township_home_nursing_share"
NEW_NURSING = "new_institution_nursing_share"

NEW_INSTITUTION_KINDS = ("care_home", "embedded_home", "subdistrict_centre")

# The shipped numbers, used when the file lacks one.
DEFAULTS = {
    "subdistrict_centre": {"min_beds": 40, "min_nursing_bed_share": 80},
    "embedded_home": {"min_floor_area_m2": 750, "min_beds": 25},
    "day_care_centre": {"min_floor_area_m2": 200, "min_floor_area_m2_complete_community": 350},
    "new_institution_nursing_bed_share": 80,
    "township_home_nursing_bed_share": {"new": 60, "rebuilt": 50},
}


@dataclass(frozen=True)
class Check:
    code: str
    words: str  # the rule in words
    unit: str  # beds, percent or m2
    required: Decimal
    actual: Decimal | None  # None: not recorded
    passed: bool | None  # None: data missing

    @property
    def state(self) -> str:
        return {True: "passed", False: "short", None: "missing"}[self.passed]

    @property
    def required_text(self) -> str:
        return shown(self.required, self.unit)

    @property
    def actual_text(self) -> str:
        return _("not recorded") if self.actual is None else shown(self.actual, self.unit)

    @property
    def shortfall(self) -> Decimal | None:
        if self.passed is False and self.actual is not None:
            return self.required - self.actual
        return None


def shown(value: Decimal, unit: str) -> str:
    """A number of a rule as the pages show it: 79.99%, 749.9 m², 40 beds."""
    if unit == PERCENT:
        return f"{value.quantize(Decimal('0.01')).normalize():f}%"
    if unit == AREA:
        return f"{value.quantize(Decimal('0.1')).normalize():f} m²"
    return _("%(beds)s beds") % {"beds": f"{value.quantize(Decimal(1)):f}"}


@dataclass(frozen=True)
class Standards:
    """The numbers of one region's `facility_standards`."""

    subdistrict_min_beds: Decimal
    subdistrict_min_nursing_share: Decimal
    embedded_min_area: Decimal
    embedded_min_beds: Decimal
    day_care_min_area: Decimal
    day_care_min_area_complete: Decimal
    new_min_nursing_share: Decimal
    township_new_share: Decimal
    township_rebuilt_share: Decimal


def _number(data, *path) -> Decimal:
    value, default = data, DEFAULTS
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
        default = default[key]
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return Decimal(str(default))
    return number if number.is_finite() and value is not None and not isinstance(value, bool) else Decimal(str(default))


def parse(text: str) -> Standards:
    """The standards of a targets file's text (shipped values where it has none)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    data = data.get("facility_standards") if isinstance(data, dict) else None
    data = data if isinstance(data, dict) else {}
    return Standards(
        subdistrict_min_beds=_number(data, "subdistrict_centre", "min_beds"),
        subdistrict_min_nursing_share=_number(data, "subdistrict_centre", "min_nursing_bed_share"),
        embedded_min_area=_number(data, "embedded_home", "min_floor_area_m2"),
        embedded_min_beds=_number(data, "embedded_home", "min_beds"),
        day_care_min_area=_number(data, "day_care_centre", "min_floor_area_m2"),
        day_care_min_area_complete=_number(data, "day_care_centre", "min_floor_area_m2_complete_community"),
        new_min_nursing_share=_number(data, "new_institution_nursing_bed_share"),
        township_new_share=_number(data, "township_home_nursing_bed_share", "new"),
        township_rebuilt_share=_number(data, "township_home_nursing_bed_share", "rebuilt"),
    )


@functools.cache
def shipped() -> Standards:
    return parse(T.shipped_text())


@functools.lru_cache(maxsize=64)
def _parsed(text: str) -> Standards:
    return parse(text)


def standards_for(region_code: str) -> Standards:
    """The standards in force for a region: its nearest bureau's edited targets, or the shipped."""
    from kangyang.indicators.queries import target_set_for

    saved = target_set_for(region_code)
    return _parsed(saved.text) if saved else shipped()


class Book:
    """Standards for many regions with one query (a list page): every saved target set read
    once, each region resolved to its nearest bureau's latest version."""

    def __init__(self) -> None:
        from kangyang.indicators.models import TargetSet

        self._latest: dict[str, str] = {}
        for s in TargetSet.objects.order_by("region_code", "version").only("region_code", "text"):
            self._latest[s.region_code] = s.text

    def for_region(self, region_code: str) -> Standards:
        code = region_code
        while code is not None:
            if code in self._latest:
                return _parsed(self._latest[code])
            code = codes.parent_code_of(code)
        return shipped()


def share(part: int, whole: int) -> Decimal | None:
    """part / whole in percent, exact; None without a whole."""
    return Decimal(part) * 100 / Decimal(whole) if whole else None


def _at_least(code: str, words: str, unit: str, required: Decimal, actual: Decimal | None) -> Check:
    return Check(code=code, words=words, unit=unit, required=required, actual=actual,
                 passed=None if actual is None else actual >= required)


def _beds(institution) -> Decimal:
    return Decimal(institution.beds_total or 0)


def _area(institution) -> Decimal | None:
    area = institution.floor_area_m2
    return None if area is None else Decimal(area)


def _nursing_share(institution) -> Decimal | None:
    return share(institution.beds_nursing or 0, institution.beds_total or 0)


def check(institution, standards: Standards | None = None) -> list[Check]:
    """Every rule that applies to the institution, passed or not (module docstring)."""
    s = standards or standards_for(institution.region_code or institution.community.code)
    kind, built = institution.kind, institution.construction
    found: list[Check] = []
    if kind == "subdistrict_centre":
        found.append(_at_least(SUBDISTRICT_BEDS, _("A subdistrict centre has at least %(n)s beds.") % {
            "n": s.subdistrict_min_beds}, BEDS, s.subdistrict_min_beds, _beds(institution)))
        found.append(_at_least(SUBDISTRICT_NURSING, _("At least %(n)s%% of a subdistrict centre's beds are nursing "
                                                      "beds.") % {"n": s.subdistrict_min_nursing_share},
                               PERCENT, s.subdistrict_min_nursing_share, _nursing_share(institution)))
    elif kind == "embedded_home":
        found.append(_at_least(EMBEDDED_AREA, _("An embedded home has at least %(n)s m² of floor area.") % {
            "n": s.embedded_min_area}, AREA, s.embedded_min_area, _area(institution)))
        found.append(_at_least(EMBEDDED_BEDS, _("An embedded home has at least %(n)s beds.") % {
            "n": s.embedded_min_beds}, BEDS, s.embedded_min_beds, _beds(institution)))
    elif kind == "day_care_centre":
        if institution.complete_community:
            words = _("A day-care centre in a complete community has at least %(n)s m² of floor area.")
            required = s.day_care_min_area_complete
        else:
            words = _("A day-care centre has at least %(n)s m² of floor area.")
            required = s.day_care_min_area
        found.append(_at_least(DAY_CARE_AREA, words % {"n": required}, AREA, required, _area(institution)))
    elif kind == "township_home" and built in ("new", "rebuilt"):
        if built == "new":
            words, required = _("A newly built township home has at least %(n)s%% nursing beds."), s.township_new_share
        else:
            words, required = (_("A rebuilt or extended township home has at least %(n)s%% nursing beds."),
                               s.township_rebuilt_share)
        found.append(_at_least(TOWNSHIP_NURSING, words % {"n": required}, PERCENT, required,
                               _nursing_share(institution)))
    if built == "new" and kind in NEW_INSTITUTION_KINDS and not (
            kind == "subdistrict_centre" and s.subdistrict_min_nursing_share >= s.new_min_nursing_share):
        found.append(_at_least(NEW_NURSING, _("A newly built institution has at least %(n)s%% nursing beds.") % {
            "n": s.new_min_nursing_share}, PERCENT, s.new_min_nursing_share, _nursing_share(institution)))
    return found


def shortfalls(institution, standards: Standards | None = None) -> list[Check]:
    """The rules the institution does not pass: short (False) or not recorded (None)."""
    return [c for c in check(institution, standards) if c.passed is not True]
