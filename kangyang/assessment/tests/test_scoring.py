"""GB/T 42195-2022 scoring: the level boundaries and every change rule, through the command
line (`kangyang assess score`) as third-party agencies use it, and directly."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kangyang.assessment.scoring import preliminary_level, score
from kangyang.assessment.standard import ITEMS


def answers_totalling(total: int) -> dict[str, int]:
    """Full marks, then points taken away item by item until the total is reached."""
    answers = {item.code: item.max_points for item in ITEMS}
    missing = 90 - total
    for item in ITEMS:
        take = min(missing, item.max_points)
        answers[item.code] -= take
        missing -= take
    assert sum(answers.values()) == total
    return answers


def run(payload: dict) -> dict:
    out = io.StringIO()
    stdin = io.StringIO(json.dumps(payload))
    import sys

    real, sys.stdin = sys.stdin, stdin
    try:
        call_command("assess", "score", stdout=out)
    finally:
        sys.stdin = real
    return json.loads(out.getvalue())


@pytest.mark.parametrize("total, level", [
    (90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4),
])
def test_the_command_gives_the_preliminary_level_of_annex_c3_at_every_boundary(total, level):
    result = run({"items": answers_totalling(total)})
    assert result["total"] == total
    assert result["preliminary_level"] == level
    assert result["final_level"] == level


def test_dimension_maxima_are_32_15_28_15():
    result = score(answers_totalling(90))
    assert result.dimensions == {"self_care": 32, "motor": 15, "mental": 28, "perception_social": 15}


def test_coma_makes_the_final_level_4_whatever_the_score():
    result = run({"items": answers_totalling(90), "coma": True})
    assert (result["preliminary_level"], result["final_level"]) == (0, 4)


@pytest.mark.parametrize("diagnosis, reason", [("F00", "dementia"), ("F03.9", "dementia"), ("F04", "mental_disorder"),
                                               ("F99", "mental_disorder"), ("f01", "dementia")])
def test_a_dementia_or_mental_disorder_diagnosis_raises_one_level(diagnosis, reason):
    result = score(answers_totalling(70), diagnoses=[diagnosis, "I10"])
    assert (result.preliminary_level, result.final_level) == (1, 2)
    assert result.reasons == [reason]


def test_other_diagnoses_change_nothing():
    result = score(answers_totalling(70), diagnoses=["I10", "E11", "G30"])
    assert result.final_level == 1 and result.reasons == []


@pytest.mark.parametrize("events, raised", [({"fall": 1}, False), ({"fall": 1, "choking": 1}, True),
                                            ({"lost": 2}, True), ({"fall": 0, "other": 1}, False)])
def test_two_or_more_care_risk_events_in_30_days_raise_one_level(events, raised):
    result = score(answers_totalling(50), risk_events_30d=events)
    assert result.final_level == (3 if raised else 2)


def test_both_raises_together_raise_one_level_by_default_and_two_when_set():
    kwargs = dict(diagnoses=["F01"], risk_events_30d={"fall": 1, "choking": 1})
    assert score(answers_totalling(61), **kwargs).final_level == 3
    assert score(answers_totalling(61), stack_raises=True, **kwargs).final_level == 4


def test_the_issue_example_gives_61_level_2_then_3():
    result = run({"items": answers_totalling(61), "coma": False, "diagnoses": ["F01", "I10"],
                  "risk_events_30d": {"fall": 1, "choking": 1}})
    assert {k: result[k] for k in ("total", "preliminary_level", "final_level")} == {
        "total": 61, "preliminary_level": 2, "final_level": 3}
    assert set(result["dimensions"]) == {"self_care", "motor", "mental", "perception_social"}


def test_never_above_level_4():
    assert score(answers_totalling(10), diagnoses=["F02"]).final_level == 4


def test_a_missing_item_exits_non_zero_naming_it():
    items = answers_totalling(80)
    del items["B.3.4"]
    with pytest.raises(CommandError) as e:
        run({"items": items})
    assert "B.3.4" in str(e.value)


@pytest.mark.parametrize("code, value", [("B.2.4", 4), ("B.3.7", 2), ("B.1.1", -1), ("B.4.1", "2"), ("B.1.2", 2.5)])
def test_an_out_of_range_item_is_refused_naming_it(code, value):
    items = answers_totalling(80)
    items[code] = value
    with pytest.raises(ValidationError) as e:
        score(items)
    assert code in e.value.message_dict


def test_an_unknown_item_is_refused():
    items = answers_totalling(80)
    items["B.5.1"] = 1
    with pytest.raises(ValidationError) as e:
        score(items)
    assert "B.5.1" in e.value.message_dict


def test_preliminary_level_is_monotonic_over_every_total():
    levels = [preliminary_level(t) for t in range(91)]
    assert levels == sorted(levels, reverse=True)
    assert levels.count(0) == 1


def test_stdin_that_is_not_json_is_a_clear_error():
    import sys

    real, sys.stdin = sys.stdin, io.StringIO("{not json")
    try:
        with pytest.raises(CommandError):
            call_command("assess", "score")
    finally:
        sys.stdin = real
