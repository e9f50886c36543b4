"""Time-bank statements as .xlsx: one account's month, and one community's month (every
movement of its people's accounts, then a sheet of each account's opening and closing balance).

A title row, then a row saying the period and when it was exported, then the Chinese headers
(forms of the Chinese administration, like the allowance rolls: Chinese whatever the interface
language), then the rows. Times are local (KANGYANG_TIME_ZONE, Asia/Shanghai); hours are
numbers (1.5, never "1.5 小时"), so the sheet sums them. Cells never become formulas
(lib.sheets.SafeWorkbook). Holders appear by name; no phone or ID number is in the file."""

import datetime as dt
import io

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone, translation
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import SafeWorkbook
from kangyang.timebank import app_words, queries
from kangyang.timebank.models import Account, Entry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOURS_FORMAT = "0.00"

ACCOUNT_HEADERS = ("序号", "时间", "类别", "摘要", "小时", "余额（小时）", "流水号")
ACCOUNT_WIDTHS = (6, 17, 10, 36, 10, 12, 10)
COMMUNITY_HEADERS = ("序号", "时间", "账户", "账户类型", "类别", "摘要", "小时", "余额（小时）", "流水号")
COMMUNITY_WIDTHS = (6, 17, 12, 10, 10, 36, 10, 12, 10)
SUMMARY_HEADERS = ("序号", "账户", "账户类型", "社区代码", "期初（小时）", "本月增加（小时）", "本月减少（小时）", "期末（小时）")
SUMMARY_WIDTHS = (6, 12, 10, 14, 12, 14, 14, 12)
KIND_WORDS = {Account.Kind.VOLUNTEER: "志愿者", Account.Kind.ELDER: "老人"}


def _hours(sheet, minutes: int):
    cell = WriteOnlyCell(sheet, value=app_words.hours_number(minutes))
    cell.number_format = HOURS_FORMAT
    return cell


def _bold(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def _sheet(workbook, title: str, heading: str, about: str, headers, widths):
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A4"
    title_cell = WriteOnlyCell(sheet, value=heading)
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    sheet.append([about])
    sheet.append([_bold(sheet, h) for h in headers])
    return sheet


def _exported(by) -> str:
    now = timezone.localtime()
    return "导出：%(time)s（%(zone)s），%(by)s" % {"time": now.strftime("%Y-%m-%d %H:%M"), "zone": settings.TIME_ZONE,
                                                "by": by.get_username()}


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def account_statement_xlsx(account: Account, *, month: dt.date, by) -> bytes:
    """One account's movements of a month, with its opening and closing balance. Audited."""
    start, end = queries.month_bounds(month)
    statement = queries.statement(account, start=start, end=end)
    workbook = SafeWorkbook()
    with translation.override("zh-hans"):
        lines = app_words.describe(statement.entries)
        about = "期间：%(start)s 至 %(end)s；期初 %(opening)s 小时，期末 %(closing)s 小时。%(exported)s" % {
            "start": start, "end": end, "opening": app_words.hours_figure(statement.opening),
            "closing": app_words.hours_figure(statement.closing), "exported": _exported(by)}
        sheet = _sheet(workbook, "对账单", "时间银行对账单 %(name)s %(month)s" % {
            "name": str(account), "month": month.strftime("%Y-%m")}, about, ACCOUNT_HEADERS, ACCOUNT_WIDTHS)
        for number, line in enumerate(lines, start=1):
            sheet.append([number, _local(line.entry.created_at), line.kind, line.what,
                          _hours(sheet, line.minutes), _hours(sheet, line.balance_after), line.entry.seq])
        sheet.append([_bold(sheet, "合计"), "", "", "", _hours(sheet, statement.closing - statement.opening),
                      _hours(sheet, statement.closing), ""])
    record(by, AuditEntry.Action.EXPORT, account, verb="timebank.statement_export", region_code=account.region_code,
           changes={"month": month.strftime("%Y-%m"), "rows": len(lines)})
    return _save(workbook)


def community_statement_xlsx(region, *, month: dt.date, by) -> bytes:
    """Every movement of the people's accounts of a community (or subdistrict) in a month, then
    each account's opening, ins, outs and closing. Audited."""
    from kangyang.regions import codes

    start, end = queries.month_bounds(month)
    prefix = codes.prefix(region.code)
    entries = list(queries.community_entries(prefix, start=start, end=end))
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    hi = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    last_before = lambda bound: Subquery(  # noqa: E731
        Entry.objects.filter(account=OuterRef("pk"), created_at__lt=bound).order_by("-seq").values("balance_after")[:1])
    accounts = list(Account.objects.people().filter(region_code__startswith=prefix).select_related("elder")
                    .annotate(opening=last_before(lo), closing=last_before(hi)).order_by("kind", "real_name", "pk"))
    workbook = SafeWorkbook()
    with translation.override("zh-hans"):
        lines = app_words.describe(entries)
        about = "期间：%(start)s 至 %(end)s；%(count)d 笔。%(exported)s" % {
            "start": start, "end": end, "count": len(lines), "exported": _exported(by)}
        heading = "时间银行社区月度对账单 %(region)s %(month)s" % {"region": region.name, "month": month.strftime("%Y-%m")}
        sheet = _sheet(workbook, "流水", heading, about, COMMUNITY_HEADERS, COMMUNITY_WIDTHS)
        ins: dict[int, int] = {}
        outs: dict[int, int] = {}
        for number, line in enumerate(lines, start=1):
            e = line.entry
            (ins if e.amount_minutes > 0 else outs)[e.account_id] = \
                (ins if e.amount_minutes > 0 else outs).get(e.account_id, 0) + e.amount_minutes
            sheet.append([number, _local(e.created_at), str(e.account), KIND_WORDS.get(e.account.kind, ""), line.kind,
                          line.what, _hours(sheet, line.minutes), _hours(sheet, line.balance_after), e.seq])
        summary = _sheet(workbook, "账户汇总", heading, about, SUMMARY_HEADERS, SUMMARY_WIDTHS)
        for number, account in enumerate(accounts, start=1):
            summary.append([number, str(account), KIND_WORDS.get(account.kind, ""), account.region_code,
                            _hours(summary, account.opening or 0), _hours(summary, ins.get(account.pk, 0)),
                            _hours(summary, -outs.get(account.pk, 0)), _hours(summary, account.closing or 0)])
    record(by, AuditEntry.Action.EXPORT, region, verb="timebank.community_statement_export", region_code=region.code,
           changes={"month": month.strftime("%Y-%m"), "rows": len(lines)})
    return _save(workbook)
