"""The allowances module's indicators: the money paid in the period, in total and by kind of
allowance, the back pay within it, and how many elders received a payment.

"Paid in the period": a payment line recorded paid (`payout` = paid), dated by the day the
money went out: a cash allowance on the day the bank paid its batch (PayoutBatch.paid_on,
from the first to the last day of the period), a voucher when its roll was credited to the
balances (PaymentRoll.exported_at, within the period in Asia/Shanghai). The month a line pays
for does not matter: back pay for January paid in March counts in March.

A payment the bank returned is no longer recorded paid (held, then released once corrected):
it counts nowhere, and its back pay (a `retry` line in a later roll) counts when that is paid.
So a failed and repaid payment counts once, in the period it was paid again, and an amount the
bank sent back never counts. A figure of a past period can therefore go down when a return
file comes later; the monthly snapshot keeps what was known when it was taken.

Region: a payment line's own `region_code` (the community the elder lived in when the line was
generated, the roll's community); recipients are counted where the elder lives now
(`Elder.region_code`), as the registry counts elders.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kangyang.allowances.models import PaymentLine, Policy
from kangyang.indicators.registry import COUNT, YUAN, Indicator, Query, lazy_format
from kangyang.registry.models import Elder

PAID_AS_OF = _("payments recorded paid whose money went out in the period: a cash allowance on the day the bank "
               "paid its batch, a voucher when its roll was credited; a payment the bank returned counts only "
               "when paid again; by the community of the payment roll")


def paid_lines(q: Query):
    """Payment lines recorded paid whose money went out in the query's period."""
    by_bank = Q(roll__batch__isnull=False, roll__batch__paid_on__gte=q.period.first_day,
                roll__batch__paid_on__lte=q.period.last_day)
    credited = Q(roll__batch__isnull=True, roll__exported_at__gte=q.start, roll__exported_at__lt=q.end)
    return PaymentLine.objects.filter(payout=PaymentLine.Payout.PAID).filter(by_bank | credited)


def recipients(q: Query):
    """Elders with at least one payment line paid in the period (paid_lines)."""
    return Elder.objects.filter(Exists(paid_lines(q).filter(elder=OuterRef("pk"))))


def _of_kind(kind: str):
    return lambda q: Q(policy__kind=kind)


def _back_pay(q: Query) -> Q:
    return ~Q(kind=PaymentLine.Kind.MONTHLY)


INDICATORS = [
    Indicator(
        code="allowances_paid_yuan", name=_("allowances paid"), unit=YUAN, group="allowances",
        numerator=paid_lines, measure="amount",
        numerator_text=_("the amounts of the payment lines recorded paid, every allowance, back pay included"),
        as_of_text=PAID_AS_OF),
    *[Indicator(
        code=f"allowances_paid_{kind.value}_yuan", name=lazy_format(_("%(allowance)s paid"), allowance=kind.label),
        unit=YUAN, group="allowances", numerator=paid_lines, numerator_where=_of_kind(kind.value), measure="amount",
        numerator_text=lazy_format(_("the amounts of the payment lines of the %(allowance)s recorded paid, back pay "
                                     "included"), allowance=kind.label),
        as_of_text=PAID_AS_OF)
      for kind in Policy.Kind],
    Indicator(
        code="allowances_back_pay_yuan", name=_("allowance back pay"), unit=YUAN, group="allowances",
        numerator=paid_lines, numerator_where=_back_pay, measure="amount",
        numerator_text=_("the amounts of back pay recorded paid: failed payments paid again, and months paused for "
                         "want of a survival certification paid once it came"),
        as_of_text=PAID_AS_OF),
    Indicator(
        code="allowance_recipients", name=_("allowance recipients"), unit=COUNT, group="allowances",
        numerator=recipients,
        numerator_text=_("elders who received at least one allowance payment, each counted once"),
        as_of_text=_("elders with a payment recorded paid whose money went out in the period (as for the amounts "
                     "paid), counted in the community where they live")),
]
