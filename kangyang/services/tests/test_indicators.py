"""The home-service indicators on hand-built orders, against a hand count. "Y" is last year;
windows are local (Shanghai) times; the check-in rule allows 2 hours early (the setting).

  A o1  window 31 Mar 23:59–1 Apr 00:30, settled, checked in 23:59:30, ★5, allowance 20 + voucher 10
  A o2  window 1 Apr 00:00 (April), settled, ★1, allowance 40
  A o3  window 1 Mar 00:00–02:00, checked out, checked in at 02:00 exactly, flag "too short", allowance 15
  A o4  10 Mar 09:00–10:00, confirmed, checked in 10:00:01 (late), flags "late" and "far", ★4, self-paid
  B o5  12 Mar 09:00–10:00, settled, checked in 06:59 (2 h 1 min early), flag "early", ★3, voucher 25.50
  B o6  12 Mar 14:00–15:00, settled, checked in 12:00 (2 h early exactly), allowance 12.25
  B o7  20 Mar, cancelled before any visit, allowance 30 (refunded)
  B o8  21 Mar, no-show at a closed door (a visit, not completed)
  A o9  25 Mar, checked in, in progress
  A o10 window 28 Feb 23:59 (February), settled

March: 8 orders (A 4, B 4); completed o1 o3 o4 o5 o6 (A 3, B 2); on time o1 o3 o6: 3 of 5
(A 2/3, B 1/2); visits o1 o3 o4 o5 o6 o8 o9, flagged o3 o4 o5: 3 of 7 (A 2/4, B 1/3); rated
o1 o4 o5: 3 of 5, 12 stars, 4 on average; allowance and vouchers spent 30 + 15 + 25.50 + 12.25 =
82.75 (A 45, B 37.75).
"""

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kangyang.indicators.registry import Period, Query, evaluate, site
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.services.models import Order, ServiceVisit, ServiceVisitFlag

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Order.Status
F = ServiceVisitFlag.Code


@pytest.fixture
def year(today):
    return today.year - 1


@pytest.fixture
def orders(settings, admin, worker_a, worker_b, community_a, community_b, home_provider, far_carer, meal, year):
    settings.EARLY_CHECK_IN = dt.timedelta(hours=2)
    Y = year
    elders = {key: create_elder(by=by, name=f"测{key}", community=community,
                                id_number=residentid.make(community.code[:6], dt.date(1941, 3, n + 1), n + 1))
              for n, (key, by, community) in enumerate([("a", worker_a, community_a), ("b", worker_b, community_b)])}

    def at(month, day, hour, minute=0, second=0):
        return dt.datetime(Y, month, day, hour, minute, second, tzinfo=SHANGHAI)

    made = {}

    def order(key, where, start, end, status, *, checked_in=None, flags=(), rating=None, allowance="0",
              voucher="0", own="0"):
        shares = [Decimal(allowance), Decimal(voucher), Decimal(own)]
        o = Order.objects.create(
            elder=elders[where], region_code=elders[where].region_code, item=meal, provider=home_provider,
            caregiver=far_carer, channel="hotline", status=status, window_start=start, window_end=end,
            unit_price=sum(shares), price=sum(shares), allowance_amount=shares[0], voucher_amount=shares[1],
            self_amount=shares[2], created_by=admin, rating=rating)
        if checked_in is not None:
            visit = ServiceVisit.objects.create(order=o, provider=home_provider, caregiver=far_carer, elder=o.elder,
                                                region_code=o.region_code, checked_in_at=checked_in)
            for code in flags:
                ServiceVisitFlag.objects.create(service_visit=visit, code=code)
        made[key] = o

    order("o1", "a", at(3, 31, 23, 59), at(4, 1, 0, 30), S.SETTLED, checked_in=at(3, 31, 23, 59, 30), rating=5,
          allowance="20", voucher="10", own="5")
    order("o2", "a", at(4, 1, 0), at(4, 1, 1), S.SETTLED, checked_in=at(4, 1, 0, 10), rating=1, allowance="40")
    order("o3", "a", at(3, 1, 0), at(3, 1, 2), S.CHECKED_OUT, checked_in=at(3, 1, 2), flags=[F.TOO_SHORT],
          allowance="15")
    order("o4", "a", at(3, 10, 9), at(3, 10, 10), S.CONFIRMED, checked_in=at(3, 10, 10, 0, 1),
          flags=[F.LATE_CHECK_IN, F.FAR_AT_CHECK_IN], rating=4, own="30")
    order("o5", "b", at(3, 12, 9), at(3, 12, 10), S.SETTLED, checked_in=at(3, 12, 6, 59), flags=[F.EARLY_CHECK_IN],
          rating=3, voucher="25.50", own="4.50")
    order("o6", "b", at(3, 12, 14), at(3, 12, 15), S.SETTLED, checked_in=at(3, 12, 12), allowance="12.25")
    order("o7", "b", at(3, 20, 9), at(3, 20, 10), S.CANCELLED, allowance="30")
    order("o8", "b", at(3, 21, 9), at(3, 21, 10), S.NO_SHOW, checked_in=at(3, 21, 9, 5))
    order("o9", "a", at(3, 25, 9), at(3, 25, 10), S.CHECKED_IN, checked_in=at(3, 25, 9, 30))
    order("o10", "a", at(2, 28, 23, 59), at(3, 1, 0, 30), S.SETTLED, checked_in=at(2, 28, 23, 59), allowance="8")
    return made


