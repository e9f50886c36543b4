"""Screenings, referrals and home sickbeds: the actions' rules and transitions, who may read and
write (scope), the pages, the panel, the indicator and the demo."""

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.health.actions import screening as actions
from kangyang.health.models import Referral, Screening, Sickbed
from kangyang.health.queries import screening as queries
from kangyang.health.tests.screening_world import (  # noqa: F401
    MINI_COG_NEGATIVE, MINI_COG_POSITIVE, doctor_a, doctor_b, hospital, teams,
)

pytestmark = pytest.mark.django_db


# -- screenings --------------------------------------------------------------------------------

def test_screening_scored_and_kept_with_the_team(doctor_a, elder_in_a, teams):
    s = actions.record_screening(by=doctor_a, elder=elder_in_a, tool="mini_cog", answers={"recall": 2, "clock": "0"})
    s.refresh_from_db()
    assert (s.score, s.positive, s.answers, s.team) == (2, True, {"recall": "2", "clock": "0"}, teams["team_a"])
    assert s.screened_on == timezone.localdate()
    assert AuditEntry.objects.filter(verb="health.screening.record", target_id=str(s.pk)).exists()


def test_screening_refuses_invalid_answers_and_dates(doctor_a, elder_in_a):
    with pytest.raises(ValidationError) as e:
        actions.record_screening(by=doctor_a, elder=elder_in_a, tool="ad8", answers={"q1": "yes"})
    assert "answers" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        actions.record_screening(by=doctor_a, elder=elder_in_a, tool="mini_cog", answers=MINI_COG_NEGATIVE,
                                 screened_on=timezone.localdate() + dt.timedelta(days=1))
    assert "screened_on" in e.value.error_dict
    assert not Screening.objects.exists()


@pytest.mark.parametrize("who", ["doctor_b", "worker_a", "caregiver", "provider", "family"])
def test_only_the_team_writes(request, who, elder_in_a, teams, hospital):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.record_screening(by=user, elder=elder_in_a, tool="mini_cog", answers=MINI_COG_NEGATIVE)
    with pytest.raises(PermissionDenied):
        actions.refer(by=user, elder=elder_in_a, to_institution=hospital, reason="x")
    with pytest.raises(PermissionDenied):
        actions.open_sickbed(by=user, elder=elder_in_a, institution=hospital, diagnosis="I63.9")


# -- referrals ---------------------------------------------------------------------------------

@pytest.fixture
def referral(doctor_a, elder_in_a, hospital):
    return actions.refer(by=doctor_a, elder=elder_in_a, to_institution=hospital, reason="认知筛查阳性", urgent=True)


def test_referral_sent_received_returned(referral, doctor_a, teams):
    assert (referral.status, referral.from_team, referral.urgent) == ("sent", teams["team_a"], True)
    actions.mark_received(referral, by=doctor_a)
    referral = actions.return_to_community(referral, by=doctor_a, summary="诊断轻度认知障碍，社区随访")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.RETURNED
    assert referral.received_on == referral.returned_on == timezone.localdate()
    assert referral.return_summary == "诊断轻度认知障碍，社区随访"


def _wrong_status(step):
    with pytest.raises(ValidationError) as e:
        step()
    assert e.value.code == "wrong_status" and e.value.messages[0]


def test_transitions_refused_in_words(referral, doctor_a):
    actions.mark_received(referral, by=doctor_a)
    _wrong_status(lambda: actions.mark_received(referral, by=doctor_a))
    _wrong_status(lambda: actions.cancel_referral(referral, by=doctor_a))
    actions.return_to_community(referral, by=doctor_a, summary="好")
    _wrong_status(lambda: actions.return_to_community(referral, by=doctor_a, summary="再"))
    _wrong_status(lambda: actions.mark_received(referral, by=doctor_a))


def test_cancelled_referral_goes_nowhere(referral, doctor_a):
    actions.cancel_referral(referral, by=doctor_a)
    _wrong_status(lambda: actions.return_to_community(referral, by=doctor_a, summary="x"))
    _wrong_status(lambda: actions.mark_received(referral, by=doctor_a))
    assert Referral.objects.get().status == "cancelled"


def test_return_needs_a_summary_and_a_date_not_before_the_referral(referral, doctor_a):
    with pytest.raises(ValidationError) as e:
        actions.return_to_community(referral, by=doctor_a, summary="  ")
    assert "return_summary" in e.value.error_dict
    with pytest.raises(ValidationError) as e:
        actions.return_to_community(referral, by=doctor_a, summary="x",
                                    on=referral.referred_on - dt.timedelta(days=1))
    assert "returned_on" in e.value.error_dict
    with pytest.raises(ValidationError):
        actions.refer(by=doctor_a, elder=referral.elder, to_institution=referral.to_institution, reason="")


# -- sickbeds ----------------------------------------------------------------------------------

