"""The draw (双随机): reproducible from its seed and pools, from the command line too; conflicts
excluded; a pool too small refused in words; institutions not yet inspected this year first."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from kangyang.institutions import inspections as rules
from kangyang.institutions.actions import inspections as actions
from kangyang.institutions.models import Conflict, Inspection, InspectionPlan
from kangyang.institutions.tests.inspections_fixtures import (  # noqa: F401
    institutions, make_inspector, organisations, plan, pool,
)


def targets(n: int, orgs: int = 10, due=lambda i: True) -> list[dict]:
    return [{"institution": i, "organisation": 1000 + i % orgs, "due": due(i)} for i in range(1, n + 1)]


def test_the_same_seed_and_pools_give_the_same_draw_and_another_seed_another():
    args = {"targets": targets(50), "inspectors": list(range(100, 120)), "conflicts": [[100, 1001]],
            "target_count": 20, "inspectors_per_target": 2}
    first = rules.draw(seed="2026-西湖-1", **args)
    assert first == rules.draw(seed="2026-西湖-1", **args)
    assert first != rules.draw(seed="2026-西湖-2", **args)
    assert len(first) == 20 and all(len(r["inspectors"]) == 2 for r in first)
    assert all(len(set(r["inspectors"])) == 2 for r in first)


def test_the_draw_follows_the_documented_procedure():
    """A third party's re-implementation from the module docstring, in a few lines."""
    import hashlib

    def key(text):
        return hashlib.sha256(text.encode()).hexdigest()

    seed = "abc"
    pool = targets(12, due=lambda i: i % 3 == 0)
    chosen = sorted(pool, key=lambda t: (not t["due"], key(f"{seed}:target:{t['institution']}")))[:5]
    expected_targets = [t["institution"] for t in chosen]
    drawn = rules.draw(seed=seed, targets=pool, inspectors=[7, 8, 9], conflicts=[], target_count=5,
                       inspectors_per_target=1)
    assert [r["institution"] for r in drawn] == expected_targets
    round0 = sorted([7, 8, 9], key=lambda i: key(f"{seed}:inspectors:0:{i}"))
    assert [r["inspectors"][0] for r in drawn[:3]] == round0


def test_conflicts_of_interest_are_never_drawn():
    conflicts = [[100 + j, 1000 + j % 10] for j in range(20)]
    drawn = rules.draw(seed="s", targets=targets(60), inspectors=list(range(100, 120)), conflicts=conflicts,
                       target_count=60, inspectors_per_target=3)
    barred = {(i, o) for i, o in conflicts}
    for r in drawn:
        organisation = 1000 + r["institution"] % 10
        assert not any((i, organisation) in barred for i in r["inspectors"])


def test_the_load_is_spread_evenly():
    drawn = rules.draw(seed="load", targets=targets(100), inspectors=list(range(1, 31)), conflicts=[],
                       target_count=100, inspectors_per_target=3)
    loads = {}
    for r in drawn:
        for i in r["inspectors"]:
            loads[i] = loads.get(i, 0) + 1
    assert len(loads) == 30 and max(loads.values()) - min(loads.values()) <= 1


def test_a_pool_too_small_for_an_institution_is_refused_in_words():
    with pytest.raises(rules.DrawRefused, match="利益冲突"):
        rules.draw(seed="s", targets=[{"institution": 1, "organisation": 9, "due": True}], inspectors=[1, 2],
                   conflicts=[[1, 9]], target_count=1, inspectors_per_target=2)
    with pytest.raises(rules.DrawRefused):
        rules.draw(seed="s", targets=targets(3), inspectors=[1], conflicts=[], target_count=3, inspectors_per_target=2)


def test_institutions_not_yet_inspected_this_year_are_drawn_first():
    pool = targets(40, due=lambda i: i % 4 == 0)  # ten due
    for seed in ("a", "b", "c"):
        drawn = rules.draw(seed=seed, targets=pool, inspectors=[1, 2, 3], conflicts=[], target_count=12,
                           inspectors_per_target=1)
        ids = [r["institution"] for r in drawn]
        assert set(range(4, 41, 4)) <= set(ids) and ids[:10] == sorted(ids[:10], key=lambda i: rules.key(f"{seed}:target:{i}"))


def test_a_draw_of_2000_institutions_and_200_inspectors_gives_each_two_without_conflicts():
    """At the benchmark's scale (bench/inspections_draw.py times it): every institution drawn,
    each with two different inspectors, none with a conflict with its organisation."""
    conflicts = [[i, 1000 + i % 400] for i in range(1, 201)]
    result = rules.draw(seed="bench", targets=targets(2000, orgs=400), inspectors=list(range(1, 201)),
                        conflicts=conflicts, target_count=2000, inspectors_per_target=2)
    assert len(result) == 2000 and all(len(set(r["inspectors"])) == 2 for r in result)
    organisation = {t["institution"]: t["organisation"] for t in targets(2000, orgs=400)}
    barred = {tuple(c) for c in conflicts}
    assert not any((i, organisation[r["institution"]]) in barred for r in result for i in r["inspectors"])


