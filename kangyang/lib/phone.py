"""Chinese phone numbers: mobile (11 digits, 1[3-9]) or landline (area code + number)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise(value: str) -> str:
    """Digits only, without +86; raises ValidationError if it is not a phone number."""
    digits = re.sub(r"[\s\-()]", "", value.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise ValidationError(
            _("“%(value)s” is not a mobile number (11 digits) or a landline with area code."),
            code="phone", params={"value": value},
        )
    return digits


def mask(number: str) -> str:
    """138****5678: first three and last four digits."""
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}" if len(number) > 7 else "*" * len(number)


def dial_links(number: str, *, softphone: str = "") -> dict[str, object]:
    """Links that call a number: tel: (the desk phone or the operator's phone handler) and,
    given a template such as sip:{number}@pbx or https://pbx/dial?to={number}
    (KANGYANG_SOFTPHONE_URL), the softphone's; an http(s) one is opened in a new tab."""
    from urllib.parse import quote

    digits = re.sub(r"[^\d+]", "", number)  # tel: and dial strings: digits and a leading +
    links: dict[str, object] = {"number": number, "tel": f"tel:{digits}", "softphone": "", "softphone_is_web": False}
    if softphone and digits:
        links["softphone"] = softphone.replace("{number}", quote(digits, safe="+"))
        links["softphone_is_web"] = softphone.startswith(("http:", "https:"))
    return links
