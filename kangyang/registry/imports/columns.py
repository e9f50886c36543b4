"""The sheet's format: its columns, the words in its cells, and the template to download.

The column headers and the words in the cells (男/女, 独居, 低保 …) are a file format
shared between offices: the same in every interface language, so that a sheet made by
one person imports for another. Everything the program says about a sheet (the rules,
the reasons a row is rejected) is translated.
"""

import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _, gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kangyang.accounts import scope
from kangyang.lib import residentid
from kangyang.lib.sheets import sheet_row
from kangyang.regions.models import Compound, Region
from kangyang.registry.models import Elder


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # as written in the template; see the module docstring
    aliases: tuple[str, ...]
    required: bool
    rule: Promise
    example: str


COLUMNS = (
    Column("name", "姓名", ("name", "老人姓名", "长者姓名"), True,
           gettext_lazy("The elder's full name, at most 50 characters."), "王秀英"),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "身份证", "id_number", "id number"), True,
           gettext_lazy("The 18-character resident ID number. Format the column as text, or Excel "
                        "changes the last digits."), residentid.make("360103", dt.date(1945, 3, 12), 24)),
    Column("community", "社区", ("社区代码", "社区名称", "所属社区", "community", "community_code"), True,
           gettext_lazy("The community's 12-digit region code, or its exact name; it must be in "
                        "your area."), "360103001001"),
    Column("sex", "性别", ("sex", "gender"), False,
           gettext_lazy("男 or 女. May be left empty: it is read from the ID number, and checked "
                        "against it when given."), "女"),
    Column("birth_date", "出生日期", ("出生年月日", "birth_date", "birth date", "date of birth"), False,
           gettext_lazy("A date such as 1945-03-12, 1945/3/12 or 19450312. May be left empty: it "
                        "is read from the ID number, and checked against it when given."),
           "1945-03-12"),
    Column("phone", "联系电话", ("手机号", "手机号码", "电话", "联系方式", "phone", "mobile"), False,
           gettext_lazy("A mobile number (11 digits) or a landline with its area code."),
           "13807911234"),
    Column("compound", "小区", ("小区名称", "compound"), False,
           gettext_lazy("The name of a residential compound of that community, as listed on the "
                        "platform."), "桃花小区"),
    Column("address", "住址", ("地址", "家庭住址", "居住地址", "现住址", "address"), False,
           gettext_lazy("The home address, at most 200 characters. Elders with the same address "
                        "form one household."), "桃花小区3栋2单元101"),
    Column("living_arrangement", "居住情况", ("居住状况", "living_arrangement", "living arrangement"), False,
           gettext_lazy("One of: %(choices)s."), "独居"),
    Column("categories", "特殊困难类别", ("困难类别", "特殊困难老年人类别", "categories"), False,
           gettext_lazy("Any of: %(choices)s, separated by 、 or a comma."), "独居、低保"),
)
REQUIRED = [c for c in COLUMNS if c.required]
# Columns this module adds to the sheet of rejected rows; ignored when that sheet comes back.
ROW_HEADER = "原行号"
ERROR_HEADER = "错误原因"

SEX_LABELS = {Elder.Sex.MALE: "男", Elder.Sex.FEMALE: "女"}
LIVING_LABELS = {
    Elder.LivingArrangement.ALONE: "独居",
    Elder.LivingArrangement.SPOUSE: "与配偶同住",
    Elder.LivingArrangement.CHILDREN: "与子女同住",
    Elder.LivingArrangement.OTHERS: "与他人同住",
    Elder.LivingArrangement.INSTITUTION: "机构",
}
# GLOSSARY.md "vulnerable elder"
CATEGORY_LABELS = {
    Elder.Category.EMPTY_NEST: "空巢",
    Elder.Category.LEFT_BEHIND: "留守",
    Elder.Category.ALONE: "独居",
    Elder.Category.DISABLED: "失能",
    Elder.Category.SEVERELY_DISABLED: "重残",
    Elder.Category.BEREAVED: "计划生育特殊家庭",
    Elder.Category.EXTREME_POVERTY: "特困",
    Elder.Category.LOW_INCOME: "低保",
    Elder.Category.WITHOUT_FAMILY: "孤寡",
    Elder.Category.LOW_INCOME_MARGIN: "低收入",
    Elder.Category.ENTITLED: "优抚对象",
    Elder.Category.COGNITIVELY_IMPAIRED: "失智",
}


