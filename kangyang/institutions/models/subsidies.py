"""Operating subsidies for institutions: construction subsidy (建设补贴) per new bed, operating
subsidy (运营补贴) per occupied bed per month by the resident's care level, paid as monthly rolls
like the allowances' (a roll per district and month, approved, then paid)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["SubsidyRate", "SubsidyRoll", "SubsidyLine"]

MONEY = {"max_digits": 14, "decimal_places": 2}


class SubsidyRate(models.Model):
    class Kind(models.TextChoices):
        CONSTRUCTION = "construction", _("construction subsidy per new bed")
        OPERATING = "operating", _("operating subsidy per occupied bed and month")

    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # For the operating subsidy: the resident's capability level (0–4); None: any level.
    care_level = models.PositiveSmallIntegerField(_("capability level"), null=True, blank=True)
    nursing_only = models.BooleanField(_("nursing beds only"), default=False)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        ordering = ["region_code", "kind", "care_level", "-valid_from"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="subsidy_rate_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount}"


class SubsidyRoll(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved by the district")
        PAID = "paid", _("paid out")

    region = models.ForeignKey("regions.Region", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("total (yuan)"), default=Decimal(0), **MONEY)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid out"), null=True, blank=True)

    class Meta:
        verbose_name = _("subsidy roll")
        verbose_name_plural = _("subsidy rolls")
        ordering = ["-month", "region_code"]
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="subsidy_roll_month_once")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m}"


class SubsidyLine(models.Model):
    roll = models.ForeignKey(SubsidyRoll, verbose_name=_("roll"), on_delete=models.CASCADE, related_name="lines")
    institution = models.ForeignKey("institutions.Institution", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="subsidy_lines")
    rate = models.ForeignKey(SubsidyRate, verbose_name=_("rate"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=SubsidyRate.Kind.choices)
    care_level = models.PositiveSmallIntegerField(_("capability level"), null=True, blank=True)
    # Beds (construction) or occupied bed-months (operating) the rate was applied to.
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("subsidy line")
        verbose_name_plural = _("subsidy lines")
        ordering = ["roll", "institution", "kind", "care_level"]
