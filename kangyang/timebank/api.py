"""/api/v1/timebank: the time bank's accounts, ledger entries, deposits, redemptions, transfers,
donations, the public daily digests and the whole-ledger check.

Scope. Accounts are loaded through timebank.queries.get_account_for (accounts.scope
`timebank_account_filter`): a volunteer sees her own, an elder hers (her bound family too),
the registry staff of an area its accounts; anything else is 404 and never listed. Moving hours
is the holder's (transfers, donations), or for a redemption also an elder's family and
community worker (scope.redeems_from), else 403. Deposits are confirmed by the community
worker of the area where the help happened; a source outside her area is 404.

Refusals. Not enough hours → 422 `insufficient`; past the storage cap → 422 `cap`; past a
yearly limit → 422 `limit`; a source deposited before → 409 `duplicate`; a holder under the
redemption age → 422 `too_young`.

Public. `GET /timebank/digests` needs no token: the last hash of each day, for anyone to
copy and compare later (also the page /timebank/digests/).
"""

from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import DB_INT_MAX, UtcDatetime
from kangyang.registry.models import Elder
from kangyang.services.models import ServiceItem
from kangyang.timebank import actions, queries
from kangyang.timebank.models import Account, Attendance, Digest, Entry

router = Router(tags=["timebank"])

Id = Field(..., ge=1, le=DB_INT_MAX)
Minutes = Field(..., ge=1, le=actions.MAX_MINUTES, description="Whole minutes; 60 is one hour of service.")


def _one_of(values):
    return Literal[tuple(values)]  # type: ignore[valid-type]


AccountKind = _one_of([k for k in Account.Kind.values if k != Account.Kind.SYSTEM])
EntryKind = _one_of(Entry.Kind.values)


# -- schemas ---------------------------------------------------------------------------------
class AccountOut(Schema):
    id: int
    kind: AccountKind
    name: str = Field(..., description="The volunteer's real name, or the elder's name.")
    region_code: str
    balance_minutes: int
    balance_hours: float
    opened_at: UtcDatetime

    @staticmethod
    def resolve_name(obj: Account) -> str:
        return str(obj)


class EntryOut(Schema):
    seq: int = Field(..., description="Position in the ledger's hash chain, from 1 without gaps.")
    txn: int = Field(..., description="The transaction: the seq of its first movement.")
    kind: EntryKind
    amount_minutes: int = Field(..., description="Signed: a credit is positive.")
    balance_after: int
    counterpart: int | str | None = Field(
        None, description="The account on the other side: an account id, or 'issued' / 'redeemed'.")
    source: str
    memo: str
    created_at: UtcDatetime
    prev_hash: str
    hash: str


class TransactionOut(Schema):
    txn: int
    entries: list[EntryOut]
    balance_minutes: int = Field(..., description="The account's balance afterwards.")


class RedemptionIn(Schema):
    account: int = Id
    item: str = Field(..., min_length=1, max_length=40, description="A service item's id or code.")
    quantity: int = Field(1, ge=1, le=100)
    memo: str = Field("", max_length=200)


class GiftIn(Schema):
    account: int = Id
    elder: int = Id
    minutes: int = Minutes
    memo: str = Field("", max_length=200)


class DepositIn(Schema):
    source: str = Field(..., max_length=64, pattern=r"^(care_visit|order|attendance):[1-9][0-9]{0,17}$",
                        description="What the hours are for: care_visit:ID, order:ID or attendance:ID.")


class DigestOut(Schema):
    day: str
    last_seq: int
    last_hash: str
    entries: int
    published_at: UtcDatetime

    @staticmethod
    def resolve_day(obj: Digest) -> str:
        return obj.day.isoformat()


class ProblemOut(Schema):
    code: str
    message: str
    seq: int | None
    account_id: int | None


class VerifyOut(Schema):
    ok: bool
    entries: int
    transactions: int
    accounts: int
    digests: int
    last_seq: int
    last_hash: str
    seconds: float
    problem: ProblemOut | None


class AccountFilter(Schema):
    kind: AccountKind | None = None


# -- helpers ---------------------------------------------------------------------------------
def _entry_out(entry: Entry, system: dict[int, str]) -> dict:
    other = getattr(entry, "counterpart_id", None)
    return {
        "seq": entry.seq, "txn": entry.txn, "kind": entry.kind, "amount_minutes": entry.amount_minutes,
        "balance_after": entry.balance_after, "counterpart": system.get(other, other), "source": entry.source,
        "memo": entry.memo, "created_at": entry.created_at, "prev_hash": entry.prev_hash, "hash": entry.hash,
    }


def _system_names() -> dict[int, str]:
    return dict(Account.objects.filter(kind=Account.Kind.SYSTEM).values_list("pk", "system_code"))


def _transaction(entries: list[Entry], account: Account) -> dict:
    first, second = entries
    first.counterpart_id, second.counterpart_id = second.account_id, first.account_id
    system = _system_names()
    return {"txn": first.txn, "entries": [_entry_out(e, system) for e in entries],
            "balance_minutes": account.balance_minutes}


def _elder(elder_id: int) -> Elder | None:
    return Elder.objects.filter(pk=elder_id).first()


