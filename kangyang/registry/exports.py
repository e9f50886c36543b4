"""The elder list as an Excel sheet: what the user sees on screen, masked, and audited.

Headers and cell words are Chinese whatever the interface language, the same file format
as the import (imports.py); the sheet 导出信息 says who exported what, in the user's language.
"""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import new_sheet, sheet_value
from kangyang.registry.imports.columns import CATEGORY_LABELS, LIVING_LABELS, SEX_LABELS
from kangyang.registry.models import Elder

HEADERS = (
    "姓名", "性别", "年龄", "身份证号", "联系电话", "社区", "社区代码", "小区", "住址", "居住情况",
    "特殊困难类别", "状态", "建档时间",
)
STATUS_LABELS = {
    Elder.Status.ACTIVE: "在册",
    Elder.Status.MOVED_OUT: "已迁出",
    Elder.Status.DECEASED: "已故",
}
# Filters worth keeping in the audit entry. The search term is not kept: it may be a name,
# an ID number or a phone number; the entry says only that one was used.
AUDITED_FILTERS = ("community", "age_band", "category", "status")
CHUNK_ROWS = 2000
WIDTHS = (10, 6, 6, 20, 14, 16, 14, 14, 28, 12, 22, 8, 18)


def export_elders_xlsx(queryset, *, by, filters: dict | None = None) -> bytes:
    """The elders of `queryset` that `by` may see, as .xlsx: masked ID number and phone
    only, never the full numbers. Written row by row, so a long list needs little memory.
    One audit entry records the filter and the number of rows, no personal data."""
    elders = (
        queryset.filter(scope.elder_filter(by))  # the caller scoped it already; this makes sure
        .select_related("community", "compound")
        .only(
            "name", "sex", "birth_date", "id_number_encrypted", "phone_masked", "community__name",
            "community__code", "compound__name", "address", "living_arrangement",
            "categories_text", "status", "created_at", "region_code",
        )
    )
    today = timezone.localdate()
    workbook, sheet = new_sheet("长者名单", HEADERS, WIDTHS)

    rows = 0
    for elder in elders.iterator(chunk_size=CHUNK_ROWS):
        sheet.append([
            sheet_value(sheet, elder.name),
            SEX_LABELS.get(elder.sex, ""),
            elder.age(today),
            elder.id_number_masked,
            elder.phone_masked,
            elder.community.name,
            elder.community.code,
            sheet_value(sheet, elder.compound.name) if elder.compound else "",
            sheet_value(sheet, elder.address),
            LIVING_LABELS.get(elder.living_arrangement, ""),
            "、".join(CATEGORY_LABELS[c] for c in elder.categories if c in CATEGORY_LABELS),
            STATUS_LABELS.get(elder.status, elder.status),
            # Excel has no time zones: the local time (Asia/Shanghai), without its offset.
            timezone.localtime(elder.created_at).replace(tzinfo=None, microsecond=0),
        ])
        rows += 1

    search = bool(filters and filters.get("q"))
    kept = {k: str(filters[k])[:40] for k in AUDITED_FILTERS if filters and filters.get(k)}
    about = workbook.create_sheet("导出信息")
    now = timezone.localtime()
    about.append([_("Exported by"), by.get_username()])
    about.append([_("Exported at"), "%(time)s (%(zone)s)" % {
        "time": now.strftime("%Y-%m-%d %H:%M"), "zone": settings.TIME_ZONE}])
    about.append([_("Rows"), rows])
    about.append([_("Filter"), _describe(kept, search=search)])
    about.append([_("ID numbers and phone numbers are masked. The list is confidential: do not "
                    "pass it on.")])
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 40

    out = io.BytesIO()
    workbook.save(out)
    record(
        by, AuditEntry.Action.EXPORT, None, verb="elder.export",
        region_code=by.region.code if getattr(by, "region_id", None) else "",
        changes={"rows": rows, "filter": kept, "search": search},
    )
    return out.getvalue()


def _describe(kept: dict[str, str], *, search: bool) -> str:
    if not kept and not search:
        return _("none: every elder of your area")
    parts = ["%(key)s=%(value)s" % {"key": k, "value": v} for k, v in kept.items()]
    if search:
        parts.append(_("a search term"))
    return ", ".join(parts)
