"""The synthetic assessments of `kangyang demo` and `kangyang seed`."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from kangyang.assessment import queries, scoring
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import PREVIOUS_STANDARD, STANDARD
from kangyang.ops import demo
from kangyang.registry.models import Elder


@pytest.fixture(scope="module")
def district(shared_data):
    """A synthetic district of 400 elders with its demo accounts, for every test of this
    module (see conftest.py `shared_data`; the empty district's test is in test_demo_fresh.py)."""

    def make():
        call_command("demo", "--no-serve", "--elders", "400", stdout=StringIO())
        return demo.get_district()

    yield from shared_data(make)


def test_the_demo_assesses_a_plausible_share_as_the_standard_scores_with_due_and_history(district, today):
    gbt = Assessment.objects.filter(standard=STANDARD, imported=False)
    elders = Elder.objects.filter(region_code__startswith=district.code[:6]).count()
    assert 0.05 * elders < gbt.count() < 0.3 * elders
    disabled = Elder.objects.filter(categories_text__contains=",disabled,")
    assessed_disabled = disabled.filter(assessments__standard=STANDARD).distinct().count()
    assert assessed_disabled > 0.5 * disabled.count()
    for a in gbt[:50]:
        result = scoring.score(a.answers, diagnoses=a.diagnoses, risk_events_30d=a.risk_events_30d)
        assert (a.total, a.preliminary_level, a.final_level) == (result.total, result.preliminary_level,
                                                                 result.final_level)
        assert a.status == "signed" and a.valid_until > a.assessed_on
    assert Assessment.objects.filter(standard=STANDARD, valid_until__lt=today).exists()
    assert Assessment.objects.filter(standard=PREVIOUS_STANDARD, imported=True, final_level__lte=3).exists()
    # the `elder` account: an assessment due soon, and MZ/T history
    elder = Elder.objects.get(user__username="elder")
    current = queries.current_assessment(elder, on=today)
    assert current is not None and current.valid_until <= today + dt.timedelta(days=30)
    assert Assessment.objects.filter(elder=elder, standard=PREVIOUS_STANDARD).exists()
    worker_a = demo.User.objects.get(username="worker_a")
    assert elder in queries.due_for(worker_a)


def test_seeding_again_assesses_only_among_the_new_elders(district):
    before = set(Assessment.objects.values_list("elder_id", flat=True))
    newest = Elder.objects.order_by("-pk").values_list("pk", flat=True).first()
    call_command("seed", "--elders", "300", stdout=StringIO())
    after = set(Assessment.objects.values_list("elder_id", flat=True))
    assert before < after
    assert all(pk > newest for pk in after - before)
