"""A payment roll as files: the review sheet (.xlsx, masked ID numbers, for anyone who sees
the roll) and the bank file (CSV with full ID numbers and accounts, bureau admin only,
made by actions.export_bank_file, which audits it).

Headers and cell words are Chinese whatever the interface language, like the registry's
sheets: they are forms of the Chinese administration. Rows are written one by one from a
database iterator, so a roll of any size needs little memory.
"""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.lib.sheets import SafeCsvWriter, money_cell, new_sheet, sheet_value
from kangyang.allowances import eligibility as rules
from kangyang.allowances.constants import BANK_CSV_ENCODING
from kangyang.allowances.models import PaymentLine, PaymentRoll

CHUNK_ROWS = 2000
SHEET_HEADERS = ("序号", "姓名", "身份证号", "社区", "社区代码", "发放月份", "补贴项目", "金额（元）", "依据")
SHEET_WIDTHS = (6, 10, 20, 16, 14, 10, 18, 12, 40)
BANK_HEADERS = ("序号", "收款人姓名", "身份证号", "开户银行", "银行账号", "金额", "补贴项目", "发放月份", "社区代码", "备注")
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


def bank_csv(roll: PaymentRoll) -> tuple[bytes, int]:
    """(file, rows) of the bank file. Call only through actions.export_bank_file, which
    checks who asks and audits it: the file holds full ID numbers and account numbers.

    An elder without a recorded payee account is listed with an empty account: the bank
    pays into the social-security card (惠民惠农一卡通) that it finds by the ID number, as
    is usual for allowances in China; the 备注 column says so."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\r\n")  # no name or note runs as a formula
    writer.writerow(BANK_HEADERS)
    month = roll.month.strftime("%Y-%m")
    rows = 0
    lines = (
        PaymentLine.objects.filter(roll=roll).select_related("elder", "elder__payee_account")
        .order_by("elder__name", "elder_id").iterator(chunk_size=CHUNK_ROWS)
    )
    for rows, line in enumerate(lines, start=1):
        elder = line.elder
        account = getattr(elder, "payee_account", None)
        writer.writerow([
            rows,
            account.holder_name if account else elder.name,
            elder._id_number(),
            account.bank_name if account else "",
            crypto.decrypt(account.account_encrypted) if account else "",
            f"{line.amount:.2f}",
            roll.policy.name,
            month,
            roll.region_code,
            "" if account else "按身份证号发放至社保卡",
        ])
    writer.writerow(["合计", "", "", "", "", f"{roll.total:.2f}", "", "", "", f"{roll.line_count}人"])
    return out.getvalue().encode(BANK_CSV_ENCODING), rows
