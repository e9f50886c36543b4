"""From the family's order in the app to the provider's monthly settlement, through the
API where a person would use it, to the fen."""

import contextlib
import datetime as dt
import io
import json
import time
from unittest import mock
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from kangyang.accounts.models import User
from kangyang.registry.actions import add_contact
from kangyang.services import actions
from kangyang.services.exports import settlement_xlsx
from kangyang.services.models import Order, ServiceVisit
from kangyang.services.tests.conftest import HOME, local, metres_north
from kangyang.allowances.eligibility import next_month
from kangyang.allowances.queries import voucher_balance
from kangyang.allowances.models import Policy

SERVICE, VOUCHER = Policy.Kind.SERVICE, Policy.Kind.CONSUMPTION_VOUCHER
FEN = Decimal("0.01")


def post(client, url, body, headers):
    r = client.post(url, json.dumps(body), content_type="application/json", **headers)
    assert r.status_code in (200, 201), r.content
    return r.json()


def ago(minutes: int) -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(minutes=minutes)).isoformat()


@contextlib.contextmanager
def clock_at(moment: dt.datetime):
    """The server's clock (django.utils.timezone.now) set to `moment`, moving on from there."""
    started = time.monotonic()
    with mock.patch.object(timezone, "now", lambda: moment + dt.timedelta(seconds=time.monotonic() - started)):
        yield


def money(value) -> Decimal:
    """A money cell read back from the sheet, as the Decimal it was written from."""
    return Decimal(str(value)).quantize(FEN)


