"""The alarm centre's indicators on hand-built alarms and devices, against a hand count. "Y" is
last year; times are local (Shanghai); "ack" is the time from receipt to acknowledgement.

  A al1  received 31 Mar 23:59, ack 60 s exactly (within)
  A al2  received 1 Mar 00:00, ack 61 s
  A al3  5 Mar, ack 30 s
  A al4  6 Mar, never acknowledged (not within, no time)
  A al5  7 Mar, the passive rule's "check on", ack 500 s (not a call: left out of the standard)
  B bl1  10 Mar, ack 10 s
  B bl2  11 Mar, ack 120 s
  B bl3  12 Mar, ack 45.5 s
  B bl4  received 1 Apr 00:00 (April)
  B bl5  received 28 Feb 23:59:59 (February)

March: 8 alarms (A 5, B 3); answered within 60 s 4 of 7 (A 2/4, B 2/3); times 10 30 45.5 60 61
120: median 52.75, 95th percentile (nearest rank, the 6th of 6) 120; A 30 60 61 (60, 61), B 10
45.5 120 (45.5, 120).

Devices now: in A one online, one silent for 3 hours (offline by the heartbeat rule), one marked
offline, one retired; in B one never heard from but registered 10 minutes ago, one online, one
in stock: online 3 of 5 (A 1/3, B 2/2).
"""

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from kangyang.indicators.registry import interpolated, nearest_rank
from kangyang.alarms.models import Alarm, Device
from kangyang.indicators.registry import Period, Query, evaluate, site

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def year(today):
    return today.year - 1


@pytest.fixture
def alarms(elder_in_a, elder_in_b, operator, year):
    Y = year
    made = {}
    for key, elder, (month, day, hour, minute, second), source, wait in [
        ("al1", elder_in_a, (3, 31, 23, 59, 0), "device", 60),
        ("al2", elder_in_a, (3, 1, 0, 0, 0), "app", 61),
        ("al3", elder_in_a, (3, 5, 10, 0, 0), "hotline", 30),
        ("al4", elder_in_a, (3, 6, 10, 0, 0), "device", None),
        ("al5", elder_in_a, (3, 7, 10, 0, 0), "rule", 500),
        ("bl1", elder_in_b, (3, 10, 10, 0, 0), "device", 10),
        ("bl2", elder_in_b, (3, 11, 10, 0, 0), "device", 120),
        ("bl3", elder_in_b, (3, 12, 10, 0, 0), "app", 45.5),
        ("bl4", elder_in_b, (4, 1, 0, 0, 0), "device", 5),
        ("bl5", elder_in_b, (2, 28, 23, 59, 59), "device", 5),
    ]:
        received = dt.datetime(Y, month, day, hour, minute, second, tzinfo=SHANGHAI)
        acknowledged = received + dt.timedelta(seconds=wait) if wait is not None else None
        made[key] = Alarm.objects.create(
            elder=elder, region_code=elder.region_code, source=source, type="check_on" if source == "rule" else "sos",
            priority=Alarm.Priority.URGENT, status=Alarm.Status.ACKNOWLEDGED if wait else Alarm.Status.RAISED,
            raised_at=received, received_at=received, acknowledged_at=acknowledged,
            acknowledged_by=operator if wait else None)
    return made


@pytest.fixture
def devices(elder_in_a, elder_in_b):
    now = timezone.now()
    made = {}
    for key, elder, status, seen in [
        ("d1", elder_in_a, Device.Status.ONLINE, now - dt.timedelta(minutes=1)),
        ("d2", elder_in_a, Device.Status.ONLINE, now - dt.timedelta(hours=3)),
        ("d3", elder_in_a, Device.Status.OFFLINE, now - dt.timedelta(minutes=1)),
        ("d4", elder_in_a, Device.Status.RETIRED, now),
        ("d5", None, Device.Status.ONLINE, now),
        ("d6", elder_in_b, Device.Status.ONLINE, None),
        ("d7", elder_in_b, Device.Status.ONLINE, now),
    ]:
        made[key] = Device.objects.create(
            device_id=key, kind="sos_pendant", elder=elder, region_code=elder.region_code if elder else "360103002001",
            heartbeat_interval=dt.timedelta(hours=1), registered_at=now - dt.timedelta(minutes=10),
            last_seen_at=seen, status=status)
    return made


def _figure(code, q):
    return site.get(code).figure(q)


def test_march_equals_the_hand_count(alarms, district, year):
    q = Query(district.code, Period(year, 3))
    assert _figure("alarms", q).value == 8
    answered = _figure("alarms_answered_60s_rate", q)
    assert (answered.numerator, answered.denominator) == (4, 7)
    assert answered.value == Decimal(400) / Decimal(7)
    median, p95 = _figure("alarm_response_median_seconds", q), _figure("alarm_response_p95_seconds", q)
    assert (median.value, median.denominator) == (Decimal("52.75"), 6)
    assert (p95.value, p95.denominator) == (Decimal(120), 6)


