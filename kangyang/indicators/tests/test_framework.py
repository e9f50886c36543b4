"""The framework on a hand-built district: every figure equals a hand count, breakdowns add
up, the command prints the same, and a new app adds an indicator with its indicators.py only."""

import datetime as dt
import io
import json
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from kangyang.indicators import queries
from kangyang.indicators import targets as T
from kangyang.indicators.actions import periods_due, take_snapshot
from kangyang.indicators.models import Snapshot
from kangyang.indicators.registry import Period, Query, evaluate, site
from kangyang.health.tests.contract_helpers import contract_for
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.registry.models import Elder

pytestmark = pytest.mark.django_db


def _years_ago(day: dt.date, years: int, days: int = 0) -> dt.date:
    return day.replace(year=day.year - years) - dt.timedelta(days=days)


@pytest.fixture
def people(worker_a, worker_b, community_a, community_b, today):
    """A: 70 alone; 85 alone+disabled, with a family doctor; 66 with a family doctor.
    B: 62 empty-nest; 91 who died yesterday; 64 (not yet 65 tomorrow)."""
    made = {}
    for key, by, community, age, categories in [
        ("a70", worker_a, community_a, 70, ["alone"]), ("a85", worker_a, community_a, 85, ["alone", "disabled"]),
        ("a66", worker_a, community_a, 66, []), ("b62", worker_b, community_b, 62, ["empty_nest"]),
        ("b91", worker_b, community_b, 91, []), ("b64", worker_b, community_b, 64, []),
    ]:
        birth = _years_ago(today, age, days=10) if key != "b64" else _years_ago(today, 65) + dt.timedelta(days=1)
        made[key] = create_elder(by=by, name=f"张{key}" if key.startswith("a") else f"李{key}",
                                 id_number=residentid.make(community.code[:6], birth, len(made) + 1),
                                 community=community, categories=categories)
    for key in ("a85", "a66"):
        contract_for(made[key], on=today)
    Elder.objects.filter(pk=made["b91"].pk).update(status=Elder.Status.DECEASED,
                                                   status_date=today - dt.timedelta(days=1))
    return made


def test_counts_equal_a_hand_count(people, district, community_a, community_b, today):
    q = Query(district.code, Period(today.year, today.month))
    assert site.get("elders").figure(q).value == 5  # six records, one died before today
    assert site.get("elders_alone").figure(q).value == 2
    assert site.get("elders_age_80_89").figure(q).value == 1
    assert site.get("elders_age_90_99").figure(q).value == 0
    assert site.get("vulnerable_elders").figure(q).value == 3
    by_community = site.get("elders").figures(q, by="community")
    assert by_community == {community_a.code: by_community[community_a.code],
                            community_b.code: by_community[community_b.code]}
    assert (by_community[community_a.code].value, by_community[community_b.code].value) == (3, 2)


def test_a_share_keeps_its_counts_exact(people, district, today):
    """Family-doctor rate of the 65+: the 70, 85 and 66-year-olds (the 64-year-old turns 65
    tomorrow, the 91-year-old died); two of three have a contract."""
    figure = site.get("elder_family_doctor_rate").figure(Query(district.code, Period(today.year, today.month)))
    assert (figure.numerator, figure.denominator) == (2, 3)
    assert figure.value == Decimal(200) / Decimal(3)


def test_the_dead_count_in_a_period_that_ended_before_their_death(people, district, today):
    earlier = Period(today.year - 1) if today.month > 1 else Period(today.year - 1)
    q = Query(district.code, earlier)
    # Everyone was created today: none existed last year.
    assert site.get("elders").figure(q).value == 0


def test_status_is_exact_and_never_rounded_onto_a_target():
    target = T.Target(plan="p", year=2025, value=Decimal(99), op=">=", kind="binding", previous=None)
    assert T.status(Decimal("98.97"), target, year=2025, elapsed=1.0, unit="percent") == T.BEHIND
    assert T.status(Decimal("99"), target, year=2025, elapsed=1.0, unit="percent") == T.MET
    strictly = T.Target(plan="p", year=2025, value=Decimal(56), op=">", kind="binding", previous=None)
    assert T.status(Decimal("56"), strictly, year=2025, elapsed=1.0, unit="percent") == T.BEHIND
    assert T.status(None, target, year=2025, elapsed=1.0, unit="percent") == T.NO_DATA


def test_on_track_is_the_previous_target_pro_rated():
    """Halfway through 2024, from 2023's 90 towards 2024's 95: 92.5 is on track, 92 behind."""
    target = T.Target(plan="p", year=2024, value=Decimal(95), op=">=", kind="expected", previous=Decimal(90))
    assert T.status(Decimal("92.5"), target, year=2024, elapsed=0.5, unit="percent") == T.ON_TRACK
    assert T.status(Decimal("92"), target, year=2024, elapsed=0.5, unit="percent") == T.BEHIND
    assert T.status(Decimal("92.5"), target, year=2024, elapsed=1.0, unit="percent") == T.BEHIND


def test_each_plan_holds_its_own_target_for_the_year():
    nursing = T.shipped()["nursing_bed_ratio"]
    by_plan = {t.plan: t for t in T.targets_for(nursing, 2026)}
    # Xihu's plan ended in 2025 with "> 60": still in force, carried; Shapotou's 2027 figure is ahead.
    assert (by_plan["xihu-2023"].year, by_plan["xihu-2023"].value, by_plan["xihu-2023"].op) == (2025, 60, ">")
    assert (by_plan["nanchang-14th"].op, by_plan["shapotou-2027"].year) == (">=", 2027)


