"""Payment rolls as files: the review sheet of a roll (.xlsx, masked ID numbers, for anyone
who sees the roll) and the bank file of a bank batch (full ID numbers and accounts, in the
bank's layout; bureau admin only, made by actions.bank_file, which audits it).

Headers and cell words are Chinese whatever the interface language, like the registry's
sheets: they are forms of the Chinese administration. Rows are written one by one from a
database iterator, so a roll of any size needs little memory.
"""

import csv
import io
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from openpyxl.cell import WriteOnlyCell

from kangyang.lib.sheets import SafeCsvWriter, money_cell, new_sheet, sheet_value
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import TEXT_FIELDS, BankLayout, PaymentLine, PaymentRoll, PayoutBatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CHUNK_ROWS = 2000
SHEET_HEADERS = ("序号", "姓名", "身份证号", "社区", "社区代码", "发放月份", "补贴项目", "金额（元）", "依据")
SHEET_WIDTHS = (6, 10, 20, 16, 14, 10, 18, 12, 40)
STATUS_WORDS = {
    PaymentRoll.Status.DRAFT: "草稿",
    PaymentRoll.Status.COMMUNITY_APPROVED: "社区已审核",
    PaymentRoll.Status.SUBDISTRICT_APPROVED: "街道已审核",
    PaymentRoll.Status.DISTRICT_APPROVED: "区已审批",
    PaymentRoll.Status.EXPORTED: "已发放",
}


def _lines(roll: PaymentRoll):
    return (
        PaymentLine.objects.filter(roll=roll).select_related("elder", "band")
        .order_by("elder__name", "elder_id").iterator(chunk_size=CHUNK_ROWS)
    )


def roll_xlsx(roll: PaymentRoll, *, by) -> bytes:
    """The roll for review and public notice (公示): masked ID numbers only. Audited."""
    workbook, sheet = new_sheet("补贴发放名册", SHEET_HEADERS, SHEET_WIDTHS)
    month = roll.month.strftime("%Y-%m")
    rows = 0
    with translation.override("zh-hans"):
        for rows, line in enumerate(_lines(roll), start=1):
            sheet.append([
                rows, sheet_value(sheet, line.elder.name), line.elder.id_number_masked, roll.region.name,
                roll.region_code, month, sheet_value(sheet, roll.policy.name), money_cell(sheet, line.amount),
                rules.line_explanation(line),
            ])
    sheet.append(["合计", "", "", "", "", "", "", money_cell(sheet, roll.total), f"{roll.line_count}人"])

    about = workbook.create_sheet("导出信息")
    now = timezone.localtime()
    about.append([_("Roll"), str(roll)])
    about.append([_("Status"), STATUS_WORDS.get(roll.status, roll.status)])
    if roll.version.is_example:
        about.append([_("Amounts"), "示例金额"])
    about.append([_("Exported by"), by.get_username()])
    about.append([_("Exported at"), "%(time)s (%(zone)s)" % {
        "time": now.strftime("%Y-%m-%d %H:%M"), "zone": settings.TIME_ZONE}])
    about.append([_("ID numbers are masked. The roll is confidential: do not pass it on.")])
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    record(by, AuditEntry.Action.EXPORT, roll, verb="payment_roll.export", changes={"rows": rows})
    return out.getvalue()


CONTENT_TYPES = {"xlsx": XLSX, "csv": "text/csv"}
NO_ACCOUNT_NOTE = "按身份证号发放至社保卡"


