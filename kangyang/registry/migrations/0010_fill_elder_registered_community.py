"""Existing elders: registered residence = the community they are recorded in (one UPDATE)."""

from django.db import migrations
from django.db.models import F


def fill(apps, schema_editor):
    Elder = apps.get_model("registry", "Elder")
    # One set-based statement: no rows pass through Python, fast over a million elders.
    Elder.objects.filter(registered_community__isnull=True).update(registered_community=F("community"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_elder_residence_household_derived_categories")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