def test_sickbed_open_close_and_one_open_at_a_time(doctor_a, elder_in_a, hospital):
    bed = actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis=" i63.9 ",
                               visits_per_week=2, opened_on=timezone.localdate() - dt.timedelta(days=10))
    assert bed.diagnosis == "I63.9"
    with pytest.raises(ValidationError) as e:
        actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis="J44")
    assert e.value.code == "conflict"
    with transaction.atomic(), pytest.raises(IntegrityError):  # the database's own rule
        Sickbed.objects.create(elder=elder_in_a, institution=hospital, diagnosis="J44", opened_on=timezone.localdate())
    with pytest.raises(ValidationError) as e:
        actions.close_sickbed(bed, by=doctor_a, reason="撤床", closed_on=bed.opened_on - dt.timedelta(days=1))
    assert "closed_on" in e.value.error_dict
    actions.close_sickbed(bed, by=doctor_a, reason="病情稳定，撤床")
    with pytest.raises(ValidationError) as e:
        actions.close_sickbed(bed, by=doctor_a, reason="again")
    assert e.value.code == "wrong_status"
    actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis="J44.9")
    assert Sickbed.objects.filter(elder=elder_in_a, closed_on__isnull=True).count() == 1


@pytest.mark.parametrize("diagnosis", ["", "I6", "163.9", "高血压", "I63.9; J44", "A" * 20])
def test_sickbed_diagnosis_is_icd10(doctor_a, elder_in_a, hospital, diagnosis):
    with pytest.raises(ValidationError) as e:
        actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis=diagnosis)
    assert "diagnosis" in e.value.error_dict


@pytest.mark.parametrize("visits", [0, 15, True, "2"])
def test_sickbed_visits_a_week(doctor_a, elder_in_a, hospital, visits):
    with pytest.raises(ValidationError):
        actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis="I10",
                             visits_per_week=visits)


# -- who reads ---------------------------------------------------------------------------------

@pytest.fixture
def records_a(doctor_a, elder_in_a, hospital):
    s = actions.record_screening(by=doctor_a, elder=elder_in_a, tool="mini_cog", answers=MINI_COG_POSITIVE)
    r = actions.refer(by=doctor_a, elder=elder_in_a, to_institution=hospital, reason="x")
    b = actions.open_sickbed(by=doctor_a, elder=elder_in_a, institution=hospital, diagnosis="I10")
    return s, r, b


@pytest.mark.parametrize("who,sees", [
    ("doctor_a", True), ("worker_a", True), ("family", True), ("subdistrict", True), ("admin", True),
    ("doctor_b", False), ("worker_b", False), ("caregiver", False), ("provider", False), ("volunteer", False),
])
def test_who_reads(request, records_a, who, sees):
    user = request.getfixturevalue(who)
    assert queries.screenings_for(user).exists() is sees
    assert queries.referrals_for(user).exists() is sees
    assert queries.sickbeds_for(user).exists() is sees


# -- pages -------------------------------------------------------------------------------------

