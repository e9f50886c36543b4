"""Amounts and presets of allowance policies. Every figure here is a default that the bureau
admin can change (policies are data, versioned by date); each says where it comes from."""

from decimal import Decimal

# Elder-care consumption voucher (养老服务消费补贴), the nationwide preset as issue 4 states it:
# elders assessed as moderate loss or worse (GB/T 42195-2022 final level ≥ 2), up to ¥800 a
# month, paying 50% of a home-service price or 40% of the price of institutional care.
# Check the figures against the current notice of the Ministry of Civil Affairs and the
# Ministry of Finance before relying on them: the preset is a starting point to edit.
CONSUMPTION_VOUCHER_MONTHLY_CAP = Decimal("800.00")
CONSUMPTION_VOUCHER_MIN_LEVEL = 2
CONSUMPTION_VOUCHER_HOME_SHARE = 50  # percent of a home-service price
CONSUMPTION_VOUCHER_INSTITUTION_SHARE = 40  # percent of the price of institutional care

CONSUMPTION_VOUCHER_PRESET = {
    "bands": [{"level_from": CONSUMPTION_VOUCHER_MIN_LEVEL, "level_to": 4, "amount": CONSUMPTION_VOUCHER_MONTHLY_CAP}],
    "home_service_share": CONSUMPTION_VOUCHER_HOME_SHARE,
    "institution_share": CONSUMPTION_VOUCHER_INSTITUTION_SHARE,
    # A month's voucher is for that month: what is left expires when the next is credited.
    "carries_over": False,
}

# Example amounts for the demo district (示例金额): round figures in the range that Chinese
# districts publish, not the standard of any real place. The demo labels them as examples.
EXAMPLE_LONGEVITY_BANDS = [
    {"age_from": 80, "age_to": 89, "amount": Decimal("50.00")},
    {"age_from": 90, "age_to": 99, "amount": Decimal("100.00")},
    {"age_from": 100, "age_to": None, "amount": Decimal("300.00")},
]
# Care allowance by final capability level × means (特困 / 低保 / ordinary).
EXAMPLE_CARE_BANDS = [
    {"level_from": 2, "level_to": 2, "means": "extreme_poverty", "amount": Decimal("150.00")},
    {"level_from": 2, "level_to": 2, "means": "low_income", "amount": Decimal("100.00")},
    {"level_from": 3, "level_to": 3, "means": "extreme_poverty", "amount": Decimal("300.00")},
    {"level_from": 3, "level_to": 3, "means": "low_income", "amount": Decimal("200.00")},
    {"level_from": 3, "level_to": 3, "means": "ordinary", "amount": Decimal("100.00")},
    {"level_from": 4, "level_to": 4, "means": "extreme_poverty", "amount": Decimal("400.00")},
    {"level_from": 4, "level_to": 4, "means": "low_income", "amount": Decimal("300.00")},
    {"level_from": 4, "level_to": 4, "means": "ordinary", "amount": Decimal("150.00")},
]
# Service allowance: a monthly voucher credit for elders of low means, spent on home services.
EXAMPLE_SERVICE_BANDS = [
    {"means": "extreme_poverty", "amount": Decimal("200.00")},
    {"means": "low_income", "amount": Decimal("100.00")},
]

# Bank file layouts: shipped by migration 0004_bank_layouts (a generic .xlsx, the default,
# and a bank's batch-payment CSV in GB18030 with every cell quoted); the bureau changes them,
# or adds its bank's own, in the admin (models.BankLayout).
