"""Derived categories (独居, 空巢, 孤寡 from the household), overrides, and registered vs
actual residence. The assessment-derived ones (失能, 失智) are tested where assessments are
signed: kangyang/assessment/tests/test_categories.py."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kangyang.audit.models import AuditEntry
from kangyang.registry import actions, queries
from kangyang.registry.models import Elder, HouseholdMember

M = HouseholdMember
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def details(elder) -> dict[str, dict]:
    """The elder's categories with their reasons, in English (the tests' default is zh-Hans)."""
    elder.refresh_from_db()
    with translation.override("en"):
        return {d["code"]: d for d in elder.category_details()}


# -- the must-show case: living alone ----------------------------------------------------------
def test_an_elder_living_alone_is_alone_in_lists_and_counts_with_the_reason(client, worker_a, elder_in_a):
    """elder_in_a was registered living alone (conftest)."""
    assert [e.pk for e in queries.elders_for(worker_a, category="alone")] == [elder_in_a.pk]
    assert queries.elders_for(worker_a, category="alone").count() == 1
    shown = details(elder_in_a)
    assert shown["alone"]["source"] == "household"
    assert shown["alone"]["reason"] == "lives alone per household record"
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/", **EN).text
    assert "lives alone per household record" in page


def test_moving_in_with_children_ends_alone_and_empty_nest(worker_a, elder_in_a):
    actions.update_elder(elder_in_a, by=worker_a, living_arrangement=Elder.LivingArrangement.CHILDREN)
    elder_in_a.refresh_from_db()
    assert "alone" not in elder_in_a.categories and "empty_nest" not in elder_in_a.categories
    assert queries.elders_for(worker_a, category="alone").count() == 0


# -- household members -----------------------------------------------------------------------------
def test_a_child_living_with_her_ends_empty_nest_and_alone_and_is_audited(worker_a, elder_in_a):
    assert "empty_nest" in elder_in_a.categories
    actions.add_household_member(elder_in_a, by=worker_a, relation=M.Relation.CHILD, name="王芳",
                                 residence=M.Residence.WITH_ELDER)
    shown = details(elder_in_a)
    assert "empty_nest" not in elder_in_a.categories and "alone" not in elder_in_a.categories
    assert "empty_nest" not in shown
    entry = AuditEntry.objects.get(verb="elder.member_add")
    assert entry.changes["categories"] == [["empty_nest", "alone"], []]


def test_a_child_in_the_same_community_leaves_the_nest_empty(worker_a, elder_in_a):
    actions.add_household_member(elder_in_a, by=worker_a, relation=M.Relation.CHILD,
                                 residence=M.Residence.SAME_COMMUNITY)
    shown = details(elder_in_a)
    assert shown["empty_nest"]["reason"] == "no child lives with the elder, per household record"
    assert "alone" in shown


def test_without_family_only_once_the_household_is_recorded(worker_a, elder_in_a):
    assert "without_family" not in elder_in_a.categories  # nothing recorded: not known
    actions.add_household_member(elder_in_a, by=worker_a, relation=M.Relation.SPOUSE, alive=False)
    elder_in_a.refresh_from_db()
    assert "without_family" in elder_in_a.categories
    assert details(elder_in_a)["without_family"]["reason"] == (
        "no living spouse and no living child, per household record")
    child = actions.add_household_member(elder_in_a, by=worker_a, relation=M.Relation.CHILD,
                                         residence=M.Residence.ABROAD)
    elder_in_a.refresh_from_db()
    assert "without_family" not in elder_in_a.categories
    actions.remove_household_member(child, by=worker_a)
    elder_in_a.refresh_from_db()
    assert "without_family" in elder_in_a.categories
    assert queries.elders_for(worker_a, category="without_family").count() == 1


def test_a_confirmed_empty_household_is_without_family(worker_a, elder_in_a):
    actions.confirm_household(elder_in_a, by=worker_a)
    elder_in_a.refresh_from_db()
    assert "without_family" in elder_in_a.categories and elder_in_a.household_recorded_on is not None


def test_bulk_refresh_derives_like_the_single_actions(worker_a, elder_in_a, elder_in_b):
    M.objects.create(elder=elder_in_b, region_code=elder_in_b.region_code, relation=M.Relation.SPOUSE,
                     alive=False)
    assert actions.refresh_household_categories([elder_in_a.pk, elder_in_b.pk]) == 1
    elder_in_b.refresh_from_db()
    assert "without_family" in elder_in_b.categories


# -- overrides ---------------------------------------------------------------------------------------
def test_an_override_wins_over_the_data_and_is_audited_and_shown(client, worker_a, elder_in_a):
    actions.override_category(elder_in_a, by=worker_a, category="alone", value=False,
                              reason="Her son moved back in last month")
    shown = details(elder_in_a)
    assert "alone" not in elder_in_a.categories
    assert shown["alone"]["source"] == "override" and shown["alone"]["in_force"] is False
    assert shown["alone"]["by"] == worker_a.full_name or worker_a.username
    entry = AuditEntry.objects.get(verb="elder.category_override")
    assert entry.note == "Her son moved back in last month" and entry.actor_id == worker_a.pk
    # The data change again: the override still wins.
    actions.update_elder(elder_in_a, by=worker_a, living_arrangement=Elder.LivingArrangement.ALONE,
                         categories=["alone"])
    elder_in_a.refresh_from_db()
    assert "alone" not in elder_in_a.categories
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/", **EN).text
    assert "Her son moved back in last month" in page
    # Removed: the data decide again.
    actions.remove_category_override(elder_in_a, by=worker_a, category="alone")
    elder_in_a.refresh_from_db()
    assert "alone" in elder_in_a.categories
    assert AuditEntry.objects.filter(verb="elder.category_override_removed").count() == 1


def test_an_override_needs_a_reason_and_a_derived_category(worker_a, elder_in_a):
    with pytest.raises(ValidationError):
        actions.override_category(elder_in_a, by=worker_a, category="alone", value=False, reason=" ")
    with pytest.raises(ValidationError):
        actions.override_category(elder_in_a, by=worker_a, category="low_income", value=True, reason="x y")


def test_the_page_overrides_and_adds_members(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{elder_in_a.pk}/categories/override/",
                    {"category": "empty_nest", "value": "0", "reason": "Daughter visits daily"})
    assert r.status_code == 302
    r = client.post(f"/registry/elders/{elder_in_a.pk}/members/",
                    {"relation": "child", "name": "王芳", "alive": "1", "residence": "same_city"})
    assert r.status_code == 302
    elder_in_a.refresh_from_db()
    assert "empty_nest" not in elder_in_a.categories and elder_in_a.members.count() == 1
    member = elder_in_a.members.get()
    assert client.post(f"/registry/elders/{elder_in_a.pk}/members/{member.pk}/remove/").status_code == 302
    assert not elder_in_a.members.exists()


def test_a_worker_of_another_community_cannot_change_the_household(client, worker_b, elder_in_a):
    client.force_login(worker_b)
    r = client.post(f"/registry/elders/{elder_in_a.pk}/members/", {"relation": "child", "alive": "1"})
    assert r.status_code == 404
    assert not elder_in_a.members.exists()


def test_the_edit_form_offers_only_the_manual_categories(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/edit/", **EN).text
    assert 'name="categories" value="low_income"' in page and 'name="categories" value="entitled"' in page
    assert 'name="categories" value="alone"' not in page  # decided by the household record


def test_the_api_shows_categories_with_reasons_and_the_registered_community(client, api_token, worker_a,
                                                                              elder_in_a):
    body = client.get(f"/api/v1/elders/{elder_in_a.pk}", **api_token(worker_a), **EN).json()
    by_code = {d["code"]: d for d in body["category_details"]}
    assert by_code["alone"]["source"] == "household"
    assert by_code["alone"]["reason"] == "lives alone per household record"
    assert body["registered_community"] == body["community"] == "360103001001"


# -- registered vs actual residence -------------------------------------------------------------
@pytest.fixture
def registered_in_b(worker_a, community_a, community_b):
    """Lives in community A, registered (户籍) in community B."""
    return actions.create_elder(
        by=worker_a, name="周秀兰", id_number="360103195001010024", community=community_a,
        registered_community=community_b, living_arrangement=Elder.LivingArrangement.SPOUSE,
    )


def test_the_worker_where_she_lives_sees_and_counts_her(client, worker_a, registered_in_b):
    assert registered_in_b.registered_community.code == "360103002001"
    assert registered_in_b in queries.elders_for(worker_a)
    client.force_login(worker_a)
    assert client.get(f"/registry/elders/{registered_in_b.pk}/").status_code == 200


def test_the_worker_of_her_registered_community_does_not_see_her(client, worker_b, registered_in_b):
    """Served and counted where she lives, once: the hukou community gets no access."""
    assert registered_in_b not in queries.elders_for(worker_b)
    assert queries.elders_for(worker_b, community="360103002001").count() == 0
    client.force_login(worker_b)
    assert client.get(f"/registry/elders/{registered_in_b.pk}/").status_code == 404


def test_the_api_registers_and_moves_the_registered_residence(client, api_token, worker_a, tree):
    headers = api_token(worker_a)
    r = client.post("/api/v1/elders", {"name": "赵秀英", "id_number": "360103195001010024",
                                       "community": "360103001001", "registered_community": "360103002001"},
                    content_type="application/json", **headers)
    assert r.status_code == 201, r.content
    assert r.json()["registered_community"] == "360103002001"
    r = client.patch(f"/api/v1/elders/{r.json()['id']}", {"registered_community": "360103001001"},
                     content_type="application/json", **headers)
    assert r.json()["registered_community"] == "360103001001"
    r = client.patch(f"/api/v1/elders/{r.json()['id']}", {"registered_community": "360103009009"},
                     content_type="application/json", **headers)
    assert r.status_code == 422 and "registered_community" in r.json()["error"]["fields"]
