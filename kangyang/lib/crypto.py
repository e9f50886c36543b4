"""Encryption of personal fields at rest, and keyed hashes for exact lookup.

A ciphertext is ``<key id>:<base64(nonce || AES-256-GCM ciphertext)>``. Several keys may be
configured (KANGYANG_FIELD_KEY="new,old"): the first encrypts and computes lookup hashes,
every key decrypts, so a key can be rotated with `kangyang rotate_field_key`.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def new_field_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class FieldKeyError(Exception):
    """A stored value was encrypted with a key that is not configured."""


@cache
def _keys(keys: tuple[str, ...]) -> dict[str, bytes]:
    out = {}
    for text in keys:
        raw = base64.urlsafe_b64decode(text.strip())
        if len(raw) != 32:
            raise ValueError("a field key must be 32 bytes, base64url-encoded")
        out[hashlib.sha256(raw).hexdigest()[:8]] = raw
    return out


def _configured() -> tuple[str, ...]:
    from django.conf import settings

    return tuple(settings.FIELD_KEYS)


def encrypt(plaintext: str) -> str:
    key_id, key = next(iter(_keys(_configured()).items()))
    nonce = os.urandom(12)
    blob = nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), key_id.encode())
    return f"{key_id}:{base64.urlsafe_b64encode(blob).decode()}"


def decrypt(token: str) -> str:
    key_id, _, body = token.partition(":")
    key = _keys(_configured()).get(key_id)
    if key is None:
        raise FieldKeyError(key_id)
    blob = base64.urlsafe_b64decode(body)
    return AESGCM(key).decrypt(blob[:12], blob[12:], key_id.encode()).decode()


def is_current(token: str) -> bool:
    """Whether the value is encrypted with the first (current) key."""
    return token.partition(":")[0] == next(iter(_keys(_configured())))


@cache
def _lookup_key(key: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"kangyang lookup").derive(key)


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value, for exact-match search without decrypting."""
    key = next(iter(_keys(_configured()).values()))
    return hmac.new(_lookup_key(key), value.encode(), hashlib.sha256).hexdigest()


@cache
def _tail_key(key: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"kangyang id tail").derive(key)


def tail_hash(value: str) -> str:
    """Keyed hash of the last four characters of an ID number, for search by them. Its own
    derived key (not lookup_hash's): with only 11,000 possible tails, a hash shared with
    another purpose would let one table's hashes be matched against another's."""
    key = next(iter(_keys(_configured()).values()))
    return hmac.new(_tail_key(key), value.encode(), hashlib.sha256).hexdigest()


# -- whole files ---------------------------------------------------------------------------
# An encrypted file is FILE_MAGIC, the 8-character key id, a 12-byte nonce, then the
# AES-256-GCM ciphertext with its tag. The magic and key id are authenticated (associated
# data), so a file cannot be passed off as encrypted under another key.
FILE_MAGIC = b"KYENC1\n"
_KEY_ID_LENGTH = 8


def encrypt_bytes(data: bytes) -> bytes:
    """`data` encrypted under the current (first) field key, with its key id."""
    key_id, key = next(iter(_keys(_configured()).items()))
    header = FILE_MAGIC + key_id.encode()
    nonce = os.urandom(12)
    return header + nonce + AESGCM(key).encrypt(nonce, data, header)


def is_encrypted_bytes(data: bytes) -> bool:
    return data.startswith(FILE_MAGIC)


def decrypt_bytes(blob: bytes) -> bytes:
    """The plain bytes of encrypt_bytes' output, under whichever configured key made it.
    Raises FieldKeyError for a key that is not configured, and
    cryptography.exceptions.InvalidTag for a file that was altered."""
    if not is_encrypted_bytes(blob):
        raise ValueError("not an encrypted file")
    start = len(FILE_MAGIC)
    key_id = blob[start:start + _KEY_ID_LENGTH].decode("ascii", "replace")
    key = _keys(_configured()).get(key_id)
    if key is None:
        raise FieldKeyError(key_id)
    header = blob[:start + _KEY_ID_LENGTH]
    body = blob[len(header):]
    return AESGCM(key).decrypt(body[:12], body[12:], header)


def is_current_bytes(blob: bytes) -> bool:
    """Whether the file is encrypted under the current (first) key."""
    start = len(FILE_MAGIC)
    return is_encrypted_bytes(blob) and blob[start:start + _KEY_ID_LENGTH].decode("ascii", "replace") == next(
        iter(_keys(_configured())))
