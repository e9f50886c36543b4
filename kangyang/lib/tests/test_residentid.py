import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings, strategies as st

from kangyang.lib import residentid

TODAY = dt.date(2026, 11, 22)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
addresses = st.sampled_from(["360103", "110101", "440305", "650102", "820000"])
sequences = st.integers(min_value=0, max_value=999)


@given(addresses, births, sequences)
def test_every_built_number_parses_back_to_its_birth_date_and_sex(address, birth, seq):
    number = residentid.make(address, birth, seq)
    rid = residentid.parse(number, today=TODAY)
    assert rid.birth_date == birth
    assert rid.sex == ("M" if seq % 2 else "F")
    assert rid.number == number


@given(addresses, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_changing_any_one_digit_is_caught(address, birth, seq, position, delta):
    number = residentid.make(address, birth, seq)
    digit = (int(number[position]) + delta) % 10
    altered = number[:position] + str(digit) + number[position + 1 :]
    # MOD 11-2 detects every single-digit substitution; the altered number may also be
    # refused for another reason (province, date), but never accepted.
    with pytest.raises(ValidationError):
        residentid.parse(altered, today=TODAY)


@given(addresses, births, sequences)
def test_swapping_two_adjacent_different_digits_is_caught(address, birth, seq):
    number = residentid.make(address, birth, seq)
    for i in range(16):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
            with pytest.raises(ValidationError):
                residentid.parse(swapped, today=TODAY)


@settings(max_examples=50)
@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes_only_refuses_or_parses(text):
    try:
        rid = residentid.parse(text, today=TODAY)
    except ValidationError as e:
        assert e.code.startswith("id_")
    else:
        assert len(rid.number) == 18 and rid.number[:17].isdigit()


def test_lower_case_x_is_accepted_and_normalised():
    # 11010519491231002X is the standard's own example (GB 11643-1999, annex).
    rid = residentid.parse(" 11010519491231002x ", today=TODAY)
    assert rid.number == "11010519491231002X"
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.sex == "F"


@pytest.mark.parametrize(
    "number, code",
    [
        ("3601031945031200", "id_length"),
        ("36010319450312002", "id_length"),
        ("3601031945031200A6", "id_chars"),
        ("000103194503120026", "id_region"),
        ("360103194502300020", "id_birth_date"),  # 30 February
        ("360103203001010010", "id_birth_date"),  # born in the future
        ("360103194503120027", "id_check"),
    ],
)
def test_malformed_numbers_are_refused_with_a_code(number, code):
    with pytest.raises(ValidationError) as e:
        residentid.parse(number, today=TODAY)
    assert e.value.code == code


def test_mask_keeps_the_address_code_and_last_four():
    assert residentid.mask("360103194503120026") == "360103********0026"
