import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError

from kangyang.lib import crypto, phone, pinyin


def test_encrypted_value_round_trips_and_hides_the_plaintext():
    token = crypto.encrypt("360103194503120026")
    assert "360103194503120026" not in token
    assert crypto.decrypt(token) == "360103194503120026"
    assert crypto.encrypt("x") != crypto.encrypt("x")  # fresh nonce each time


def test_a_rotated_key_still_decrypts_old_values(settings):
    old = crypto.encrypt("13807911234")
    settings.FIELD_KEYS = [crypto.new_field_key(), *settings.FIELD_KEYS]
    assert not crypto.is_current(old)
    assert crypto.decrypt(old) == "13807911234"
    assert crypto.is_current(crypto.encrypt("13807911234"))


def test_a_value_under_an_unknown_key_is_refused(settings):
    token = crypto.encrypt("secret")
    settings.FIELD_KEYS = [crypto.new_field_key()]
    with pytest.raises(crypto.FieldKeyError):
        crypto.decrypt(token)


def test_tampered_ciphertext_is_refused():
    key_id, _, body = crypto.encrypt("secret").partition(":")
    tampered = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises((InvalidTag, ValueError)):
        crypto.decrypt(f"{key_id}:{tampered}")


def test_lookup_hash_is_keyed_and_stable(settings):
    first = crypto.lookup_hash("13807911234")
    assert first == crypto.lookup_hash("13807911234")
    settings.FIELD_KEYS = [crypto.new_field_key()]
    assert crypto.lookup_hash("13807911234") != first


@pytest.mark.parametrize("raw, expected", [
    ("138 0791 1234", "13807911234"), ("+86 138-0791-1234", "13807911234"),
    ("0791-86661234", "079186661234"), ("008613807911234", "13807911234"),
])
def test_phone_numbers_are_normalised(raw, expected):
    assert phone.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "23807911234", "1380791123", "abc"])
def test_non_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        phone.normalise(raw)


def test_phone_mask_shows_first_three_and_last_four():
    assert phone.mask("13807911234") == "138****1234"


@pytest.mark.parametrize("name, initials", [("张三", "zs"), ("单雄信", "sxx"), ("曾国藩", "zgf"), ("欧阳修", "oyx")])
def test_pinyin_initials_use_surname_readings(name, initials):
    assert pinyin.initials(name) == initials