def _key(text: str) -> str:
    """How a header or a word is compared: NFKC (full-width → half-width), no spaces,
    underscores, hyphens or required-markers, lower case."""
    text = unicodedata.normalize("NFKC", str(text))
    text = re.sub(r"\((必填|选填|required|optional)\)", "", text, flags=re.IGNORECASE)
    return re.sub(r"[\s*_\-]", "", text).lower()


HEADER_FIELDS = {_key(a): c.field for c in COLUMNS for a in (c.header, *c.aliases)}
IGNORED_HEADERS = {_key(ROW_HEADER), _key(ERROR_HEADER)}
SEX_WORDS = {
    **{_key(v): k for k, v in SEX_LABELS.items()},
    "m": Elder.Sex.MALE, "male": Elder.Sex.MALE, "f": Elder.Sex.FEMALE, "female": Elder.Sex.FEMALE,
}
LIVING_WORDS = {
    **{_key(v): k for k, v in LIVING_LABELS.items()},
    **{_key(v): v for v in Elder.LivingArrangement.values},
    "养老机构": Elder.LivingArrangement.INSTITUTION, "入住机构": Elder.LivingArrangement.INSTITUTION,
}
CATEGORY_WORDS = {
    **{_key(v): k for k, v in CATEGORY_LABELS.items()},
    **{_key(v): v for v in Elder.Category.values},
    "计生特殊家庭": Elder.Category.BEREAVED, "失独": Elder.Category.BEREAVED,
    "特困供养": Elder.Category.EXTREME_POVERTY, "低保户": Elder.Category.LOW_INCOME,
    "重度残疾": Elder.Category.SEVERELY_DISABLED,
    "低保边缘": Elder.Category.LOW_INCOME_MARGIN, "低保边缘户": Elder.Category.LOW_INCOME_MARGIN,
    "优抚": Elder.Category.ENTITLED,
}
CATEGORY_SEPARATORS = re.compile(r"[、,，;；/\s]+")
NAME_MAX = Elder._meta.get_field("name").max_length
ADDRESS_MAX = Elder._meta.get_field("address").max_length


def template_xlsx(*, by=None) -> bytes:
    """An empty sheet with the column headers, for the download button; a second sheet
    说明 gives the rules and an example of each column (and, given `by`, the communities
    of that user's area)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "长者名单"
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if column.field in ("id_number", "address") else 14
        if column.field in ("id_number", "phone", "community"):
            sheet.column_dimensions[letter].number_format = "@"  # text: Excel keeps every digit
    sheet.freeze_panes = "A2"
    for name, labels in (("sex", SEX_LABELS), ("living_arrangement", LIVING_LABELS)):
        letter = get_column_letter(1 + [c.field for c in COLUMNS].index(name))
        validation = DataValidation(type="list", formula1='"%s"' % ",".join(labels.values()), allow_blank=True)
        validation.add(f"{letter}2:{letter}100000")
        sheet.add_data_validation(validation)

    rules = workbook.create_sheet("说明")
    rules.append([_("How to fill in the sheet 长者名单: one elder per row, below the headers. "
                    "Only that first sheet is imported; this sheet is never read.")])
    rules.append([])
    rules.append([_("Column"), _("Required"), _("Rule"), _("Example (not imported)")])
    for cell in rules[3]:
        cell.font = bold
    choices = {
        "living_arrangement": "、".join(LIVING_LABELS.values()),
        "categories": "、".join(CATEGORY_LABELS.values()),
    }
    communities = []
    if by is not None:
        communities = list(
            Region.objects.filter(level=Region.Level.COMMUNITY)
            .filter(scope.region_filter(by, field="code")).order_by("code")[:5000]
        )
    for column in COLUMNS:
        rule = str(column.rule) % {"choices": choices[column.field]} if column.field in choices else str(column.rule)
        example = column.example
        if column.field == "community" and communities:
            example = communities[0].code
        if column.field == "compound" and communities:
            first = Compound.objects.filter(community=communities[0]).order_by("name").first()
            example = first.name if first else ""
        rules.append(sheet_row(rules, [column.header, _("Yes") if column.required else _("No"), rule, example]))
    if communities:
        rules.append([])
        rules.append([_("Communities in your area")])
        rules.append([_("Region code"), _("Name")])
        for c in communities:
            rules.append(sheet_row(rules, [c.code, c.name]))
    for letter, width in zip("ABCD", (14, 8, 70, 24)):
        rules.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
