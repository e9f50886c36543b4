"""The "who may" rules of services, allowances and alarms, as scope.py names them (issue 11
moved them there from the apps): each persona against each rule, for a record of community A."""

import pytest

from kangyang.accounts import scope

A = "360103001001"  # community A (conftest.py)
PERSONAS = ["admin", "subdistrict", "worker_a", "worker_b", "operator", "provider", "caregiver",
            "volunteer", "inspector", "elder", "family"]

# rule → the personas for whom it holds (about a record of community A, where it takes one)
RULES = {
    "has_own_page": {"elder", "family"},
    "may_order": {"worker_a", "worker_b", "operator", "elder", "family"},
    "supervises_services_of": {"admin", "subdistrict"},
    "hotline_of": {"operator"},
    "may_follow_up_complaints": {"admin", "subdistrict", "operator", "provider"},
    "bureau_of": {"admin"},
    "bureau_admin_of": {"admin"},
    "can_register_providers": {"admin"},
    "allowance_role": {"admin", "subdistrict", "worker_a", "worker_b"},
    "handles_alarms_of": {"admin", "operator"},
    "edits_devices_of": {"admin", "subdistrict", "worker_a"},
}
TAKES_A_REGION = {"supervises_services_of", "hotline_of", "bureau_of", "bureau_admin_of",
                  "handles_alarms_of", "edits_devices_of"}


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_holds_for_exactly_its_personas(request, rule):
    check = getattr(scope, rule)
    holds = set()
    for name in PERSONAS:
        user = request.getfixturevalue(name)
        if check(user, A) if rule in TAKES_A_REGION else check(user):
            holds.add(name)
    assert holds == RULES[rule]


def test_the_desk_takes_orders_for_others_and_the_elder_and_family_order_in_the_app():
    assert scope.DESK_ROLES == scope.ORDERER_ROLES - scope.PERSONAL_ROLES == {
        scope.R.HOTLINE_OPERATOR, scope.R.COMMUNITY_WORKER}
