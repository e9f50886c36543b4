"""Names that look like formulas stay inert in a payment roll's files: the review sheet and
the bank CSV (where `=cmd|' /C calc'!A0` once went out as it was)."""

import io

import pytest

from kangyang.lib.tests.formulas import FORMULAS, assert_csv_inert, assert_xlsx_inert
from kangyang.allowances import actions
from kangyang.allowances.exports import roll_xlsx
from kangyang.allowances.models import BankLayout, PaymentRoll
from kangyang.allowances.tests.conftest import approve_all, born, make_elder


@pytest.fixture
def roll(admin, worker_a, subdistrict, community_a, longevity, generate, this_month, district):
    birth = born(85, on=this_month)
    elders = [make_elder(worker_a, community_a, birth=birth, name=name) for name in FORMULAS]
    actions.set_payee_account(elders[0], by=worker_a, holder_name=FORMULAS[0], bank_name=FORMULAS[3],
                              account_number="6228 4800 1234 5678 901")
    generate(admin, longevity, this_month, district)
    return approve_all(PaymentRoll.objects.get(policy=longevity, month=this_month),
                       worker=worker_a, officer=subdistrict, admin=admin)


@pytest.fixture
def batch(roll, admin, longevity, this_month, district):
    return actions.prepare_payout_batch(by=admin, policy=longevity, month=this_month, region=district)


def test_the_bank_csv_writes_formula_like_names_with_an_apostrophe(batch, admin):
    batch.layout = BankLayout.objects.get(code="bank-csv-gb18030")
    data, _name, _type = actions.bank_file(batch, by=admin)
    text = data.decode("gb18030")
    assert_csv_inert(text)
    assert '"6228480012345678901","' + "'" + FORMULAS[0] + '","50.00"' in text  # numbers untouched


def test_the_bank_xlsx_writes_formula_like_names_as_text(batch, admin):
    data, _name, _type = actions.bank_file(batch, by=admin)
    assert_xlsx_inert(data, expected=FORMULAS[1:] + (FORMULAS[0],))


def test_the_review_sheet_writes_formula_like_names_as_text(roll, admin):
    assert_xlsx_inert(roll_xlsx(roll, by=admin))
