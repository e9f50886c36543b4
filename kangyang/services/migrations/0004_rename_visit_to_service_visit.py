# The verified delivery of a home-service order is a ServiceVisit (GLOSSARY.md: 上门服务记录):
# "visit" alone is kept for care visits to vulnerable elders (CareVisit). Renames only: the
# tables, the flag's column, the related names, index and constraint names; no row changes.
# The autodetector cannot tell a renamed model whose related names change too from a new
# one, so the operations are the ones it writes for each rename taken one at a time.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0001_initial"),
        ("services", "0003_remove_provider_blacklist"),
    ]

    operations = [
        # The constraint names the flag's column, so it goes before the column is renamed.
        migrations.RemoveConstraint(model_name="visitflag", name="visit_flag_once_per_code"),
        migrations.RemoveConstraint(model_name="visit", name="visit_out_after_in"),
        migrations.RenameModel(old_name="Visit", new_name="ServiceVisit"),
        migrations.RenameModel(old_name="VisitFlag", new_name="ServiceVisitFlag"),
        migrations.RenameField(model_name="servicevisitflag", old_name="visit", new_name="service_visit"),
        migrations.AlterField(
            model_name="servicevisit",
            name="caregiver",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="service_visits",
                to="services.caregiver", verbose_name="caregiver"),
        ),
        migrations.AlterField(
            model_name="servicevisit",
            name="elder",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="service_visits",
                to="registry.elder", verbose_name="elder"),
        ),
        migrations.AlterField(
            model_name="servicevisit",
            name="order",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT, related_name="service_visit",
                to="services.order", verbose_name="order"),
        ),
        migrations.AlterField(
            model_name="servicevisit",
            name="provider",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="service_visits",
                to="services.provider", verbose_name="provider"),
        ),
        migrations.RenameIndex(
            model_name="servicevisit", new_name="service_visit_caregiver_idx", old_name="visit_caregiver_in_idx",
        ),
        migrations.RenameIndex(
            model_name="servicevisit", new_name="service_visit_review_idx", old_name="visit_provider_review_idx",
        ),
        migrations.AddConstraint(
            model_name="servicevisit",
            constraint=models.CheckConstraint(
                condition=models.Q(("checked_out_at__isnull", True), ("checked_out_at__gte", models.F("checked_in_at")),
                                   _connector="OR"),
                name="service_visit_out_after_in"),
        ),
        migrations.AddConstraint(
            model_name="servicevisitflag",
            constraint=models.UniqueConstraint(fields=("service_visit", "code"), name="service_visit_flag_once_per_code"),
        ),
    ]