def test_order_to_settlement_end_to_end(
    client, api_token, worker_a, caregiver, provider, funded_elder, catalogue, carer, home_provider,
    this_month, tomorrow,
):
    son = User.objects.create_user(username="son", password="kangyang-demo", role="family", full_name="周建华")
    add_contact(funded_elder, by=worker_a, name="周建华", relation="son", phone="13607916666", user=son)
    family, carer_app = api_token(son), api_token(caregiver)
    before = {SERVICE: voucher_balance(funded_elder, kind=SERVICE), VOUCHER: voucher_balance(funded_elder, kind=VOUCHER)}
    assert before == {SERVICE: Decimal("100.00"), VOUCHER: Decimal("800.00")}

    # The son sees each price split, then orders with the elder's share he was shown — four
    # hours ago, so that the visits below can be sent as made three hours ago.
    with clock_at(timezone.now() - dt.timedelta(hours=4)):
        lunch_at, cleaning_at = local(tomorrow, 11).isoformat(), local(tomorrow, 14).isoformat()
        lunch_quote = post(client, "/api/v1/orders/quote", {"elder": funded_elder.pk, "item": "meal",
                                                            "window_start": lunch_at}, family)
        # ¥15 lunch: the voucher pays its 50%, the service allowance the rest.
        assert [lunch_quote[k] for k in ("price", "voucher", "allowance", "own")] == ["15.00", "7.50", "7.50", "0.00"]
        lunch = post(client, "/api/v1/orders", {"elder": funded_elder.pk, "item": "meal", "window_start": lunch_at,
                                                "expected_own_share": lunch_quote["own"]}, family)
        home_quote = post(client, "/api/v1/orders/quote", {"elder": funded_elder.pk, "item": "housekeeping",
                                                           "quantity": 3, "window_start": cleaning_at}, family)
        # ¥105 of housekeeping, which the voucher does not pay: the allowance's last ¥92.50, then the elder.
        assert [home_quote[k] for k in ("price", "voucher", "allowance", "own")] == ["105.00", "0.00", "92.50", "12.50"]
        cleaning = post(client, "/api/v1/orders", {"elder": funded_elder.pk, "item": "housekeeping", "quantity": 3,
                                                   "window_start": cleaning_at, "flexible": True,
                                                   "expected_own_share": home_quote["own"]}, family)

    # Dispatch gave both to the caregiver, who sees them for tomorrow and takes them on.
    for order in (lunch, cleaning):
        assert (order["status"], order["caregiver"]) == ("dispatched", carer.pk)
    mine = client.get("/api/v1/orders", {"day": tomorrow.isoformat()}, **carer_app).json()
    assert [o["id"] for o in mine["items"]] == [cleaning["id"], lunch["id"]]  # latest window first
    for order in (lunch, cleaning):
        assert post(client, f"/api/v1/orders/{order['id']}/accept", {}, carer_app)["status"] == "accepted"

    # The lunch: checked in at the elder's home (sent as made 3 hours ago), out 15 minutes later.
    base = "/api/v1/orders/{}/{}"
    r = post(client, base.format(lunch["id"], "check-in"),
             {"lat": HOME[0], "lng": HOME[1], "accuracy": 12, "at": ago(180)}, carer_app)
    assert (r["within_radius"], r["raised"]) == (True, [])
    r = post(client, base.format(lunch["id"], "check-out"),
             {"lat": HOME[0], "lng": HOME[1], "accuracy": 12, "at": ago(165), "notes": "午餐已送到"}, carer_app)
    assert (r["status"], r["raised"]) == ("checked_out", [])
    # The housekeeping: the phone puts the check-in 2 km away. Recorded, and flagged.
    far = metres_north(HOME, 2000)
    r = post(client, base.format(cleaning["id"], "check-in"),
             {"lat": far[0], "lng": far[1], "accuracy": 20, "at": ago(160)}, carer_app)
    assert (r["within_radius"], r["raised"]) == (False, ["far_check_in"]) and 1990 <= r["distance_m"] <= 2010
    r = post(client, base.format(cleaning["id"], "check-out"),
             {"lat": HOME[0], "lng": HOME[1], "accuracy": 12, "notes": "打扫厨房和卫生间"}, carer_app)
    assert (r["status"], r["raised"]) == ("checked_out", []) and r["visit"]["held_back"] is True

    # The son confirms both, with ratings.
    assert post(client, base.format(lunch["id"], "confirm"), {"rating": 5}, family)["status"] == "confirmed"
    assert post(client, base.format(cleaning["id"], "confirm"), {"rating": 4, "comment": "干净"}, family)["rating"] == 4

    # The flagged visit is held back until the provider's manager accepts it on review.
    preview = actions.preview_settlement(home_provider, month=this_month)
    assert [o.pk for o in preview.included] == [lunch["id"]] and [o.pk for o in preview.held] == [cleaning["id"]]
    service_visit = ServiceVisit.objects.get(order_id=cleaning["id"])
    actions.review_service_visit(service_visit, by=provider, accept=True, note="已电话核实：老人确认上门服务，定位偏差")
    preview = actions.preview_settlement(home_provider, month=this_month)
    assert {o.pk for o in preview.included} == {lunch["id"], cleaning["id"]} and not preview.held

    # The month's statement, issued just after the month (the check-outs were this month).
    settlement = actions.issue_settlement(home_provider, month=this_month, by=provider,
                                          now=local(next_month(this_month), 1))
    orders = list(Order.objects.filter(pk__in=[lunch["id"], cleaning["id"]]).order_by("service_visit__checked_out_at"))
    assert {o.status for o in orders} == {Order.Status.SETTLED} and {o.settlement_id for o in orders} == {settlement.pk}
    allowance = sum((o.allowance_amount for o in orders), Decimal("0.00"))
    voucher = sum((o.voucher_amount for o in orders), Decimal("0.00"))
    own = sum((o.self_amount for o in orders), Decimal("0.00"))
    assert (allowance, voucher, own) == (Decimal("100.00"), Decimal("7.50"), Decimal("12.50"))
    assert (settlement.order_count, settlement.held_count) == (2, 0)
    assert settlement.allowance_total == allowance and settlement.voucher_total == voucher
    assert settlement.self_total == own
    # The provider receives the allowance shares and the elder's shares: ¥100.00 + ¥7.50 + ¥12.50.
    assert settlement.total == allowance + voucher + own == Decimal("120.00")
    # …and the allowance shares are exactly what the elder's balances went down by.
    after = {SERVICE: voucher_balance(funded_elder, kind=SERVICE), VOUCHER: voucher_balance(funded_elder, kind=VOUCHER)}
    assert before[SERVICE] - after[SERVICE] == settlement.allowance_total == Decimal("100.00")
    assert before[VOUCHER] - after[VOUCHER] == settlement.voucher_total == Decimal("7.50")
    assert actions.reconcile(settlement) == []
    assert client.get(f"/api/v1/orders/{lunch['id']}", **family).json()["settled"] is True

    # The statement as .xlsx has the same rows and totals.
    book = load_workbook(io.BytesIO(settlement_xlsx(settlement)))
    sheet, held_sheet = book.worksheets
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    *lines, total = rows
    assert [line[0] for line in lines] == [o.pk for o in orders]
    assert [[money(v) for v in line[8:12]] for line in lines] == [
        [o.price, o.allowance_amount, o.voucher_amount, o.self_amount] for o in orders]
    assert [money(v) for v in total[8:12]] == [
        settlement.total, settlement.allowance_total, settlement.voucher_total, settlement.self_total]
    assert [line[12] for line in lines] == [o.rating for o in orders]
    assert list(held_sheet.iter_rows(min_row=2, values_only=True)) == []
