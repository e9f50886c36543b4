"""Importing devices from the vendor's delivery sheet (.xlsx or .csv), and its template.

Every row is checked first; then each good row is registered on its own (register_device,
with its broker credentials), so one bad row is reported with its reasons and costs only
itself, and a row that fails while being stored (someone registered that id a moment ago)
is reported the same way. A device id already registered is counted and skipped, so the same
sheet uploaded twice registers nobody twice. A row naming no elder puts the device in stock
in the importer's area, to be bound later on the devices page.

As with the registry's import (kangyang/registry/imports/), the headers and the words in the
cells are a file format shared between offices, the same in every interface language;
everything said about a sheet is translated.
"""

import dataclasses
import datetime as dt
import io
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from kangyang.accounts import scope
from kangyang.alarms import actions, queries
from kangyang.alarms.models import Device
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import read_rows, sheet_row

# One sheet is read in the request: a vendor's delivery is a few hundred devices.
MAX_ROWS = 2000

# header → field; the first header of each field is the one the template writes.
HEADERS = {
    "设备编号": "device_id", "序列号": "device_id", "IMEI": "device_id", "设备ID": "device_id",
    "serial": "device_id", "device_id": "device_id", "device id": "device_id",
    "设备类型": "kind", "类型": "kind", "kind": "kind",
    "厂商": "vendor", "生产厂家": "vendor", "vendor": "vendor",
    "型号": "model", "model": "model",
    "老人身份证号": "elder_id_number", "身份证号": "elder_id_number", "id_number": "elder_id_number",
    "老人编号": "elder", "elder_id": "elder", "elder": "elder",
    "安装日期": "installed_on", "installed_on": "installed_on",
}
TEMPLATE_HEADERS = ["设备编号", "设备类型", "厂商", "型号", "老人身份证号", "老人编号", "安装日期"]
KIND_LABELS = {
    Device.Kind.SOS_PENDANT: "呼救挂件",
    Device.Kind.SOS_BUTTON: "呼救按钮",
    Device.Kind.WATCH: "智能手表",
    Device.Kind.SMOKE: "烟感",
    Device.Kind.GAS: "燃气报警器",
    Device.Kind.WATER_LEAK: "水浸传感器",
    Device.Kind.DOOR: "门磁",
    Device.Kind.MOTION: "人体感应器",
    Device.Kind.WATER_METER: "水表",
}
KIND_WORDS = {
    **{v: k for k, v in KIND_LABELS.items()},
    **{k: k for k in Device.Kind.values},
    "一键呼救": Device.Kind.SOS_PENDANT, "呼救器": Device.Kind.SOS_PENDANT, "手表": Device.Kind.WATCH,
    "烟雾报警器": Device.Kind.SMOKE, "燃气": Device.Kind.GAS, "门磁传感器": Device.Kind.DOOR,
}


@dataclasses.dataclass
class RowResult:
    number: int  # the sheet's row number, as Excel shows it
    device_id: str
    errors: list[str] = dataclasses.field(default_factory=list)
    device: Device | None = None
    password: str = ""  # the new device's broker password, shown once
    existing: bool = False


@dataclasses.dataclass
class ImportResult:
    rows: list[RowResult]

    @property
    def registered(self) -> list[RowResult]:
        return [r for r in self.rows if r.device is not None]

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def existing(self) -> list[RowResult]:
        return [r for r in self.rows if r.existing]


def _date(value: str) -> dt.date:
    text = value.strip()
    text = re.sub(r"\s+0{1,2}:00(:00)?$", "", text)  # a date cell read back as text
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass
    raise ValidationError(_("“%(value)s” is not a date; write it as 2025-03-01.") % {"value": value}, code="date")