def _figure(code, q):
    return site.get(code).figure(q)


def test_march_equals_the_hand_count(orders, district, year):
    q = Query(district.code, Period(year, 3))
    assert _figure("service_orders", q).value == 8
    assert _figure("service_orders_completed", q).value == 5
    on_time = _figure("service_orders_on_time_rate", q)
    assert (on_time.numerator, on_time.denominator, on_time.value) == (3, 5, 60)
    flagged = _figure("service_visits_flagged_rate", q)
    assert (flagged.numerator, flagged.denominator) == (3, 7)
    rated = _figure("service_orders_rated_rate", q)
    assert (rated.numerator, rated.denominator) == (3, 5)
    average = _figure("service_rating_average", q)
    assert (average.numerator, average.denominator, average.value) == (12, 3, 4)
    assert _figure("service_subsidy_yuan", q).value == Decimal("82.75")


def test_the_period_boundaries_are_local_midnights(orders, district, year):
    """o1 at 23:59 on 31 March is March's, o2 at 00:00 on 1 April April's, o3 at 00:00 on
    1 March March's and o10 at 23:59 on 28 February February's."""
    q = Query(district.code, Period(year, 3))
    assert set(site.get("service_orders").records(q)) == {orders[k] for k in
                                                           ("o1", "o3", "o4", "o5", "o6", "o7", "o8", "o9")}
    assert set(site.get("service_orders").records(Query(district.code, Period(year, 4)))) == {orders["o2"]}
    assert set(site.get("service_orders").records(Query(district.code, Period(year, 2)))) == {orders["o10"]}


def test_on_time_is_the_check_in_rule_at_its_edges(orders, district, year):
    """At the window's end exactly (o3) and 2 hours early exactly (o6) is on time; a second
    late (o4) or a minute earlier than 2 hours (o5) is not."""
    q = Query(district.code, Period(year, 3))
    assert set(site.get("service_orders_on_time_rate").records(q)) == {orders[k] for k in ("o1", "o3", "o6")}


def test_the_figures_break_down_by_community(orders, district, community_a, community_b, year):
    q = Query(district.code, Period(year, 3))

    def by(code):
        return {c: (f.numerator, f.denominator) if f.denominator is not None else f.value
                for c, f in site.get(code).figures(q, by="community").items()}

    assert by("service_orders") == {community_a.code: 4, community_b.code: 4}
    assert by("service_orders_on_time_rate") == {community_a.code: (2, 3), community_b.code: (1, 2)}
    assert by("service_visits_flagged_rate") == {community_a.code: (2, 4), community_b.code: (1, 3)}
    assert by("service_subsidy_yuan") == {community_a.code: Decimal(45), community_b.code: Decimal("37.75")}


def test_the_indicators_of_the_module_take_one_query(orders, district, year, django_assert_num_queries):
    mine = [i for i in site.all() if i.app_label == "services"]
    assert len(mine) == 7
    with django_assert_num_queries(1):
        figures = evaluate(mine, Query(district.code, Period(year, 3)), by="community")
    assert sum(f.value for f in figures["service_orders"].values()) == 8


def test_the_command_reports_the_same_figures(orders, district, year):
    out = io.StringIO()
    call_command("indicators", "--region", district.code, "--year", str(year), "--month", "3", stdout=out)
    by_code = {i["code"]: i for i in json.loads(out.getvalue())["indicators"]}
    assert by_code["service_orders"]["value"] == 8
    assert by_code["service_orders_completed"]["value"] == 5
    assert (by_code["service_orders_on_time_rate"]["numerator"], by_code["service_orders_on_time_rate"]["value"]) == (
        3, 60)
    assert by_code["service_visits_flagged_rate"]["numerator"] == 3
    assert by_code["service_rating_average"]["value"] == 4
    assert by_code["service_subsidy_yuan"]["value"] == 82.75


def test_every_indicator_says_what_it_counts():
    for indicator in (i for i in site.all() if i.app_label == "services"):
        assert str(indicator.name) and str(indicator.numerator_text) and str(indicator.as_of_text)
        assert not indicator.is_share or str(indicator.denominator_text)
