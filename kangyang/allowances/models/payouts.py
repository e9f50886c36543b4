"""Paying cash allowances through the bank: the layouts of bank files, the batches (one file
per district, policy and month) and the bank's return files."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.allowances.models.core import MONEY, ZERO, allowance_filter

# What a layout's column may hold (BankLayout.columns[i]["field"]); the titles are the bank's.
LAYOUT_FIELDS = {
    "seq": _("row number"),
    "name": _("payee name"),
    "id_number": _("ID number"),
    "bank": _("bank"),
    "account": _("account number"),
    "amount": _("amount"),
    "policy": _("allowance"),
    "month": _("month"),
    "region_code": _("region code"),
    "community": _("community"),
    "note": _("note"),
}
# Columns written as text whatever they hold: long digit strings a spreadsheet would
# otherwise turn into 3.60103E+17.
TEXT_FIELDS = {"id_number", "account", "region_code", "month", "seq"}


class BankLayout(models.Model):
    """How one bank wants its payment file: the columns and their titles, a header row or
    not, the encoding, and the file type (.xlsx with text cells, or CSV with every cell
    quoted). Data, not code: the bureau adds its bank's layout in the admin."""

    class FileType(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook (.xlsx)")
        CSV = "csv", _("CSV text file (.csv)")

    class Encoding(models.TextChoices):
        UTF8_BOM = "utf-8-sig", _("UTF-8 with byte-order mark")
        UTF8 = "utf-8", _("UTF-8")
        GB18030 = "gb18030", _("GB18030 (GBK)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    file_type = models.CharField(_("file type"), max_length=4, choices=FileType.choices)
    encoding = models.CharField(
        _("encoding"), max_length=10, choices=Encoding.choices, default=Encoding.UTF8_BOM,
        help_text=_("CSV only; an .xlsx file is always Unicode."),
    )
    header = models.BooleanField(_("header row"), default=True)
    total_row = models.BooleanField(_("total row at the end"), default=False)
    columns = models.JSONField(
        _("columns"), help_text=_('A list of {"field": …, "title": …}, in the order of the file.'),
    )
    is_default = models.BooleanField(_("the bureau's default"), default=False)

    class Meta:
        verbose_name = _("bank file layout")
        verbose_name_plural = _("bank file layouts")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="bank_layout_one_default"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return self.file_type


class PayoutBatchQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PayoutBatchQuerySet":
        return self.filter(allowance_filter(user))


class PayoutBatch(models.Model):
    """One bank file (代发批次): the district-approved rolls of a policy and month in a
    district (or the bureau's area), put together by the bureau admin. Downloading the file
    changes nothing; the bureau records it paid, with the bank's reference, separately. A
    batch not yet paid may be cancelled (a wrong layout, a roll to correct): its rolls are
    free again for a new batch, and it stays, with the reason, for the record."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("file ready, not paid yet")
        PAID = "paid", _("paid by the bank")
        CANCELLED = "cancelled", _("cancelled before payment")

    policy = models.ForeignKey("allowances.Policy", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    layout = models.ForeignKey(BankLayout, verbose_name=_("bank file layout"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREPARED)
    line_count = models.PositiveIntegerField(_("payees"), default=0)
    total = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    bank_reference = models.CharField(_("bank's batch reference"), max_length=64, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded paid by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    paid_recorded_at = models.DateTimeField(_("recorded paid"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cancelled by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = PayoutBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("bank batch")
        verbose_name_plural = _("bank batches")
        ordering = ["-month", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(bank_reference="")),
                name="payout_batch_paid_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | (Q(cancelled_at__isnull=False) & ~Q(cancel_reason="")),
                name="payout_batch_cancelled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.region} {self.month:%Y-%m} #{self.pk}"


class BankReturn(models.Model):
    """A return file (回盘文件) of a batch as the bank sent it back: which payments failed
    and why. Rows that could not be matched are kept with their error."""

    batch = models.ForeignKey(PayoutBatch, verbose_name=_("bank batch"), on_delete=models.PROTECT, related_name="returns")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    filename = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    succeeded = models.PositiveIntegerField(_("paid"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    errors = models.JSONField(_("rows not understood"), default=list, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        verbose_name = _("bank return file")
        verbose_name_plural = _("bank return files")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.filename
