"""Who is due and the rates, against a hand-built population: aged exactly 65 on the day counts,
64 does not; an incomplete check-up, last year's, a deceased or moved-out elder do not; the page's
rate table, the indicators and the due list agree with the hand count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kangyang.health.queries import checkups as queries
from kangyang.health.tests.checkups_helpers import checkup, elder_aged
from kangyang.indicators.registry import Period, Query, site
from kangyang.registry.actions import save_health_record, set_elder_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(worker_a, worker_b, community_a, community_b):
    today = timezone.localdate()
    last_year = dt.date(today.year - 1, 6, 1)
    a = {
        "65_done": elder_aged(worker_a, community_a, 65),  # exactly 65 today, complete: counts in both
        "64_done": elder_aged(worker_a, community_a, 65, days_younger=1),  # 64 (65 tomorrow): in neither
        "80_incomplete": elder_aged(worker_a, community_a, 80),  # due
        "75_last_year": elder_aged(worker_a, community_a, 75),  # due (last year's does not count)
        "70_none": elder_aged(worker_a, community_a, 70),  # due
        "90_done": elder_aged(worker_a, community_a, 90),
        "85_deceased_done": elder_aged(worker_a, community_a, 85),  # in neither
        "62": elder_aged(worker_a, community_a, 62),  # 60+: EHR denominator only
    }
    b = {
        "66_done": elder_aged(worker_b, community_b, 66),
        "72_moved_out": elder_aged(worker_b, community_b, 72),  # in neither
        "68_none": elder_aged(worker_b, community_b, 68),  # due
    }
    for key in ("65_done", "64_done", "90_done", "85_deceased_done"):
        checkup(a[key])
    checkup(a["80_incomplete"], complete=False)
    checkup(a["75_last_year"], examined_on=last_year)
    checkup(b["66_done"])
    set_elder_status(a["85_deceased_done"], by=worker_a, status="deceased", on=today - dt.timedelta(days=20))
    set_elder_status(b["72_moved_out"], by=worker_b, status="moved_out", on=today - dt.timedelta(days=20))
    return a, b


def test_due_list_by_hand(worker_a, worker_b, population):
    a, b = population
    due_a = {e.pk for e in queries.due_for(worker_a)}
    assert due_a == {a["80_incomplete"].pk, a["75_last_year"].pk, a["70_none"].pk}
    assert {e.pk for e in queries.due_for(worker_b)} == {b["68_none"].pk}
    assert {e.pk for e in queries.due_for(worker_a, age_band="70-79")} == {a["75_last_year"].pk, a["70_none"].pk}
    assert not queries.due_for(worker_a, community="360103002001").exists()  # community B: not hers
    assert not queries.due_for(worker_a, age_band="60-69").exists()  # not a band of the list
    assert not queries.due_for(worker_a, community="garbage").exists()
    started = {e.pk: e.started for e in queries.due_for(worker_a)}
    assert started[a["80_incomplete"].pk] and not started[a["70_none"].pk]


def test_rates_by_hand(admin, worker_a, population):
    year = timezone.localdate().year
    rows = {r["code"]: r for r in queries.rates_for(admin, year=year)}
    # A: 65_done, 80_incomplete, 75_last_year, 70_none, 90_done → 2 of 5. B: 66_done, 68_none → 1 of 2.
    assert (rows["360103001001"]["eligible"], rows["360103001001"]["managed"]) == (5, 2)
    assert rows["360103001001"]["rate"] == 40.0
    assert (rows["360103002001"]["eligible"], rows["360103002001"]["managed"]) == (2, 1)
    assert list({r["code"] for r in queries.rates_for(worker_a, year=year)}) == ["360103001001"]
    assert queries.totals(list(rows.values())) == {"eligible": 7, "managed": 3, "rate": 42.9}


def test_health_management_indicator_equals_the_hand_count(population):
    ind = site.get("elder_health_management_rate")
    q = Query("360103000000", Period(timezone.localdate().year))
    f = ind.figure(q)
    assert (f.numerator, f.denominator) == (Decimal(3), Decimal(7))
    by = ind.figures(q, by="community")
    assert (by["360103001001"].numerator, by["360103001001"].denominator) == (2, 5)
    assert (by["360103002001"].numerator, by["360103002001"].denominator) == (1, 2)
    # Last year (everyone registered two years ago): only the 75-year-old's check-up was of that year.
    from kangyang.registry.models import Elder

    Elder.objects.update(created_at=timezone.now() - dt.timedelta(days=800))
    last = ind.figure(Query("360103000000", Period(timezone.localdate().year - 1)))
    assert last.numerator == 1


def test_ehr_coverage_indicator_equals_the_hand_count(worker_a, worker_b, population, community_a):
    from kangyang.health.models import FollowUp

    a, b = population
    today = timezone.localdate()
    opened = today - dt.timedelta(days=500)
    for e in (a["65_done"], a["70_none"], a["62"], a["85_deceased_done"], b["66_done"]):
        save_health_record(e, by=worker_a if e.region_code.startswith("360103001") else worker_b,
                           ehr_number=f"E{e.pk}", ehr_opened_on=opened)
    # 65_done (check-up this year) ✓; 70_none: a follow-up 100 days ago ✓; 62: a follow-up 400 days ago ✗;
    # deceased: not on the registry; 66_done (B) ✓. A record opened after the day does not count.
    FollowUp.objects.create(elder=a["70_none"], programme="hypertension", followed_on=today - dt.timedelta(days=100))
    FollowUp.objects.create(elder=a["62"], programme="hypertension", followed_on=today - dt.timedelta(days=400))
    save_health_record(a["90_done"], by=worker_a, ehr_number="late", ehr_opened_on=today + dt.timedelta(days=1))
    ind = site.get("elder_ehr_coverage")
    f = ind.figure(Query("360103000000", Period(today.year)))
    # On the registry, 60+: A 65,64,80,75,70,90,62 = 7; B 66,68 = 2 → 9.
    assert (f.numerator, f.denominator) == (Decimal(3), Decimal(9))


def test_panel_section_counts_the_due(worker_a, population):
    section = queries.panel_section(worker_a)
    assert section["count"] == 3 and len(section["elders"]) == 3
    assert section["elders"][0]["elder"].pk == population[0]["80_incomplete"].pk  # oldest first


def test_demo_seeds_plausible_checkups(worker_a, community_a, district):
    import random

    from kangyang.health import demo_checkups
    from kangyang.health.models import Checkup
    from kangyang.health.actions.checkups import clean_figures
    from kangyang.registry.models import HealthRecord

    people = [elder_aged(worker_a, community_a, 65 + i % 30) for i in range(60)]
    text = demo_checkups.seed(district=district, rng=random.Random(7), elders=60)
    year = timezone.localdate().year
    this_year = Checkup.objects.filter(year=year)
    assert 0.55 * len(people) <= this_year.count() <= 0.95 * len(people), text
    assert this_year.filter(complete=True).count() > this_year.count() // 2
    assert Checkup.objects.filter(year=year - 1).exists()
    for c in Checkup.objects.all():
        assert clean_figures(c.figures) == c.figures  # the demo's figures pass the action's checks
        assert c.examined_on.year == c.year and c.examined_on <= timezone.localdate()
    assert HealthRecord.objects.exclude(ehr_number="").count() >= len(people) // 2
    latest = HealthRecord.objects.get(elder=this_year.first().elder)
    assert latest.last_checkup_on == this_year.first().examined_on
