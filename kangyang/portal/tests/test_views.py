"""The elder's and the family's own page: their elders' orders, alarms and allowances, and
nobody else's."""

import re

import pytest

from kangyang.accounts.models import User
from kangyang.alarms.actions import raise_alarm
from kangyang.registry.actions import add_contact
from kangyang.services import actions as services
from kangyang.services.tests.conftest import local
from kangyang.allowances.models import PaymentLine


@pytest.fixture
def lives(funded_elder, elder_in_b, worker_a, worker_b, carer, catalogue, tomorrow):
    """Two elders with an order and an alarm each: 周淑英 of community A (allowances paid this
    month) and 李建国 of community B."""
    order_a = services.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                   window_start=local(tomorrow, 9))
    alarm_a, _ = raise_alarm(source="app", type="sos", elder=funded_elder, msg_id="portal-a")
    alarm_b, _ = raise_alarm(source="app", type="sos", elder=elder_in_b, msg_id="portal-b")
    return {"order_a": order_a, "alarm_a": alarm_a, "alarm_b": alarm_b,
            "payments_a": list(PaymentLine.objects.filter(elder=funded_elder))}


@pytest.fixture
def zhou(funded_elder):
    """周淑英's own account."""
    user = User.objects.create_user("zhou", password="kangyang-demo", role="elder", region=funded_elder.community)
    funded_elder.user = user
    funded_elder.save(update_fields=["user"])
    return user


@pytest.fixture
def daughter(funded_elder, elder_in_a, worker_a):
    """A daughter listed as contact of 周淑英 and of 张桂兰 (both of community A)."""
    user = User.objects.create_user("daughter", password="kangyang-demo", role="family")
    for e in (funded_elder, elder_in_a):
        add_contact(e, by=worker_a, name="周丽", relation="daughter", phone="13607916666", user=user)
    return user


def ids(page: str, kind: str) -> set[int]:
    return {int(n) for n in re.findall(rf'data-{kind}="(\d+)"', page)}


def test_the_elder_lands_on_her_own_page_with_her_orders_alarms_and_allowances(client, zhou, funded_elder, lives):
    client.force_login(zhou)
    assert client.get("/").url == "/app/"
    page = client.get("/app/").text
    assert lives["payments_a"]  # the fixture paid her allowances
    assert ids(page, "order") == {lives["order_a"].pk}
    assert ids(page, "alarm") == {lives["alarm_a"].pk}
    assert ids(page, "payment") == {p.pk for p in lives["payments_a"]}
    assert ids(page, "elder") == {funded_elder.pk}
    assert "李建国" not in page


def test_family_sees_each_elder_she_is_a_contact_of_and_no_other(client, daughter, funded_elder, elder_in_a,
                                                                  elder_in_b, lives):
    client.force_login(daughter)
    assert client.get("/").url == "/app/"
    page = client.get("/app/").text
    assert ids(page, "elder") == {funded_elder.pk, elder_in_a.pk}
    assert ids(page, "alarm") == {lives["alarm_a"].pk}
    assert ids(page, "order") == {lives["order_a"].pk}
    assert lives["alarm_b"].pk not in ids(page, "alarm") and "李建国" not in page


def test_an_elder_without_a_linked_record_sees_an_empty_page_not_someone_else_s(client, community_a, lives):
    stranger = User.objects.create_user("stranger", password="kangyang-demo", role="elder", region=community_a)
    client.force_login(stranger)
    page = client.get("/app/").text
    assert ids(page, "elder") == ids(page, "order") == ids(page, "alarm") == set()


@pytest.mark.parametrize("persona", ["worker_a", "admin", "operator", "caregiver", "provider"])
def test_staff_keep_their_landing_and_have_no_own_page(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/").url != "/app/"
    page = client.get("/app/")
    if persona == "worker_a":  # a visitor (issue 15): the app's home holds her visits card, no elder's page
        assert page.status_code == 200 and 'data-card="visits.today"' in page.text and "data-elder" not in page.text
    else:
        assert page.status_code == 403


def test_a_stranger_is_asked_to_sign_in(client, db):
    r = client.get("/app/")
    assert r.status_code == 302 and r.url.startswith("/app/login/")  # the app's own sign-in


def test_the_own_page_has_no_inline_script_or_style(client, zhou, lives):
    client.force_login(zhou)
    page = client.get("/app/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert "<style" not in page and " style=" not in page and not re.search(r"\son[a-z]+=", page)