def test_sixty_seconds_exactly_is_within_and_the_month_ends_at_local_midnight(alarms, district, year):
    q = Query(district.code, Period(year, 3))
    within = set(site.get("alarms_answered_60s_rate").records(q))
    assert within == {alarms[k] for k in ("al1", "al3", "bl1", "bl3")}
    assert set(site.get("alarms").records(Query(district.code, Period(year, 4)))) == {alarms["bl4"]}
    assert set(site.get("alarms").records(Query(district.code, Period(year, 2)))) == {alarms["bl5"]}


def test_the_figures_break_down_by_community(alarms, district, community_a, community_b, year):
    q = Query(district.code, Period(year, 3))
    answered = site.get("alarms_answered_60s_rate").figures(q, by="community")
    assert {c: (f.numerator, f.denominator) for c, f in answered.items()} == {
        community_a.code: (2, 4), community_b.code: (2, 3)}
    median = site.get("alarm_response_median_seconds").figures(q, by="community")
    p95 = site.get("alarm_response_p95_seconds").figures(q, by="community")
    assert {c: f.value for c, f in median.items()} == {community_a.code: 60, community_b.code: Decimal("45.5")}
    assert {c: f.value for c, f in p95.items()} == {community_a.code: 61, community_b.code: 120}
    by_subdistrict = site.get("alarms").figures(q, by="subdistrict")
    assert sorted(f.value for f in by_subdistrict.values()) == [3, 5]


def test_an_alarm_not_yet_acknowledged_counts_once_it_can_be_judged(elder_in_a, district, operator):
    """Received 100 s ago and not acknowledged: not judged yet; 200 s ago: answered late."""
    now = timezone.now()
    months = {timezone.localtime(now - dt.timedelta(seconds=s)).month for s in (100, 200)}
    if len(months) > 1:
        pytest.skip("the two alarms would fall in two months")
    for seconds in (100, 200):
        at = now - dt.timedelta(seconds=seconds)
        Alarm.objects.create(elder=elder_in_a, region_code=elder_in_a.region_code, source="device", type="sos",
                             priority=1, raised_at=at, received_at=at)
    local = timezone.localtime(now - dt.timedelta(seconds=200))
    answered = _figure("alarms_answered_60s_rate", Query(district.code, Period(local.year, local.month)))
    assert (answered.numerator, answered.denominator) == (0, 1)


def test_the_95th_percentile_is_the_nearest_rank():
    p95 = Decimal("0.95")
    assert nearest_rank([Decimal(n) for n in range(1, 21)], p95) == 19
    assert nearest_rank([Decimal(n) for n in range(100, 0, -1)], p95) == 95
    assert nearest_rank([Decimal(7)], p95) == 7
    assert nearest_rank([Decimal(n) for n in range(1, 22)], p95) == 20  # ⌈19.95⌉
    half = Decimal("0.5")
    assert interpolated([Decimal(n) for n in (4, 1, 3, 2)], half) == Decimal("2.5")  # the mean of the middle two
    assert interpolated([Decimal(n) for n in (5, 1, 3)], half) == 3
    assert interpolated([Decimal(7)], half) == 7


def test_devices_online_are_those_in_service_heard_from_in_time(devices, district, community_a, community_b, today):
    q = Query(district.code, Period(today.year, today.month))
    online = _figure("alarm_devices_online_rate", q)
    assert (online.numerator, online.denominator, online.value) == (3, 5, 60)
    by_community = site.get("alarm_devices_online_rate").figures(q, by="community")
    assert {c: (f.numerator, f.denominator) for c, f in by_community.items()} == {
        community_a.code: (1, 3), community_b.code: (2, 2)}
    assert set(site.get("alarm_devices_online_rate").records(q)) == {devices[k] for k in ("d1", "d6", "d7")}


def test_the_indicators_of_the_module_take_four_queries(alarms, devices, district, year, django_assert_num_queries):
    """The alarms' counts together, the devices' together, and each response-time figure."""
    mine = [i for i in site.all() if i.app_label == "alarms"]
    assert len(mine) == 5
    with django_assert_num_queries(4):
        figures = evaluate(mine, Query(district.code, Period(year, 3)), by="community")
    assert sum(f.value for f in figures["alarms"].values()) == 8


def test_the_command_reports_the_same_figures(alarms, devices, district, year):
    out = io.StringIO()
    call_command("indicators", "--region", district.code, "--year", str(year), "--month", "3", stdout=out)
    by_code = {i["code"]: i for i in json.loads(out.getvalue())["indicators"]}
    assert by_code["alarms"]["value"] == 8
    answered = by_code["alarms_answered_60s_rate"]
    assert (answered["numerator"], answered["denominator"]) == (4, 7)
    assert answered["value"] == pytest.approx(400 / 7)
    assert (by_code["alarm_response_median_seconds"]["value"], by_code["alarm_response_p95_seconds"]["value"]) == (
        52.75, 120)
    assert by_code["alarm_response_p95_seconds"]["unit"] == "seconds"
    assert (by_code["alarm_devices_online_rate"]["numerator"], by_code["alarm_devices_online_rate"]["denominator"]) == (
        3, 5)


def test_every_indicator_says_what_it_counts():
    for indicator in (i for i in site.all() if i.app_label == "alarms"):
        assert str(indicator.name) and str(indicator.numerator_text) and str(indicator.as_of_text)
        assert not indicator.is_share or str(indicator.denominator_text)
    assert site.get("alarm_response_p95_seconds").lower_is_better
