"""Data: the two bank file layouts Kangyang ships. The generic .xlsx (ID numbers and account
numbers as text cells) is the default; the CSV follows the usual bank batch-payment import
(批量代发): GB18030, a header row, every cell quoted so the bank reads IDs as text."""

from django.db import migrations

from kangyang.allowances.constants import SHIPPED_BANK_LAYOUTS as LAYOUTS


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
