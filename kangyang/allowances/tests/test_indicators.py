"""The allowances module's indicators on hand-built rolls, against a hand count: the money paid in
a period (in total, by kind, the back pay) and the elders who received it.

"Y" is last year. Rolls and lines (amounts in yuan; community A: a1 a2 a3, B: b1 b2; a3 has
moved to B since her March line was written in A's roll):

  longevity, Feb, A   bank batch paid Y-02-28:  a1 100 paid · a2 100 failed, corrected (released)
  longevity, Mar, A   bank batch paid Y-03-31:  a1 100 paid · a2 100 failed (held) · a3 150.50 paid
                                                · a2 100 back pay of her failed February, paid
  longevity, Mar, B   (same batch):             b1 100 paid
  care, Feb, A        bank batch paid Y-03-01:  a1 80 back pay of a paused January, paid
  care, Mar, B        bank batch paid Y-04-01:  b2 200 paid
  service, Mar, A     credited Y-03-31 23:59 (Shanghai): a1 50 · a2 50
  voucher, Mar, A     credited Y-03-01 00:00:   a2 200
  voucher, Apr, B     credited Y-04-01 00:00:   b1 300
  service, Mar, B     approved, not credited:   b2 50 pending

March: longevity 100 + 150.50 + 100 + 100 = 450.50, care 80, service 100, voucher 200: 830.50
(A 730.50, B 100), back pay 180; recipients a1 a2 a3 b1 (A: a1 a2; B: a3 b1, where they live).
February: 100 (a1; a2's failed line never counts); April: 200 + 300, recipients b1 b2.
"""

import datetime as dt
import io
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from kangyang.allowances.models import (
    BankLayout, Means, PaymentLine, PaymentRoll, PayoutBatch, Policy, PolicyBand, PolicyVersion,
)
from kangyang.indicators.registry import Period, Query, evaluate, site
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.registry.models import Elder

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
L, C, S, V = Policy.Kind.LONGEVITY, Policy.Kind.CARE, Policy.Kind.SERVICE, Policy.Kind.CONSUMPTION_VOUCHER
P = PaymentLine.Payout


@pytest.fixture
def year(today):
    return today.year - 1


@pytest.fixture
def paid(admin, worker_a, worker_b, district, community_a, community_b, year):
    Y = year
    elders = {}
    for n, key in enumerate(["a1", "a2", "a3", "b1", "b2"]):
        community, by = (community_a, worker_a) if key[0] == "a" else (community_b, worker_b)
        elders[key] = create_elder(by=by, name=f"测{key}", community=community,
                                   id_number=residentid.make(community.code[:6], dt.date(1940, 2, 1 + n), n + 1))
    layout = BankLayout.objects.create(code="test", name="测试", file_type="csv", columns=[{"field": "name"}])
    policies, bands = {}, {}
    for kind in (L, C, S, V):
        policies[kind] = Policy.objects.create(kind=kind, name=str(kind), region=district, region_code=district.code,
                                               created_by=admin)
        version = PolicyVersion.objects.create(policy=policies[kind], effective_from=dt.date(Y, 1, 1),
                                               created_by=admin)
        bands[kind] = PolicyBand.objects.create(version=version, amount=Decimal(100))

    def batch(kind, month, paid_on):
        return PayoutBatch.objects.create(policy=policies[kind], month=dt.date(Y, month, 1), region=district,
                                          region_code=district.code, layout=layout, status=PayoutBatch.Status.PAID,
                                          paid_on=paid_on, bank_reference="B1", created_by=admin)

    def roll(kind, month, community, *, batch=None, credited=None):
        status = PaymentRoll.Status.EXPORTED if batch or credited else PaymentRoll.Status.DISTRICT_APPROVED
        return PaymentRoll.objects.create(policy=policies[kind], version=bands[kind].version, region=community,
                                          region_code=community.code, month=dt.date(Y, month, 1), status=status,
                                          batch=batch, exported_at=credited)

    def line(r, key, amount, payout=P.PAID, *, month=None, kind=PaymentLine.Kind.MONTHLY, retry_of=None):
        return PaymentLine.objects.create(
            roll=r, policy=r.policy, month=month or r.month, elder=elders[key], region_code=r.region_code,
            band=bands[r.policy.kind], amount=Decimal(amount), means=Means.ORDINARY, kind=kind, retry_of=retry_of,
            payout=payout)

    def local(month, day, hour=0, minute=0):
        return dt.datetime(Y, month, day, hour, minute, tzinfo=SHANGHAI)

    february = roll(L, 2, community_a, batch=batch(L, 2, dt.date(Y, 2, 28)))
    line(february, "a1", "100")
    failed = line(february, "a2", "100", P.RELEASED)
    l_march = batch(L, 3, dt.date(Y, 3, 31))
    march_a = roll(L, 3, community_a, batch=l_march)
    line(march_a, "a1", "100")
    line(march_a, "a2", "100", P.HELD)
    line(march_a, "a3", "150.50")
    line(march_a, "a2", "100", month=dt.date(Y, 2, 1), kind=PaymentLine.Kind.RETRY, retry_of=failed)
    line(roll(L, 3, community_b, batch=l_march), "b1", "100")
    line(roll(C, 2, community_a, batch=batch(C, 2, dt.date(Y, 3, 1))), "a1", "80", month=dt.date(Y, 1, 1),
         kind=PaymentLine.Kind.RESUMED)
    line(roll(C, 3, community_b, batch=batch(C, 3, dt.date(Y, 4, 1))), "b2", "200")
    service_a = roll(S, 3, community_a, credited=local(3, 31, 23, 59))
    line(service_a, "a1", "50")
    line(service_a, "a2", "50")
    line(roll(V, 3, community_a, credited=local(3, 1)), "a2", "200")
    line(roll(V, 4, community_b, credited=local(4, 1)), "b1", "300")
    line(roll(S, 3, community_b), "b2", "50", P.PENDING)
    # a3 moved to community B after March's roll was made.
    Elder.objects.filter(pk=elders["a3"].pk).update(community=community_b, region_code=community_b.code)
    return elders


