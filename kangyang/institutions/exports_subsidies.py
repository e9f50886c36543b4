"""A subsidy roll as an .xlsx sheet (actions.subsidies.roll_xlsx audits it). Institutions only:
no resident, elder or staff member is named. Headers and cell words are Chinese whatever the
interface language, like the allowances' rolls (they are forms of the Chinese administration)."""

import io

from django.conf import settings
from django.utils import timezone

from kangyang.assessment.standard import LEVEL_NAMES
from kangyang.institutions.models import SubsidyRate, SubsidyRoll
from kangyang.institutions.queries.subsidies import lines_of
from kangyang.lib.sheets import money_cell, new_sheet, sheet_value

HEADERS = ("序号", "机构名称", "类型", "社区", "社区代码", "补贴月份", "补贴项目", "能力等级", "数量", "标准（元）", "金额（元）")
WIDTHS = (6, 28, 16, 14, 14, 10, 16, 10, 10, 12, 14)
KIND_WORDS = {SubsidyRate.Kind.CONSTRUCTION: "建设补贴（每张新增床位）", SubsidyRate.Kind.OPERATING: "运营补贴（每床每月）"}
INSTITUTION_WORDS = {
    "care_home": "养老机构", "township_home": "敬老院", "subdistrict_centre": "街道综合养老服务中心",
    "embedded_home": "嵌入式养老院", "day_care_centre": "日间照料中心", "meal_point": "老年助餐点",
    "rural_home": "农村颐养之家", "home_care_beds": "家庭养老床位",
}
STATUS_WORDS = {SubsidyRoll.Status.DRAFT: "草稿", SubsidyRoll.Status.APPROVED: "区已审批", SubsidyRoll.Status.PAID: "已发放"}


def level_words(level) -> str:
    if level is None:
        return "未评估"
    return LEVEL_NAMES.get(level, (None, str(level)))[1]


def roll_sheet(roll: SubsidyRoll, *, by) -> bytes:
    workbook, sheet = new_sheet("机构补贴名册", HEADERS, WIDTHS)
    month = roll.month.strftime("%Y-%m")
    for n, line in enumerate(lines_of(roll).iterator(chunk_size=2000), start=1):
        i = line.institution
        sheet.append([
            n, sheet_value(sheet, i.name), INSTITUTION_WORDS.get(i.kind, i.kind), sheet_value(sheet, i.community.name),
            i.region_code, month, KIND_WORDS.get(line.kind, line.kind),
            "" if line.kind == SubsidyRate.Kind.CONSTRUCTION else level_words(line.care_level),
            float(line.quantity), money_cell(sheet, line.rate.amount), money_cell(sheet, line.amount),
        ])
    sheet.append(["合计", "", "", "", "", "", "", "", "", "", money_cell(sheet, roll.total)])
    about = workbook.create_sheet("导出信息")
    now = timezone.localtime()
    about.append(["名册", f"{roll.region.name} {month}"])
    about.append(["状态", STATUS_WORDS.get(roll.status, roll.status)])
    about.append(["导出人", by.get_username()])
    about.append(["导出时间", f"{now:%Y-%m-%d %H:%M} ({settings.TIME_ZONE})"])
    about.append(["说明", "不足整月按在住天数÷当月天数折算（保留两位小数）；仅含机构，不含个人信息。"])
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
