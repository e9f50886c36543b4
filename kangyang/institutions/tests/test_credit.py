"""Credit (issue 16 §7): the plain rule (overdue hazards count double, bands), the daily
computation from inspections, hazards, home-service complaints and ratings, and the credit
page where the bureau admin blacklists (only proposed by the dishonest band) and lifts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from kangyang.accounts.models import Organisation
from kangyang.allowances.tests.conftest import last_month, service, this_month, voucher, generate  # noqa: F401
from kangyang.institutions import credit
from kangyang.institutions.actions import credit as credit_actions
from kangyang.institutions.actions import hazards as hazard_actions
from kangyang.institutions.models import CreditScore, Inspection
from kangyang.institutions.tests.test_hazards import make_institution
from kangyang.services import actions as services
from kangyang.services.tests.conftest import catalogue, funded_elder, home_provider, local, tomorrow  # noqa: F401


def test_an_overdue_hazard_counts_double():
    on_time, _ = credit.score(credit.Counts(hazards={"major": (1, 0)}))
    late, parts = credit.score(credit.Counts(hazards={"major": (1, 1)}))
    assert 100 - on_time == 3 and 100 - late == 6
    assert parts["hazards"] == -6 and parts["counts"]["hazards"]["major"] == {"count": 1, "overdue": 1}


def test_the_rule_adds_its_parts_and_clamps():
    value, parts = credit.score(credit.Counts(inspection_problems=2, inspection_serious=1, complaints=3, stars=4,
                                              hazards={"serious": (1, 0), "minor": (2, 1)}))
    assert parts["inspections"] == -16 and parts["complaints"] == -6 and parts["rating"] == 8
    assert parts["hazards"] == -8 - 3
    assert value == 100 - 16 - 6 + 8 - 11
    assert credit.score(credit.Counts(stars=5))[0] == 100  # never above 100
    assert credit.score(credit.Counts(inspection_serious=20))[0] == 0  # never below 0


@pytest.mark.parametrize("value, status", [(100, "good"), (80, "good"), (79, "watched"), (60, "watched"),
                                           (59, "dishonest"), (0, "dishonest")])
def test_the_bands(value, status):
    assert credit.band(value) == status


@pytest.fixture
def home(provider_org, community_a):
    return make_institution(provider_org, community_a, stars=3)


def _inspection(institution, outcome, done_on):
    return Inspection.objects.create(institution=institution, region_code=institution.region_code, status="done",
                                     done_on=done_on, outcome=outcome)


def test_compute_scores_from_the_records(home, today):
    org = home.organisation
    _inspection(home, Inspection.Outcome.SERIOUS, today - dt.timedelta(days=30))
    _inspection(home, Inspection.Outcome.PROBLEMS, today - dt.timedelta(days=60))
    _inspection(home, Inspection.Outcome.PASSED, today - dt.timedelta(days=90))
    _inspection(home, Inspection.Outcome.SERIOUS, today - dt.timedelta(days=400))  # over a year ago
    hazard_actions.open_hazard(institution=home, description="a", severity="major", responsible_person="b",
                               deadline=today - dt.timedelta(days=1))  # overdue: counts double
    hazard_actions.open_hazard(institution=home, description="c", severity="minor", responsible_person="d",
                               deadline=today + dt.timedelta(days=9))
    bare = Organisation.objects.create(name="无机构公司", kind="enterprise", region=home.community.parent)
    assert credit_actions.compute_scores(today) == 1
    score = CreditScore.objects.get(organisation=org)
    assert score.parts["inspections"] == -13 and score.parts["hazards"] == -6 - 1 and score.parts["rating"] == 6
    assert score.score == 100 - 13 - 7 + 6 == 86
    org.refresh_from_db()
    assert org.credit_status == "good"
    assert not CreditScore.objects.filter(organisation=bare).exists()
    # The same day again replaces the day's score; a worse record moves the band.
    for _ in range(3):
        _inspection(home, Inspection.Outcome.SERIOUS, today - dt.timedelta(days=5))
    credit_actions.compute_scores(today)
    assert CreditScore.objects.filter(organisation=org).count() == 1
    org.refresh_from_db()
    assert (CreditScore.objects.get(organisation=org).score, org.credit_status) == (56, "dishonest")
    assert not org.is_barred() and credit_actions.proposes_blacklist(org)  # proposed, never done


def test_home_service_complaints_against_the_organisation_count(
        home_provider, funded_elder, catalogue, worker_a, tomorrow, today):  # noqa: F811
    order = services.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], provider=home_provider,
                                 window_start=local(tomorrow, 11), dispatch=False)
    services.file_complaint(order, by=worker_a, text="送餐迟到一小时")
    services.file_complaint(order, by=worker_a, text="饭菜凉了")
    credit_actions.compute_scores(today)
    score = CreditScore.objects.get(organisation=home_provider.organisation)
    assert score.parts["counts"]["complaints"] == 2 and score.parts["complaints"] == -4 and score.score == 96


def test_the_credit_page_and_the_blacklist_from_it(client, home, admin, provider, inspector, today):
    credit_actions.compute_scores(today)
    client.force_login(admin)
    page = client.get("/institutions/credit/")
    assert page.status_code == 200 and home.organisation.name in page.content.decode()
    detail = client.get(f"/institutions/credit/{home.organisation_id}/")
    assert detail.status_code == 200
    refused = client.post(f"/institutions/credit/{home.organisation_id}/blacklist/", {"reason": ""})
    assert refused.status_code == 422
    r = client.post(f"/institutions/credit/{home.organisation_id}/blacklist/", {"reason": "重大安全事故瞒报"})
    assert r.status_code == 302
    org = Organisation.objects.get(pk=home.organisation_id)
    assert org.is_barred() and org.blacklist_entries.get().decided_by == admin
    assert "重大安全事故瞒报" in client.get(f"/institutions/credit/{org.pk}/").content.decode()
    assert client.get("/institutions/credit/", {"barred": "yes"}).content.decode().count(org.name) >= 1
    r = client.post(f"/institutions/credit/{org.pk}/lift/", {"reason": "整改到位"})
    assert r.status_code == 302
    org.refresh_from_db()
    assert not org.is_barred() and org.blacklist_entries.get().lift_reason == "整改到位"
    for other in (provider, inspector):
        client.force_login(other)
        assert client.get("/institutions/credit/").status_code == 403
        assert client.post(f"/institutions/credit/{org.pk}/blacklist/", {"reason": "x" * 5}).status_code == 403
    with pytest.raises(PermissionDenied):
        credit_actions.blacklist(org, by=inspector, reason="越权")