def _bank_rows(batch: PayoutBatch):
    """(values by layout field) for every payment of the batch, community by community."""
    lines = (
        PaymentLine.objects.filter(roll__batch=batch)
        .select_related("elder", "elder__payee_account", "roll__region")
        .order_by("roll__region_code", "elder__name", "elder_id", "month", "pk")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for seq, line in enumerate(lines, start=1):
        elder = line.elder
        account = getattr(elder, "payee_account", None)
        notes = []
        if line.is_back_pay:
            notes.append(f"补发{line.month:%Y-%m}")
        if account is None:
            notes.append(NO_ACCOUNT_NOTE)
        yield {
            "seq": str(seq),
            "name": account.holder_name if account else elder.name,
            "id_number": elder._id_number(),
            "bank": account.bank_name if account else "",
            "account": crypto.decrypt(account.account_encrypted) if account else "",
            "amount": line.amount,
            "policy": batch.policy.name,
            "month": f"{batch.month:%Y-%m}",
            "region_code": line.roll.region_code,
            "community": line.roll.region.name,
            "note": "；".join(notes),
        }


def bank_file(batch: PayoutBatch) -> tuple[bytes, int]:
    """(file, rows) of a bank batch in its layout. Call only through actions.bank_file,
    which checks who asks and audits it: the file holds full ID numbers and account numbers.

    An elder without a recorded payee account is listed with an empty account: the bank
    pays into the social-security card (惠民惠农一卡通) that it finds by the ID number, as
    is usual for allowances in China; the note says so. Back pay (补发) says the month it
    pays for. In an .xlsx file, ID numbers, account numbers and codes are text cells with
    the text format (@), so Excel never shows 3.60103E+17 nor drops a leading zero; in a
    CSV file every cell is quoted, which the banks' import tools read as text (open a CSV
    in Excel through Data → From Text, or use the .xlsx layout)."""
    layout = batch.layout
    columns = [(c["field"], c.get("title") or c["field"]) for c in layout.columns]
    if layout.file_type == BankLayout.FileType.XLSX:
        return _bank_xlsx(batch, layout, columns)
    return _bank_csv(batch, layout, columns)


def _bank_csv(batch: PayoutBatch, layout: BankLayout, columns) -> tuple[bytes, int]:
    out = io.StringIO()
    # Every cell quoted: the bank reads IDs and accounts as text. No cell runs as a formula.
    writer = SafeCsvWriter(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    if layout.header:
        writer.writerow([title for _f, title in columns])
    rows = 0
    for rows, values in enumerate(_bank_rows(batch), start=1):
        writer.writerow([_csv_value(values[field]) for field, _t in columns])
    if layout.total_row:
        writer.writerow([_total_value(field, batch) for field, _t in columns])
    return out.getvalue().encode(layout.encoding, errors="replace"), rows


def _csv_value(value) -> str:
    return f"{value:.2f}" if isinstance(value, Decimal) else value


def _total_value(field: str, batch: PayoutBatch):
    if field == "seq":
        return "合计"
    if field == "amount":
        return f"{batch.total:.2f}"
    if field == "note":
        return f"{batch.line_count}人"
    return ""


def _bank_xlsx(batch: PayoutBatch, layout: BankLayout, columns) -> tuple[bytes, int]:
    titles = [title for _f, title in columns] if layout.header else []
    workbook, sheet = new_sheet("银行代发", titles, [BANK_WIDTHS.get(f, 12) for f, _t in columns])
    if not layout.header:
        sheet.freeze_panes = None

    def cell(field: str, value):
        if isinstance(value, Decimal):
            c = WriteOnlyCell(sheet, value=value)
            c.number_format = "0.00"
            return c
        c = WriteOnlyCell(sheet, value=value)
        if field in TEXT_FIELDS:
            c.data_type = "s"
            c.number_format = "@"  # text: Excel keeps all 18 digits
        return c

    rows = 0
    for rows, values in enumerate(_bank_rows(batch), start=1):
        sheet.append([cell(field, values[field]) for field, _t in columns])
    if layout.total_row:
        sheet.append([cell(field, _total_value(field, batch) if field != "amount" else batch.total)
                      for field, _t in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), rows


BANK_WIDTHS = {"seq": 6, "name": 12, "id_number": 22, "bank": 20, "account": 26, "amount": 12, "policy": 18,
               "month": 10, "region_code": 14, "community": 16, "note": 30}
