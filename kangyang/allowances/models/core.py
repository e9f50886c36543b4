"""Allowances: policies as dated data, monthly payment rolls, overpayments, vouchers.

Money is Decimal to the fen everywhere: DecimalField(max_digits=12, decimal_places=2),
never float. A roll's total is stored and checked against the sum of its lines before
every approval and export (actions.verify_roll).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.regions.models import Region

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")


def date_today():
    return timezone.localdate()


def allowance_filter(user, *, field: str = "region_code") -> Q:
    """Records of allowance work (rolls, lines, runs) a user may see: their area, if their
    role works with allowances; nothing otherwise."""
    if not user.is_authenticated or not user.is_active:
        return scope.NOTHING
    if not scope.allowance_role(user):
        return scope.NOTHING
    return scope.region_filter(user, field=field)


class Means(models.TextChoices):
    """An elder's means, from their vulnerability categories in the registry."""

    EXTREME_POVERTY = "extreme_poverty", _("extreme poverty")
    LOW_INCOME = "low_income", _("minimum living allowance")
    ORDINARY = "ordinary", _("ordinary means")


class PolicyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PolicyQuerySet":
        """Policies of the user's area and of the regions above it (a district's policy
        applies to its communities), for staff who work with allowances."""
        if not scope.allowance_role(user):
            return self.none()
        return self.filter(region__in=Region.objects.visible_to(user))


