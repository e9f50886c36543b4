"""Data: an upgraded database keeps paying the elders it paid. Allowances now start from an
approved application (0003: Policy.needs_application, on by default), so every elder with a
payment of a policy gets an approved application for it, dated the day before the first
month paid and marked as recorded at the upgrade (channel "upgrade"). The survival
certification period of existing policies counts from the day of the upgrade
(Policy.survival_since, filled by 0003), so nobody is paused at once either."""

import datetime as dt

from django.db import migrations

BATCH = 2000
NOTE = "升级前已在发放名册中，视为已批准（系统升级时补录）"


def approve_existing(apps, schema_editor):
    Application = apps.get_model("allowances", "Application")
    PaymentLine = apps.get_model("allowances", "PaymentLine")
    Policy = apps.get_model("allowances", "Policy")
    Elder = apps.get_model("registry", "Elder")
    from django.db.models import Min

    for policy in Policy.objects.order_by("pk").iterator():
        first = (
            PaymentLine.objects.filter(policy=policy).values("elder_id").annotate(first=Min("month"))
            .order_by("elder_id")
        )
        pending = []
        for row in first.iterator(chunk_size=BATCH):
            day = row["first"] - dt.timedelta(days=1)
            pending.append(Application(
                elder_id=row["elder_id"], policy_id=policy.pk, region_code="", applicant="worker",
                applicant_name="", channel="upgrade", applied_on=day, status="approved", decided_on=day,
                decided_by_id=policy.created_by_id, decision_note=NOTE, created_by_id=policy.created_by_id,
            ))
            if len(pending) >= BATCH:
                _save(Application, Elder, pending)
                pending = []
        _save(Application, Elder, pending)


def _save(Application, Elder, applications):
    regions = dict(Elder.objects.filter(pk__in=[a.elder_id for a in applications]).values_list("pk", "region_code"))
    for application in applications:
        application.region_code = regions[application.elder_id]
    Application.objects.bulk_create(applications, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("allowances", "0004_bank_layouts")]
    operations = [migrations.RunPython(approve_existing, migrations.RunPython.noop)]
