"""Importing the region tree and compounds from a sheet (Excel or CSV)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import read_rows
from kangyang.regions import codes
from kangyang.regions.models import Compound, Region

REGION_COLUMNS = {
    "区划代码": "code", "代码": "code", "统计用区划代码": "code", "code": "code",
    "名称": "name", "name": "name",
    "纬度": "lat", "lat": "lat", "经度": "lng", "lng": "lng",
}
COMPOUND_COLUMNS = {
    "社区代码": "community", "community": "community",
    "小区名称": "name", "小区": "name", "name": "name",
    "纬度": "lat", "lat": "lat", "经度": "lng", "lng": "lng",
    "户数": "households", "households": "households",
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)


def _coord(text: str, low: float, high: float) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not low <= value <= high:
        raise ValidationError(_("%(value)s is outside China's coordinates.") % {"value": text})
    return value


def _messages(e: ValidationError) -> str:
    return "; ".join(e.messages)


@transaction.atomic
def import_regions(data: bytes, filename: str, *, by) -> ImportResult:
    """Create or rename regions by code. Parents are implied by the codes; rows are taken
    city first, so a file may list them in any order. A row that fails is reported
    and skipped; its children then fail too, naming the missing parent."""
    result = ImportResult()
    rows = []
    for number, row in read_rows(data, filename, aliases=REGION_COLUMNS, required={"code", "name"}):
        try:
            level = codes.level_of(row["code"])
        except ValidationError as e:
            result.errors.append((number, _messages(e)))
            continue
        rows.append((codes.LEVELS.index(level), number, level, row))
    for _depth, number, level, row in sorted(rows, key=lambda r: (r[0], r[1])):
        code = row["code"]
        parent_code = codes.parent_code_of(code)
        if level == "district" and not Region.objects.filter(code=parent_code).exists():
            parent_code = None  # an installation of one district has no city above it
        try:
            if not row.get("name"):
                raise ValidationError(_("The name is empty."))
            parent = None
            if parent_code:
                parent = Region.objects.filter(code=parent_code).first()
                if parent is None:
                    raise ValidationError(_("Its parent %(code)s is not in the tree.") % {"code": parent_code})
            lat = _coord(row.get("lat", ""), 3, 54)
            lng = _coord(row.get("lng", ""), 73, 136)
        except ValidationError as e:
            result.errors.append((number, _messages(e)))
            continue
        region, created = Region.objects.update_or_create(
            code=code, defaults={"name": row["name"], "level": level, "parent": parent, "lat": lat, "lng": lng}
        )
        result.created += created
        result.updated += not created
    record(by, AuditEntry.Action.IMPORT, verb="regions.import",
           changes={"created": result.created, "updated": result.updated, "errors": len(result.errors)})
    return result


@transaction.atomic
def import_compounds(data: bytes, filename: str, *, by) -> ImportResult:
    """Create or update compounds by (community code, name)."""
    result = ImportResult()
    communities = {r.code: r for r in Region.objects.filter(level=Region.Level.COMMUNITY)}
    for number, row in read_rows(data, filename, aliases=COMPOUND_COLUMNS, required={"community", "name"}):
        try:
            community = communities.get(row["community"])
            if community is None:
                raise ValidationError(_("No community with code %(code)s.") % {"code": row["community"]})
            if not row.get("name"):
                raise ValidationError(_("The name is empty."))
            households = row.get("households") or "0"
            if not households.isdigit():
                raise ValidationError(_("Households must be a whole number."))
            lat = _coord(row.get("lat", ""), 3, 54)
            lng = _coord(row.get("lng", ""), 73, 136)
        except ValidationError as e:
            result.errors.append((number, _messages(e)))
            continue
        compound = Compound.objects.filter(community=community, name=row["name"]).first() or Compound(
            community=community, name=row["name"])
        created = compound.pk is None
        compound.lat, compound.lng, compound.household_count = lat, lng, int(households)
        compound.save()
        result.created += created
        result.updated += not created
    record(by, AuditEntry.Action.IMPORT, verb="compounds.import",
           changes={"created": result.created, "updated": result.updated, "errors": len(result.errors)})
    return result
