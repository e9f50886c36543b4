"""/api/v1/assessments through the test client: scored and stored in one call, 422 naming
the item, 404 out of scope, lists scoped and paginated."""

import pytest

from kangyang.assessment.models import Assessment
from kangyang.assessment.tests.factories import EXAMPLE_BASICS, answers_totalling

URL = "/api/v1/assessments"


def post(client, body, headers, **extra):
    return client.post(URL, body, content_type="application/json", **headers, **extra)


def example(elder, **overrides) -> dict:
    """The issue's example, sent by a third-party agency."""
    return {"elder": elder.pk, "reason": "first", "assessed_on": "2026-01-15", "place": "家中",
            "assessor_1": "万丽", "assessor_2": "熊伟", "informant": "王芳", "informant_relation": "女儿",
            "items": answers_totalling(61), **EXAMPLE_BASICS, **overrides}


def test_the_issue_example_is_scored_61_level_2_then_3_and_stored_signed(client, api_token, worker_a, elder_in_a):
    r = post(client, example(elder_in_a), api_token(worker_a))
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["total"], body["preliminary_level"], body["final_level"]) == (61, 2, 3)
    assert set(body["dimensions"]) == {"self_care", "motor", "mental", "perception_social"}
    assert body["level_change_reasons"] == ["dementia", "risk_events"]
    assert (body["status"], body["standard"], body["signed_by"], body["valid_until"]) == (
        "signed", "GB/T 42195-2022", "worker_a", "2027-01-15")
    a = Assessment.objects.get()
    assert (a.pk, a.elder, a.total, a.final_level) == (body["id"], elder_in_a, 61, 3)


def test_a_missing_item_is_a_422_naming_it_and_nothing_is_stored(client, api_token, worker_a, elder_in_a):
    body = example(elder_in_a)
    del body["items"]["B.3.4"]
    r = post(client, body, api_token(worker_a), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "missing_item" and list(error["fields"]) == ["items.B.3.4"]
    assert "B.3.4" in error["message"]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("code, value", [("B.2.4", 4), ("B.3.7", 2), ("B.1.1", -1)])
def test_an_out_of_range_item_is_a_422_naming_it(client, api_token, worker_a, elder_in_a, code, value):
    body = example(elder_in_a)
    body["items"][code] = value
    r = post(client, body, api_token(worker_a))
    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == [f"items.{code}"]
    assert not Assessment.objects.exists()


def test_an_item_that_is_not_a_whole_number_is_a_422_naming_it(client, api_token, worker_a, elder_in_a):
    body = example(elder_in_a)
    body["items"]["B.4.1"] = "2"
    r = post(client, body, api_token(worker_a))
    assert r.status_code == 422 and "items.B.4.1" in r.json()["error"]["fields"]


def test_an_unknown_item_or_event_is_a_422(client, api_token, worker_a, elder_in_a):
    body = example(elder_in_a)
    body["items"]["B.5.1"] = 1
    r = post(client, body, api_token(worker_a))
    assert r.status_code == 422 and "items.B.5.1" in r.json()["error"]["fields"]
    r = post(client, example(elder_in_a, risk_events_30d={"flood": 1}), api_token(worker_a))
    assert r.status_code == 422


def test_an_elder_out_of_scope_is_a_404_and_the_operator_gets_403(client, api_token, worker_b, operator, elder_in_a):
    assert post(client, example(elder_in_a), api_token(worker_b)).status_code == 404
    assert post(client, example(elder_in_a), api_token(operator)).status_code == 403
    assert post(client, {**example(elder_in_a), "elder": 999999}, api_token(operator)).status_code == 404
    assert not Assessment.objects.exists()


@pytest.fixture
def stored(client, api_token, worker_a, worker_b, elder_in_a, elder_in_b):
    """One assessment of each community's elder, sent through the API."""
    a = post(client, example(elder_in_a), api_token(worker_a)).json()
    b = post(client, example(elder_in_b, items=answers_totalling(30)), api_token(worker_b)).json()
    return a, b


def test_the_list_by_elder_is_paginated_and_scoped(client, api_token, worker_a, elder_in_a, elder_in_b, stored):
    headers = api_token(worker_a)
    r = client.get(URL, {"elder": elder_in_a.pk}, **headers)
    assert r.status_code == 200
    assert r.json()["count"] == 1 and r.json()["items"][0]["id"] == stored[0]["id"]
    assert client.get(URL, {"elder": elder_in_b.pk}, **headers).status_code == 404
    everything = client.get(URL, {"page_size": 200}, **headers).json()
    assert [i["elder"] for i in everything["items"]] == [elder_in_a.pk]


def test_the_admin_lists_both_communities_page_by_page(client, api_token, admin, stored):
    headers = api_token(admin)
    first = client.get(URL, {"page_size": 1}, **headers).json()
    second = client.get(URL, {"page_size": 1, "page": 2}, **headers).json()
    assert first["count"] == 2 and len(first["items"]) == 1
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {stored[0]["id"], stored[1]["id"]}


def test_one_assessment_answers_404_out_of_scope(client, api_token, worker_a, worker_b, family, stored):
    a, b = stored
    assert client.get(f"{URL}/{a['id']}", **api_token(worker_a)).json()["total"] == 61
    assert client.get(f"{URL}/{a['id']}", **api_token(family)).status_code == 200  # her mother's
    assert client.get(f"{URL}/{a['id']}", **api_token(worker_b)).status_code == 404
    assert client.get(f"{URL}/{b['id']}", **api_token(family)).status_code == 404


def test_imported_history_is_listed_apart_by_standard(client, api_token, worker_a, elder_in_a, stored):
    import datetime as dt

    from kangyang.assessment.actions import import_legacy_assessment

    import_legacy_assessment(elder_in_a, by=worker_a, assessed_on=dt.date(2021, 5, 3), level=2)
    r = client.get(URL, {"elder": elder_in_a.pk, "standard": "MZ/T 039-2013"}, **api_token(worker_a)).json()
    assert r["count"] == 1
    item = r["items"][0]
    assert (item["imported"], item["final_level"], item["total"], item["valid_until"]) == (True, 2, None, None)
