"""Fixtures of the assessment tests: drafts and signed assessments."""

import datetime as dt

import pytest

from kangyang.assessment import actions
from kangyang.assessment.tests.factories import HEADING, answers_totalling


@pytest.fixture
def draft(worker_a, elder_in_a):
    """A draft assessment of elder_in_a, started by worker_a, nothing answered yet."""
    return actions.start_assessment(elder_in_a, by=worker_a, reason="first", **HEADING)


@pytest.fixture
def sign_new(worker_a):
    """A function: elder, total, … → a signed assessment by worker_a."""

    def make(elder, total: int = 61, *, by=None, reason: str = "first", assessed_on: dt.date | None = None, **basics):
        return actions.record_assessment(
            elder, by=by or worker_a, reason=reason, assessed_on=assessed_on, answers=answers_totalling(total),
            **HEADING, **basics,
        )

    return make
