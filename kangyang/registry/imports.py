"""Importing elders from the sheet a community worker keeps in Excel.

start_import() checks and stores the upload, then reads it at once or leaves it to the
background worker; run_import() validates every row, adds the good ones in batches and
writes the rejected ones, each with its reasons, to a sheet the worker can correct and
upload again. Uploading the same sheet twice adds nobody twice: a row whose ID number is
already registered is counted as such and skipped.

The column headers and the words in the cells (男/女, 独居, 低保 …) are a file format
shared between offices: the same in every interface language, so that a sheet made by
one person imports for another. Everything the program says about a sheet (the rules,
the reasons a row is rejected) is translated.
"""

import datetime as dt
import gc
import io
import logging
import os
import re
import unicodedata
import uuid
import zlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, partial
from zipfile import BadZipFile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _, gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from kangyang.lib.sheets import SafeWorkbook, sheet_row, sheet_value
from kangyang.lib.storage import reencrypt_stored_files
from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, phone as phones, residentid
from kangyang.regions.models import Compound, Household, Region
from kangyang.registry import actions, tasks
from kangyang.registry.models import Elder, HealthRecord, ImportJob

logger = logging.getLogger(__name__)

# Rows validated, then committed together: one transaction, one existing-ID query, one
# household query and one progress update per batch.
BATCH_ROWS = 1000
# A header row is looked for among the first rows, below a title such as "桃花社区老年人花名册".
HEADER_SEARCH_ROWS = 10
XLSX_EXTENSION = ".xlsx"
COUNTS = ["processed_rows", "created_count", "existing_count", "error_count"]
# What openpyxl raises on a file that is not a well-formed workbook (XML errors are SyntaxErrors).
READ_ERRORS = (InvalidFileException, BadZipFile, zlib.error, KeyError, ValueError, OSError, SyntaxError, EOFError)


# -- the sheet's columns -------------------------------------------------------------------
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


# -- reading a sheet -----------------------------------------------------------------------
@dataclass
class _Sheet:
    """The sheet of a workbook that holds the elders, and where its columns are."""

    worksheet: object
    header_row: int  # 1-based, as Excel numbers rows
    header: tuple
    columns: dict[str, int]  # field → 0-based column index

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(row number, cell values) of every data row: rows with a value in a known column."""
        known = list(self.columns.values())
        rows = self.worksheet.iter_rows(min_row=self.header_row + 1, values_only=True)
        for number, values in enumerate(rows, start=self.header_row + 1):
            if any(_text(values[i]) for i in known if i < len(values)):
                yield number, values

    def value(self, values: tuple, name: str):
        index = self.columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    def count(self, *, limit: int | None = None) -> int:
        """How many data rows, counting no further than `limit` + 1."""
        count = 0
        for _row in self.rows():
            count += 1
            if limit is not None and count > limit:
                break
        return count

    @cached_property
    def estimate(self) -> int | None:
        """Data rows, at most, without reading the cells: from the sheet's <dimension> (Excel
        and WPS write one), else from its <row> elements; either may count blank rows. None
        if neither can be had."""
        last = self.worksheet.max_row
        if last is None:
            last = self._row_elements()
        return None if not last else max(0, last - self.header_row)

    def _row_elements(self) -> int | None:
        # Sheets written by openpyxl and some other programs have no <dimension>. Reading
        # every cell to count them takes a quarter of an import; scanning the sheet's XML for
        # row tags takes a second. _get_source is openpyxl's own (private) way to that XML.
        get_source = getattr(self.worksheet, "_get_source", None)
        if get_source is None:
            return None
        count, tail = 0, b""
        with get_source() as source:
            while chunk := source.read(1 << 20):
                data = tail + chunk
                count += data.count(b"<row ") + data.count(b":row ")  # x:row with a namespace prefix
                tail = data[-5:]  # shorter than a tag, so no tag is counted twice
        return count or None


def _unreadable() -> ValidationError:
    return ValidationError(
        _("This file cannot be read as an Excel workbook. Open it in Excel and save it as "
          "“Excel Workbook (.xlsx)”."),
        code="unreadable",
    )


def _open_workbook(file):
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except READ_ERRORS as e:
        raise _unreadable() from e


def _find_sheet(workbook) -> _Sheet:
    """The first sheet with a row of at least two known headers near its top. A missing
    required column, or one given twice, is a ValidationError naming the columns."""
    found = None
    for worksheet in workbook.worksheets:
        rows = worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)
        for number, values in enumerate(rows, start=1):
            if sum(_key(v) in HEADER_FIELDS for v in values if v is not None) >= 2:
                found = (worksheet, number, values)
                break
        if found:
            break
    if found is None:  # report against the first sheet's first row
        worksheet = workbook.worksheets[0]
        values = next(worksheet.iter_rows(max_row=1, values_only=True), ())
        found = (worksheet, 1, values)
    worksheet, number, header = found
    columns: dict[str, int] = {}
    twice: list[str] = []
    for index, value in enumerate(header):
        name = HEADER_FIELDS.get(_key(value)) if value is not None else None
        if name is None:
            continue
        if name in columns:
            twice.append(str(value).strip())
        columns.setdefault(name, index)
    if twice:
        raise ValidationError(
            _("These columns appear more than once: %(columns)s. Keep one of each.")
            % {"columns": "、".join(twice)},
            code="columns_twice",
        )
    missing = [c.header for c in REQUIRED if c.field not in columns]
    if missing:
        raise ValidationError(
            _("The sheet lacks these required columns: %(columns)s. The first row of the sheet "
              "must hold the column headers, as in the template.")
            % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    return _Sheet(worksheet=worksheet, header_row=number, header=tuple(header), columns=columns)


def _text(value) -> str:
    """A cell as text: numbers typed into Excel (codes, phones) without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# -- checking one row ----------------------------------------------------------------------