def test_screening_form_scores_and_redirects(client, doctor_a, elder_in_a):
    client.force_login(doctor_a)
    url = f"/health/screening/elders/{elder_in_a.pk}/screen/ad8/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('type="radio"') == 8 * 3 and 'data-item="q8"' in body
    answers = {f"q{n}": "yes" if n <= 2 else "no" for n in range(1, 9)}
    r = client.post(url, {**answers, "screened_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    s = Screening.objects.get()
    assert (s.tool, s.score, s.positive) == ("ad8", 2, True)
    page = client.get(r["Location"])
    assert 'data-positive="1"' in page.content.decode()


def test_screening_form_unanswered_question_shown(client, doctor_a, elder_in_a):
    client.force_login(doctor_a)
    r = client.post(f"/health/screening/elders/{elder_in_a.pk}/screen/mini_cog/",
                    {"recall": "2", "screened_on": timezone.localdate().isoformat()})
    assert r.status_code == 200 and not Screening.objects.exists()
    assert 'role="alert"' in r.content.decode()


def test_referral_pages_and_steps(client, doctor_a, elder_in_a, hospital):
    client.force_login(doctor_a)
    base = f"/health/screening/elders/{elder_in_a.pk}/"
    assert client.get(base + "refer/").status_code == 200
    r = client.post(base + "refer/", {"to_institution": hospital.pk, "reason": "需要评估", "urgent": "on",
                                      "referred_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    referral = Referral.objects.get()
    assert referral.urgent
    assert client.post(f"/health/screening/referrals/{referral.pk}/receive/").status_code == 302
    assert client.post(f"/health/screening/referrals/{referral.pk}/cancel/").status_code == 302  # refused, in words
    referral.refresh_from_db()
    assert referral.status == "received"
    r = client.post(f"/health/screening/referrals/{referral.pk}/return/",
                    {"return_summary": "已转回", "returned_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "returned"
    page = client.get("/health/screening/referrals/?status=returned")
    assert f'data-referral="{referral.pk}"' in page.content.decode()


def test_sickbed_pages(client, doctor_a, elder_in_a, hospital):
    client.force_login(doctor_a)
    r = client.post(f"/health/screening/elders/{elder_in_a.pk}/sickbed/",
                    {"institution": hospital.pk, "diagnosis": "XYZ", "visits_per_week": 1,
                     "opened_on": timezone.localdate().isoformat()})
    assert r.status_code == 200 and not Sickbed.objects.exists()
    r = client.post(f"/health/screening/elders/{elder_in_a.pk}/sickbed/",
                    {"institution": hospital.pk, "diagnosis": "G30.9", "visits_per_week": 2,
                     "opened_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    bed = Sickbed.objects.get()
    r = client.post(f"/health/screening/sickbeds/{bed.pk}/close/",
                    {"close_reason": "撤床", "closed_on": timezone.localdate().isoformat()})
    assert r.status_code == 302
    bed.refresh_from_db()
    assert bed.closed_on == timezone.localdate()


def test_pages_refused_outside_scope(client, records_a, doctor_b, worker_a, worker_b, caregiver, elder_in_a):
    s, r, b = records_a
    client.force_login(doctor_b)
    assert client.get(f"/health/screening/elders/{elder_in_a.pk}/").status_code == 404
    assert client.get(f"/health/screening/elders/{elder_in_a.pk}/screen/mini_cog/").status_code == 404
    assert client.post(f"/health/screening/referrals/{r.pk}/cancel/").status_code == 404
    assert client.get(f"/health/screening/sickbeds/{b.pk}/close/").status_code == 404
    assert f'data-referral="{r.pk}"' not in client.get("/health/screening/referrals/").content.decode()
    client.force_login(worker_b)
    assert client.get(f"/health/screening/elders/{elder_in_a.pk}/").status_code == 404
    client.force_login(caregiver)
    assert client.get("/health/screening/referrals/").status_code == 403
    client.force_login(worker_a)  # reads (audited), does not write
    page = client.get(f"/health/screening/elders/{elder_in_a.pk}/")
    assert page.status_code == 200 and f'data-referral="{r.pk}"' in page.content.decode()
    assert "data-refer>" not in page.content.decode() and "data-screen=" not in page.content.decode()
    assert AuditEntry.objects.filter(verb="health.screening.elder", actor=worker_a).exists()
    assert client.get(f"/health/screening/elders/{elder_in_a.pk}/refer/").status_code == 403


def test_panel_for_the_doctor(client, records_a, doctor_a, doctor_b, elder_in_a, hospital):
    s, r, b = records_a
    # The referral was sent on the screening's day: the positive screening counts as referred.
    assert not queries.positive_unreferred(doctor_a).exists()
    r.delete()
    later = actions.record_screening(by=doctor_a, elder=elder_in_a, tool="mini_cog", answers=MINI_COG_POSITIVE)
    section = queries.panel_section(doctor_a)
    assert later in section["positives"] and b in section["sickbeds"]
    client.force_login(doctor_a)
    page = client.get("/health/").content.decode()
    assert f'data-positive="{later.pk}"' in page and f'data-open-sickbed="{b.pk}"' in page
    assert queries.panel_section(doctor_b) is None


# -- the indicator -----------------------------------------------------------------------------

def test_cognitive_screening_rate_by_hand(worker_a, community_a, district, doctor_a, elder_in_a, elder_in_b):
    from kangyang.health.indicators import INDICATORS
    from kangyang.indicators.registry import Period, Query
    from kangyang.lib.residentid import make
    from kangyang.registry.actions import create_elder

    today = timezone.localdate()
    young = create_elder(by=worker_a, name="年轻人", id_number=make("360103", dt.date(1970, 1, 1), 11), community=community_a,
                         address="x")  # under 65: in neither count
    last_year = Screening.objects.create(elder=elder_in_b, tool="ad8", score=0, positive=False,
                                         screened_on=dt.date(today.year - 1, 12, 31))
    Screening.objects.create(elder=young, tool="ad8", score=0, positive=False, screened_on=today)
    for _ in range(2):  # screened twice this year: one elder
        actions.record_screening(by=doctor_a, elder=elder_in_a, tool="mini_cog", answers=MINI_COG_NEGATIVE)
    indicator = next(i for i in INDICATORS if i.code == "cognitive_screening_rate")
    figure = indicator.figure(Query(district.code, Period(today.year)))
    assert (figure.numerator, figure.denominator, figure.value) == (1, 2, 50)
    assert last_year.screened_on.year == today.year - 1  # counted in its own year only


# -- the demo ----------------------------------------------------------------------------------

def test_demo(district, worker_a, community_a):
    from kangyang.health import demo_screening
    from kangyang.registry.actions import create_elder

    rng = random.Random(7)
    for n in range(40):
        create_elder(by=worker_a, name=f"老人{n}", id_number=_id_number(1930 + n % 25, n), community=community_a,
                     address="x")
    text = demo_screening.seed(district=district, rng=rng, elders=40)
    assert text and Screening.objects.count() == 12
    assert Referral.objects.exists() and Sickbed.objects.filter(closed_on__isnull=True).exists()
    for s in Screening.objects.all():
        assert s.screened_on.year == timezone.localdate().year


def _id_number(year: int, n: int) -> str:
    from kangyang.lib.residentid import make

    return make("360103", dt.date(year, 1, 1), n + 1)
