"""The instruments' scoring (kangyang/health/screening_tools.py) at every boundary: Mini-Cog
(recall 0–3 + clock 0|2, positive below 3) and AD8 (count of “yes”, positive from 2)."""

import pytest
from django.core.exceptions import ValidationError

from kangyang.health.screening_tools import AD8, INSTRUMENTS, MINI_COG, score


@pytest.mark.parametrize("recall,clock,total,positive", [
    (0, 0, 0, True), (1, 0, 1, True), (2, 0, 2, True), (3, 0, 3, False),
    (0, 2, 2, True), (1, 2, 3, False), (2, 2, 4, False), (3, 2, 5, False),
])
def test_mini_cog_every_total(recall, clock, total, positive):
    result = score("mini_cog", {"recall": str(recall), "clock": str(clock)})
    assert (result.score, result.positive) == (total, positive)


def test_mini_cog_reads_ints_as_their_text():
    assert score("mini_cog", {"recall": 2, "clock": 2}).answers == {"recall": "2", "clock": "2"}


@pytest.mark.parametrize("yes,positive", [(0, False), (1, False), (2, True), (3, True), (8, True)])
def test_ad8_positive_from_two(yes, positive):
    answers = {f"q{n}": ("yes" if n <= yes else "no") for n in range(1, 9)}
    result = score("ad8", answers)
    assert (result.score, result.positive) == (yes, positive)


def test_ad8_dont_know_scores_nothing():
    answers = {f"q{n}": "unknown" for n in range(1, 9)}
    answers["q3"] = "yes"
    assert score("ad8", answers).score == 1


def _refusal(tool, answers):
    with pytest.raises(ValidationError) as e:
        score(tool, answers)
    return e.value.error_dict["answers"][0]


def test_missing_answer_names_the_item():
    err = _refusal("ad8", {f"q{n}": "no" for n in range(1, 8)})
    assert err.code == "missing" and "8" in err.message % (err.params or {})


@pytest.mark.parametrize("answers", [
    {"recall": "4", "clock": "2"}, {"recall": "-1", "clock": "2"}, {"recall": "2", "clock": "1"},
    {"recall": True, "clock": "2"}, {"recall": 2.0, "clock": "2"}, {"recall": ["2"], "clock": "2"},
])
def test_invalid_mini_cog_answers(answers):
    assert _refusal("mini_cog", answers).code == "invalid_answer"


def test_empty_answer_is_missing():
    assert _refusal("mini_cog", {"recall": "", "clock": "2"}).code == "missing"
    assert _refusal("mini_cog", {"recall": None, "clock": "2"}).code == "missing"


def test_unknown_item_and_bad_shape():
    assert _refusal("mini_cog", {"recall": "3", "clock": "2", "extra": "1"}).code == "unknown_item"
    assert _refusal("ad8", ["yes"] * 8).code == "invalid"
    with pytest.raises(ValidationError) as e:
        score("mmse", {})
    assert "tool" in e.value.error_dict


def test_instruments_as_published():
    assert [i.key for i in AD8.items] == [f"q{n}" for n in range(1, 9)]
    assert MINI_COG.max_score == 5 and AD8.max_score == 8
    assert set(INSTRUMENTS) == {"mini_cog", "ad8"}
    for instrument in INSTRUMENTS.values():
        top = sum(max(c.points for c in item.choices) for item in instrument.items)
        assert top == instrument.max_score
