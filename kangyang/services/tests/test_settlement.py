"""Monthly settlement, called directly: what counts, what is held back, reconciliation with
the orders and the elders' ledgers, once per month after it ends, and the .xlsx."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.exports import settlement_xlsx
from kangyang.services.models import Order, Settlement
from kangyang.services.tests.conftest import HOME, local, metres_north
from kangyang.allowances import eligibility as months
from kangyang.allowances.models import VoucherEntry

S = Order.Status


@pytest.fixture
def delivered(worker_a, operator, funded_elder, catalogue, carer, caregiver, tomorrow, today):
    """A function: (code, hour, where) → an order of the funded elder, delivered today from
    `where` and confirmed on the hotline's callback."""

    def make(code: str, hour: int, where=HOME, confirm: bool = True) -> Order:
        order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue[code],
                                    window_start=local(tomorrow, hour))
        actions.accept_order(order, by=caregiver)
        start = local(today, hour)
        minutes = order.planned_minutes
        actions.check_in(order, by=caregiver, fix=Fix(*where, accuracy_m=12), now=start)
        actions.check_out(Order.objects.get(pk=order.pk), by=caregiver, fix=Fix(*where, accuracy_m=12),
                          now=start + dt.timedelta(minutes=minutes))
        if confirm:
            actions.confirm_order(Order.objects.get(pk=order.pk), by=operator, rating=5)
        return Order.objects.get(pk=order.pk)

    return make


def after(month: dt.date) -> dt.datetime:
    return local(months.next_month(month), 1)


def test_confirmed_visits_settle_and_flagged_ones_wait_for_review(delivered, provider, today):
    month = months.month_start(today)
    ok = delivered("bathing", 9)
    far = delivered("cleaning", 14, where=metres_north(HOME, 2000))
    unconfirmed = delivered("meal", 12, confirm=False)
    preview = actions.preview_settlement(ok.provider, month=month)
    assert list(preview.included) == [ok] and list(preview.held) == [far]
    settlement = actions.issue_settlement(ok.provider, month=month, by=provider, now=after(month))
    assert settlement.order_count == 1 and settlement.total == ok.price == Decimal("80.00")
    assert (settlement.allowance_total, settlement.voucher_total, settlement.self_total) == (
        ok.allowance_amount, ok.voucher_amount, ok.self_amount)
    assert settlement.held_count == 1 and settlement.held_total == far.price
    assert Order.objects.get(pk=ok.pk).status == S.SETTLED
    assert Order.objects.get(pk=far.pk).status == S.CONFIRMED
    assert Order.objects.get(pk=unconfirmed.pk).status == S.CHECKED_OUT
    assert actions.reconcile(settlement) == []

    # Accepted on review, the held visit joins the next statement.
    actions.review_service_visit(far.service_visit, by=provider, accept=True, note="已电话核实")
    following = months.next_month(month)
    later = actions.issue_settlement(ok.provider, month=following, by=provider, now=after(following))
    assert list(later.orders.all()) == [far] and later.total == far.price


def test_the_statement_equals_the_ledger_to_the_fen(delivered, provider, funded_elder, today):
    month = months.month_start(today)
    orders = [delivered("bathing", 8), delivered("meal", 11), delivered("cleaning", 15)]
    settlement = actions.issue_settlement(orders[0].provider, month=month, by=provider, now=after(month))
    spent = -sum(e.amount for e in VoucherEntry.objects.filter(balance__elder=funded_elder, type="debit"))
    refunded = sum(e.amount for e in VoucherEntry.objects.filter(balance__elder=funded_elder, type="refund"))
    assert settlement.allowance_total + settlement.voucher_total == spent - refunded
    assert settlement.total == sum(o.price for o in orders)
    assert settlement.total == settlement.allowance_total + settlement.voucher_total + settlement.self_total
    # The provider receives the allowance shares from the bureau and the elders' shares from them.
    assert actions.ledger_totals([o.pk for o in orders]) == {
        "service": settlement.allowance_total, "consumption_voucher": settlement.voucher_total}


def test_a_month_is_settled_once_and_only_after_it_ends(delivered, provider, today):
    month = months.month_start(today)
    order = delivered("meal", 11)
    with pytest.raises(ValidationError) as e:
        actions.issue_settlement(order.provider, month=month, by=provider, now=local(today, 23))
    assert e.value.code == "month_open"
    actions.issue_settlement(order.provider, month=month, by=provider, now=after(month))
    with pytest.raises(ValidationError) as e:
        actions.issue_settlement(order.provider, month=month, by=provider, now=after(month))
    assert e.value.code == "conflict"
    assert Settlement.objects.count() == 1


def test_only_the_provider_or_the_bureau_issues(delivered, worker_a, caregiver, admin, today):
    month = months.month_start(today)
    order = delivered("meal", 11)
    for user in (worker_a, caregiver):
        with pytest.raises(PermissionDenied):
            actions.issue_settlement(order.provider, month=month, by=user, now=after(month))
    assert actions.issue_settlement(order.provider, month=month, by=admin, now=after(month)).order_count == 1


def test_the_xlsx_has_the_rows_and_totals_of_the_statement(delivered, provider, today):
    month = months.month_start(today)
    orders = [delivered("bathing", 8), delivered("meal", 11)]
    held = delivered("cleaning", 15, where=metres_north(HOME, 2000))
    settlement = actions.issue_settlement(orders[0].provider, month=month, by=provider, now=after(month))
    book = load_workbook(io.BytesIO(settlement_xlsx(settlement)))
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows[:-1]] == [o.pk for o in orders]
    total = rows[-1]
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in total[8:12]] == [
        settlement.total, settlement.allowance_total, settlement.voucher_total, settlement.self_total]
    held_rows = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in held_rows] == [held.pk]
    assert "周淑英" in {r[1] for r in rows[:-1]}
    assert not any("3601031948" in str(v) for r in rows for v in r)  # no ID number in the file
