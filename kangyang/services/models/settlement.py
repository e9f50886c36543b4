"""Monthly settlements (结算单) of a provider's verified, confirmed visits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.services.models._common import R
from kangyang.services.models.providers import Provider
from kangyang.allowances.models import MONEY, ZERO


class SettlementQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SettlementQuerySet":
        """The provider's own statements for its manager; bureau staff and officers of the
        area the provider is registered in. Caregivers, elders and the hotline see none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == R.PROVIDER_MANAGER:
            return self.filter(provider__organisation_id=user.organisation_id) if user.organisation_id else self.none()
        if scope.supervises_services(user):
            return self.filter(scope.region_filter(user, field="region_code"))
        return self.none()


class Settlement(models.Model):
    """A provider's monthly statement (结算单): its verified, confirmed visits, split by who
    pays. Issued once; its totals equal the sums over its orders, and the allowance and
    voucher totals equal what the elders' balances paid for them."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="settlements")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month settled."))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    order_count = models.PositiveIntegerField(_("visits"), default=0)
    total = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    allowance_total = models.DecimalField(_("service allowance (yuan)"), default=ZERO, **MONEY)
    voucher_total = models.DecimalField(_("consumption voucher (yuan)"), default=ZERO, **MONEY)
    self_total = models.DecimalField(_("paid by elders (yuan)"), default=ZERO, **MONEY)
    held_count = models.PositiveIntegerField(_("visits held back for review"), default=0)
    held_total = models.DecimalField(_("held back (yuan)"), default=ZERO, **MONEY)

    objects = SettlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-month", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "month"], name="settlement_once_per_month"),
            models.CheckConstraint(
                condition=Q(total=F("allowance_total") + F("voucher_total") + F("self_total")),
                name="settlement_total_is_sum_of_shares",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.month:%Y-%m}"
