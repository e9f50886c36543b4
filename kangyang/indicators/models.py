from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TargetSet(models.Model):
    """A bureau's own copy of the plans' targets (the YAML of data/plan-targets.yaml), one
    row per saved version; the latest version is in force for the bureau's region."""

    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("targets (YAML)"))
    note = models.CharField(_("what changed"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("saved by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("target set")
        verbose_name_plural = _("target sets")
        ordering = ["region_code", "-version"]
        constraints = [models.UniqueConstraint(fields=["region_code", "version"], name="target_set_version")]

    def __str__(self) -> str:
        return f"{self.region_code} v{self.version}"


class ManualValue(models.Model):
    """A figure the platform cannot compute (life expectancy, industry revenue…), entered by
    the bureau with its source. Never edited: a correction is a newer entry."""

    code = models.CharField(_("indicator"), max_length=60)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6)
    source = models.CharField(_("source"), max_length=300)
    as_of = models.DateField(_("as of"))
    attachment = models.FileField(_("attachment"), upload_to="indicators/", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("entered figure")
        verbose_name_plural = _("entered figures")
        ordering = ["code", "region_code", "-year", "-entered_at", "-id"]
        indexes = [models.Index(fields=["code", "region_code", "year"], name="manual_value_lookup")]

    def __str__(self) -> str:
        return f"{self.code} {self.region_code} {self.year}"


class Snapshot(models.Model):
    """An indicator's figure for one region and period as computed at `computed_at`, kept so
    that trends survive later edits of the records. Written by the worker each month (and
    refreshed for the running month); read by the dashboard."""

    code = models.CharField(_("indicator"), max_length=60)
    region_code = models.CharField(_("region code"), max_length=12)
    period = models.CharField(_("period"), max_length=7)  # "2026" or "2026-03"
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=8, null=True)
    numerator = models.DecimalField(_("numerator"), max_digits=24, decimal_places=4, null=True)
    denominator = models.DecimalField(_("denominator"), max_digits=24, decimal_places=4, null=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [models.UniqueConstraint(fields=["region_code", "period", "code"], name="snapshot_unique")]
        indexes = [models.Index(fields=["code", "period"], name="snapshot_code_period")]
