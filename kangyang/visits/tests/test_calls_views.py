"""The care-call pages, through the test client."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.visits.actions import calls as actions
from kangyang.visits.models import CareCall, VisitDue
from kangyang.visits.tests.calls_fixtures import due_call, second_operator, told_worker_a  # noqa: F401

O = CareCall.Outcome
LIST = "/visits/calls/"


@pytest.fixture
def call_a(elder_in_a):
    """A call to the elder of community A, due a while ago."""
    return due_call(elder_in_a, at=timezone.now() - dt.timedelta(hours=1))


def test_the_operator_sees_the_due_call_with_the_masked_phone(client, operator, call_a, elder_in_a):
    client.force_login(operator)
    r = client.get(LIST)
    assert r.status_code == 200
    text = r.text
    assert elder_in_a.name in text and elder_in_a.phone_masked in text
    assert "13807911234" not in text  # the full number only after the audited reveal
    assert f'data-call-id="{call_a.pk}"' in text


def test_a_retry_is_marked_on_the_list(client, operator, elder_in_a):
    due_call(elder_in_a, at=timezone.now() - dt.timedelta(minutes=5), attempt=2)
    client.force_login(operator)
    assert "data-retry" in client.get(LIST).text


def test_the_staff_navigation_links_the_call_list_for_operators_only(client, operator, provider):
    client.force_login(operator)
    assert f'href="{LIST}"' in client.get(LIST).text
    client.force_login(provider)
    assert f'href="{LIST}"' not in client.get("/services/").text


def test_taking_the_call_shows_the_number_and_records_the_reveal(client, operator, call_a):
    client.force_login(operator)
    r = client.post(f"{LIST}{call_a.pk}/dial/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "tel:13807911234" in r.text
    call_a.refresh_from_db()
    assert call_a.operator == operator
    assert AuditEntry.objects.filter(verb="elder.reveal", actor=operator).exists()


def test_without_htmx_the_number_is_on_the_page_not_in_a_redirect(client, operator, call_a):
    client.force_login(operator)
    r = client.post(f"{LIST}{call_a.pk}/dial/")
    assert r.status_code == 200 and "tel:13807911234" in r.text


def test_a_call_another_operator_holds_shows_who_took_it(client, operator, second_operator, call_a):
    actions.take_call(call_a, by=second_operator)
    client.force_login(operator)
    assert "data-taken-by" in client.get(LIST).text
    r = client.post(f"{LIST}{call_a.pk}/dial/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "data-refusal" in r.text and "tel:" not in r.text
    r = client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "well"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "data-refusal" in r.text
    assert CareCall.objects.get(pk=call_a.pk).outcome == O.PENDING


def test_the_operator_records_well(client, operator, call_a):
    client.force_login(operator)
    r = client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "well", "note": "精神不错"})
    assert r.status_code == 302 and r["Location"] == LIST
    call_a.refresh_from_db()
    assert call_a.outcome == O.WELL and call_a.note == "精神不错" and call_a.operator == operator
    assert f'data-call-id="{call_a.pk}"' not in client.get(LIST).text


def test_no_answer_by_htmx_answers_the_row_and_schedules_the_retry(client, operator, call_a):
    client.force_login(operator)
    r = client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "no_answer"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "data-done" in r.text and r["HX-Trigger"] == "care-calls-changed"
    assert CareCall.objects.get(attempt=2).outcome == O.PENDING


def test_needs_help_opens_a_visit_for_the_worker(client, operator, told_worker_a, call_a):
    client.force_login(operator)
    client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "needs_help", "note": "想要助餐"})
    visit = VisitDue.objects.get()
    assert visit.visitor == told_worker_a and visit.reason == VisitDue.Reason.CALL_HELP


@pytest.mark.parametrize("data", [
    {},
    {"outcome": "pending"},
    {"outcome": "WELL"},
    {"outcome": "'; drop table visits_carecall; --"},
    {"outcome": "needs_help", "note": ""},
    {"outcome": "well", "note": "x" * 5000},
])
def test_hostile_values_are_a_form_error_never_a_500(client, operator, call_a, data):
    client.force_login(operator)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        r = client.post(f"{LIST}{call_a.pk}/record/", data, **headers)
        assert r.status_code == 200 and "errorlist" in r.text
    assert CareCall.objects.get(pk=call_a.pk).outcome == O.PENDING


def test_a_null_character_is_refused_before_the_view(client, operator, call_a):
    client.force_login(operator)
    r = client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "well\x00", "note": "a\x00"})
    assert r.status_code == 400  # the project's middleware, never a 500
    assert CareCall.objects.get(pk=call_a.pk).outcome == O.PENDING


@pytest.mark.parametrize("month", ["2026-13", "abc", "9999-01", "2026-3", "-1", "2026-03-01" * 50])
def test_a_malformed_month_shows_this_month(client, operator, month):
    client.force_login(operator)
    assert client.get(LIST, {"month": month}).status_code == 200


def test_an_unknown_call_is_404(client, operator):
    client.force_login(operator)
    assert client.post(f"{LIST}999999/record/", {"outcome": "well"}).status_code == 404
    assert client.post(f"{LIST}999999/dial/").status_code == 404


def test_the_worker_of_another_community_does_not_find_the_call(client, worker_b, call_a):
    client.force_login(worker_b)
    assert f'data-call-id="{call_a.pk}"' not in client.get(LIST).text
    assert client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "well"}).status_code == 404
    assert client.post(f"{LIST}{call_a.pk}/dial/").status_code == 404


def test_the_community_worker_records_a_call_of_her_community(client, worker_a, call_a):
    client.force_login(worker_a)
    assert f'data-call-id="{call_a.pk}"' in client.get(LIST).text
    client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "well"})
    assert CareCall.objects.get(pk=call_a.pk).outcome == O.WELL


@pytest.mark.parametrize("persona", ["provider", "caregiver", "volunteer", "elder", "family"])
def test_other_roles_are_refused_with_a_page_in_chinese(client, request, persona, call_a, elder_in_a):
    client.force_login(request.getfixturevalue(persona))
    for r in (client.get(LIST), client.post(f"{LIST}{call_a.pk}/dial/"),
              client.post(f"{LIST}{call_a.pk}/record/", {"outcome": "well"})):
        assert r.status_code == 403
        assert "13807911234" not in r.text and elder_in_a.name not in r.text
    # A page with an elder's id: 404 when she is outside the user's view, else 403.
    r = client.get(f"{LIST}elders/{elder_in_a.pk}/")
    assert r.status_code in (403, 404) and elder_in_a.name not in r.text
    # The 403 page in Chinese (its words are in the catalogue already).
    assert "您无权打开此页面" in client.get(LIST).text
    assert CareCall.objects.get(pk=call_a.pk).outcome == O.PENDING


def test_the_elders_calls_page_lists_her_calls(client, operator, call_a, elder_in_a):
    actions.record_outcome(call_a, by=operator, outcome=O.NEEDS_HELP, note="水管漏水")
    client.force_login(operator)
    r = client.get(f"{LIST}elders/{elder_in_a.pk}/")
    assert r.status_code == 200 and "水管漏水" in r.text and 'data-outcome="needs_help"' in r.text


def test_the_month_counts_show_on_the_list(client, operator, call_a):
    actions.record_outcome(call_a, by=operator, outcome=O.WELL)
    client.force_login(operator)
    assert '<dd data-count="well">1</dd>' in client.get(LIST).text


def test_the_list_shows_the_page_in_chinese(client, operator, call_a):
    # Needs the compiled catalogue (the lead regenerates locale/ from /work/notes/tr/carecall.py).
    client.force_login(operator)
    assert "关爱电话" in client.get(LIST).text


def test_each_row_has_field_ids_of_its_own(client, operator, call_a, community_a):
    from kangyang.visits.tests.calls_fixtures import make_elders

    other, = make_elders(community_a, 1, living_arrangement="alone")
    second = due_call(other, at=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(operator)
    text = client.get(LIST).text
    assert f'id="call-{call_a.pk}-note"' in text and f'id="call-{second.pk}-note"' in text
