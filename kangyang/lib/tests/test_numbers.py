"""Money and rates as people read them (lib/numbers.py and the `kangyang` template filters)."""

from decimal import Decimal

import pytest
from django.template import engines

from kangyang.lib import numbers


@pytest.mark.parametrize("amount, shown", [
    (Decimal("2306550"), "¥2,306,550.00"), (Decimal("0.5"), "¥0.50"), (1234.005, "¥1,234.01"),
    (Decimal("-12.5"), "-¥12.50"), (0, "¥0.00"), (None, "—"), ("x", "—"),
])
def test_money_has_thousands_separators_and_two_decimals(amount, shown):
    assert numbers.yuan(amount) == shown


@pytest.mark.parametrize("rate, target, shown", [
    (98.97, 99, "98.97%"),       # one decimal would say 99.0%, as if the target were met
    (98.999, 99, "98.999%"),
    (99.0, 99, "99.0%"),
    (99.04, 99, "99.0%"),         # at or above stays at or above
    (97.46, 97.5, "97.46%"),
    (97.5, 97.5, "97.5%"),
    (85.26, 99, "85.3%"),         # far from the target: one decimal
    (99.99999999, 100, "99.999999%"),  # still across at six decimals: cut towards its own side
    (98.97, None, "99.0%"),
    (None, 99, "—"),
])
def test_a_rate_is_never_rounded_across_its_target(rate, target, shown):
    assert numbers.percent(rate, target) == shown


@pytest.mark.parametrize("rate", [x / 1000 for x in range(96000, 100001, 7)])
def test_the_shown_rate_is_on_the_same_side_of_the_target_as_the_rate(rate):
    for target in (97.5, 99, 100):
        shown = Decimal(numbers.percent(rate, target).rstrip("%"))
        assert (shown >= Decimal(str(target))) == (Decimal(str(rate)) >= Decimal(str(target)))


def test_templates_write_money_and_rates_with_the_filters():
    template = engines["django"].from_string(
        "{% load kangyang %}{{ total|yuan }} {{ total|money }} {{ rate|percent:target }} {{ rate|percent }}")
    out = template.render({"total": Decimal("2306550"), "rate": 98.97, "target": 99})
    assert out == "¥2,306,550.00 2,306,550.00 98.97% 99.0%"


def test_money_cells_of_a_sheet_carry_the_thousands_format():
    import io

    from openpyxl import load_workbook

    from kangyang.lib.sheets import money_cell, new_sheet

    workbook, sheet = new_sheet("t", ["amount"], [10])
    sheet.append([money_cell(sheet, Decimal("2306550.00"))])
    out = io.BytesIO()
    workbook.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]["A2"]
    assert cell.value == 2306550 and cell.number_format == "#,##0.00"
