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




# pages (the volunteer's app page and the community's pages) ----------------------------------

@dataclasses.dataclass
class NeedsNearby:
    """What a volunteer may take: open visits due without a visitor in her area, and
    activities of her area that have not ended (with the ones she signed up for)."""

    visits: list
    activities: list
    signed_up: set  # activity ids


def _volunteer_needs_filter(user, field: str = "region_code"):
    from django.db.models import Q

    prefix = scope.volunteer_area_prefix(user)
    if prefix is None:
        return None
    # Her area, and activities held for the whole subdistrict or district she lives in.
    wider = {prefix[:n].ljust(12, "0") for n in (6, 9) if n < len(prefix)}
    return Q(**{f"{field}__startswith": prefix}) | Q(**{f"{field}__in": wider})


def open_visits_due_near(user):
    """Open visits due without a visitor in the volunteer's area, soonest first."""
    from kangyang.visits.models import VisitDue

    area = _volunteer_needs_filter(user)
    if area is None or not Account.objects.filter(user=user, kind=Account.Kind.VOLUNTEER).exists():
        return VisitDue.objects.none()
    return (VisitDue.objects.filter(area, status=VisitDue.Status.OPEN, visitor__isnull=True)
            .select_related("elder", "elder__compound", "elder__community").order_by("due_by", "pk"))


def open_activities_near(user):
    """Activities of the volunteer's area (or its subdistrict's) that have not ended."""
    from kangyang.timebank.models import Activity

    area = _volunteer_needs_filter(user)
    if area is None:
        return Activity.objects.none()
    return Activity.objects.filter(area, ends_at__gt=timezone.now()).order_by("starts_at", "pk")


def needs_nearby(user, *, shown: int = 20) -> NeedsNearby:
    from kangyang.timebank.models import ActivitySignup

    activities = list(open_activities_near(user)[:shown])
    signed = set(ActivitySignup.objects.filter(account__user=user, activity__in=activities)
                 .values_list("activity_id", flat=True))
    return NeedsNearby(visits=list(open_visits_due_near(user)[:shown]), activities=activities, signed_up=signed)


def get_need_for(user, kind: str, need_id) -> object:
    """A need the volunteer may take, by kind ("visit" or "activity"); anything else → 404."""
    from django.http import Http404

    try:
        pk = int(need_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    if kind == "visit":
        return get_object_or_404(open_visits_due_near(user), pk=pk)
    if kind == "activity":
        return get_object_or_404(open_activities_near(user), pk=pk)
    raise Http404


def family_elders_of(account: Account) -> list:
    """Active elders who list the volunteer as family (spouse, child, relative): whom she may
    transfer hours to (actions.is_family_of, for many)."""
    from django.db.models import Q

    from kangyang.registry.models import Elder
    from kangyang.timebank.actions import FAMILY_RELATIONS

    if account.kind != Account.Kind.VOLUNTEER:
        return []
    same = Q(contacts__user_id=account.user_id)
    if account.phone_hash:
        same |= Q(contacts__phone_hash=account.phone_hash)
    return list(Elder.objects.filter(same, status=Elder.Status.ACTIVE)
                .filter(contacts__relation__in=FAMILY_RELATIONS).distinct().order_by("name", "pk"))


def donation_recipients_of(account: Account) -> list:
    """Active vulnerable elders the volunteer visited (a completed visit) or is paired with:
    whom she may donate hours to (actions.helps, for many)."""
    from django.db.models import Q

    from kangyang.registry.models import Elder
    from kangyang.visits.models import CareVisit, Pairing

    if account.kind != Account.Kind.VOLUNTEER:
        return []
    today = timezone.localdate()
    visited = CareVisit.objects.filter(visitor_id=account.user_id, status=CareVisit.Status.DONE).values("elder_id")
    paired = Pairing.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today),
                                    helper_id=account.user_id).values("elder_id")
    return list(Elder.objects.filter(Q(pk__in=visited) | Q(pk__in=paired), status=Elder.Status.ACTIVE)
                .exclude(categories_text="").order_by("name", "pk"))


def accounts_of_area(user, *, region_code: str = "") -> QuerySet:
    """The people's accounts the community's pages list (by holder), optionally of one region."""
    accounts = Account.objects.visible_to(user).people().select_related("elder", "user")
    if region_code:
        accounts = accounts.filter(region_code__startswith=region_code)
    return accounts.order_by("region_code", "kind", "real_name", "pk")


def activities_of_area(user) -> QuerySet:
    """Activities of the user's area, newest first (the community's activities page)."""
    from kangyang.timebank.models import Activity

    if not scope.sees_timebank_pages(user):
        return Activity.objects.none()
    return Activity.objects.filter(scope.region_filter(user)).select_related("organiser").order_by("-starts_at", "-pk")


def get_activity_for(user, activity_id: int):
    return get_object_or_404(activities_of_area(user), pk=activity_id)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month of `month`."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def community_entries(region_code: str, *, start: dt.date, end: dt.date) -> QuerySet:
    """Every movement of the people's accounts of a region (by prefix) in the local days
    start..end, in ledger order, each with `counterpart_id` (as history())."""
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    other = Entry.objects.filter(txn=OuterRef("txn")).exclude(seq=OuterRef("seq")).values("account_id")[:1]
    return (Entry.objects.filter(account__region_code__startswith=region_code, created_at__gte=lo, created_at__lt=hi)
            .exclude(account__kind=Account.Kind.SYSTEM).annotate(counterpart_id=Subquery(other))
            .select_related("account", "account__elder").order_by("seq"))
