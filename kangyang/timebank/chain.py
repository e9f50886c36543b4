"""What a ledger entry's hash covers, written down so that anyone holding an export of the
ledger (or the database) can re-check it without this code.

    hash = sha256( prev_hash + "\\n" + canonical ).hexdigest()

where `prev_hash` is the previous entry's hash (64 zeros before the first entry) and
`canonical` is the UTF-8 JSON array, without spaces and with non-ASCII characters as they are,
of the entry's fields in this order:

    [seq, txn, account_id, amount_minutes, kind, source, memo, created_at, created_by_id, balance_after]

`created_at` as UTC with microseconds, "2026-12-05T09:14:03.123456Z"; `created_by_id` null
when nobody (a system job) made the entry. Integers are plain JSON numbers.
"""

import datetime as dt
import hashlib
import json

GENESIS = "0" * 64
UTC = dt.timezone.utc

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def timestamp(value: dt.datetime | str) -> str:
    """The canonical text of a time; text already in that form (as PostgreSQL gives it to
    verify) passes as it is."""
    if isinstance(value, str):
        return value
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(seq: int, txn: int, account_id: int, amount: int, kind: str, source: str, memo: str,
              created_at: dt.datetime | str, created_by_id: int | None, balance_after: int) -> bytes:
    return _dumps([seq, txn, account_id, amount, kind, source, memo, timestamp(created_at),
                   created_by_id, balance_after]).encode()


def entry_hash(prev_hash: str, *fields) -> str:
    """The hash of an entry with these fields (in `canonical`'s order) after `prev_hash`."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(*fields)).hexdigest()
