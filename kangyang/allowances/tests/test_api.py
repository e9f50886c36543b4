"""/api/v1/allowances through the test client, as each persona."""

import datetime as dt

import pytest

from kangyang.allowances.models import PaymentRoll
from kangyang.allowances.tests.conftest import assess, born, make_elder


@pytest.fixture
def paid(admin, worker_a, worker_b, community_a, community_b, longevity, care, generate, this_month, district):
    """An 85-year-old of A with level 3 and 低保, a 91-year-old of B; this month's rolls made."""
    a = make_elder(worker_a, community_a, birth=born(85, on=this_month), name="周桂芳", categories=["low_income"])
    assess(a, 3, on=this_month - dt.timedelta(days=15))
    b = make_elder(worker_b, community_b, birth=born(91, on=this_month), name="吴德明")
    for policy in (longevity, care):
        generate(admin, policy, this_month, district)
    return a, b


def test_eligibility_explains_each_policy(client, api_token, worker_a, paid, this_month):
    a, _b = paid
    r = client.get(f"/api/v1/allowances/eligibility/{a.pk}", HTTP_ACCEPT_LANGUAGE="en", **api_token(worker_a))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["month"] == this_month.isoformat()
    by_name = {e["policy_name"]: e for e in body["entitlements"]}
    assert by_name["高龄津贴"]["amount"] == "50.00" and by_name["高龄津贴"]["eligible"]
    assert by_name["护理补贴"]["explanation"] == (
        "护理补贴 ¥200.00: capability level 3 (severe loss), minimum living allowance")
    assert by_name["护理补贴"]["example_amounts"] is True


def test_eligibility_of_another_month(client, api_token, worker_a, paid, this_month):
    a, _b = paid
    later = (this_month + dt.timedelta(days=400)).isoformat()
    r = client.get(f"/api/v1/allowances/eligibility/{a.pk}", {"on": later}, **api_token(worker_a))
    care = next(e for e in r.json()["entitlements"] if e["kind"] == "care")
    assert care["eligible"] is False  # the assessment will have run out


def test_the_elder_sees_their_own_eligibility_and_the_operator_is_refused(
    client, api_token, elder, operator, elder_in_a, longevity,
):
    assert client.get(f"/api/v1/allowances/eligibility/{elder_in_a.pk}", **api_token(elder)).status_code == 200
    r = client.get(f"/api/v1/allowances/eligibility/{elder_in_a.pk}", **api_token(operator))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_eligibility_of_an_elder_out_of_scope_is_404(client, api_token, worker_b, paid):
    a, _b = paid
    assert client.get(f"/api/v1/allowances/eligibility/{a.pk}", **api_token(worker_b)).status_code == 404


def test_payment_history_of_an_elder(client, api_token, worker_a, paid, this_month):
    a, _b = paid
    r = client.get("/api/v1/allowances/payments", {"elder": a.pk}, **api_token(worker_a))
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2
    assert {(p["kind"], p["amount"], p["month"], p["roll_status"]) for p in body["items"]} == {
        ("longevity", "50.00", this_month.isoformat(), "draft"), ("care", "200.00", this_month.isoformat(), "draft"),
    }
    assert all(p["elder_name"] == "周桂芳" for p in body["items"])


def test_payments_are_scoped_and_out_of_scope_elders_are_404(client, api_token, worker_a, worker_b, paid):
    a, b = paid
    r = client.get("/api/v1/allowances/payments", **api_token(worker_b))
    assert {p["elder"] for p in r.json()["items"]} == {b.pk}
    assert client.get("/api/v1/allowances/payments", {"elder": a.pk}, **api_token(worker_b)).status_code == 404


def test_rolls_are_listed_for_the_area_and_filtered(client, api_token, admin, worker_a, subdistrict, paid, this_month,
                                                    community_a):
    r = client.get("/api/v1/allowances/rolls", **api_token(admin))
    assert r.json()["count"] == 3  # longevity A and B, care A
    mine = client.get("/api/v1/allowances/rolls", **api_token(worker_a)).json()
    assert {i["community"] for i in mine["items"]} == {community_a.code}
    assert client.get("/api/v1/allowances/rolls", **api_token(subdistrict)).json()["count"] == 2
    filtered = client.get("/api/v1/allowances/rolls", {"status": "draft", "month": this_month.isoformat(),
                                                       "region": "360103002000"}, **api_token(admin)).json()
    assert [(i["kind"], i["payees"], i["total"]) for i in filtered["items"]] == [("longevity", 1, "100.00")]
    assert client.get("/api/v1/allowances/rolls", {"status": "paid"}, **api_token(admin)).status_code == 422


@pytest.mark.parametrize("who", ["provider", "operator", "elder", "family", "inspector"])
def test_roles_without_allowance_work_see_no_rolls(client, api_token, request, who, paid):
    user = request.getfixturevalue(who)
    assert client.get("/api/v1/allowances/rolls", **api_token(user)).json() == {"items": [], "count": 0}
    roll = PaymentRoll.objects.first()
    assert client.get(f"/api/v1/allowances/rolls/{roll.pk}", **api_token(user)).status_code == 404


def test_a_roll_of_another_area_is_404(client, api_token, worker_b, paid, community_a):
    roll = PaymentRoll.objects.filter(region=community_a).first()
    assert client.get(f"/api/v1/allowances/rolls/{roll.pk}", **api_token(worker_b)).status_code == 404
