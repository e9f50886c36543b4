"""Reads of the time bank: accounts through their gate, balances, history, statements, the
hours waiting for a community worker's confirmation, and `verify()`, the whole-ledger check."""

import dataclasses
import datetime as dt
import time

from django.db import connection
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.timebank import chain
from kangyang.timebank.models import Account, Attendance, ChainHead, Digest, Entry


def get_account_for(user, account_id: int) -> Account:
    """The only way pages and the API load an account. Outside scope → 404."""
    return get_object_or_404(Account.objects.visible_to(user).select_related("elder", "user"), pk=account_id)


def account_of(user) -> Account | None:
    """The user's own account: a volunteer's, or an elder's own."""
    if not user.is_authenticated:
        return None
    return Account.objects.filter(user=user).first() or Account.objects.filter(elder__user=user).first()


def balance(account: Account) -> int:
    """The account's balance in minutes, as the ledger says (its last entry's balance_after)."""
    last = Entry.objects.filter(account=account).order_by("-seq").values_list("balance_after", flat=True).first()
    return last or 0


def history(account: Account) -> QuerySet:
    """The account's entries, newest first, each with `counterpart_id`: the account on the
    other side of its transaction."""
    other = Entry.objects.filter(txn=OuterRef("txn")).exclude(seq=OuterRef("seq")).values("account_id")[:1]
    return (Entry.objects.filter(account=account).annotate(counterpart_id=Subquery(other))
            .select_related("created_by").order_by("-seq"))


@dataclasses.dataclass
class Statement:
    account: Account
    start: dt.date
    end: dt.date  # inclusive
    opening: int
    closing: int
    entries: list
    totals: dict  # kind → net minutes


def statement(account: Account, *, start: dt.date, end: dt.date) -> Statement:
    """The account's movements of the local days start..end, with the balances around them."""
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    before = (Entry.objects.filter(account=account, created_at__lt=lo).order_by("-seq")
              .values_list("balance_after", flat=True).first()) or 0
    entries = list(history(account).filter(created_at__gte=lo, created_at__lt=hi).order_by("seq"))
    totals: dict[str, int] = {}
    for e in entries:
        totals[e.kind] = totals.get(e.kind, 0) + e.amount_minutes
    closing = entries[-1].balance_after if entries else before
    return Statement(account=account, start=start, end=end, opening=before, closing=closing, entries=entries,
                     totals=totals)


def deposited_minutes(account: Account) -> int:
    return Entry.objects.filter(account=account, kind=Entry.Kind.DEPOSIT).aggregate(s=Sum("amount_minutes"))["s"] or 0


def _not_deposited(prefix: str):
    """No deposit names this record as its source ("care_visit:12"): an index lookup per row."""
    return ~Exists(Entry.objects.filter(
        kind=Entry.Kind.DEPOSIT, source=Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))))


def visits_to_confirm(user) -> QuerySet:
    """Completed care visits by registered volunteers in the user's area whose hours are not
    deposited yet (the community's confirmation list)."""
    from kangyang.visits.models import CareVisit

    if not scope.confirms_hours(user):
        return CareVisit.objects.none()
    return (CareVisit.objects.filter(scope.region_filter(user), _not_deposited("care_visit:"),
                                     status=CareVisit.Status.DONE, ended_at__isnull=False,
                                     visitor__timebank_account__isnull=False)
            .select_related("elder", "visitor", "visitor__timebank_account").order_by("-started_at"))


def attendances_to_confirm(user) -> QuerySet:
    """Attendances organisers confirmed in the user's area whose hours are not deposited yet."""
    if not scope.confirms_hours(user):
        return Attendance.objects.none()
    return (Attendance.objects.filter(scope.region_filter(user, field="activity__region_code"),
                                      _not_deposited("attendance:"))
            .select_related("activity", "account").order_by("-confirmed_at"))


def digests() -> QuerySet:
    """Every published daily digest, newest first (public)."""
    return Digest.objects.order_by("-day")


# -- verify -----------------------------------------------------------------------------------

@dataclasses.dataclass
class Problem:
    """The first thing found wrong: the entry (by sequence number) and its account, if any."""

    code: str
    message: str
    seq: int | None = None
    account_id: int | None = None


@dataclasses.dataclass
class Verification:
    ok: bool
    entries: int = 0
    transactions: int = 0
    accounts: int = 0
    digests: int = 0
    last_seq: int = 0
    last_hash: str = chain.GENESIS
    seconds: float = 0.0
    problem: Problem | None = None


COLUMNS = ("seq", "txn", "account_id", "amount_minutes", "kind", "source", "memo", "created_at",
           "created_by_id", "balance_after", "prev_hash", "hash")
# PostgreSQL hands the time over as the text the hash covers (chain.timestamp): parsing a
# million timestamps into datetimes and formatting them again was most of the time.
PG_ROWS = """SELECT seq, txn, account_id, amount_minutes, kind, source, memo,
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    created_by_id, balance_after, prev_hash, hash
    FROM timebank_entry ORDER BY seq"""