def _value(code, q):
    return site.get(code).figure(q).value


def test_the_money_paid_in_march_equals_the_hand_count(paid, district, year):
    q = Query(district.code, Period(year, 3))
    assert _value("allowances_paid_yuan", q) == Decimal("830.50")
    assert [_value(f"allowances_paid_{k}_yuan", q) for k in (L, C, S, V)] == [
        Decimal("450.50"), Decimal(80), Decimal(100), Decimal(200)]
    assert _value("allowances_back_pay_yuan", q) == Decimal(180)


def test_the_period_is_the_day_the_money_went_out(paid, district, year):
    """Bank batches by their payment date (28 February / 1 March, 31 March / 1 April); voucher
    credits by the instant, in Shanghai (23:59 on 31 March is March, 00:00 on 1 April April)."""
    assert _value("allowances_paid_yuan", Query(district.code, Period(year, 2))) == Decimal(100)
    assert _value("allowances_paid_yuan", Query(district.code, Period(year, 4))) == Decimal(500)
    assert _value("allowance_recipients", Query(district.code, Period(year, 4))) == 2


def test_a_failed_and_repaid_payment_counts_once(paid, district, year):
    """a2's February longevity allowance: failed in February, paid again in March; her failed
    March payment is held and counts nowhere."""
    whole_year = Query(district.code, Period(year))
    assert _value("allowances_paid_longevity_yuan", whole_year) == Decimal("550.50")  # 100 + 450.50
    a2 = site.get("allowances_paid_longevity_yuan").records(whole_year).filter(elder=paid["a2"])
    assert sorted((line.month.month, line.kind) for line in a2) == [(2, PaymentLine.Kind.RETRY)]


def test_recipients_are_each_elder_once_where_they_live(paid, district, community_a, community_b, year):
    q = Query(district.code, Period(year, 3))
    assert _value("allowance_recipients", q) == 4
    by_community = site.get("allowance_recipients").figures(q, by="community")
    assert {c: f.value for c, f in by_community.items()} == {community_a.code: 2, community_b.code: 2}
    assert set(site.get("allowance_recipients").records(Query(community_b.code, Period(year, 3)))) == {
        paid["a3"], paid["b1"]}
    money = site.get("allowances_paid_yuan").figures(q, by="community")
    assert {c: f.value for c, f in money.items()} == {community_a.code: Decimal("730.50"),
                                                      community_b.code: Decimal(100)}


def test_the_indicators_of_the_module_take_two_queries(paid, district, year, django_assert_num_queries):
    mine = [i for i in site.all() if i.app_label == "allowances"]
    assert len(mine) == 7
    with django_assert_num_queries(2):
        figures = evaluate(mine, Query(district.code, Period(year, 3)), by="community")
    assert sum(f.value for f in figures["allowances_paid_yuan"].values()) == Decimal("830.50")


def test_the_command_reports_the_same_figures(paid, district, year):
    out = io.StringIO()
    call_command("indicators", "--region", district.code, "--year", str(year), "--month", "3", stdout=out)
    by_code = {i["code"]: i for i in json.loads(out.getvalue())["indicators"]}
    assert by_code["allowances_paid_yuan"]["value"] == 830.5
    assert by_code["allowances_paid_yuan"]["unit"] == "yuan"
    assert by_code["allowances_paid_longevity_yuan"]["value"] == 450.5
    assert by_code["allowances_back_pay_yuan"]["value"] == 180
    assert by_code["allowance_recipients"]["value"] == 4


def test_every_indicator_says_what_it_counts():
    for indicator in (i for i in site.all() if i.app_label == "allowances"):
        assert str(indicator.name) and str(indicator.numerator_text) and str(indicator.as_of_text)
