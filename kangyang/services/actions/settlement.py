"""A provider's monthly settlement (结算): the verified, confirmed visits of a month, split by
who pays, issued once as a statement and reconciled to the fen.

What counts: the provider's confirmed orders not settled yet whose visit ended (checked
out) before the end of the month, and whose visit needs no review or was accepted. Visits
waiting for review are held back — listed, not paid — and join the first statement after
they are accepted. A month is settled once, after it has ended.

Reconciliation (`reconcile`): the statement's totals equal the sums over its orders; each
order's shares add up to its price; and the allowance and voucher totals equal the net
debits the elders' balances show for those orders (debits minus refunds, by reference).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.services import queries
from kangyang.services.actions._common import K, S
from kangyang.services.models import Order, OrderEvent, Provider, Settlement, ServiceVisit
from kangyang.allowances.eligibility import month_start, next_month
from kangyang.allowances.models import Policy, VoucherEntry

ZERO = Decimal("0.00")
SETTLED_REVIEWS = (ServiceVisit.Review.NOT_NEEDED, ServiceVisit.Review.ACCEPTED)


@dataclass
class Totals:
    count: int = 0
    total: Decimal = ZERO
    allowance: Decimal = ZERO
    voucher: Decimal = ZERO
    own: Decimal = ZERO


@dataclass
class Preview:
    """What a statement of the month would hold now."""

    provider: Provider
    month: dt.date
    included: object  # QuerySet[Order]
    held: object  # QuerySet[Order]
    totals: Totals = field(default_factory=Totals)
    held_totals: Totals = field(default_factory=Totals)


def _totals(orders) -> Totals:
    t = orders.aggregate(n=Count("id"), total=Sum("price"), allowance=Sum("allowance_amount"),
                         voucher=Sum("voucher_amount"), own=Sum("self_amount"))
    return Totals(count=t["n"], total=t["total"] or ZERO, allowance=t["allowance"] or ZERO,
                  voucher=t["voucher"] or ZERO, own=t["own"] or ZERO)


def month_end(month: dt.date) -> dt.datetime:
    """The first moment after the month, local time."""
    return queries.day_bounds(next_month(month))[0]


def _candidates(provider: Provider, month: dt.date):
    return (Order.objects.filter(provider=provider, status=S.CONFIRMED, settlement__isnull=True,
                                 service_visit__checked_out_at__lt=month_end(month))
            .select_related("elder", "item", "caregiver", "service_visit").order_by("service_visit__checked_out_at", "id"))


def preview_settlement(provider: Provider, *, month: dt.date) -> Preview:
    month = month_start(month)
    candidates = _candidates(provider, month)
    included = candidates.filter(service_visit__review__in=SETTLED_REVIEWS)
    held = candidates.filter(service_visit__review=ServiceVisit.Review.PENDING)
    return Preview(provider=provider, month=month, included=included, held=held,
                   totals=_totals(included), held_totals=_totals(held))


@transaction.atomic
def issue_settlement(provider: Provider, *, month: dt.date, by, now: dt.datetime | None = None) -> Settlement:
    """Issue the month's statement: its orders become settled, their totals are stored and
    reconciled before anything is committed. Once per provider and month, after the month."""
    if not queries.can_manage_settlement(by, provider):
        raise PermissionDenied
    now = now or timezone.now()
    month = month_start(month)
    if month_end(month) > now:
        raise ValidationError(_("A month is settled after it has ended."), code="month_open")
    if Settlement.objects.filter(provider=provider, month=month).exists():
        raise ValidationError(_("This month is settled already."), code="conflict")
    if Settlement.objects.filter(provider=provider, month__gt=month).exists():
        # A later statement took every visit up to its month's end (held ones included).
        raise ValidationError(_("A later month is settled already; months are settled in order."), code="conflict")
    preview = preview_settlement(provider, month=month)
    held = preview.held_totals
    try:
        with transaction.atomic():
            settlement = Settlement.objects.create(
                provider=provider, region_code=provider.region_code, month=month, issued_at=now, issued_by=by,
                held_count=held.count, held_total=held.total,
            )
    except IntegrityError:  # issued a moment ago by someone else
        raise ValidationError(_("This month is settled already."), code="conflict") from None
    Order.objects.filter(pk__in=preview.included.values("pk")).update(
        status=S.SETTLED, settlement=settlement, updated_at=now)
    t = _totals(Order.objects.filter(settlement=settlement))
    Settlement.objects.filter(pk=settlement.pk).update(
        order_count=t.count, total=t.total, allowance_total=t.allowance, voucher_total=t.voucher, self_total=t.own)
    settlement.refresh_from_db()
    problems = reconcile(settlement)
    if problems:  # never issue a statement that does not add up; nothing is committed
        raise RuntimeError("settlement does not reconcile: " + "; ".join(problems))
    OrderEvent.objects.bulk_create([
        OrderEvent(order_id=pk, region_code=code, kind=K.SETTLED, at=now, by=by)
        for pk, code in Order.objects.filter(settlement=settlement).values_list("pk", "region_code")
    ], batch_size=2000)
    record(by, AuditEntry.Action.CREATE, settlement, verb="settlement.issue", changes={
        "month": month.isoformat(), "orders": t.count, "total": str(t.total), "allowance": str(t.allowance),
        "voucher": str(t.voucher), "own": str(t.own), "held": held.count})
    return settlement


def ledger_totals(order_ids) -> dict[str, Decimal]:
    """Net what the elders' voucher balances paid for these orders, by allowance kind:
    debits minus refunds under each order's reference."""
    references = [f"order:{pk}" for pk in order_ids]
    out = {Policy.Kind.SERVICE: ZERO, Policy.Kind.CONSUMPTION_VOUCHER: ZERO}
    for start in range(0, len(references), 2000):
        rows = (VoucherEntry.objects.filter(reference__in=references[start:start + 2000])
                .filter(Q(type=VoucherEntry.Type.DEBIT) | Q(type=VoucherEntry.Type.REFUND))
                .values("balance__kind").annotate(total=Sum("amount")))
        for row in rows:
            out[row["balance__kind"]] -= row["total"]  # debits are negative amounts
    return out


def reconcile(settlement: Settlement) -> list[str]:
    """Every way the statement could disagree with the orders or the ledger; empty when it
    reconciles to the fen."""
    orders = Order.objects.filter(settlement=settlement)
    t = _totals(orders)
    problems = []
    for label, stored, summed in (
        ("count", settlement.order_count, t.count), ("total", settlement.total, t.total),
        ("allowance", settlement.allowance_total, t.allowance), ("voucher", settlement.voucher_total, t.voucher),
        ("own", settlement.self_total, t.own),
    ):
        if stored != summed:
            problems.append(f"{label}: statement {stored}, orders {summed}")
    if t.allowance + t.voucher + t.own != t.total:
        problems.append("shares do not add up to the prices")
    ledger = ledger_totals(orders.values_list("pk", flat=True))
    if ledger[Policy.Kind.SERVICE] != t.allowance:
        problems.append(f"service allowance: orders {t.allowance}, ledger {ledger[Policy.Kind.SERVICE]}")
    if ledger[Policy.Kind.CONSUMPTION_VOUCHER] != t.voucher:
        problems.append(f"consumption voucher: orders {t.voucher}, ledger {ledger[Policy.Kind.CONSUMPTION_VOUCHER]}")
    return problems
