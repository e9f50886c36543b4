"""Data for assessment tests (the app's tests and the browser journey)."""

from kangyang.assessment.standard import ITEMS

# GB/T 42195-2022 Annex A heading of every test assessment.
HEADING = dict(place="家中", assessor_1="万丽", assessor_2="熊伟", informant="王芳", informant_relation="女儿")
# The example: total 61 → preliminary level 2; F01 and two care-risk events → level 3.
EXAMPLE_BASICS = dict(coma=False, diagnoses=["F01", "I10"], risk_events_30d={"fall": 1, "choking": 1})


def answers_totalling(total: int) -> dict[str, int]:
    """Full marks, then points taken away item by item until the total is reached."""
    answers = {item.code: item.max_points for item in ITEMS}
    missing = 90 - total
    for item in ITEMS:
        take = min(missing, item.max_points)
        answers[item.code] -= take
        missing -= take
    return answers
