"""/api/v1/timebank through the test client: scope first, then the moves, then hostile input."""

import datetime as dt
import json

import pytest

from kangyang.timebank import actions
from kangyang.timebank.models import Account, Entry

from .conftest import make_visit


def post(client, url, body, headers):
    return client.post(url, json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json", **headers)


@pytest.fixture
def item(db):
    from kangyang.services.models import ServiceItem

    return ServiceItem.objects.create(code="tb-bath", name="助浴", category="basic_care", unit="visit",
                                      duration_minutes=90)


@pytest.fixture
def funded(senior_volunteer, elder_in_a, worker_a, funder):
    """The retired volunteer with 4 hours."""
    funder(senior_volunteer, 240, by=worker_a, elder=elder_in_a)
    return senior_volunteer


# -- reading and scope -------------------------------------------------------------------------
def test_the_volunteer_sees_her_own_account_and_entries(client, api_token, vol_account, elder_in_a, worker_a, funder):
    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    headers = api_token(vol_account.user)
    listed = client.get("/api/v1/timebank/accounts", **headers).json()
    assert [a["id"] for a in listed["items"]] == [vol_account.pk]
    one = client.get(f"/api/v1/timebank/accounts/{vol_account.pk}", **headers).json()
    assert one["balance_minutes"] == 60 and one["balance_hours"] == 1.0 and one["kind"] == "volunteer"
    entries = client.get(f"/api/v1/timebank/accounts/{vol_account.pk}/entries", **headers).json()
    assert entries["count"] == 1
    assert entries["items"][0]["amount_minutes"] == 60 and entries["items"][0]["counterpart"] == "issued"
    assert entries["items"][0]["kind"] == "deposit" and len(entries["items"][0]["hash"]) == 64


@pytest.mark.parametrize("viewer", ["worker_b", "volunteer_2", "provider", "caregiver", "operator", "inspector"])
def test_others_get_404(client, api_token, request, viewer, vol_account, community_a):
    if viewer == "volunteer_2":
        from kangyang.accounts.models import User

        user = User.objects.create_user(username="vol2", password="kangyang-demo", role="volunteer", region=community_a)
    else:
        user = request.getfixturevalue(viewer)
    headers = api_token(user)
    assert client.get(f"/api/v1/timebank/accounts/{vol_account.pk}", **headers).status_code == 404
    assert client.get(f"/api/v1/timebank/accounts/{vol_account.pk}/entries", **headers).status_code == 404
    assert client.get("/api/v1/timebank/accounts", **headers).json()["count"] == 0


def test_the_community_worker_sees_her_area_s_accounts(client, api_token, worker_a, worker_b, vol_account):
    assert client.get("/api/v1/timebank/accounts", **api_token(worker_a)).json()["count"] == 1
    assert client.get("/api/v1/timebank/accounts", **api_token(worker_b)).json()["count"] == 0


def test_system_accounts_are_nobody_s(client, api_token, admin, funded):
    issued = Account.objects.get(system_code="issued")
    assert client.get(f"/api/v1/timebank/accounts/{issued.pk}", **api_token(admin)).status_code == 404


def test_needs_a_token(client, vol_account):
    r = client.get(f"/api/v1/timebank/accounts/{vol_account.pk}")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"


# -- deposits ------------------------------------------------------------------------------
def test_the_community_worker_deposits_a_visit_once(client, api_token, worker_a, vol_account, elder_in_a):
    visit = make_visit(elder_in_a, vol_account.user, minutes=95)
    headers = api_token(worker_a)
    r = post(client, "/api/v1/timebank/deposits", {"source": f"care_visit:{visit.pk}"}, headers)
    assert r.status_code == 201, r.json()
    assert r.json()["balance_minutes"] == 90
    again = post(client, "/api/v1/timebank/deposits", {"source": f"care_visit:{visit.pk}"}, headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"


def test_a_visit_outside_the_worker_s_area_is_404(client, api_token, worker_b, vol_account, elder_in_a):
    visit = make_visit(elder_in_a, vol_account.user)
    r = post(client, "/api/v1/timebank/deposits", {"source": f"care_visit:{visit.pk}"}, api_token(worker_b))
    assert r.status_code == 404
    assert not Entry.objects.exists()


def test_only_community_workers_deposit(client, api_token, vol_account, elder_in_a, admin):
    visit = make_visit(elder_in_a, vol_account.user)
    for user in (vol_account.user, admin):
        r = post(client, "/api/v1/timebank/deposits", {"source": f"care_visit:{visit.pk}"}, api_token(user))
        assert r.status_code == 403


# -- redemptions, transfers, donations -----------------------------------------------------
def test_the_holder_redeems_a_service(client, api_token, funded, item):
    r = post(client, "/api/v1/timebank/redemptions", {"account": funded.pk, "item": "tb-bath"},
             api_token(funded.user))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["balance_minutes"] == 150
    assert [e["amount_minutes"] for e in body["entries"]] == [-90, 90]
    assert body["entries"][1]["counterpart"] == funded.pk
    r = post(client, "/api/v1/timebank/redemptions", {"account": funded.pk, "item": str(item.pk), "quantity": 2},
             api_token(funded.user))
    assert r.status_code == 422 and r.json()["error"]["code"] == "insufficient"


def test_a_young_volunteer_cannot_redeem(client, api_token, vol_account, elder_in_a, worker_a, funder, item):
    funder(vol_account, 120, by=worker_a, elder=elder_in_a)
    r = post(client, "/api/v1/timebank/redemptions", {"account": vol_account.pk, "item": "tb-bath"},
             api_token(vol_account.user))
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_young"


def test_another_volunteer_cannot_spend_or_give_the_hours(client, api_token, funded, vol_account, item, elder_in_a):
    headers = api_token(vol_account.user)
    assert post(client, "/api/v1/timebank/redemptions", {"account": funded.pk, "item": "tb-bath"},
                headers).status_code == 404
    assert post(client, "/api/v1/timebank/transfers", {"account": funded.pk, "elder": elder_in_a.pk, "minutes": 15},
                headers).status_code == 404


def test_transfer_to_family_and_donation(client, api_token, funded, elder_in_a, elder_in_b, worker_a):
    from kangyang.registry.actions import add_contact

    headers = api_token(funded.user)
    body = {"account": funded.pk, "elder": elder_in_a.pk, "minutes": 30}
    r = post(client, "/api/v1/timebank/transfers", body, headers)
    assert r.status_code == 422 and r.json()["error"]["fields"]["elder"]
    add_contact(elder_in_a, by=worker_a, name="陈退休", relation="spouse", phone="13912340000")
    r = post(client, "/api/v1/timebank/transfers", body, headers)
    assert r.status_code == 201, r.json()
    # An elder she does not help and an elder that does not exist: the same answer.
    for elder_id in (elder_in_b.pk, 999999):
        r = post(client, "/api/v1/timebank/donations", {**body, "elder": elder_id}, headers)
        assert r.status_code == 422 and r.json()["error"]["fields"]["elder"]
    make_visit(elder_in_b, funded.user, minutes=30)
    r = post(client, "/api/v1/timebank/donations", {**body, "elder": elder_in_b.pk}, headers)
    assert r.status_code == 201, r.json()
    funded.refresh_from_db()
    assert funded.balance_minutes == 240 - 60


# -- digests and verify ------------------------------------------------------------------------
def test_digests_are_public(client, funded):
    actions.publish_digest(dt.date.today() - dt.timedelta(days=1))
    r = client.get("/api/v1/timebank/digests")
    assert r.status_code == 200 and r.json()["count"] == 1
    assert set(r.json()["items"][0]) >= {"day", "last_seq", "last_hash"}


def test_verify_is_for_the_bureau(client, api_token, admin, worker_a, funded):
    r = client.get("/api/v1/timebank/verify", **api_token(admin))
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["entries"] == 2
    assert client.get("/api/v1/timebank/verify", **api_token(worker_a)).status_code == 403


# -- hostile input ---------------------------------------------------------------------------
@pytest.mark.parametrize("body", [
    "[1, 2]", "not json", "{}", {"account": "x", "item": "tb-bath"}, {"account": 2**70, "item": "tb-bath"},
    {"account": -1, "item": "tb-bath"}, {"account": 1, "item": ""}, {"account": 1, "item": "x" * 500},
    {"account": 1, "item": "99999999999999999999999"}, {"account": 1, "item": "tb-bath", "quantity": 10**9},
    {"account": 1, "item": "tb-bath", "quantity": 0}, {"account": 1, "item": None},
])
def test_hostile_redemptions_get_json_errors(client, api_token, funded, item, body):
    if isinstance(body, dict) and body.get("account") == 1:
        body = {**body, "account": funded.pk}
    r = post(client, "/api/v1/timebank/redemptions", body, api_token(funded.user))
    assert r.status_code in (400, 404, 422)
    assert "error" in r.json()
    funded.refresh_from_db()
    assert funded.balance_minutes == 240


@pytest.mark.parametrize("body", [
    {"minutes": 0}, {"minutes": -60}, {"minutes": 2**63}, {"minutes": 1.5}, {"minutes": "an hour"}, {"elder": 2**64},
    {"elder": "1; DROP TABLE timebank_entry"}, {"memo": "x" * 1000}, {"memo": "\x00"},
])
def test_hostile_gifts_get_json_errors(client, api_token, funded, elder_in_a, body):
    base = {"account": funded.pk, "elder": elder_in_a.pk, "minutes": 30}
    for url in ("/api/v1/timebank/transfers", "/api/v1/timebank/donations"):
        r = post(client, url, {**base, **body}, api_token(funded.user))
        assert r.status_code in (400, 422), r.content
        assert "error" in r.json()


@pytest.mark.parametrize("source", ["care_visit:0", "care_visit:99999999999999999999", "visit:1", "care_visit:1:2",
                                    "attendance:abc", "", "order:-1", "care_visit:999999"])
def test_hostile_deposit_sources(client, api_token, worker_a, source):
    r = post(client, "/api/v1/timebank/deposits", {"source": source}, api_token(worker_a))
    assert r.status_code in (404, 422) and "error" in r.json()


@pytest.mark.parametrize("path", ["accounts/0", f"accounts/{2**64}", "accounts/abc/entries", "accounts/1/entries?page=0",
                                  f"accounts?page_size=1000", "accounts?kind=system", "digests?page=-1"])
def test_hostile_reads(client, api_token, funded, path):
    r = client.get(f"/api/v1/timebank/{path}", **api_token(funded.user))
    assert r.status_code in (404, 422) and "error" in r.json()
