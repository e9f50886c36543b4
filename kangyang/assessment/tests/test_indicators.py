"""The assessment module's indicators on a hand-built district, against a hand count: elders by
capability level on the period's last day, and the share assessed in time by the due rule.

The period is March of last year (its last day D = 31 March); every elder was registered the
year before. Community A and community B (the conftest tree), "Y" the period's year:

  a1  assessed Y-01-10, level 2, valid a year                      → level 2; in time
  a2  level 1 (Y-1-06-01, valid to Y-06-01), then level 3 (Y-02-15) → level 3 (the latest); in time
  a3  level 0, Y-1-03-01, valid until Y-03-01                       → expired: no level; overdue
  a4  disabled, never assessed                                      → no level; due, not in time
  a5  level 4, valid until D itself                                 → level 4; in time (due on D)
  a6  first assessed Y-04-01, after D                               → nothing in March
  a7  never assessed, no category calling for one                   → nothing
  b1  level 1 (Y-01-05), re-assessment asked Y-03-20, still open    → level 1; overdue since Y-03-20
  b2  level 2, died Y-03-15                                         → nothing in March (in February: level 2)
  b3  level 2, died Y-04-10, after D                                → level 2; in time
  b4  level 0 (Y-1-12-01); asked Y-03-10, fulfilled Y-04-05         → level 0; overdue on D
  b5  only an imported MZ/T 039-2013 assessment and a draft         → nothing
  b6  asked Y-02-01, fulfilled by level 2 on Y-02-20                → level 2; in time

March: levels 0:1 (b4) 1:1 (b1) 2:3 (a1 b3 b6) 3:1 (a2) 4:1 (a5), seven in all, A 3 and B 4.
Assessed in time: a1 a2 a5 b3 b6 of a1 a2 a3 a4 a5 b1 b3 b4 b6: 5 of 9 (A 3 of 5, B 2 of 4).
"""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from kangyang.assessment.models import Assessment, ReassessmentRequest
from kangyang.assessment.standard import PREVIOUS_STANDARD, STANDARD
from kangyang.indicators.registry import Period, Query, evaluate, site
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.registry.models import Elder

pytestmark = pytest.mark.django_db

LEVELS = [f"elders_capability_level_{n}" for n in range(5)]


@pytest.fixture
def year(today):
    return today.year - 1


@pytest.fixture
def march(year):
    return Period(year, 3)


@pytest.fixture
def people(worker_a, worker_b, community_a, community_b, year):
    Y = year

    def d(y, m, day):
        return dt.date(y, m, day)

    made = {}
    for n, (key, categories) in enumerate([
        ("a1", []), ("a2", []), ("a3", []), ("a4", ["disabled"]), ("a5", []), ("a6", []), ("a7", []),
        ("b1", []), ("b2", []), ("b3", []), ("b4", []), ("b5", []), ("b6", []),
    ]):
        community, by = (community_a, worker_a) if key[0] == "a" else (community_b, worker_b)
        made[key] = create_elder(by=by, name=f"测{key}", community=community, categories=categories,
                                 id_number=residentid.make(community.code[:6], dt.date(1940, 1, 1 + n), n + 1))
    Elder.objects.update(created_at=dt.datetime(Y - 1, 1, 1, tzinfo=dt.UTC))
    assert "disabled" in Elder.objects.get(pk=made["a4"].pk).categories

    def signed(key, on, level, until, standard=STANDARD):
        elder = made[key]
        return Assessment.objects.create(elder=elder, region_code=elder.region_code, standard=standard,
                                         status=Assessment.Status.SIGNED, assessed_on=on, valid_until=until,
                                         final_level=level, preliminary_level=level)

    signed("a1", d(Y, 1, 10), 2, d(Y + 1, 1, 9))
    signed("a2", d(Y - 1, 6, 1), 1, d(Y, 6, 1))
    signed("a2", d(Y, 2, 15), 3, d(Y, 8, 15))
    signed("a3", d(Y - 1, 3, 1), 0, d(Y, 3, 1))
    signed("a5", d(Y - 1, 9, 30), 4, d(Y, 3, 31))
    signed("a6", d(Y, 4, 1), 1, d(Y + 1, 3, 31))
    signed("b1", d(Y, 1, 5), 1, d(Y + 1, 1, 4))
    signed("b2", d(Y, 1, 5), 2, d(Y + 1, 1, 4))
    signed("b3", d(Y, 1, 5), 2, d(Y + 1, 1, 4))
    signed("b4", d(Y - 1, 12, 1), 0, d(Y, 12, 1))
    b4_later = signed("b4", d(Y, 4, 5), 1, d(Y + 1, 4, 4))
    signed("b5", d(Y - 1, 5, 1), 3, None, standard=PREVIOUS_STANDARD)
    Assessment.objects.create(elder=made["b5"], region_code=made["b5"].region_code, assessed_on=d(Y, 3, 1))
    b6 = signed("b6", d(Y, 2, 20), 2, d(Y + 1, 2, 19))
    for key, on, fulfilled, by in [("b1", d(Y, 3, 20), None, worker_b), ("b4", d(Y, 3, 10), b4_later, worker_b),
                                   ("b6", d(Y, 2, 1), b6, worker_b)]:
        ReassessmentRequest.objects.create(elder=made[key], region_code=made[key].region_code, requested_on=on,
                                           reason="跌倒", requested_by=by, fulfilled_by=fulfilled)
    Elder.objects.filter(pk=made["b2"].pk).update(status=Elder.Status.DECEASED, status_date=d(Y, 3, 15))
    Elder.objects.filter(pk=made["b3"].pk).update(status=Elder.Status.DECEASED, status_date=d(Y, 4, 10))
    return made


