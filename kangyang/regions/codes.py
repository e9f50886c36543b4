"""12-digit statistical division codes (统计用区划代码): 6 county + 3 township + 3 village.

A city (prefecture, 地级市) is the county part ending in 00 (南昌市 360100); its districts
and counties share its first four digits (西湖区 360103)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CODE = re.compile(r"^\d{12}$")


LEVELS = ["city", "district", "subdistrict", "community"]


def level_of(code: str) -> str:
    """'city', 'district', 'subdistrict' or 'community'; ValidationError if malformed."""
    if not _CODE.match(code or ""):
        raise ValidationError(_("A region code has exactly 12 digits."), code="region_code")
    county, township, village = code[:6], code[6:9], code[9:]
    if county[2:] == "0000" or county[:2] == "00":
        raise ValidationError(
            _("The first six digits of a region code must name a county or district."),
            code="region_code",
        )
    if township == "000":
        if village != "000":
            raise ValidationError(
                _("A community code needs its subdistrict digits (7–9)."), code="region_code"
            )
        return "city" if county[4:] == "00" else "district"
    return "subdistrict" if village == "000" else "community"


def prefix(code: str) -> str:
    return {"city": code[:4], "district": code[:6], "subdistrict": code[:9], "community": code}[level_of(code)]


def parent_code_of(code: str) -> str | None:
    """The code of the node a region hangs under (a district: its city)."""
    level = level_of(code)
    return {"city": None, "district": code[:4] + "0" * 8,
            "subdistrict": code[:6] + "0" * 6, "community": code[:9] + "000"}[level]


PARENT_LEVEL = {"district": "city", "subdistrict": "district", "community": "subdistrict"}


def check_parent(code: str, parent_code: str | None) -> None:
    """A district hangs under its city (or stands alone: an installation of one district),
    a subdistrict under its district, a community under its subdistrict."""
    level = level_of(code)
    if level == "city" and parent_code:
        raise ValidationError(_("A city has no parent."), code="region_parent")
    if level in ("city", "district") and not parent_code:
        return
    if not parent_code:
        raise ValidationError(_("This region needs a parent."), code="region_parent")
    if level_of(parent_code) != PARENT_LEVEL[level] or not code.startswith(prefix(parent_code)):
        raise ValidationError(
            _("Code %(code)s does not belong under %(parent)s."),
            code="region_parent", params={"code": code, "parent": parent_code},
        )
