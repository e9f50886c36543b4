"""Who is due for the yearly check-up, as an Excel sheet for the community worker: the list
as filtered on screen, ID numbers masked, one audit entry (the filter and the row count, no
personal data). Headers are Chinese whatever the interface language, like the registry's."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib.sheets import new_sheet, sheet_value

HEADERS = ("姓名", "性别", "年龄", "身份证号", "联系电话", "社区", "住址", "本年体检")
WIDTHS = (10, 6, 6, 20, 14, 16, 28, 14)
SEX = {"M": "男", "F": "女"}
CHUNK_ROWS = 2000


def export_due_xlsx(queryset, *, by, filters: dict) -> bytes:
    """`queryset`: queries.checkups.due_for(by, ...), already scoped to the user."""
    elders = queryset.only("name", "sex", "birth_date", "id_number_encrypted", "phone_masked", "address",
                           "community__name", "region_code")
    today = timezone.localdate()
    workbook, sheet = new_sheet("待体检老年人", HEADERS, WIDTHS)
    rows = 0
    for elder in elders.iterator(chunk_size=CHUNK_ROWS):
        sheet.append([
            sheet_value(sheet, elder.name), SEX.get(elder.sex, ""), elder.age(today), elder.id_number_masked,
            elder.phone_masked, elder.community.name, sheet_value(sheet, elder.address),
            "未完成全部项目" if elder.started else "未体检",
        ])
        rows += 1
    kept = {k: str(v)[:40] for k, v in filters.items() if v}
    about = workbook.create_sheet("导出信息")
    now = timezone.localtime()
    about.append([_("Exported by"), by.get_username()])
    about.append([_("Exported at"), "%(time)s (%(zone)s)" % {
        "time": now.strftime("%Y-%m-%d %H:%M"), "zone": settings.TIME_ZONE}])
    about.append([_("Rows"), rows])
    about.append([_("Filter"), ", ".join(f"{k}={v}" for k, v in kept.items())])
    about.append([_("ID numbers and phone numbers are masked. The list is confidential: do not "
                    "pass it on.")])
    out = io.BytesIO()
    workbook.save(out)
    record(by, AuditEntry.Action.EXPORT, None, verb="checkup.due_export",
           region_code=by.region.code if getattr(by, "region_id", None) else "",
           changes={"rows": rows, "filter": kept})
    return out.getvalue()