# -- the recorded draw, through the actions and the command --------------------------------------
def test_drawing_a_plan_records_seed_pools_and_result_and_makes_the_inspections(plan, admin, pool, institutions):
    actions.draw_plan(plan, by=admin, seed="西湖-2026")
    plan.refresh_from_db()
    assert plan.status == "drawn" and plan.seed == "西湖-2026" and plan.drawn_by == admin
    assert [t["institution"] for t in plan.target_pool] == sorted(i.pk for i in institutions)
    assert plan.inspector_pool == sorted(pool.inspectors.values_list("pk", flat=True))
    assert len(plan.result) == 4
    made = {i.institution_id: sorted(i.inspectors.values_list("pk", flat=True)) for i in plan.inspections.all()}
    assert made == {r["institution"]: sorted(r["inspectors"]) for r in plan.result}
    with pytest.raises(ValidationError):
        actions.draw_plan(plan, by=admin)


def test_a_plan_drawn_without_a_seed_gets_a_random_one(plan, admin):
    actions.draw_plan(plan, by=admin)
    plan.refresh_from_db()
    assert len(plan.seed) == 32


def test_the_command_reproduces_the_recorded_draw(plan, admin):
    plan = actions.draw_plan(plan, by=admin, seed="公开种子")
    out = io.StringIO()
    call_command("inspections", "draw", "--plan", str(plan.pk), stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["matches_recorded"] is True and printed["seed"] == "公开种子" and printed["plan"] == plan.pk
    assert printed["result"] == plan.result
    assert {"target_pool", "inspector_pool", "conflicts"} <= printed.keys()


def test_the_command_says_when_the_record_was_tampered_with(plan, admin):
    actions.draw_plan(plan, by=admin, seed="s1")
    InspectionPlan.objects.filter(pk=plan.pk).update(seed="s2")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("inspections", "draw", "--plan", str(plan.pk), stdout=out)
    assert json.loads(out.getvalue())["matches_recorded"] is False


def test_the_command_refuses_an_unknown_or_undrawn_plan(plan):
    with pytest.raises(CommandError, match="no inspection plan"):
        call_command("inspections", "draw", "--plan", "999999")
    with pytest.raises(CommandError, match="not been drawn"):
        call_command("inspections", "draw", "--plan", str(plan.pk))


def test_the_kangyang_entry_point_runs_the_command_and_exits_1_for_an_unknown_plan(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    db = settings.DATABASES["default"]  # the test database, migrated (its rows are this test's, unseen)
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    done = subprocess.run([sys.executable, "-m", "kangyang", "inspections", "draw", "--plan", "987654"],
                          capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "DATABASE_URL": url})
    assert done.returncode == 1 and "no inspection plan 987654" in done.stderr


def test_a_conflict_declared_keeps_the_inspector_away_from_that_organisation(plan, admin, inspector, organisations):
    actions.declare_conflict(by=inspector, inspector=inspector, organisation=organisations[0], reason="曾在该机构任职")
    actions.draw_plan(plan, by=admin, seed="x")
    plan.refresh_from_db()
    assert [inspector.pk, organisations[0].pk] in plan.conflicts
    assert not Inspection.objects.filter(inspectors=inspector, institution__organisation=organisations[0]).exists()
    assert Conflict.objects.count() == 1


def test_a_draw_the_pool_cannot_cover_is_refused(plan, admin, pool, tree, today):
    small = actions.create_pool(by=admin, name="小名录库", region=tree)
    actions.add_inspector(small, by=admin, inspector=make_inspector("lonely", tree))
    actions.publish_pool(small, by=admin)
    other = actions.create_plan(by=admin, name="太少", region=tree, year=today.year, pool=small, target_count=2,
                                due_by=today + dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="1"):
        actions.draw_plan(other, by=admin)
    other.refresh_from_db()
    assert other.status == "draft" and not other.inspections.exists()


def test_institutions_inspected_on_site_this_year_are_drawn_last(plan, admin, inspector, institutions, today):
    inspected = institutions[:4]
    for institution in inspected:
        done = actions.create_inspection(by=admin, institution=institution, inspectors=[inspector])
        Inspection.objects.filter(pk=done.pk).update(status="done", done_on=today, outcome="passed")
    plan.target_count = 2
    plan.save()
    actions.draw_plan(plan, by=admin, seed="due-first")
    plan.refresh_from_db()
    assert {r["institution"] for r in plan.result} == {institutions[4].pk, institutions[5].pk}
    assert [t["due"] for t in plan.target_pool] == [False] * 4 + [True] * 2


def test_an_unpublished_pool_cannot_be_drawn_from(admin, tree, institutions, inspector, today):
    pool = actions.create_pool(by=admin, name="未公布", region=tree)
    actions.add_inspector(pool, by=admin, inspector=inspector)
    plan = actions.create_plan(by=admin, name="p", region=tree, year=today.year, pool=pool, target_count=1,
                               inspectors_per_target=1, due_by=today)
    with pytest.raises(ValidationError, match="Publish|公布"):
        actions.draw_plan(plan, by=admin)


def test_only_inspectors_of_the_area_join_a_pool(pool, admin, worker_a):
    with pytest.raises(ValidationError):
        actions.add_inspector(pool, by=admin, inspector=worker_a)


def test_changing_a_published_pool_unpublishes_it_until_published_again(pool, admin, tree, inspector, today):
    assert pool.published_at is not None
    actions.remove_inspector(pool, by=admin, inspector=pool.inspectors.first())
    pool.refresh_from_db()
    assert pool.published_at is None
    plan = actions.create_plan(by=admin, name="p", region=tree, year=today.year, pool=pool, target_count=1,
                               inspectors_per_target=1, due_by=today)
    with pytest.raises(ValidationError, match="Publish|公布"):
        actions.draw_plan(plan, by=admin)
    actions.publish_pool(pool, by=admin)
    pool.refresh_from_db()
    assert pool.published_at is not None