@dataclass
class _Row:
    """A row that passed every check, ready to be added unless already registered."""

    number: int
    name: str
    rid: residentid.ResidentId
    id_hash: str
    community: Region
    compound: Compound | None
    address: str
    phone: str
    living_arrangement: str
    categories: list[str]


class _Places:
    """The communities and compounds of the importing user's area, loaded once per job."""

    def __init__(self, by) -> None:
        communities = list(
            Region.objects.filter(level=Region.Level.COMMUNITY).filter(scope.region_filter(by, field="code"))
        )
        self.by_code = {c.code: c for c in communities}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        for c in communities:
            self.by_name[c.name].append(c)
        self.compounds = {
            (c.community_id, c.name): c for c in Compound.objects.filter(community__in=communities)
        }
        self._elsewhere: dict[str, bool] = {}

    def community(self, value: str) -> Region:
        if value in self.by_code:
            return self.by_code[value]
        matches = self.by_name.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValidationError(
                _("Several communities in your area are called %(value)s; give the 12-digit code "
                  "instead.") % {"value": value},
                code="community_ambiguous",
            )
        if value not in self._elsewhere:
            self._elsewhere[value] = Region.objects.filter(
                Q(code=value) | Q(name=value), level=Region.Level.COMMUNITY
            ).exists()
        if self._elsewhere[value]:
            raise ValidationError(
                _("The community %(value)s is not in your area.") % {"value": value},
                code="community_outside",
            )
        raise ValidationError(
            _("There is no community with the code or name %(value)s.") % {"value": value},
            code="community_unknown",
        )

    def compound(self, community: Region, value: str) -> Compound:
        compound = self.compounds.get((community.pk, value))
        if compound is None:
            raise ValidationError(
                _("The community %(community)s has no compound called %(value)s.")
                % {"community": community.name, "value": value},
                code="compound_unknown",
            )
        return compound


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = unicodedata.normalize("NFKC", _text(value))
    text = re.sub(r"\s+0{1,2}:00(:00)?$", "", text)  # a date cell read back as text
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
             or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise ValidationError(
        _("“%(value)s” is not a date; write it as 1945-03-12.") % {"value": text}, code="date"
    )


def _choice(value: str, words: dict[str, str], labels: dict[str, str], message: str) -> str:
    try:
        return words[_key(value)]
    except KeyError:
        raise ValidationError(
            message % {"value": value, "choices": "、".join(labels.values())}, code="choice"
        ) from None