def test_elders_by_capability_level_equal_the_hand_count(people, district, march):
    q = Query(district.code, march)
    counts = [site.get(code).figure(q).value for code in LEVELS]
    assert counts == [1, 1, 3, 1, 1]
    assert site.get("elders_with_valid_assessment").figure(q).value == 7


def test_the_levels_break_down_by_the_community_the_elder_lives_in(people, district, community_a, community_b,
                                                                   march):
    q = Query(district.code, march)
    by_community = site.get("elders_with_valid_assessment").figures(q, by="community")
    assert {c: f.value for c, f in by_community.items()} == {community_a.code: 3, community_b.code: 4}
    level_2 = site.get("elders_capability_level_2").figures(q, by="community")
    assert {c: f.value for c, f in level_2.items()} == {community_a.code: 1, community_b.code: 2}
    # The levels follow the elder, not the community written on the assessment when it was made.
    Elder.objects.filter(pk=people["a1"].pk).update(region_code=community_b.code, community=community_b)
    level_2 = site.get("elders_capability_level_2").figures(q, by="community")
    assert {c: f.value for c, f in level_2.items()} == {community_a.code: 0, community_b.code: 3}


def test_a_level_is_of_the_period_s_own_last_day(people, district, year):
    """In February a3 is still valid (until 1 March) and b2 still alive; a2's level 3 counts
    from 15 February, b6's level 2 from 20 February."""
    q = Query(district.code, Period(year, 2))
    counts = [site.get(code).figure(q).value for code in LEVELS]
    assert counts == [2, 1, 4, 1, 1]  # 0: a3 b4 · 1: b1 · 2: a1 b2 b3 b6 · 3: a2 · 4: a5


def test_the_share_assessed_in_time_equals_the_hand_count(people, district, community_a, community_b, march):
    indicator = site.get("assessment_in_time_rate")
    q = Query(district.code, march)
    figure = indicator.figure(q)
    assert (figure.numerator, figure.denominator) == (5, 9)
    assert figure.value == Decimal(500) / Decimal(9)
    by_community = indicator.figures(q, by="community")
    assert {c: (f.numerator, f.denominator) for c, f in by_community.items()} == {
        community_a.code: (3, 5), community_b.code: (2, 4)}
    behind = set(indicator.records(q, denominator=True).values_list("pk", flat=True)) - set(
        indicator.records(q).values_list("pk", flat=True))
    assert behind == {people[k].pk for k in ("a3", "a4", "b1", "b4")}


def test_the_indicators_of_the_module_take_two_queries(people, district, march, django_assert_num_queries):
    mine = [i for i in site.all() if i.app_label == "assessment"]
    assert {i.code for i in mine} == {*LEVELS, "elders_with_valid_assessment", "assessment_in_time_rate"}
    with django_assert_num_queries(2):
        figures = evaluate(mine, Query(district.code, march), by="community")
    assert sum(f.value for f in figures["elders_capability_level_2"].values()) == 3


def test_the_command_reports_the_same_figures(people, district, march):
    out = io.StringIO()
    call_command("indicators", "--region", district.code, "--year", str(march.year), "--month", "3", stdout=out)
    by_code = {i["code"]: i for i in json.loads(out.getvalue())["indicators"]}
    assert [by_code[code]["value"] for code in LEVELS] == [1, 1, 3, 1, 1]
    in_time = by_code["assessment_in_time_rate"]
    assert (in_time["numerator"], in_time["denominator"], in_time["unit"]) == (5, 9, "percent")
    assert in_time["value"] == pytest.approx(500 / 9)
    assert in_time["as_of"] == f"{march.year}-03-31"


def test_every_indicator_says_what_it_counts():
    for indicator in (i for i in site.all() if i.app_label == "assessment"):
        assert str(indicator.name) and str(indicator.numerator_text) and str(indicator.as_of_text)
        assert not indicator.is_share or str(indicator.denominator_text)
