"""Numbers of the assessment rules that the sources leave to the operator, and the
predecessor standard's level names. Each rule reads its setting (settings.py, from the
environment) when it runs, so tests and an operator can change it without a code change."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Validity of a signed GB/T 42195 assessment: KANGYANG_ASSESSMENT_VALID_MONTHS (default 12):
# a routine re-assessment is due after this many months.
# Sooner: KANGYANG_ASSESSMENT_SHORT_VALID_MONTHS (default 6) when the condition is unstable,
# i.e. the assessment was an immediate one (the elder's status changed), or its final level
# moved by LEVEL_JUMP or more from the previous signed GB/T 42195 assessment. The standard
# asks for re-assessment "when the status changes"; how soon to look again after a large
# change is a local rule, so it is a setting.
LEVEL_JUMP = 2
# The due list shows elders whose assessment runs out within this many days (or has).
DUE_WITHIN_DAYS = 30


def valid_months() -> int:
    return settings.ASSESSMENT_VALID_MONTHS


def short_valid_months() -> int:
    return settings.ASSESSMENT_SHORT_VALID_MONTHS


# MZ/T 039-2013 《老年人能力评估》 5.3: four levels, 0–3. They do not map onto GB/T 42195's
# 0–4 (its level 3 "severe" covers GB/T levels 3 and 4), so they are kept as they were.
PREVIOUS_LEVEL_NAMES = {
    0: (_("intact"), "能力完好"),
    1: (_("mild loss"), "轻度失能"),
    2: (_("moderate loss"), "中度失能"),
    3: (_("severe loss"), "重度失能"),
}
PREVIOUS_MAX_LEVEL = 3

# Level-change reasons (scoring.Result.reasons) in words, citing the standard.
REASON_LABELS = {
    "coma": _("In a coma (A.5.11): the final level is 4, whatever the score (C.4)."),
    "dementia": _("Diagnosed dementia (ICD-10 F00–F03): one level higher (C.4)."),
    "mental_disorder": _(
        "Another mental or behavioural disorder diagnosed by a psychiatrist (ICD-10 F04–F99): "
        "one level higher (C.4)."
    ),
    "risk_events": _("Two or more care-risk events in the last 30 days (A.2.14): one level higher (C.4)."),
}
