"""The settlement statement as .xlsx: one sheet of visits with who pays what, one of visits
held back for review, and the totals — the sums over the rows, to the fen.

Elders appear by name and community only (the provider served them and knows them); no ID
number or phone is in the file. Times are local (KANGYANG_TIME_ZONE)."""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kangyang.lib import numbers
from kangyang.lib.sheets import new_sheet, sheet_value
from kangyang.services.actions.settlement import preview_settlement
from kangyang.services.models import Order, Settlement

MONEY_FORMAT = numbers.MONEY_FORMAT  # 2,306,550.00


def _money(sheet, amount: Decimal):
    cell = WriteOnlyCell(sheet, value=amount)
    cell.number_format = MONEY_FORMAT
    return cell


def _headers() -> list[str]:
    return [_("Order"), _("Elder"), _("Community"), _("Service"), _("Quantity"), _("Caregiver"),
            _("Checked in"), _("Checked out"), _("Price"), _("Service allowance"), _("Consumption voucher"),
            _("Elder pays"), _("Rating")]


WIDTHS = [9, 12, 14, 14, 8, 12, 17, 17, 10, 12, 12, 10, 7]


def _row(sheet, order: Order) -> list:
    service_visit = order.service_visit
    return [
        order.pk, sheet_value(sheet, order.elder.name), sheet_value(sheet, order.elder.community.name),
        sheet_value(sheet, order.item.name), order.quantity, sheet_value(sheet, order.caregiver.name if order.caregiver else ""),
        timezone.localtime(service_visit.checked_in_at).strftime("%Y-%m-%d %H:%M"),
        timezone.localtime(service_visit.checked_out_at).strftime("%Y-%m-%d %H:%M") if service_visit.checked_out_at else "",
        _money(sheet, order.price), _money(sheet, order.allowance_amount), _money(sheet, order.voucher_amount),
        _money(sheet, order.self_amount), order.rating or "",
    ]


def _total_row(sheet, label: str, orders) -> list:
    bold = Font(bold=True)
    sums = [sum((getattr(o, f) for o in orders), Decimal("0.00"))
            for f in ("price", "allowance_amount", "voucher_amount", "self_amount")]
    label_cell = WriteOnlyCell(sheet, value=label)
    label_cell.font = bold
    cells = [label_cell] + [""] * 7
    for amount in sums:
        c = _money(sheet, amount)
        c.font = bold
        cells.append(c)
    return cells


def settlement_xlsx(settlement: Settlement) -> bytes:
    """The issued statement: its orders, then the visits still held back for review."""
    orders = list(settlement.orders.select_related("elder__community", "item", "caregiver", "service_visit").order_by(
        "service_visit__checked_out_at", "id"))
    workbook, sheet = new_sheet(_("Settlement"), _headers(), WIDTHS)
    for order in orders:
        sheet.append(_row(sheet, order))
    sheet.append(_total_row(sheet, _("Total"), orders))
    held = list(preview_settlement(settlement.provider, month=settlement.month).held.select_related(
        "elder__community"))
    held_sheet = workbook.create_sheet(_("Held back for review"))
    held_sheet.append(_headers())
    for order in held:
        held_sheet.append(_row(held_sheet, order))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def settlement_filename(settlement: Settlement) -> str:
    return f"settlement-{settlement.provider_id}-{settlement.month:%Y-%m}.xlsx"
