"""Data: the two bank file layouts Kangyang ships. The generic .xlsx (ID numbers and account
numbers as text cells) is the default; the CSV follows the usual bank batch-payment import
(批量代发): GB18030, a header row, every cell quoted so the bank reads IDs as text."""

from django.db import migrations

LAYOUTS = [
    {
        "code": "generic-xlsx", "name": "通用代发表（.xlsx）", "file_type": "xlsx", "encoding": "utf-8-sig",
        "header": True, "total_row": True, "is_default": True,
        "columns": [
            {"field": "seq", "title": "序号"}, {"field": "name", "title": "收款人姓名"},
            {"field": "id_number", "title": "身份证号"}, {"field": "bank", "title": "开户银行"},
            {"field": "account", "title": "银行账号"}, {"field": "amount", "title": "金额"},
            {"field": "policy", "title": "补贴项目"}, {"field": "month", "title": "发放月份"},
            {"field": "region_code", "title": "社区代码"}, {"field": "note", "title": "备注"},
        ],
    },
    {
        "code": "bank-csv-gb18030", "name": "银行批量代发（CSV，GB18030）", "file_type": "csv", "encoding": "gb18030",
        "header": True, "total_row": False, "is_default": False,
        "columns": [
            {"field": "account", "title": "收款账号"}, {"field": "name", "title": "收款户名"},
            {"field": "amount", "title": "金额"}, {"field": "id_number", "title": "证件号码"},
            {"field": "note", "title": "用途"},
        ],
    },
]


def add_layouts(apps, schema_editor):
    BankLayout = apps.get_model("allowances", "BankLayout")
    for layout in LAYOUTS:
        values = dict(layout)
        if BankLayout.objects.filter(is_default=True).exists():
            values["is_default"] = False
        BankLayout.objects.get_or_create(code=values.pop("code"), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("allowances", "0003_payouts_applications_survival")]
    operations = [migrations.RunPython(add_layouts, migrations.RunPython.noop)]