def _categories(value: str) -> list[str]:
    values, unknown = [], []
    for word in CATEGORY_SEPARATORS.split(value):
        if not word:
            continue
        key = _key(word)
        category = CATEGORY_WORDS.get(key) or CATEGORY_WORDS.get(key.removesuffix("老人"))
        if category is None:
            unknown.append(word)
        else:
            values.append(category)
    if unknown:
        raise ValidationError(
            _("Unknown vulnerability category: %(values)s. Use %(choices)s.")
            % {"values": "、".join(unknown), "choices": "、".join(CATEGORY_LABELS.values())},
            code="category",
        )
    return values  # all Elder.Category values; build_elder checks them again


def _check_row(sheet: _Sheet, values: tuple, *, number: int, places: _Places) -> tuple[_Row | None, list[str]]:
    """Every reason to reject the row, or the row ready to add. No database access except
    the first mention of a community outside the user's area."""
    errors: list[str] = []
    get = partial(sheet.value, values)

    name = _text(get("name"))
    if not name:
        errors.append(_("Enter the elder's name."))
    elif len(name) > NAME_MAX:
        errors.append(_("The name is longer than %(max)d characters.") % {"max": NAME_MAX})

    rid = None
    raw_id = get("id_number")
    id_text = re.sub(r"\s", "", unicodedata.normalize("NFKC", _text(raw_id)))
    sex = birth_date = None
    try:
        if _text(get("sex")):
            sex = _choice(_text(get("sex")), SEX_WORDS, SEX_LABELS,
                          _("Unknown sex “%(value)s”; write %(choices)s."))
    except ValidationError as e:
        errors.extend(e.messages)
    try:
        if _text(get("birth_date")):
            birth_date = _date(get("birth_date"))
    except ValidationError as e:
        errors.extend(e.messages)
    if not id_text:
        errors.append(_("Enter the ID number."))
    else:
        try:
            rid = actions.check_identity(id_text, birth_date=birth_date, sex=sex)
        except ValidationError as e:
            errors.extend(e.messages)
            if isinstance(raw_id, (int, float)):
                errors.append(_("Excel stored the ID number as a number and may have changed its "
                                "last digits: format the column as text and type the number again."))

    community = compound = None
    community_text = unicodedata.normalize("NFKC", _text(get("community")))
    if not community_text:
        errors.append(_("Enter the community: its 12-digit code or its name."))
    else:
        try:
            community = places.community(community_text)
        except ValidationError as e:
            errors.extend(e.messages)
    compound_text = _text(get("compound"))
    if compound_text and community is not None:
        try:
            compound = places.compound(community, compound_text)
        except ValidationError as e:
            errors.extend(e.messages)

    address = _text(get("address"))
    if len(address) > ADDRESS_MAX:
        errors.append(_("The address is longer than %(max)d characters.") % {"max": ADDRESS_MAX})

    phone = ""
    try:
        phone = phones.normalise(_text(get("phone"))) if _text(get("phone")) else ""
    except ValidationError as e:
        errors.extend(e.messages)

    living = ""
    categories: list[str] = []
    try:
        if _text(get("living_arrangement")):
            living = _choice(_text(get("living_arrangement")), LIVING_WORDS, LIVING_LABELS,
                             _("Unknown living arrangement “%(value)s”; write one of %(choices)s."))
    except ValidationError as e:
        errors.extend(e.messages)
    try:
        categories = _categories(_text(get("categories")))
    except ValidationError as e:
        errors.extend(e.messages)

    if errors:
        return None, errors
    return _Row(
        number=number, name=name, rid=rid, id_hash=crypto.lookup_hash(rid.number),
        community=community, compound=compound, address=address, phone=phone,
        living_arrangement=living, categories=categories,
    ), []


