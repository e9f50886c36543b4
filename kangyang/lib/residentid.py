"""Resident identity card numbers (公民身份号码), GB 11643-1999.

18 characters: 6-digit address code, 8-digit birth date (YYYYMMDD), 3-digit sequence
(odd for men, even for women) and a check character computed by ISO 7064 MOD 11-2.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999 §8.2: weights W_i = 2^(i-1) mod 11 for positions 18..2.
WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes (first two digits), incl. 71 Taiwan, 81 HK, 82 Macao.
PROVINCES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
}


class Sex:
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str

    @property
    def masked(self) -> str:
        return mask(self.number)


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def normalise(value: str) -> str:
    return value.strip().replace(" ", "").upper()


def parse(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate and decode; raises ValidationError with a code saying what is wrong."""
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(n)d."),
            code="id_length", params={"n": len(number)},
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="id_chars"
        )
    if number[:2] not in PROVINCES:
        raise ValidationError(
            _("The ID number does not begin with a valid province code."), code="id_region"
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The ID number does not contain a valid birth date."), code="id_birth_date"
        ) from None
    today = today or dt.date.today()
    if birth.year < 1890 or birth > today:
        raise ValidationError(
            _("The ID number does not contain a valid birth date."), code="id_birth_date"
        )
    if check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The ID number's check character is wrong; please check the number."),
            code="id_check",
        )
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex)


def mask(number: str) -> str:
    """First six (the address code) and last four characters, e.g. 360103********1234."""
    return f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}" if len(number) > 10 else "*" * len(number)


def make(address_code: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number; `sequence` is 0..999 (odd for men). For synthetic data and tests."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