def _rows(chunk_size: int):
    """Every entry in sequence order, as tuples of COLUMNS, read in chunks (never the whole
    ledger in memory): a server-side cursor on PostgreSQL, chunked fetches elsewhere."""
    if connection.vendor != "postgresql":
        yield from Entry.objects.order_by("seq").values_list(*COLUMNS).iterator(chunk_size=chunk_size)
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(PG_ROWS)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def verify(*, chunk_size: int = 20_000) -> Verification:
    """Re-check the whole ledger: sequence numbers without gaps, each entry's previous hash and
    its own hash, every transaction summing to zero and starting at its own first entry, each
    balance_after following from the one before, no person's balance below zero, the chain head,
    the cached balances and every published digest. Stops at the first problem.

    Reads one snapshot of the database (on PostgreSQL a REPEATABLE READ transaction, when not
    called inside one already), so that entries appended meanwhile are neither half seen nor
    taken for a broken head; appending goes on while it runs."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _verify(chunk_size)


def _verify(chunk_size: int) -> Verification:
    started = time.monotonic()
    people = set(Account.objects.people().values_list("pk", flat=True))
    # Days without entries repeat the day before's last entry: a sequence number may be in several
    # digests; the first (earliest) one that disagrees is named.
    published: dict[int, list[tuple]] = {}
    for day, seq, h in Digest.objects.order_by("day").values_list("day", "last_seq", "last_hash"):
        published.setdefault(seq, []).append((day, h))
    digest_count = Digest.objects.count()
    result = Verification(ok=True, digests=digest_count)

    def fail(code: str, message: str, seq=None, account_id=None) -> Verification:
        result.ok = False
        result.problem = Problem(code=code, message=message, seq=seq, account_id=account_id)
        result.seconds = time.monotonic() - started
        return result

    # Digests that name the chain's very start.
    for day, h in published.get(0, ()):
        if h != chain.GENESIS:
            return fail("digest", _("The digest of %(day)s does not match the ledger.") % {"day": day}, seq=0)

    balances: dict[int, int] = {}
    prev_hash = chain.GENESIS
    expected = 1
    txn = None
    txn_sum = 0
    txn_first = 0
    transactions = 0
    entry_hash = chain.entry_hash
    for seq, t, account_id, amount, kind, source, memo, created_at, by_id, after, prev, h in _rows(chunk_size):
        if seq != expected:
            return fail("missing", _("Entry %(seq)d is missing: the sequence jumps from %(before)d to %(after)d.")
                        % {"seq": expected, "before": expected - 1, "after": seq}, seq=expected)
        if t != txn:
            if txn is not None and txn_sum != 0:
                return fail("unbalanced", _("Transaction %(txn)d does not sum to zero (%(sum)+d minutes).")
                            % {"txn": txn, "sum": txn_sum}, seq=txn_first)
            if t != seq:
                return fail("transaction", _("Entry %(seq)d names transaction %(txn)d, which does not start there.")
                            % {"seq": seq, "txn": t}, seq=seq, account_id=account_id)
            txn, txn_sum, txn_first = t, 0, seq
            transactions += 1
        if prev != prev_hash:
            return fail("prev_hash", _("Entry %(seq)d does not carry the hash of the entry before it.")
                        % {"seq": seq}, seq=seq, account_id=account_id)
        if entry_hash(prev_hash, seq, t, account_id, amount, kind, source, memo, created_at, by_id, after) != h:
            return fail("hash", _("Entry %(seq)d was changed: its hash does not match its contents.")
                        % {"seq": seq}, seq=seq, account_id=account_id)
        txn_sum += amount
        running = balances.get(account_id, 0) + amount
        if running != after:
            return fail("balance_after", _("Entry %(seq)d says the balance is %(said)d minutes; the entries "
                                           "before it make %(made)d.") % {"seq": seq, "said": after, "made": running},
                        seq=seq, account_id=account_id)
        if running < 0 and account_id in people:
            return fail("negative", _("Entry %(seq)d takes a person's balance below zero.") % {"seq": seq},
                        seq=seq, account_id=account_id)
        balances[account_id] = running
        if seq in published:
            wrong = [day for day, digest in published[seq] if digest != h]
            if wrong:
                return fail("digest", _("The digest of %(day)s does not match entry %(seq)d.")
                            % {"day": wrong[0], "seq": seq}, seq=seq, account_id=account_id)
        prev_hash = h
        expected += 1
    last = expected - 1
    if txn is not None and txn_sum != 0:
        return fail("unbalanced", _("Transaction %(txn)d does not sum to zero (%(sum)+d minutes).")
                    % {"txn": txn, "sum": txn_sum}, seq=txn_first)
    beyond = [seq for seq in published if seq > last]
    if beyond:
        return fail("missing", _("Entry %(seq)d is missing: a digest names it, the ledger ends at %(last)d.")
                    % {"seq": last + 1, "last": last}, seq=last + 1)
    head = ChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    if (head is None and last) or (head is not None and tuple(head) != (last, prev_hash)):
        return fail("head", _("The chain's head (entry %(head)s) does not match its last entry (%(last)d): "
                              "entries after it are missing.") % {"head": head[0] if head else "-", "last": last},
                    seq=last + 1)
    cached = Account.objects.values_list("pk", "balance_minutes")
    for pk, minutes in cached:
        if balances.get(pk, 0) != minutes:
            return fail("cached_balance", _("Account %(account)d shows %(shown)d minutes; its entries make "
                                            "%(made)d.") % {"account": pk, "shown": minutes, "made": balances.get(pk, 0)},
                        account_id=pk)
    result.entries = last
    result.transactions = transactions
    result.accounts = len(balances)
    result.last_seq = last
    result.last_hash = prev_hash
    result.seconds = time.monotonic() - started
    return result


