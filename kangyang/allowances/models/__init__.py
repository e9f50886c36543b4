"""The allowances app's models, by topic; everything is importable from here."""

from kangyang.allowances.models.core import (  # noqa: F401
    CASH_KINDS, MONEY, VOUCHER_KINDS, ZERO, Means, PausedPayment, PayeeAccount, PaymentLine, PaymentRoll,
    PaymentRollQuerySet, Policy, PolicyBand, PolicyQuerySet, PolicyVersion, Recovery, RollRun, RollRunQuerySet,
    VoucherBalance, VoucherEntry, allowance_filter, date_today,
)
from kangyang.allowances.models.payouts import (  # noqa: F401
    LAYOUT_FIELDS, TEXT_FIELDS, BankLayout, BankReturn, PayoutBatch,
)
from kangyang.allowances.models.applications import Application, Objection, SurvivalCheck  # noqa: F401