def test_a_broken_targets_file_names_the_entry_at_fault():
    with pytest.raises(Exception) as e:
        T.parse("indicators:\n  - code: a\n    op: '>='\n  - code: b\n    targets: {p: {20x5: 3}}\n")
    assert "2" in " ".join(e.value.messages)
    with pytest.raises(Exception):
        T.parse("indicators: [ {code: a, op: '≥'} ]")


def test_the_command_prints_every_plan_code_and_the_same_figures(people, district, today):
    out = io.StringIO()
    call_command("indicators", "--region", district.code, "--year", str(today.year), "--month",
                 str(today.month), stdout=out)
    report = json.loads(out.getvalue())
    assert (report["region"], report["year"], report["month"]) == (district.code, today.year, today.month)
    by_code = {i["code"]: i for i in report["indicators"]}
    assert set(T.shipped()) <= set(by_code)
    assert by_code["elders"]["value"] == 5
    doctor = by_code["elder_family_doctor_rate"]
    assert (doctor["numerator"], doctor["denominator"]) == (2, 3)
    assert [t["plan"] for t in doctor["targets"]] == ["xihu-2023"]
    assert by_code["life_expectancy"] == {**by_code["life_expectancy"], "value": None, "status": "no_data",
                                          "origin": "none"}
    assert by_code["life_expectancy"]["targets"][0]["status"] == "no_data"


def test_the_command_refuses_what_is_not_a_region_or_a_year(district):
    with pytest.raises(CommandError):
        call_command("indicators", "--region", "12345", "--year", "2026")
    with pytest.raises(CommandError):
        call_command("indicators", "--region", district.code, "--year", "2026", "--month", "13")
    with pytest.raises(CommandError):
        call_command("indicators", "--region", "360199000000", "--year", "2026")


def test_a_new_app_adds_an_indicator_with_its_indicators_module_only(people, district, today):
    assert site.get("sample_zhang") is None
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "kangyang.indicators.tests.sample_app"]):
        site.discover()
        try:
            indicator = site.get("sample_zhang")
            assert indicator.app_label == "indicators_sample_app"
            rows = {r.code: r for r in queries.rows_for(district.code, Period(today.year, today.month))}
            assert rows["sample_zhang"].figure.value == 3
        finally:
            pass
    site.discover()
    assert site.get("sample_zhang") is None


def test_indicators_sharing_a_base_are_one_query(people, district, today, django_assert_num_queries):
    registry_indicators = [i for i in site.all() if i.app_label == "registry"]
    assert len(registry_indicators) > 15
    with django_assert_num_queries(1):
        figures = evaluate(registry_indicators, Query(district.code, Period(today.year, today.month)),
                           by="community")
    assert sum(f.value for f in figures["elders"].values()) == 5


def test_a_snapshot_keeps_every_level_and_survives_later_edits(people, district, community_a, today):
    period = Period(today.year, today.month)
    stored = take_snapshot(period, roots=[district.code])
    assert stored == Snapshot.objects.filter(period=period.key).count() > 0
    Elder.objects.filter(pk=people["a70"].pk).update(status=Elder.Status.MOVED_OUT, status_date=today - dt.timedelta(days=3))
    assert site.get("elders").figure(Query(community_a.code, period)).value == 2  # live: one moved out
    figures, computed_at = queries.snapshot_figures(community_a.code, period)
    assert figures["elders"].value == 3 and computed_at is not None  # the snapshot: as it was
    rows = {r.code: r for r in queries.rows_for(district.code, period, source=queries.SNAPSHOT)}
    assert rows["elders"].figure.value == 5
    by_sub = queries.breakdown(site.get("elders"), district.code, period, "subdistrict", source=queries.SNAPSHOT)
    assert sorted(f.value for f in by_sub.values()) == [2, 3]


def test_the_worker_snapshots_the_running_month_again_only_after_the_refresh_time(people, district):
    now = timezone.now()
    today = timezone.localdate()
    due = periods_due(today, refresh=dt.timedelta(minutes=15), now=now)
    assert Period(today.year, today.month) in due and Period(today.year) in due
    for period in due:
        take_snapshot(period, roots=[district.code])
    assert periods_due(today, refresh=dt.timedelta(minutes=15), now=now + dt.timedelta(minutes=1)) == []
    later = periods_due(today, refresh=dt.timedelta(minutes=15), now=now + dt.timedelta(minutes=16))
    assert Period(today.year, today.month) in later


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgresql_runs_the_queries_side_by_side_with_the_same_figures(
        people, district, today, monkeypatch):
    """The live report's queries run on several connections at once on PostgreSQL (committed
    rows only, so not inside a transaction); the figures are those of one after the other."""
    from django.db import connection, transaction

    from kangyang.indicators import registry

    if connection.vendor != "postgresql":
        pytest.skip("queries run side by side on PostgreSQL only")
    threads = set()
    grouped = registry._grouped_terms

    def spy(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return grouped(*args, **kwargs)

    monkeypatch.setattr(registry, "_grouped_terms", spy)
    q = Query(district.code, Period(today.year))
    side_by_side = evaluate(site.all(), q, by="community")
    assert threads and all(name.startswith("indicators") for name in threads)
    threads.clear()
    with transaction.atomic():
        one_by_one = evaluate(site.all(), q, by="community")
    assert threads == {threading.current_thread().name}
    assert side_by_side == one_by_one and side_by_side["elders"]
