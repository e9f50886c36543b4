"""The unified social credit code, with codes built here from the rules of GB 32100-2015 and
GB 11714 (written again independently of kangyang/lib/uscc.py, so a shared mistake fails)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kangyang.lib import uscc

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def build(authority: str = "9", kind: str = "1", division: str = "360103", body: str = "MA35QX7K") -> str:
    """A code made by hand from the standards' rules."""
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in body]
    org = 11 - sum(v * w for v, w in zip(values, [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    first17 = authority + kind + division + body + ("X" if org == 10 else "0" if org == 11 else str(org))
    weights = [1]
    for _i in range(16):
        weights.append(weights[-1] * 3 % 31)
    check = 31 - sum(CHARS.index(c) * w for c, w in zip(first17, weights)) % 31
    return first17 + CHARS[0 if check == 31 else check]


def _refusal(code: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        uscc.validate(code)
    return caught.value


def test_the_weights_are_powers_of_three_modulo_31():
    assert uscc.CODE_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("authority,kind,body", [
    ("9", "1", "MA35QX7K"),   # a company
    ("9", "2", "00000000"),   # an individual business, all-zero body
    ("5", "2", "50217734"),   # a private non-enterprise unit (民办非企业单位) registered with civil affairs
    ("1", "2", "4K8H3C2L"),   # a public institution
    ("Y", "1", "ABCDEFGH"),
])
def test_a_code_built_by_the_rules_is_accepted(authority, kind, body):
    code = build(authority, kind, "360103", body)
    assert uscc.validate(code) == code
    assert uscc.is_valid(code)


def test_the_builder_reaches_every_special_check_value():
    """Bodies whose organisation-code check is X and 0, and a code whose check is 0: the
    mappings 10 → X, 11 → 0 and 31 → 0 are exercised."""
    bodies = [f"{n:08d}" for n in range(2000)]
    org_checks = {build(body=b)[16] for b in bodies}
    assert {"X", "0"} <= org_checks
    codes = [build(body=b) for b in bodies]
    assert any(c[17] == "0" for c in codes)
    assert all(uscc.is_valid(c) for c in codes)


def test_input_is_normalised():
    code = build()
    assert uscc.validate(f"  {code.lower()} ") == code


def test_a_wrong_check_character_is_refused_naming_it():
    code = build()
    wrong = code[:17] + CHARS[(CHARS.index(code[17]) + 1) % 31]
    error = _refusal(wrong)
    assert error.code == "check"
    with translation.override("en"):
        assert "check character" in error.messages[0] and code[17] in error.messages[0]


def test_a_mistyped_character_is_caught_by_the_check_character():
    code = build()
    swapped = code[:3] + ("7" if code[3] != "7" else "8") + code[4:]  # division digit changed
    assert _refusal(swapped).code == "check"


def test_a_wrong_embedded_organisation_code_check_digit_is_refused():
    code = build(body="MA35QX7K")
    org_check = code[16]
    other = next(c for c in "0123456789X" if c != org_check)
    # Recompute the final check so that only the embedded check digit is wrong.
    first17 = code[:16] + other
    tampered = first17 + uscc.check_character(first17)
    error = _refusal(tampered)
    assert error.code == "organisation_code"
    with translation.override("en"):
        assert "organisation code" in error.messages[0]


@pytest.mark.parametrize("char", ["I", "O", "Z", "S", "V", "-", "*"])
def test_a_character_outside_the_alphabet_is_refused(char):
    code = build()
    error = _refusal(code[:10] + char + code[11:])
    assert error.code == "character"
    with translation.override("en"):
        assert f"“{char}”" in error.messages[0]


@pytest.mark.parametrize("length", [0, 15, 17, 19])
def test_a_wrong_length_is_refused(length):
    code = (build() * 2)[:length]
    error = _refusal(code)
    assert error.code == "length"
    with translation.override("en"):
        assert str(length) in error.messages[0]


def test_an_unknown_authority_type_or_division_is_refused():
    assert _refusal(build(authority="B")).code == "authority"
    assert _refusal(build(kind="0")).code == "type"
    assert _refusal(build(division="3601A3")).code == "division"



def test_compose_and_synthetic_make_valid_codes_that_the_builder_agrees_with():
    assert uscc.compose(authority="9", kind="1", division="360103", body="MA35QX7K") == build()
    code = uscc.synthetic("安心家政服务部", division="360103")
    assert uscc.is_valid(code) and code == uscc.synthetic("安心家政服务部", division="360103")
    assert code == build(body=code[8:16])
