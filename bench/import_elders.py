"""Import a large sheet of elders and print how fast it went.

Generates a sheet of N rows (valid resident ID numbers from kangyang.lib.residentid.make,
every 50th row bad in one of five ways), imports it as a bureau admin the way an upload
does (start_import checks, stores and starts counting it, then the background task reads
it; the immediate task backend runs that task in this process), imports it a second time
(every row already registered), and prints seconds, rows/s, CPU seconds and peak RSS.

    python bench/import_elders.py                    # a fresh SQLite database in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ky_bench python bench/import_elders.py

The PostgreSQL database must exist and hold no elders; it is migrated first.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--communities", type=int, default=20)
    parser.add_argument(
        "--writer", choices=["excel", "openpyxl"], default="excel",
        help="excel: shared strings and a <dimension>, as Excel and WPS save (default); "
             "openpyxl: inline strings, no <dimension> (slower to read)",
    )
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="ky-bench-")
    os.environ["KANGYANG_DATA_DIR"] = data_dir  # fresh keys, media and (by default) SQLite file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.files import File
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import translation

    from kangyang.accounts.models import User
    from kangyang.regions.models import Compound, Region
    from kangyang.registry import imports
    from kangyang.registry.models import Elder

    call_command("migrate", verbosity=0)
    if Elder.objects.exists():
        sys.exit("the database already holds elders; give an empty one")
    district = Region.objects.create(code="360103000000", name="西湖区", level="district")
    communities = []
    for s in range(1, 3):
        sub = Region.objects.create(code=f"360103{s:03d}000", name=f"街道{s}", level="subdistrict", parent=district)
        for c in range(1, args.communities // 2 + 1):
            community = Region.objects.create(
                code=f"360103{s:03d}{c:03d}", name=f"社区{s}-{c}", level="community", parent=sub)
            for k in (1, 2):
                Compound.objects.create(community=community, name=f"小区{k}", lat=28.6, lng=115.9)
            communities.append(community)
    admin = User.objects.create_user(username="bench", password="x" * 12, role="bureau_admin", region=district)

    path = Path(data_dir) / "elders.xlsx"
    started = time.perf_counter()
    rows, bad = sheet_rows(rows=args.rows, communities=communities)
    (write_excel_like if args.writer == "excel" else write_openpyxl)(path, rows)
    del rows
    generated = time.perf_counter() - started
    # The background path, as for any sheet over KANGYANG_IMPORT_BACKGROUND_ROWS, with the
    # task run here (the autocommit on_commit enqueues at once) instead of by `kangyang worker`.
    override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}).enable()
    from django_tasks.signals import task_started

    started_at: list[float] = []
    task_started.connect(lambda **kw: started_at.append(time.perf_counter()), weak=False)

    db = connection.vendor
    print(f"database: {db} ({settings.DATABASES['default']['NAME']})")
    print(f"sheet: {args.rows} rows ({bad} bad), written as {args.writer} does, "
          f"{path.stat().st_size / 1e6:.1f} MB, generated in {generated:.1f} s")
    with translation.override("zh-hans"):
        for run in ("first import", "same sheet again"):
            with path.open("rb") as f:
                started_at.clear()
                started, cpu = time.perf_counter(), time.process_time()
                job = imports.start_import(by=admin, uploaded_file=File(f, name="elders.xlsx"))
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            job.refresh_from_db()
            upload = started_at[0] - started if started_at else float("nan")
            print(
                f"{run}: {job.status}, {job.created_count} added, {job.existing_count} already registered, "
                f"{job.error_count} rejected\n"
                f"  {seconds:.1f} s ({upload:.1f} s upload, {seconds - upload:.1f} s background task), "
                f"{job.total_rows / seconds:,.0f} rows/s, {cpu:.1f} s CPU"
            )
    print(f"elders in the database: {Elder.objects.count()}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


HEADERS = ["姓名", "身份证号", "社区", "性别", "出生日期", "联系电话", "小区", "住址", "居住情况", "特殊困难类别"]


def sheet_rows(*, rows: int, communities: list) -> tuple[list[list], int]:
    """The data rows (valid ID numbers, every 50th row bad in one of five ways) and the
    number of bad rows."""
    from kangyang.lib import residentid

    surnames, given = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗", "秀英桂兰建国德明玉珍淑芬国强秋菊志华凤英"
    words = ["独居", "与配偶同住", "与子女同住", "与他人同住", "机构"]
    categories = ["", "", "独居", "空巢、低保", "失能", "重残、特困", "留守"]
    out, bad = [], 0
    start = dt.date(1925, 1, 1)
    for i in range(rows):
        birth = start + dt.timedelta(days=i % 12000)
        number = residentid.make("360103", birth, 2 * (i // 12000) + i % 2)  # odd: a man
        community = communities[i % len(communities)]
        row = [
            surnames[i % 20] + given[(i // 20) % 10 * 2:(i // 20) % 10 * 2 + 2],
            number,
            community.code if i % 3 else community.name,
            ("男" if i % 2 else "女") if i % 3 == 0 else None,
            birth.isoformat() if i % 4 == 0 else None,
            f"138{i:08d}" if i % 5 else None,
            f"小区{1 + i % 2}",
            f"小区{1 + i % 2}{i // 40 % 30}栋{i % 7}单元{i // 3 % 600}",
            words[i % 5],
            categories[i % 7] or None,
        ]
        if i % 50 == 49:
            bad += 1
            kind = (i // 50) % 5
            if kind == 0:
                row[1] = number[:17] + ("0" if number[17] != "0" else "1")  # check character
            elif kind == 1:
                row[2] = "360103009999"  # no such community
            elif kind == 2:
                row[5] = "12345"  # phone
            elif kind == 3:
                row[9] = "五保"  # category
            else:
                row[4] = (birth + dt.timedelta(days=1)).isoformat()  # birth date mismatch
        out.append(row)
    return out, bad


def write_openpyxl(path: Path, rows: list[list]) -> None:
    """As openpyxl writes a sheet: every text inline in its cell, no <dimension>."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("长者名单")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_excel_like(path: Path, rows: list[list]) -> None:
    """As Excel and WPS save a sheet: texts in the shared-string table, a <dimension>."""
    import zipfile
    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    strings: dict[str, int] = {}
    letters = [get_column_letter(i + 1) for i in range(len(HEADERS))]
    body = []
    for r, row in enumerate([HEADERS, *rows], start=1):
        cells = []
        for letter, value in zip(letters, row):
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{letter}{r}"><v>{value}</v></c>')
            else:
                index = strings.setdefault(value, len(strings))
                cells.append(f'<c r="{letter}{r}" t="s"><v>{index}</v></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}">'
             f'<dimension ref="A1:{letters[-1]}{len(rows) + 1}"/><sheetData>{"".join(body)}</sheetData></worksheet>')
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{main}" '
           f'count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    types = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{types}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{types}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{types}.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="长者名单" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


if __name__ == "__main__":
    main()
