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

# The bank file layouts Kangyang ships (migration 0004 adds them; a database left with none,
# e.g. a test database emptied between tests, gets them back at the first bank batch). The
# generic .xlsx (ID numbers and account numbers as text cells) is the default; the CSV follows
# the usual bank batch-payment import (批量代发): GB18030, a header row, every cell quoted so the
# bank reads IDs as text.
SHIPPED_BANK_LAYOUTS = [
    {
        "code": "generic-xlsx", "name": "通用代发表（.xlsx）", "file_type": "xlsx", "encoding": "utf-8-sig",
        "header": True, "total_row": True, "is_default": True,
        "columns": [
            {"field": "seq", "title": "序号"}, {"field": "name", "title": "收款人姓名"},
            {"field": "id_number", "title": "身份证号"}, {"field": "bank", "title": "开户银行"},
            {"field": "account", "title": "银行账号"}, {"field": "amount", "title": "金额"},
            {"field": "policy", "title": "补贴项目"}, {"field": "month", "title": "发放月份"},
            {"field": "region_code", "title": "社区代码"}, {"field": "note", "title": "备注"},
        ],
    },
    {
        "code": "bank-csv-gb18030", "name": "银行批量代发（CSV，GB18030）", "file_type": "csv", "encoding": "gb18030",
        "header": True, "total_row": False, "is_default": False,
        "columns": [
            {"field": "account", "title": "收款账号"}, {"field": "name", "title": "收款户名"},
            {"field": "amount", "title": "金额"}, {"field": "id_number", "title": "证件号码"},
            {"field": "note", "title": "用途"},
        ],
    },
]