# -- adding a batch ------------------------------------------------------------------------
def _households(rows: list[_Row]) -> dict[tuple[int, str], Household]:
    """The household of each (community, address), created where missing: what
    registry.actions._place does with get_or_create, in two queries a batch. One created
    meanwhile by someone else raises IntegrityError, and _commit tries the batch again."""
    wanted: dict[tuple[int, str], _Row] = {}
    for row in rows:
        if row.address:
            wanted.setdefault((row.community.pk, row.address), row)
    if not wanted:
        return {}
    found = Household.objects.filter(
        community_id__in={c for c, _a in wanted}, address__in={a for _c, a in wanted}
    ).only("id", "community_id", "address")
    households = {(h.community_id, h.address): h for h in found if (h.community_id, h.address) in wanted}
    created = Household.objects.bulk_create([
        Household(
            community=r.community, region_code=r.community.code, address=r.address,
            compound=r.compound, lat=r.compound.lat if r.compound else None,
            lng=r.compound.lng if r.compound else None,
        )
        for key, r in wanted.items() if key not in households
    ])
    households.update({(h.community_id, h.address): h for h in created})
    return households


def _new_elder(row: _Row, *, household: Household | None) -> Elder:
    return actions.build_elder(
        name=row.name, rid=row.rid, community=row.community, phone=row.phone,
        compound=row.compound, address=row.address, household=household,
        living_arrangement=row.living_arrangement, categories=row.categories,
    )


def _add(rows: list[_Row]) -> tuple[int, int]:
    """Add the rows not yet registered; (added, already registered). Call inside a transaction."""
    if not rows:
        return 0, 0
    existing = set(
        Elder.objects.filter(id_number_hash__in=[r.id_hash for r in rows]).values_list("id_number_hash", flat=True)
    )
    new = [r for r in rows if r.id_hash not in existing]
    households = _households(new)
    elders = Elder.objects.bulk_create(
        [_new_elder(r, household=households.get((r.community.pk, r.address))) for r in new]
    )
    # By id, not elder=e: that would also cache the record on the elder, a reference cycle
    # per row for the garbage collector to find.
    HealthRecord.objects.bulk_create(
        [HealthRecord(elder_id=e.pk, region_code=e.region_code) for e in elders]
    )
    return len(elders), len(rows) - len(elders)


