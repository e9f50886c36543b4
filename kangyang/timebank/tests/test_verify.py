"""The ledger's tamper evidence: `kangyang timebank verify` after an intruder's edits."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from kangyang.timebank import actions, chain, queries, triggers
from kangyang.timebank.models import AppendOnlyError, ChainHead, Digest, Entry


@pytest.fixture
def ledger(vol_account, elder_in_a, worker_a, funder):
    """Three deposits: entries 1-6."""
    for minutes in (60, 90, 30):
        funder(vol_account, minutes, by=worker_a, elder=elder_in_a)
    return vol_account


def verify_output(language="en") -> str:
    from io import StringIO

    out = StringIO()
    call_command("timebank", "verify", "--language", language, stdout=out)
    return out.getvalue()


def broken(language="en") -> CommandError:
    with pytest.raises(CommandError) as e:
        verify_output(language)
    assert e.value.returncode == 1
    return e.value


def as_intruder(sql: str, params=()) -> None:
    """Switch off the ledger's triggers the way someone with the owner's rights would, then run
    `sql` (all inside the test's transaction, so it is undone afterwards)."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending foreign-key checks
            c.execute("ALTER TABLE timebank_entry DISABLE TRIGGER USER")
        else:
            c.execute("DROP TRIGGER timebank_entry_no_update")
            c.execute("DROP TRIGGER timebank_entry_no_delete")
        c.execute(sql, params)


def test_an_intact_ledger_verifies(ledger):
    out = verify_output()
    assert "intact: 6 entries in 3 transactions" in out
    assert queries.verify().last_hash == Entry.objects.get(seq=6).hash


def test_an_empty_ledger_verifies(db):
    assert "intact: 0 entries" in verify_output()


def test_an_edited_row_is_named(ledger):
    as_intruder("UPDATE timebank_entry SET amount_minutes = 600 WHERE seq = 4")
    error = broken()
    assert "entry 4" in str(error)
    assert f"account {ledger.pk}" in str(error)
    assert "changed" in str(error)


def test_an_edited_row_is_named_in_chinese(ledger):
    as_intruder("UPDATE timebank_entry SET memo = 'x' WHERE seq = 3")
    # The Chinese words need the compiled catalogue; the entry number is there either way.
    assert "3" in str(broken("zh-hans"))


def test_a_deleted_row_is_detected(ledger):
    as_intruder("DELETE FROM timebank_entry WHERE seq = 3")
    error = broken()
    assert "Entry 3 is missing" in str(error)


def test_deleting_the_last_transaction_is_detected_by_the_head(ledger):
    as_intruder("DELETE FROM timebank_entry WHERE seq >= 5")
    assert "head" in str(broken())


def test_a_rewritten_chain_is_caught_by_the_published_digest(ledger, elder_in_a, worker_a, funder):
    yesterday = dt.date.today() - dt.timedelta(days=400)
    # Publish a digest naming the ledger as it is (the day is long over).
    Digest.objects.create(day=yesterday, last_seq=6, last_hash=Entry.objects.get(seq=6).hash, entries=6)
    assert queries.verify().ok
    # The intruder changes entry 2 and recomputes every hash after it, and the head.
    rows = list(Entry.objects.order_by("seq").values_list(*queries.COLUMNS))
    prev = chain.GENESIS
    with connection.cursor() as c:
        as_intruder("SELECT 1")
        for row in rows:
            seq, txn, account_id, amount, kind, source, memo, created_at, by_id, after, _p, _h = row
            if seq == 2:
                memo = "forged"
            h = chain.entry_hash(prev, seq, txn, account_id, amount, kind, source, memo, created_at, by_id, after)
            c.execute("UPDATE timebank_entry SET memo = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                      [memo, prev, h, seq])
            prev = h
        c.execute("UPDATE timebank_chainhead SET last_hash = %s", [prev])
    result = queries.verify()
    assert not result.ok and result.problem.code == "digest" and result.problem.seq == 6
    assert "digest" in str(broken())


def test_an_unbalanced_transaction_is_named(ledger):
    # Both the amount and the balance after, and the hash recomputed: only the sum is wrong.
    row = Entry.objects.filter(seq=1).values_list(*queries.COLUMNS).get()
    seq, txn, account_id, amount, kind, source, memo, created_at, by_id, after, prev, _h = row
    h = chain.entry_hash(prev, seq, txn, account_id, amount - 15, kind, source, memo, created_at, by_id, after - 15)
    as_intruder("UPDATE timebank_entry SET amount_minutes = %s, balance_after = %s, hash = %s WHERE seq = 1",
                [amount - 15, after - 15, h])
    result = queries.verify()
    assert not result.ok
    # Entry 2 still carries the old hash of entry 1: the chain names the first break.
    assert result.problem.seq == 2 and result.problem.code == "prev_hash"


def test_the_database_refuses_updates_and_deletes(ledger, monkeypatch):
    monkeypatch.setattr(triggers, "ERASABLE", False)
    actions.publish_digest(dt.date.today() - dt.timedelta(days=2))
    for sql in ("UPDATE timebank_entry SET memo = 'x' WHERE seq = 1", "DELETE FROM timebank_entry WHERE seq = 6",
                "UPDATE timebank_digest SET last_hash = 'x'"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert Entry.objects.count() == 6


def test_the_models_refuse_changes(ledger):
    entry = Entry.objects.get(seq=1)
    entry.memo = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ledger.delete()
    assert ChainHead.objects.get().last_seq == 6


def test_digests_are_published_once_per_day(ledger):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    first = actions.publish_digest(yesterday)
    again = actions.publish_digest(yesterday)
    assert first.pk == again.pk
    assert queries.verify().ok