# -- accounts --------------------------------------------------------------------------------
@router.get("/accounts", response=list[AccountOut], summary="Time-bank accounts the caller may see")
@paginate(Page)
def list_accounts(request, filters: Query[AccountFilter]):
    accounts = Account.objects.visible_to(request.auth).select_related("elder")
    if filters.kind:
        accounts = accounts.filter(kind=filters.kind)
    return accounts.order_by("pk")


@router.get("/accounts/{account_id}", response=AccountOut, summary="One account and its balance")
def account_detail(request, account_id: int):
    return queries.get_account_for(request.auth, account_id)


@router.get("/accounts/{account_id}/entries", response=list[EntryOut], summary="The account's ledger entries")
@paginate(Page)
def account_entries(request, account_id: int):
    """Newest first, each with the account on the other side of its transaction."""
    account = queries.get_account_for(request.auth, account_id)
    system = _system_names()
    return _Mapped(queries.history(account), lambda e: _entry_out(e, system))


class _Mapped:
    """A queryset whose slices are mapped (the paginator slices and counts it)."""

    def __init__(self, queryset, fn):
        self.queryset, self.fn = queryset, fn

    def __getitem__(self, key):
        return [self.fn(e) for e in self.queryset[key]]

    def count(self) -> int:
        return self.queryset.count()


# -- moving hours ----------------------------------------------------------------------------
@router.post("/deposits", response={201: TransactionOut}, summary="Deposit verified help (community worker)")
def deposit(request, payload: DepositIn):
    """Confirm the hours of a completed care visit, a confirmed order delivered by a volunteer,
    or an attendance its organiser confirmed; each once."""
    user = request.auth
    if not scope.confirms_hours(user):
        raise PermissionDenied
    kind, _sep, raw = payload.source.partition(":")
    pk = int(raw)
    area = scope.region_filter(user)
    if kind == "care_visit":
        from kangyang.visits.models import CareVisit

        entries = actions.deposit_for_care_visit(get_object_or_404(CareVisit.objects.filter(area), pk=pk), by=user)
    elif kind == "order":
        from kangyang.services.models import Order

        entries = actions.deposit_for_order(get_object_or_404(Order.objects.filter(area), pk=pk), by=user)
    else:
        attendance = get_object_or_404(
            Attendance.objects.filter(scope.region_filter(user, field="activity__region_code"))
            .select_related("activity", "account"), pk=pk)
        entries = actions.deposit_for_attendance(attendance, by=user)
    account = Account.objects.get(pk=entries[-1].account_id)
    return Status(201, _transaction(entries, account))


@router.post("/redemptions", response={201: TransactionOut}, summary="Spend hours on a service")
def redeem(request, payload: RedemptionIn):
    account = queries.get_account_for(request.auth, payload.account)
    items = ServiceItem.objects.filter(Q(code=payload.item) | Q(pk=int(payload.item) if payload.item.isdigit()
                                                                  and int(payload.item) <= DB_INT_MAX else None))
    item = items.first()
    if item is None:
        raise ValidationError({"item": ValidationError(_no_item(), code="invalid")})
    entries = actions.redeem(account, item=item, quantity=payload.quantity, by=request.auth, memo=payload.memo)
    return Status(201, _transaction(entries, account))


def _no_item() -> str:
    return _("There is no such service item.")


@router.post("/transfers", response={201: TransactionOut}, summary="Transfer hours to a family member")
def transfer(request, payload: GiftIn):
    """From the caller's own account to an elder of her family (an elder who lists her as
    spouse, child or relative)."""
    account = queries.get_account_for(request.auth, payload.account)
    elder = _elder(payload.elder)
    if elder is None:
        raise actions.not_a_recipient(Entry.Kind.TRANSFER)
    entries = actions.transfer_to_family(account, to_elder=elder, minutes=payload.minutes, by=request.auth,
                                         memo=payload.memo)
    return Status(201, _transaction(entries, account))


@router.post("/donations", response={201: TransactionOut}, summary="Donate hours to a vulnerable elder")
def donate(request, payload: GiftIn):
    """From the caller's own account to a vulnerable elder she helps (visits or is paired with)."""
    account = queries.get_account_for(request.auth, payload.account)
    elder = _elder(payload.elder)
    if elder is None:
        raise actions.not_a_recipient(Entry.Kind.DONATION)
    entries = actions.donate(account, to_elder=elder, minutes=payload.minutes, by=request.auth, memo=payload.memo)
    return Status(201, _transaction(entries, account))


# -- the ledger as a whole -------------------------------------------------------------------
@router.get("/digests", response=list[DigestOut], auth=None, summary="Daily digests (public)")
@paginate(Page)
def digests(request):
    """The last entry and hash of each day, newest first; no token needed."""
    return queries.digests()


@router.get("/verify", response=VerifyOut, summary="Check the whole ledger (bureau admin)")
def verify(request):
    """Re-checks every entry (as `kangyang timebank verify`); reads the whole ledger."""
    if not scope.checks_ledger(request.auth):
        raise PermissionDenied
    result = queries.verify()
    return {**{k: getattr(result, k) for k in ("ok", "entries", "transactions", "accounts", "digests", "last_seq",
                                                "last_hash")},
            "seconds": round(result.seconds, 2),
            "problem": result.problem.__dict__ if result.problem else None}

