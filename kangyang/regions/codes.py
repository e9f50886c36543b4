"""12-digit statistical division codes (统计用区划代码): 6 county + 3 township + 3 village."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CODE = re.compile(r"^\d{12}$")


def level_of(code: str) -> str:
    """'district', 'subdistrict' or 'community'; ValidationError if the code is malformed."""
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
        return "district"
    return "subdistrict" if village == "000" else "community"


def prefix(code: str) -> str:
    return {"district": code[:6], "subdistrict": code[:9], "community": code}[level_of(code)]


PARENT_LEVEL = {"subdistrict": "district", "community": "subdistrict"}


def check_parent(code: str, parent_code: str | None) -> None:
    """A subdistrict hangs under its district, a community under its subdistrict."""
    level = level_of(code)
    if level == "district":
        if parent_code:
            raise ValidationError(_("A district has no parent."), code="region_parent")
        return
    if not parent_code:
        raise ValidationError(_("This region needs a parent."), code="region_parent")
    if level_of(parent_code) != PARENT_LEVEL[level] or not code.startswith(prefix(parent_code)):
        raise ValidationError(
            _("Code %(code)s does not belong under %(parent)s."),
            code="region_parent", params={"code": code, "parent": parent_code},
        )
