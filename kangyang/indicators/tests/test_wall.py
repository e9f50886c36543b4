"""The wall display: who may put which region on it, what its JSON counts, and that nothing
personal is in it (no elder's name, phone, ID number or address)."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.accounts.models import User
from kangyang.alarms.actions import acknowledge_alarm, escalate_overdue, raise_alarm, resolve_alarm
from kangyang.indicators.actions import take_snapshot
from kangyang.indicators.registry import Period
from kangyang.regions.models import Compound, Region
from kangyang.registry.actions import create_elder
from kangyang.services import actions as services
from kangyang.services.actions import Fix
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    HOME, carer, catalogue, home_provider, local,
)

DATA = "/indicators/wall/data.json"
PAGE = "/indicators/wall/"


@pytest.fixture
def other_district(db):
    """Qingyunpu, a second district with one community, one elder and her open alarm."""
    district = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    sub = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=district)
    community = Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=sub)
    Compound.objects.create(community=community, name="洪都小区", lat=28.63, lng=115.92, household_count=500)
    worker = User.objects.create_user(username="worker_q", password="kangyang-demo", role="community_worker",
                                      region=community, full_name="worker_q")
    elder = create_elder(by=worker, name="熊冬梅", id_number="360104194002020023", community=community,
                         phone="13807910000", address="洪都小区9栋9号")
    raise_alarm(source="app", type="fall", elder=elder)
    return district


@pytest.fixture
def operator_q(other_district):
    """The hotline operator of the second district."""
    return User.objects.create_user(username="operator_q", password="kangyang-demo", role="hotline_operator",
                                    region=other_district, full_name="operator_q")


@pytest.fixture
def alarms(admin, operator, elder_in_a, elder_in_b):
    """District A today: an SOS waiting, a fall being handled (answered after 30 s), a smoke
    alarm closed (answered after 90 s)."""
    now = timezone.now()
    waiting, _ = raise_alarm(source="app", type="sos", elder=elder_in_a, now=now - dt.timedelta(minutes=2))
    handled, _ = raise_alarm(source="app", type="fall", elder=elder_in_b, now=now - dt.timedelta(minutes=5))
    acknowledge_alarm(handled, by=operator, now=now - dt.timedelta(minutes=5) + dt.timedelta(seconds=30))
    closed, _ = raise_alarm(source="hotline", type="smoke", elder=elder_in_a, by=operator,
                            now=now - dt.timedelta(minutes=20))
    acknowledge_alarm(closed, by=operator, now=now - dt.timedelta(minutes=20) + dt.timedelta(seconds=90))
    resolve_alarm(closed, by=operator, outcome="false_alarm", now=now - dt.timedelta(minutes=10))
    return waiting, handled, closed


def test_the_operator_sees_the_alarms_of_the_district_in_words(client, operator, alarms, other_district):
    client.force_login(operator)
    data = client.get(DATA).json()
    assert data["region"]["code"] == "360103000000"
    a = data["alarms"]
    assert (a["waiting"], a["handling"], a["closed_today"], a["today"]) == (1, 1, 1, 3)
    assert (a["answered"], a["answered_in_time"]) == (2, 1)  # 30 s in time, 90 s not
    assert {t["type"]: t["count"] for t in a["by_type"]} == {"sos": 1, "fall": 1, "smoke": 1}
    latest = a["latest"]
    assert [x["type"] for x in latest] == ["sos", "fall", "smoke"]  # newest first
    assert latest[0]["community"] == "桃花社区" and latest[1]["community"] == "朝阳社区"
    assert latest[0]["status"] == "raised" and latest[0]["waited_seconds"] >= 120
    assert latest[0]["status_label"] and latest[0]["waiting_text"]  # said in words, not colour only
    assert latest[1]["waited_seconds"] == 30
    assert not any(x["escalated"] for x in latest)


def test_an_escalated_alarm_says_so_in_words(client, operator, alarms):
    escalate_overdue()  # the SOS has waited two minutes: past ALARM_ESCALATE_AFTER
    client.force_login(operator)
    latest = client.get(DATA).json()["alarms"]["latest"]
    assert latest[0]["type"] == "sos" and latest[0]["escalated"] and latest[0]["escalated_text"]
    assert not latest[1]["escalated"]  # answered in time: never escalated


def test_an_operator_of_one_district_never_gets_another_districts_figures(client, operator, operator_q, alarms,
                                                                         other_district):
    client.force_login(operator)
    mine = client.get(DATA).json()
    assert "洪都社区" not in str(mine) and mine["alarms"]["waiting"] == 1
    assert client.get(DATA, {"region": "360104000000"}).status_code == 404
    assert client.get(PAGE, {"region": "360104000000"}).status_code == 404
    assert client.get(DATA, {"region": "360100000000"}).status_code == 404  # the city above: not theirs
    client.force_login(operator_q)
    theirs = client.get(DATA).json()
    assert theirs["region"]["code"] == "360104000000"
    assert (theirs["alarms"]["waiting"], theirs["alarms"]["today"]) == (1, 1)
    assert "桃花社区" not in str(theirs) and "朝阳社区" not in str(theirs)
    assert client.get(DATA, {"region": "360103000000"}).status_code == 404


def test_the_bureau_admin_may_show_a_subdistrict_of_their_area(client, admin, alarms):
    client.force_login(admin)
    data = client.get(DATA, {"region": "360103001000"}).json()  # subdistrict 1: community A only
    assert data["alarms"]["waiting"] == 1 and data["alarms"]["handling"] == 0
    assert set(data["elders"]["by_community"]) == {"360103001001"}


@pytest.mark.parametrize("who", ["worker_a", "subdistrict", "provider", "caregiver", "elder", "family"])
def test_roles_without_a_wall_are_refused(client, who, request, alarms):
    client.force_login(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 403
    r = client.get(DATA)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_signed_out_the_data_says_so_in_json(client, alarms):
    r = client.get(DATA)
    assert r.status_code == 401 and r.json()["error"]["code"] == "not_signed_in"
    assert client.get(PAGE).status_code == 302


def test_nothing_personal_is_on_the_wall(client, operator, alarms, elder_in_a, elder_in_b, today_order):
    client.force_login(operator)
    for r in (client.get(DATA), client.get(PAGE)):
        text = r.content.decode()
        # The personas' names, phones, ID numbers (and their last digits) and addresses (conftest.py).
        for personal in (elder_in_a.name, "13807911234", "360103194503120026", "120026", "桃花小区3栋2单元101",
                         elder_in_b.name, "13907919876", "360103193807150019", "150019", "朝阳新城5栋101"):
            assert personal not in text, personal
        assert "熊秀梅" not in text and "13979112345" not in text  # nor the caregiver's name or phone


@pytest.fixture
def today_order(worker_a, elder_in_a, catalogue, carer, caregiver, today):
    """A meal for community A today, its caregiver checked in (a visit in progress), and a
    cleaning order waiting for later today."""
    early = min(timezone.now() - dt.timedelta(hours=3), local(today, 6))
    order = services.place_order(by=worker_a, elder=elder_in_a, item=catalogue["meal"],
                                 window_start=local(today, 11), now=early)
    services.accept_order(order, by=caregiver)
    services.check_in(order, by=caregiver, fix=Fix(*HOME, accuracy_m=10))
    services.place_order(by=worker_a, elder=elder_in_a, item=catalogue["cleaning"], window_start=local(today, 15),
                         now=early, dispatch=False)
    return order


def test_todays_orders_and_visits_in_progress_by_service(client, admin, today_order, catalogue):
    client.force_login(admin)
    s = client.get(DATA).json()["services"]
    assert s["orders"] == 2 and s["visits_in_progress"] == 1
    stages = {x["stage"]: x["count"] for x in s["by_stage"]}
    assert stages["in_progress"] == 1 and stages["waiting"] == 1
    by_item = {x["item"]: x for x in s["by_item"]}
    meal, cleaning = catalogue["meal"].name, catalogue["cleaning"].name
    assert (by_item[meal]["orders"], by_item[meal]["in_progress"]) == (1, 1)
    assert (by_item[cleaning]["orders"], by_item[cleaning]["in_progress"]) == (1, 0)


def test_elders_are_counted_per_community_never_placed(client, admin, elder_in_a, elder_in_b):
    client.force_login(admin)
    elders = client.get(DATA).json()["elders"]
    assert elders["total"] == 2
    assert {c: v["value"] for c, v in elders["by_community"].items()} == {"360103001001": 1, "360103002001": 1}


def test_key_indicators_come_from_the_snapshot_with_their_time(client, admin, elder_in_a, elder_in_b, today):
    client.force_login(admin)
    before = client.get(DATA).json()["indicators"]
    assert before["computed_at"] is None and before["computed_at_text"]
    # Before the first snapshot: no figure yet, never a zero nobody counted.
    assert {r["code"]: (r["value"], r["status"]) for r in before["rows"]}["elders"] == (None, "no_data")
    take_snapshot(Period(today.year), roots=["360103000000"])
    after = client.get(DATA).json()["indicators"]
    assert after["computed_at"] and after["computed_at"].endswith("Z")
    rows = {r["code"]: r for r in after["rows"]}
    assert rows["elders"]["value"] == 2 and rows["elders"]["value_text"] == "2"
    assert rows["elders"]["status_label"]  # "no target", in words
