"""The plan, overdue, rate and profile pages through the test client: every page for the
planning staff, 404 outside their area, 403 for other roles, the forms' steps."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.visits.actions import ensure_default_tiers, make_monthly_plan, refresh_profiles
from kangyang.visits.models import Pairing, VisitDue, VisitProfile
from kangyang.visits.tests.plan_helpers import at, make_elder, visit


@pytest.fixture
def planned(tree, community_a, community_b, worker_a, worker_b, volunteer):
    ensure_default_tiers()
    a = make_elder(community_a, name="王秀英", categories=["disabled"])
    b = make_elder(community_b, name="赵德明", categories=["disabled"])
    refresh_profiles()
    month = timezone.localdate().replace(day=1)
    make_monthly_plan(month, now=timezone.now() - dt.timedelta(days=40))
    return {"a": a, "b": b, "month": month, "due_a": VisitDue.objects.get(elder=a),
            "due_b": VisitDue.objects.get(elder=b)}


def test_the_worker_sees_her_communitys_plan(client, worker_a, planned):
    client.force_login(worker_a)
    r = client.get("/visits/")
    assert r.status_code == 200
    assert "王秀英" in r.text and "赵德明" not in r.text
    assert "button main" in r.text  # make the plan


def test_the_plan_is_in_the_staff_navigation(client, worker_a, planned):
    client.force_login(worker_a)
    assert 'href="/visits/"' in client.get("/registry/elders/").text


def test_the_subdistrict_officer_sees_her_subdistrict_only(client, subdistrict, planned, community_b):
    client.force_login(subdistrict)
    r = client.get("/visits/")
    assert "王秀英" in r.text and "赵德明" not in r.text
    assert client.get(f"/visits/?region={community_b.code}").status_code == 404


def test_worker_b_gets_404_for_community_as_pages(client, worker_b, planned, community_a):
    client.force_login(worker_b)
    assert client.get(f"/visits/?region={community_a.code}").status_code == 404
    assert client.get(f"/visits/rate/?region={community_a.code}").status_code == 404
    assert client.get(f"/visits/rate/unvisited/?region={community_a.code}").status_code == 404
    assert client.get(f"/visits/elders/{planned['a'].pk}/").status_code == 404
    due = planned["due_a"]
    r = client.post(f"/visits/due/{due.pk}/cancel/", {"note": "x"})
    assert r.status_code == 404
    due.refresh_from_db()
    assert due.status == "open"


@pytest.mark.parametrize("persona", ["operator", "provider", "caregiver", "volunteer", "elder", "family", "inspector"])
def test_other_roles_are_refused(client, request, planned, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/visits/").status_code == 403
    assert client.get("/visits/rate/").status_code == 403


def test_hostile_page_parameters_fall_back_to_the_own_area(client, worker_a, planned):
    client.force_login(worker_a)
    for query in ("month=2026-13", "month=99999-01", "region=abc", "page=-1", "status=bogus", "region=999999999999"):
        assert client.get(f"/visits/?{query}").status_code == 200, query
        assert client.get(f"/visits/rate/?{query}").status_code == 200, query
    assert client.get("/visits/?month=%00").status_code == 400  # the project's NUL guard, not a 500


def test_the_worker_assigns_a_visit_to_the_volunteer(client, worker_a, volunteer, planned):
    client.force_login(worker_a)
    due = planned["due_a"]
    r = client.post(f"/visits/due/{due.pk}/assign/", {"visitor": volunteer.pk, "next": "/visits/"})
    assert r.status_code == 302 and r["Location"] == "/visits/"
    due.refresh_from_db()
    assert due.visitor == volunteer and due.proposed_visitor is not None
    assert AuditEntry.objects.filter(verb="visit_due.assign", target_id=str(due.pk)).exists()


def test_the_worker_cannot_assign_worker_b(client, worker_a, worker_b, planned):
    client.force_login(worker_a)
    due = planned["due_a"]
    client.post(f"/visits/due/{due.pk}/assign/", {"visitor": worker_b.pk})
    due.refresh_from_db()
    assert due.visitor_id != worker_b.pk


def test_the_worker_cancels_a_visit_with_a_note(client, worker_a, planned):
    client.force_login(worker_a)
    due = planned["due_a"]
    client.post(f"/visits/due/{due.pk}/cancel/", {"note": ""})
    due.refresh_from_db()
    assert due.status == "open"
    client.post(f"/visits/due/{due.pk}/cancel/", {"note": "在医院住院整月"})
    due.refresh_from_db()
    assert due.status == "cancelled" and due.note == "在医院住院整月"


def test_an_offsite_next_is_not_followed(client, worker_a, planned):
    client.force_login(worker_a)
    r = client.post(f"/visits/due/{planned['due_a'].pk}/cancel/", {"note": "x", "next": "https://evil.example/"})
    assert r["Location"] == "/visits/"


def test_the_make_the_plan_button_adds_nothing_twice(client, worker_a, planned, community_a):
    client.force_login(worker_a)
    before = VisitDue.objects.count()
    month = planned["month"].strftime("%Y-%m")
    r = client.post("/visits/plan/make/", {"region": community_a.code, "month": month})
    assert r.status_code == 302
    assert VisitDue.objects.count() == before


def test_worker_b_cannot_make_community_as_plan(client, worker_b, planned, community_a):
    client.force_login(worker_b)
    r = client.post("/visits/plan/make/", {"region": community_a.code, "month": "2026-12"})
    assert r.status_code in (302, 403)
    assert not VisitDue.objects.filter(month=dt.date(2026, 12, 1), elder=planned["a"]).exclude(
        pk=planned["due_a"].pk).exists()


def test_the_rate_page_drills_down_to_the_unvisited(client, admin, worker_a, planned, tree, community_a):
    visit(planned["b"], worker_a, when=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(admin)
    month = planned["month"].strftime("%Y-%m")
    r = client.get(f"/visits/rate/?region={tree.code}&month={month}")
    assert r.status_code == 200
    assert "50.0%" in r.text or "50%" in r.text
    r = client.get(f"/visits/rate/unvisited/?region={tree.code}&month={month}")
    assert "王秀英" in r.text and "赵德明" not in r.text


def test_the_overdue_page(client, worker_a, planned):
    VisitDue.objects.filter(pk=planned["due_a"].pk).update(due_by=at(2026, 1, 31, 23, 59))
    client.force_login(worker_a)
    r = client.get("/visits/overdue/")
    assert r.status_code == 200 and "王秀英" in r.text


def test_the_profile_shows_the_tier_and_why(client, worker_a, planned):
    client.force_login(worker_a)
    r = client.get(f"/visits/elders/{planned['a'].pk}/")
    assert r.status_code == 200
    assert "data-tier" in r.text


def test_the_worker_sets_a_tier_by_hand_with_a_reason(client, worker_a, planned):
    from kangyang.visits.models import Tier

    client.force_login(worker_a)
    high = Tier.objects.get(code="high_risk")
    url = f"/visits/elders/{planned['a'].pk}/tier/"
    client.post(url, {"tier": high.pk, "reason": ""})
    assert VisitProfile.objects.get(elder=planned["a"]).tier.code == "key"
    client.post(url, {"tier": high.pk, "reason": "刚出院，独自在家"})
    profile = VisitProfile.objects.get(elder=planned["a"])
    assert profile.tier == high and profile.override_reason == "刚出院，独自在家"
    client.post(url, {"tier": "", "reason": "已恢复"})
    assert VisitProfile.objects.get(elder=planned["a"]).tier.code == "key"


def test_the_worker_pairs_the_volunteer_and_ends_it(client, worker_a, volunteer, planned, today):
    client.force_login(worker_a)
    client.post(f"/visits/elders/{planned['a'].pk}/pairings/",
                {"helper": volunteer.pk, "kind": "volunteer", "started_on": today.isoformat()})
    pairing = Pairing.objects.get(elder=planned["a"])
    assert pairing.helper == volunteer
    assert "data-pairing" in client.get(f"/visits/elders/{planned['a'].pk}/").text
    client.post(f"/visits/pairings/{pairing.pk}/end/", {"ended_on": today.isoformat()})
    pairing.refresh_from_db()
    assert pairing.ended_on == today
