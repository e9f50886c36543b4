"""/api/v1/visits, /visits/due and /visits/rate through the test client: scope, the list
format, and hostile input answered as JSON errors, never a 500."""

import datetime as dt

import pytest

from kangyang.visits.actions import ensure_default_tiers, make_monthly_plan, refresh_profiles
from kangyang.visits.tests.plan_helpers import at, make_elder, visit


@pytest.fixture
def visits(tree, community_a, community_b, worker_a, worker_b, volunteer):
    ensure_default_tiers()
    a = make_elder(community_a, categories=["disabled"])
    b = make_elder(community_b, categories=["disabled"])
    refresh_profiles()
    return {
        "a": a, "b": b,
        "a_oct": visit(a, worker_a, when=at(2026, 10, 8)),
        "a_nov": visit(a, volunteer, when=at(2026, 11, 8), mode="proxy"),
        "b_oct": visit(b, worker_b, when=at(2026, 10, 9)),
    }


def test_a_worker_lists_the_visits_of_her_community(client, api_token, worker_a, visits):
    r = client.get("/api/v1/visits", **api_token(worker_a))
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    assert {v["id"] for v in body["items"]} == {visits["a_oct"].pk, visits["a_nov"].pk}
    assert body["items"][0]["started_at"].endswith("Z")


def test_the_list_filters_by_elder_and_month(client, api_token, admin, visits):
    r = client.get(f"/api/v1/visits?elder={visits['a'].pk}&month=2026-10", **api_token(admin))
    assert [v["id"] for v in r.json()["items"]] == [visits["a_oct"].pk]
    r = client.get("/api/v1/visits?month=2026-10", **api_token(admin))
    assert r.json()["count"] == 2


def test_a_worker_never_sees_another_communitys_visits(client, api_token, worker_b, visits):
    r = client.get(f"/api/v1/visits?elder={visits['a'].pk}", **api_token(worker_b))
    assert r.status_code == 200 and r.json()["count"] == 0


def test_a_volunteer_lists_only_her_own_visits(client, api_token, volunteer, visits):
    r = client.get("/api/v1/visits", **api_token(volunteer))
    assert [v["id"] for v in r.json()["items"]] == [visits["a_nov"].pk]


def test_a_provider_sees_no_visits(client, api_token, provider, visits):
    assert client.get("/api/v1/visits", **api_token(provider)).json()["count"] == 0


@pytest.mark.parametrize("query", [
    "month=2026-13", "month=0", "month=abc", "month=2026-02-30", "elder=abc", "elder=0", "elder=-1",
    f"elder={2**63}", f"elder={2**80}", "page=0", "page_size=1000", "month=%00", "elder=1e3",
])
def test_hostile_parameters_are_refused_as_json(client, api_token, admin, visits, query):
    r = client.get(f"/api/v1/visits?{query}", **api_token(admin))
    assert r.status_code in (400, 422), r.content
    assert r.json()["error"]["code"]


def test_errors_follow_the_callers_language(client, api_token, admin, visits):
    r = client.get("/api/v1/visits?month=2026-13", HTTP_ACCEPT_LANGUAGE="en", **api_token(admin))
    assert r.json()["error"]["message"] == "The request is not valid."


def test_unauthenticated_is_401(client):
    assert client.get("/api/v1/visits").status_code == 401


def test_the_plan_lines_of_a_month(client, api_token, worker_a, visits, community_a):
    make_monthly_plan(dt.date(2026, 12, 1), now=at(2026, 12, 1, 0, 1))
    r = client.get("/api/v1/visits/due?month=2026-12", **api_token(worker_a))
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["elder"] for i in items] == [visits["a"].pk]
    assert items[0]["tier"] == "key" and items[0]["reason"] == "plan" and items[0]["month"] == "2026-12"


def test_the_plan_refuses_other_roles_and_regions(client, api_token, worker_a, volunteer, visits, community_b):
    assert client.get("/api/v1/visits/due", **api_token(volunteer)).status_code == 403
    r = client.get(f"/api/v1/visits/due?region={community_b.code}", **api_token(worker_a))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/visits/due?region=999999999999", **api_token(worker_a)).status_code == 404
    assert client.get("/api/v1/visits/due?region=12", **api_token(worker_a)).status_code == 422
    assert client.get("/api/v1/visits/due?overdue=maybe", **api_token(worker_a)).status_code == 422


def test_the_overdue_lines(client, api_token, worker_a, visits):
    make_monthly_plan(dt.date(2026, 11, 1), now=at(2026, 11, 1, 0, 1))
    r = client.get("/api/v1/visits/due?overdue=true", **api_token(worker_a))
    # The November line of elder a is open (settling runs with the reminders), and past.
    assert r.status_code == 200 and r.json()["count"] == 1


def test_the_rate_of_the_district_and_its_subdistricts(client, api_token, admin, visits, tree):
    r = client.get(f"/api/v1/visits/rate?region={tree.code}&month=2026-10", **api_token(admin))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["visited"], body["due"], body["rate"], body["target"]) == (2, 2, "100.00", "100.00")
    assert [line["due"] for line in body["breakdown"]] == [1, 1]
    r = client.get(f"/api/v1/visits/rate?region={tree.code}&month=2026-11", **api_token(admin))
    assert (r.json()["visited"], r.json()["due"], r.json()["rate"]) == (1, 2, "50.00")


def test_the_rate_defaults_to_the_callers_area(client, api_token, worker_a, visits, community_a):
    body = client.get("/api/v1/visits/rate?month=2026-10", **api_token(worker_a)).json()
    assert body["region"] == community_a.code and body["breakdown"] == []


def test_the_rate_refuses_a_region_outside_the_area(client, api_token, worker_a, visits, tree):
    r = client.get(f"/api/v1/visits/rate?region={tree.code}", **api_token(worker_a))
    assert r.status_code == 404


@pytest.mark.parametrize("query", ["month=1999-99", "month=99999-01", "region=abc", "region=3601030010011"])
def test_the_rate_refuses_hostile_input(client, api_token, admin, visits, query):
    r = client.get(f"/api/v1/visits/rate?{query}", **api_token(admin))
    assert r.status_code in (400, 404, 422) and "error" in r.json()
