"""Who sees which elder: every persona against elders of community A and community B."""

import pytest

from kangyang.accounts import scope
from kangyang.registry.models import Elder

# persona → (sees elder of A, sees elder of B, may edit A, may reveal A)
EXPECTED = {
    "admin": (True, True, True, True),
    "subdistrict": (True, False, True, True),
    "worker_a": (True, False, True, True),
    "worker_b": (False, True, False, False),
    "operator": (True, True, False, True),
    "provider": (False, False, False, False),
    "caregiver": (False, False, False, False),
    "volunteer": (False, False, False, False),
    "inspector": (False, False, False, False),
    "elder": (True, False, False, False),
    "family": (True, False, False, False),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_sees_exactly_the_elders_of_its_scope(request, persona, elder_in_a, elder_in_b):
    user = request.getfixturevalue(persona)
    sees_a, sees_b, edits_a, reveals_a = EXPECTED[persona]
    visible = set(Elder.objects.visible_to(user).values_list("pk", flat=True))
    assert (elder_in_a.pk in visible) is sees_a
    assert (elder_in_b.pk in visible) is sees_b
    assert scope.can_edit(user, elder_in_a.region_code) is edits_a
    assert scope.can_reveal(user, elder_in_a.region_code) is reveals_a


def test_an_inactive_worker_sees_nothing(worker_a, elder_in_a):
    worker_a.is_active = False
    worker_a.save()
    assert not Elder.objects.visible_to(worker_a).exists()


def test_a_staff_account_without_a_region_sees_nothing(worker_a, elder_in_a):
    worker_a.region = None
    worker_a.save()
    assert not Elder.objects.visible_to(worker_a).exists()


def test_a_community_code_prefix_does_not_leak_into_a_sibling_community(worker_a, community_a, elder_in_a):
    """360103001001 must not match 3601030010010… style neighbours: codes are fixed-length."""
    from kangyang.regions.models import Region
    from kangyang.registry.actions import create_elder

    sibling = Region.objects.create(code="360103001002", name="新洲社区", level="community", parent=community_a.parent)
    admin_user = type(worker_a).objects.create_user("tmp_admin", role="bureau_admin", region=community_a.parent.parent)
    other = create_elder(by=admin_user, name="赵大爷", id_number="360103194001010011", community=sibling)
    visible = set(Elder.objects.visible_to(worker_a).values_list("pk", flat=True))
    assert elder_in_a.pk in visible and other.pk not in visible


@pytest.mark.parametrize("persona, health", [
    ("worker_a", True), ("operator", True), ("elder", True), ("family", True), ("worker_b", False),
    ("provider", False), ("inspector", False),
])
def test_health_data_only_for_those_whose_scope_covers_the_elder(request, persona, health, elder_in_a):
    user = request.getfixturevalue(persona)
    assert scope.can_see_health(user, elder_in_a) is health


@pytest.mark.parametrize("persona, links", [
    ("admin", {"/indicators/", "/registry/elders/", "/assessment/due/", "/allowances/rolls/", "/alarms/console/", "/services/",
               "/regions/", "/organisations/", "/audit/", "/notifications/", "/indicators/wall/", "/visits/", "/institutions/", "/health/"}),
    ("worker_a", {"/indicators/", "/registry/elders/", "/assessment/due/", "/allowances/rolls/", "/alarms/console/",
                  "/services/", "/regions/", "/visits/calls/", "/visits/", "/timebank/", "/institutions/", "/health/"}),
    ("operator", {"/registry/elders/", "/alarms/console/", "/services/", "/regions/", "/notifications/",
                  "/indicators/wall/", "/visits/calls/"}),
    ("family", {"/registry/elders/"}),
    ("provider", {"/services/"}),
    ("caregiver", {"/services/route/"}),
    ("inspector", {"/institutions/"}),
])
def test_navigation_shows_each_persona_only_its_modules(client, request, persona, links):
    import re

    client.force_login(request.getfixturevalue(persona))
    page = client.get("/accounts/two-factor/").content.decode()
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page, re.S).group(1)
    assert set(re.findall(r'href="([^"]+)"', nav)) == links


def test_an_elder_or_family_account_sees_no_health_data_of_another_elder(elder, family, elder_in_b):
    assert not scope.can_see_health(elder, elder_in_b)
    assert not scope.can_see_health(family, elder_in_b)
