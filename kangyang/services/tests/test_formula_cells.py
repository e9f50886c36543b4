"""A formula-like elder name stays inert in the provider's settlement statement."""

import pytest

from kangyang.lib.tests.formulas import assert_xlsx_inert
from kangyang.registry.models import Elder
from kangyang.services.exports import settlement_xlsx
from kangyang.services.tests.test_settlement import after, delivered  # noqa: F401 (fixture)
from kangyang.services import actions
from kangyang.allowances import eligibility as months

NAME = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("name", [NAME, "@SUM(1)"])
def test_the_statement_writes_a_formula_like_name_as_text(
    delivered, provider, funded_elder, today, name,  # noqa: F811
):
    Elder.objects.filter(pk=funded_elder.pk).update(name=name)
    order = delivered("bathing", 9)
    month = months.month_start(today)
    settlement = actions.issue_settlement(order.provider, month=month, by=provider, now=after(month))
    assert_xlsx_inert(settlement_xlsx(settlement), expected=(name,))