def _commit(job: ImportJob, rows: list[_Row], *, processed: int, errors: int) -> None:
    """One batch: its elders and the job's progress, committed together."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                added, existing = _add(rows)
                job.processed_rows += processed
                job.created_count += added
                job.existing_count += existing
                job.error_count += errors
                job.total_rows = max(job.total_rows, job.processed_rows)  # an estimate ran short
                job.save(update_fields=[*COUNTS, "total_rows"])
            return
        except IntegrityError:
            # An ID number of this batch was registered by someone else between our look-up
            # and the insert; the batch was rolled back, so look again.
            job.refresh_from_db(fields=[*COUNTS, "total_rows"])
            if attempt == 2:
                raise


# -- the sheet of rejected rows ------------------------------------------------------------
class _Rejected:
    """A copy of the sheet holding only the rejected rows, with their row number and reasons."""

    def __init__(self, sheet: _Sheet) -> None:
        self.sheet = sheet
        self.keep = [i for i, h in enumerate(sheet.header) if h is None or _key(h) not in IGNORED_HEADERS]
        self.workbook = self.worksheet = None  # made at the first rejected row
        self.rows = 0

    def _start(self) -> None:
        self.workbook = SafeWorkbook()  # no cell of the uploaded sheet comes back as a formula
        self.worksheet = self.workbook.create_sheet(self.sheet.worksheet.title)
        self.worksheet.freeze_panes = "B2"
        bold = Font(bold=True)
        cells = []
        for value in [ROW_HEADER, *(self.sheet.header[i] for i in self.keep), ERROR_HEADER]:
            cell = WriteOnlyCell(self.worksheet, value=sheet_value(self.worksheet, value))
            cell.font = bold
            cells.append(cell)
        self.worksheet.append(cells)

    def add(self, number: int, values: tuple, reasons: list[str]) -> None:
        if self.workbook is None:
            self._start()
        self.worksheet.append([
            number,
            *(sheet_value(self.worksheet, values[i]) if i < len(values) else None for i in self.keep),
            _join(reasons),
        ])
        self.rows += 1

    def content(self) -> bytes:
        out = io.BytesIO()
        self.workbook.save(out)
        return out.getvalue()


def _join(reasons: list[str]) -> str:
    separator = "；" if (translation.get_language() or "").startswith("zh") else "; "
    return separator.join(reasons)


# -- the public functions ------------------------------------------------------------------
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


def start_import(*, by, uploaded_file) -> ImportJob:
    """Check and store an uploaded sheet; read it now if it is small, else in the background.

    A file that is not a readable .xlsx is refused (ValidationError, nothing stored). A
    sheet without the required columns, or without any rows, makes a failed job saying so."""
    if not scope.can_import(by):
        raise PermissionDenied
    filename = os.path.basename(uploaded_file.name or "")
    if not filename.lower().endswith(XLSX_EXTENSION):
        raise ValidationError(
            _("Upload the sheet as an Excel workbook (.xlsx). In Excel: File → Save As → “Excel "
              "Workbook (.xlsx)”."),
            code="not_xlsx",
        )
    uploaded_file.seek(0)
    workbook = _open_workbook(uploaded_file)
    problem = None
    total = 0
    limit = settings.IMPORT_BACKGROUND_ROWS
    try:
        try:
            sheet = _find_sheet(workbook)
            # Count only as far as needed to choose; a large sheet gets an estimate for its
            # progress bar, made exact as the worker reads it.
            total = sheet.count(limit=limit)
            if total > limit:
                total = max(total, sheet.estimate or 0)
        except ValidationError as e:
            problem = " ".join(e.messages)
        except READ_ERRORS as e:  # the workbook opened, but a later part of it is broken
            raise _unreadable() from e
    finally:
        workbook.close()
    if problem is None and total == 0:
        problem = _("The sheet has no rows of elders below its headers.")

    uploaded_file.seek(0)
    job = ImportJob(
        created_by=by, filename=filename[:200], total_rows=total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    job.source.save(f"{uuid.uuid4().hex}{XLSX_EXTENSION}", uploaded_file, save=False)
    job.save()
    if problem is not None:
        _finish(job, by=by, status=ImportJob.Status.FAILED, message=problem)
    elif total <= limit:
        run_import(job)
    else:
        transaction.on_commit(partial(tasks.run_import.enqueue, job.id))
    return job


def run_import(job: ImportJob) -> ImportJob:
    """Read the job's sheet: add every row that passes all checks, count the rows already
    registered, and write the rejected ones with their reasons to the job's error file.
    Rows are added in batches; a job that stops midway keeps the batches it added, and the
    same sheet uploaded again adds the rest. Running a job that is not queued does nothing."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    job.refresh_from_db()
    if not claimed:
        return job
    by = job.created_by
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            _run(job, by=by)
        except ValidationError as e:  # the sheet as a whole is unusable
            _finish(job, by=by, status=ImportJob.Status.FAILED, message=" ".join(e.messages))
        except Exception:
            # The one broad handler: whatever stopped the import, the job must say so. Log the
            # job, never row contents.
            logger.exception("import job %s stopped after %s rows", job.pk, job.processed_rows)
            job.refresh_from_db(fields=[*COUNTS, "total_rows"])
            _finish(job, by=by, status=ImportJob.Status.FAILED, message=_(
                "The import stopped unexpectedly after %(rows)d rows. The %(created)d elders added "
                "until then are kept; upload the same sheet again to add the rest."
            ) % {"rows": job.processed_rows, "created": job.created_count})
    return job