class Policy(models.Model):
    """An allowance the bureau pays (高龄津贴, 护理补贴, 服务补贴, consumption voucher) in
    a region; its rules and amounts are in dated versions."""

    class Kind(models.TextChoices):
        LONGEVITY = "longevity", _("longevity allowance")
        CARE = "care", _("care allowance")
        SERVICE = "service", _("service allowance")
        CONSUMPTION_VOUCHER = "consumption_voucher", _("elder-care consumption voucher")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
        help_text=_("The policy applies to every elder in this region (usually the district)."),
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Applications and public notice (公示): a new payee starts from an approved application
    # that was on notice for this many days. Off for an allowance granted without one (免申即享).
    needs_application = models.BooleanField(
        _("paid on an approved application"), default=True,
        help_text=_("Off for an allowance granted without applying (免申即享), e.g. by age from the registry."),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("public notice (days)"), default=7,
        help_text=_("How long an application is on public notice before it can be approved."),
    )
    # Survival certification (生存认证): payment continues while one is on record within
    # this many months; 0 turns the check off. Counted from `survival_since` at the
    # earliest, so that a database upgraded to this rule does not pause everyone at once.
    survival_months = models.PositiveSmallIntegerField(
        _("survival certification period (months)"), default=12,
        help_text=_("Payment pauses when an elder has no survival certification within this period; 0 for none."),
    )
    survival_since = models.DateField(
        _("survival certification required from"), default=date_today,
        help_text=_("The period is counted from this day at the earliest."),
    )
    bank_layout = models.ForeignKey(
        "allowances.BankLayout", verbose_name=_("bank file layout"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Empty: the bureau's default layout."),
    )

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("allowance policy")
        verbose_name_plural = _("allowance policies")
        ordering = ["region_code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="policy_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def pays_vouchers(self) -> bool:
        """Paid as a credit to the elder's voucher balance, not to a bank account."""
        return self.kind in VOUCHER_KINDS


VOUCHER_KINDS = (Policy.Kind.SERVICE, Policy.Kind.CONSUMPTION_VOUCHER)
CASH_KINDS = (Policy.Kind.LONGEVITY, Policy.Kind.CARE)


class PolicyVersion(models.Model):
    """The rules of a policy from a month on. A new version supersedes the previous one
    from its first month; versions are never edited (a change is a new version)."""

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField(_("effective from"), help_text=_("The first day of a month."))
    effective_to = models.DateField(
        _("effective until"), null=True, blank=True,
        help_text=_("Empty while in force; set when a later version supersedes this one."),
    )
    # Elder-care consumption voucher: the share of a price the voucher pays (percent).
    home_service_share = models.PositiveSmallIntegerField(
        _("share of home-service price (%)"), null=True, blank=True,
    )
    institution_share = models.PositiveSmallIntegerField(
        _("share of institutional care price (%)"), null=True, blank=True,
    )
    carries_over = models.BooleanField(
        _("unused voucher credit carries over"), default=True,
        help_text=_("Vouchers only: if not, what is left of a month's credit expires when the next is credited."),
    )
    is_example = models.BooleanField(
        _("example amounts"), default=False,
        help_text=_("Demonstration figures, not a real local standard (示例金额)."),
    )
    note = models.TextField(_("note (document number, reason for the change)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "effective_from"], name="policy_version_unique_start"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="policy_version_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(home_service_share__isnull=True) | Q(home_service_share__lte=100),
                name="policy_version_home_share_percent",
            ),
            models.CheckConstraint(
                condition=Q(institution_share__isnull=True) | Q(institution_share__lte=100),
                name="policy_version_institution_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.effective_from:%Y-%m}"


class PolicyBand(models.Model):
    """One rule of a version: who qualifies (age, capability level, means; an empty
    condition means any) and the monthly amount. The bands of a version never overlap."""

    version = models.ForeignKey(PolicyVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    age_from = models.PositiveSmallIntegerField(_("age from"), null=True, blank=True)
    age_to = models.PositiveSmallIntegerField(_("age to"), null=True, blank=True)
    # GB/T 42195-2022: capability levels 0 (intact) … 4 (complete loss), final level.
    level_from = models.PositiveSmallIntegerField(_("capability level from"), null=True, blank=True)
    level_to = models.PositiveSmallIntegerField(_("capability level to"), null=True, blank=True)
    means = models.CharField(_("means"), max_length=16, choices=Means.choices, blank=True)
    amount = models.DecimalField(_("monthly amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("policy band")
        verbose_name_plural = _("policy bands")
        ordering = ["version", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="policy_band_amount_positive"),
            models.CheckConstraint(
                condition=Q(level_from__isnull=True) | Q(level_from__lte=4), name="policy_band_level_from_range",
            ),
            models.CheckConstraint(
                condition=Q(level_to__isnull=True) | Q(level_to__lte=4), name="policy_band_level_to_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.position}"

    @property
    def uses_level(self) -> bool:
        return self.level_from is not None or self.level_to is not None


class PaymentRollQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PaymentRollQuerySet":
        return self.filter(allowance_filter(user))


class PaymentRoll(models.Model):
    """The monthly list of payees and amounts (补贴发放名册) of one policy in one community,
    reviewed community → subdistrict → district, then exported to the bank (cash) or
    credited to voucher balances (vouchers)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        COMMUNITY_APPROVED = "community_approved", _("approved by the community")
        SUBDISTRICT_APPROVED = "subdistrict_approved", _("approved by the subdistrict")
        DISTRICT_APPROVED = "district_approved", _("approved by the district")
        EXPORTED = "exported", _("paid out")

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="rolls")
    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="rolls",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    line_count = models.PositiveIntegerField(_("payees"), default=0)
    total = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)
    community_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by the community"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    community_approved_at = models.DateTimeField(_("community approval"), null=True, blank=True)
    subdistrict_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by the subdistrict"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    subdistrict_approved_at = models.DateTimeField(_("subdistrict approval"), null=True, blank=True)
    district_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by the district"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    district_approved_at = models.DateTimeField(_("district approval"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid out by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    exported_at = models.DateTimeField(_("paid out"), null=True, blank=True)
    batch = models.ForeignKey(
        "allowances.PayoutBatch", verbose_name=_("bank batch"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="rolls",
    )

    objects = PaymentRollQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment roll")
        verbose_name_plural = _("payment rolls")
        ordering = ["-month", "policy", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "region", "month"], name="payment_roll_unique_month"),
            models.CheckConstraint(condition=Q(total__gte=0), name="payment_roll_total_not_negative"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="payment_roll_month_status_idx")]

    def __str__(self) -> str:
        return f"{self.policy} {self.region} {self.month:%Y-%m}"


class PaymentLine(models.Model):
    """One elder's payment in a roll, for one month (`month` is the month paid for: the
    roll's month, or an earlier one for back pay). An elder is paid at most once per policy
    and month across all rolls, and a failed payment is paid again at most once (database
    constraints)."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("monthly payment")
        RETRY = "retry", _("back pay of a failed payment")
        RESUMED = "resumed", _("back pay of a paused month")

    class Payout(models.TextChoices):
        PENDING = "pending", _("not paid yet")
        PAID = "paid", _("paid")
        HELD = "held", _("failed at the bank, held")
        RELEASED = "released", _("corrected, to be paid again")

    roll = models.ForeignKey(PaymentRoll, verbose_name=_("roll"), on_delete=models.CASCADE, related_name="lines")
    # Copied from the roll, for the constraint below.
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="payment_lines",
    )
    region_code = models.CharField(_("region code"), max_length=12, editable=False)
    band = models.ForeignKey(PolicyBand, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    # What the rule was applied to, kept so the line explains itself later.
    level = models.PositiveSmallIntegerField(_("capability level"), null=True, blank=True)
    means = models.CharField(_("means"), max_length=16, choices=Means.choices)
    # Rolls are written by INSERT … SELECT: the database fills what the SQL leaves out.
    kind = models.CharField(
        _("kind of payment"), max_length=8, choices=Kind.choices, default=Kind.MONTHLY, db_default=Kind.MONTHLY,
    )
    retry_of = models.ForeignKey(
        "self", verbose_name=_("back pay of"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    payout = models.CharField(
        _("payout"), max_length=8, choices=Payout.choices, default=Payout.PENDING, db_default=Payout.PENDING,
    )
    bank_reason = models.CharField(_("bank's reason"), max_length=200, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["roll", "elder_id"]
        constraints = [
            # Monthly payments and back pay of paused months: one per elder, policy and month.
            models.UniqueConstraint(
                fields=["policy", "elder", "month"], condition=~Q(kind="retry"), name="payment_line_once_per_month",
            ),
            # A failed payment is paid again once, whatever regenerates which roll.
            models.UniqueConstraint(
                fields=["retry_of"], condition=Q(retry_of__isnull=False), name="payment_line_retried_once",
            ),
            models.CheckConstraint(
                condition=Q(kind="retry", retry_of__isnull=False) | (~Q(kind="retry") & Q(retry_of__isnull=True)),
                name="payment_line_retry_names_its_line",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_line_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["elder", "-month"], name="payment_line_elder_month_idx"),
            models.Index(fields=["policy", "payout"], name="payment_line_policy_payout_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.month:%Y-%m} {self.amount}"

    @property
    def is_back_pay(self) -> bool:
        return self.kind != self.Kind.MONTHLY


class PausedPayment(models.Model):
    """A month an elder was entitled to but not paid, for want of a survival certification
    (生存认证) on record. Paid as back pay (a `resumed` line) once one comes."""

    roll = models.ForeignKey(PaymentRoll, verbose_name=_("roll"), on_delete=models.CASCADE, related_name="pauses")
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="paused_payments",
    )
    region_code = models.CharField(_("region code"), max_length=12, editable=False)
    band = models.ForeignKey(PolicyBand, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    level = models.PositiveSmallIntegerField(_("capability level"), null=True, blank=True)
    means = models.CharField(_("means"), max_length=16, choices=Means.choices)

    class Meta:
        verbose_name = _("paused payment")
        verbose_name_plural = _("paused payments")
        ordering = ["roll", "elder_id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "elder", "month"], name="paused_payment_once_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.month:%Y-%m} {self.amount}"


class RollRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RollRunQuerySet":
        return self.filter(allowance_filter(user))


class RollRun(models.Model):
    """One request to generate the month's rolls of a policy for a region (a community, or
    every community below a subdistrict or district), done in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rolls = models.PositiveIntegerField(_("rolls generated"), default=0)
    skipped = models.PositiveIntegerField(_("rolls past draft, left as they are"), default=0)
    lines = models.PositiveIntegerField(_("payees"), default=0)
    total = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    message = models.TextField(_("message"), blank=True)

    objects = RollRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll generation")
        verbose_name_plural = _("roll generations")
        ordering = ["-created_at", "-id"]


class Recovery(models.Model):
    """What became of an overpayment: a line paid for a month after the elder died or
    moved out, recovered from the family or waived."""

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("recovered")
        WAIVED = "waived", _("waived")

    line = models.OneToOneField(PaymentLine, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="recovery")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("overpayment recovery")
        verbose_name_plural = _("overpayment recoveries")


class PayeeAccount(models.Model):
    """The bank account an elder's cash allowances are paid into. The number is encrypted;
    only the bank file (bureau admin, audited) carries it in full."""

    elder = models.OneToOneField(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE, related_name="payee_account",
    )
    holder_name = models.CharField(_("account holder"), max_length=50)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_encrypted = models.TextField(editable=False)
    account_masked = models.CharField(_("account number"), max_length=40, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("payee account")
        verbose_name_plural = _("payee accounts")


class VoucherBalance(models.Model):
    """What an elder has left to spend of a voucher allowance. Never negative."""

    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="voucher_balances",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=[(k.value, k.label) for k in VOUCHER_KINDS])
    balance = models.DecimalField(_("balance (yuan)"), default=ZERO, **MONEY)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("voucher balance")
        verbose_name_plural = _("voucher balances")
        constraints = [
            models.UniqueConstraint(fields=["elder", "kind"], name="voucher_balance_unique"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="voucher_balance_not_negative"),
        ]


class VoucherEntry(models.Model):
    """One movement of a voucher balance: a monthly credit from a roll, a debit by a
    home-service order, its refund when the order is cancelled, or the expiry of a month's
    unused credit. Never changed."""

    class Type(models.TextChoices):
        CREDIT = "credit", _("credit")
        DEBIT = "debit", _("debit")
        REFUND = "refund", _("refund")
        EXPIRE = "expire", _("expired")

    balance = models.ForeignKey(VoucherBalance, verbose_name=_("balance"), on_delete=models.PROTECT, related_name="entries")
    type = models.CharField(_("type"), max_length=8, choices=Type.choices)
    amount = models.DecimalField(_("amount (yuan)"), help_text=_("Positive for a credit, negative otherwise."), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    line = models.ForeignKey(
        PaymentLine, verbose_name=_("payment line"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("voucher entry")
        verbose_name_plural = _("voucher entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # A roll line is credited once; an order (reference) is debited once.
            models.UniqueConstraint(fields=["line"], condition=Q(line__isnull=False), name="voucher_entry_line_once"),
            models.UniqueConstraint(
                fields=["balance", "reference"], condition=Q(type="debit"), name="voucher_entry_debit_once",
            ),
            # …and refunded at most once.
            models.UniqueConstraint(
                fields=["balance", "reference"], condition=Q(type="refund"), name="voucher_entry_refund_once",
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="voucher_entry_balance_not_negative"),
        ]
