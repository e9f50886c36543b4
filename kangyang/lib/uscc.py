"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

Eighteen characters from a 31-character alphabet (the digits and the capital letters
without I, O, Z, S, V):

    1       registration authority (1 机构编制, 5 民政, 9 工商, Y 其他, ...)
    2       organisation type under that authority (1 企业, 2 个体工商户, ...)
    3–8     administrative division code of the registering authority (GB/T 2260, six digits)
    9–17    the organisation code of GB 11714: eight body characters and its own check character
    18      the check character of the whole code

GB 11714 check character: weights 3, 7, 9, 10, 5, 8, 4, 2 on the body characters
(digits are their value, letters A=10 ... Z=35), C = 11 − (sum mod 11), 10 → "X", 11 → "0".
GB 32100 check character: weights 3^i mod 31 for i = 0..16 on the first seventeen
characters (each its position in the alphabet), C = 31 − (sum mod 31), 31 → 0, written as
the alphabet's character at C.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LENGTH = 18
# GB 32100-2015 table 1: the registration authorities (A and N were added by its amendment).
AUTHORITIES = frozenset("123456789ANY")
CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, ...
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997, 4.2


def normalise(value: str) -> str:
    """Without surrounding spaces, upper-case (codes are printed upper-case)."""
    return (value or "").strip().upper()


def _gb11714_value(char: str) -> int:
    """A character's value in GB 11714: digits as themselves, letters A=10 ... Z=35."""
    return int(char, 36)


def organisation_code_check(body: str) -> str:
    """The GB 11714 check character of an eight-character organisation-code body."""
    if len(body) != 8:
        raise ValueError("an organisation-code body has eight characters")
    total = sum(_gb11714_value(c) * w for c, w in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_character(first17: str) -> str:
    """The GB 32100 check character of the first seventeen characters of a code."""
    if len(first17) != 17:
        raise ValueError("the check character is computed over seventeen characters")
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, CODE_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(value: str) -> str:
    """The normalised code, or a ValidationError naming what is wrong with it (its `code`
    says which rule: length, character, authority, type, division, organisation_code, check)."""
    code = normalise(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length", params={"count": len(code)})
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        raise ValidationError(
            _("“%(char)s” cannot appear in a unified social credit code (the letters I, O, Z, S and V "
              "are never used)."), code="character", params={"char": bad[0]})
    if code[0] not in AUTHORITIES:
        raise ValidationError(
            _("The first character, “%(char)s”, is not a registration authority."),
            code="authority", params={"char": code[0]})
    if not ("1" <= code[1] <= "9"):
        raise ValidationError(
            _("The second character, “%(char)s”, is not an organisation type."),
            code="type", params={"char": code[1]})
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 must be the six digits of an administrative division code."),
            code="division")
    body, org_check = code[8:16], code[16]
    expected_org = organisation_code_check(body)
    if org_check != expected_org:
        raise ValidationError(
            _("The embedded organisation code (characters 9 to 17) is wrong: its check character is "
              "“%(found)s” where “%(expected)s” is expected."),
            code="organisation_code", params={"found": org_check, "expected": expected_org})
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The last character, the check character, is “%(found)s” where “%(expected)s” is expected: "
              "a character of the code is mistyped."),
            code="check", params={"found": code[17], "expected": expected})
    return code


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def compose(*, authority: str, kind: str, division: str, body: str) -> str:
    """The code of these parts, with both check characters computed."""
    first17 = f"{authority}{kind}{division}{body}{organisation_code_check(body)}"
    return first17 + check_character(first17)


def synthetic(text: str, *, division: str, authority: str = "9", kind: str = "1") -> str:
    """A valid code derived from `text` (always the same), for demo and test data only: its
    organisation-code body starts with "MA" followed by six characters of a hash of the text."""
    digest = hashlib.sha256(text.encode()).digest()
    body = "MA" + "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:6])
    return compose(authority=authority, kind=kind, division=division, body=body)