def _check(by, number: int, values: dict[str, str], seen: dict[str, int], area) -> tuple[RowResult, dict]:
    """A row's reasons to reject it, or the arguments of register_device."""
    device_id = values.get("device_id", "").strip()
    result = RowResult(number=number, device_id=device_id)
    errors = result.errors
    if not device_id:
        errors.append(_("Enter the device id (serial number or IMEI)."))
    elif not actions.DEVICE_ID_PATTERN.match(device_id):
        errors.append(_("A device id has 1 to 64 letters, digits and . _ : - only."))
    elif device_id in seen:
        errors.append(_("This device id is also on row %(row)d of the sheet.") % {"row": seen[device_id]})
    else:
        seen[device_id] = number
    kind_text = values.get("kind", "").strip()
    kind = KIND_WORDS.get(kind_text) or KIND_WORDS.get(kind_text.lower())
    if kind is None:
        errors.append(_("Unknown device kind “%(value)s”; write one of %(choices)s.")
                      % {"value": kind_text, "choices": "、".join(KIND_LABELS.values())})
    elder = None
    id_number, elder_number = values.get("elder_id_number", ""), values.get("elder", "")
    try:
        if id_number:
            elder = queries.elder_by_reference(by, id_number)
            if elder_number and elder_number.strip() != str(elder.pk):
                errors.append(_("The ID number and the elder number name two different elders."))
        elif elder_number:
            elder = queries.elder_by_reference(by, elder_number)
    except ValidationError as e:
        errors.extend(e.messages)
    if elder is not None and not actions.can_edit_devices(by, elder.region_code):
        errors.append(_("This elder is outside the area where you may register devices."))
    if elder is None and area is None and not errors:
        errors.append(_("Give the elder: devices in stock are kept in your area, and you have none."))
    installed_on = None
    if values.get("installed_on"):
        try:
            installed_on = _date(values["installed_on"])
        except ValidationError as e:
            errors.extend(e.messages)
    return result, {
        "device_id": device_id, "kind": kind, "vendor": values.get("vendor", "")[:100],
        "model": values.get("model", "")[:100], "installed_on": installed_on, "elder": elder,
        "area": area if elder is None else None,
    }


def import_devices(*, by, data: bytes, filename: str) -> ImportResult:
    """Register the devices of a vendor's sheet (see the module docstring). A file that cannot
    be read at all, or lacks the device id or kind column, is a ValidationError; row problems
    are in the result."""
    if not scope.manages_devices_page(by):
        raise PermissionDenied
    area = by.region if by.region_id is not None else None
    rows = read_rows(data, filename, aliases=HEADERS, required={"device_id", "kind"})
    checked, seen = [], {}
    for count, (number, values) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise ValidationError(_("A sheet may hold at most %(n)d devices; split it.") % {"n": MAX_ROWS},
                                  code="too_many_rows")
        checked.append(_check(by, number, values, seen, area))
    registered = set(Device.objects.filter(
        device_id__in=[r.device_id for r, _a in checked if not r.errors]).values_list("device_id", flat=True))
    for result, arguments in checked:
        if result.errors:
            continue
        if result.device_id in registered:
            result.existing = True
            continue
        try:
            with transaction.atomic():
                device = actions.register_device(by=by, audit=False, **arguments)
        except ValidationError as e:
            result.errors.extend(e.messages)
        except PermissionDenied:
            result.errors.append(_("This place is outside the area where you may register devices."))
        else:
            result.device, result.password = device, device.mqtt_password
    outcome = ImportResult(rows=[r for r, _a in checked])
    record(by, AuditEntry.Action.CREATE, None, verb="device.import", region_code=area.code if area else "",
           note=filename[:200], changes={
               "registered": [r.device_id for r in outcome.registered],
               "existing": len(outcome.existing), "rejected": len(outcome.rejected)})
    return outcome


def template_xlsx() -> bytes:
    """The sheet to give the vendor: the headers, the device-kind words as a drop-down, and a
    second sheet 说明 with the rules."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "设备清单"
    bold = Font(bold=True)
    for index, header in enumerate(TEMPLATE_HEADERS, start=1):
        sheet.cell(row=1, column=index, value=header).font = bold
    for letter, width in zip("ABCDEFG", (22, 14, 14, 12, 22, 10, 12)):
        sheet.column_dimensions[letter].width = width
        if letter in "AE":
            sheet.column_dimensions[letter].number_format = "@"  # text: Excel keeps every digit
    sheet.freeze_panes = "A2"
    kinds = DataValidation(type="list", formula1='"%s"' % ",".join(KIND_LABELS.values()), allow_blank=False)
    kinds.add("B2:B5000")
    sheet.add_data_validation(kinds)
    rules = workbook.create_sheet("说明")
    for line in (
        _("One device per row of the sheet 设备清单, below the headers; this sheet is never read."),
        _("设备编号: the id the device uses in its MQTT topic (serial number or IMEI). Required; "
          "a device already registered is skipped."),
        _("设备类型: one of %(choices)s. Required.") % {"choices": "、".join(KIND_LABELS.values())},
        _("厂商, 型号: the vendor and the model, as on the delivery note. Optional."),
        _("老人身份证号 or 老人编号: the elder the device is for (her 18-character ID number, or her "
          "number on the platform). Optional: without one, the device is kept in stock in your area "
          "and bound to an elder later on the devices page."),
        _("安装日期: a date such as 2025-03-01. Optional."),
    ):
        rules.append(sheet_row(rules, [line]))
    rules.column_dimensions["A"].width = 110
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
