"""A payment of the elder's share of one order, through a payment provider. Every write goes
through payments/actions.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.accounts import scope
from kangyang.allowances.models import MONEY


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PaymentQuerySet":
        return self.filter(scope.payment_filter(user)).distinct()


class Payment(models.Model):
    """One attempt to pay an order's own share (the part neither allowance nor voucher
    pays), from the payer's start at the provider to paid, failed or cancelled. The amount is
    the order's, copied at the start; an order is paid at most once."""

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("payment status", "waiting for payment")
        PAID = "paid", pgettext_lazy("payment status", "paid")
        FAILED = "failed", pgettext_lazy("payment status", "failed")
        CANCELLED = "cancelled", pgettext_lazy("payment status", "cancelled")

    # A payment in one of these holds the order: no second one may start.
    LIVE = (Status.CREATED, Status.PAID)

    order = models.ForeignKey("services.Order", verbose_name=pgettext_lazy("home service", "order"),
                              on_delete=models.PROTECT, related_name="payments")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT,
                              related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    provider = models.CharField(_("payment provider"), max_length=20)
    # The provider's reference of this payment (its order number), unique per provider.
    provider_ref = models.CharField(_("provider's reference"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("share payment")
        verbose_name_plural = _("share payments")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One live payment per order: two taps on "pay", or two family members at once,
            # never start two, and an order is paid once.
            models.UniqueConstraint(fields=["order"], condition=Q(status__in=["created", "paid"]),
                                    name="payment_one_live_per_order"),
            models.UniqueConstraint(fields=["provider", "provider_ref"], name="payment_unique_provider_ref"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ¥{self.amount}"