@contextmanager
def _full_collections_paused() -> Iterator[None]:
    """The garbage collector's automatic passes off; run_import collects each batch's young
    garbage itself. A large sheet keeps hundreds of thousands of long-lived objects (its shared
    strings, the parser's spent row elements), and the automatic full passes over them took a
    third of a 100,000-row import (73 s of CPU instead of 47 s in bench/import_elders.py).
    The switch is process-wide: a small import run during a request pauses it for a second."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_full_collections_paused()
def _run(job: ImportJob, *, by) -> None:
    if not scope.can_import(by):
        raise ValidationError(_("Your account may no longer import elders."), code="permission")
    places = _Places(by)
    seen: dict[str, int] = {}  # ID number → the row that first gave it
    with job.source.open("rb") as file:
        workbook = _open_workbook(file)
        try:
            sheet = _find_sheet(workbook)
            if job.total_rows > settings.IMPORT_BACKGROUND_ROWS and sheet.estimate is None:
                job.total_rows = sheet.count()  # for the progress bar: the upload stopped counting
                job.save(update_fields=["total_rows"])
            rejected = _Rejected(sheet)
            batch: list[_Row] = []
            processed = errors = 0
            for number, values in sheet.rows():
                row, reasons = _check_row(sheet, values, number=number, places=places)
                if row is not None:
                    first = seen.setdefault(row.rid.number, number)
                    if first != number:
                        row, reasons = None, [
                            _("Duplicate within this file, see row %(row)d.") % {"row": first}
                        ]
                if row is None:
                    rejected.add(number, values, reasons)
                    errors += 1
                else:
                    batch.append(row)
                processed += 1
                if processed >= BATCH_ROWS:
                    _commit(job, batch, processed=processed, errors=errors)
                    batch, processed, errors = [], 0, 0
                    gc.collect(1)  # this batch's garbage; see _full_collections_paused
            _commit(job, batch, processed=processed, errors=errors)
        finally:
            workbook.close()
    if rejected.rows:
        job.error_file.save(f"{job.pk}-rejected.xlsx", ContentFile(rejected.content()), save=False)
    job.total_rows = job.processed_rows  # exact, where the upload may have estimated
    _finish(job, by=by, status=ImportJob.Status.DONE, message=_(
        "%(created)d added, %(existing)d already registered, %(errors)d rejected."
    ) % {"created": job.created_count, "existing": job.existing_count, "errors": job.error_count})


@transaction.atomic
def _finish(job: ImportJob, *, by, status: str, message: str) -> None:
    """Close the job and write its one audit entry: counts only, never row contents."""
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "total_rows", "error_file"])
    record(
        by, AuditEntry.Action.IMPORT, job, verb="elder.import",
        region_code=by.region.code if by.region_id else "",
        changes={
            "status": status, "rows": job.total_rows, "processed": job.processed_rows,
            "created": job.created_count, "existing": job.existing_count, "rejected": job.error_count,
        },
    )


def open_error_file(job: ImportJob, *, by):
    """The job's rejected rows, decrypted, for download. They hold full ID numbers, so
    every download is audited (who, which job, how many rows)."""
    file = job.error_file.open("rb")
    record(
        by, AuditEntry.Action.EXPORT, job, verb="elder.import_errors.download",
        region_code=by.region.code if getattr(by, "region_id", None) else "",
        changes={"rows": job.error_count},
    )
    return file


def reencrypt_import_files() -> int:
    """Rewrite the stored sheets and error files under the current field key (part of a key
    rotation). Returns how many files were rewritten."""
    names = ImportJob.objects.exclude(source="", error_file="").values_list("source", "error_file")
    return reencrypt_stored_files(name for pair in names.iterator() for name in pair)


def prune_expired_import_files() -> int:
    """prune_import_files for the retention period (KANGYANG_IMPORT_RETENTION_DAYS): what
    the background worker runs every hour."""
    return prune_import_files(older_than=timezone.now() - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS))


def prune_import_files(*, older_than: dt.datetime) -> int:
    """Uploaded sheets and error files hold full ID numbers: delete them once the job is
    older than the retention period (job rows and counts stay). A job still RUNNING by then
    lost its worker (killed, out of memory) and is marked failed."""
    ImportJob.objects.filter(created_at__lt=older_than, status__in=[
        ImportJob.Status.QUEUED, ImportJob.Status.RUNNING,
    ]).update(status=ImportJob.Status.FAILED, finished_at=timezone.now())
    count = 0
    for job in ImportJob.objects.filter(created_at__lt=older_than).exclude(source="", error_file=""):
        for f in (job.source, job.error_file):
            if f:
                f.delete(save=False)
        job.save(update_fields=["source", "error_file"])
        count += 1
    return count
