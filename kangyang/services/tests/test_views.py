"""Every home-service page and form, through the test client: the provider's back office
(board, order page, caregivers, routes, flags, settlement, complaints), the caregiver's
phone page and ordering by phone. Those allowed see and act; everyone else gets 404 (a
record outside their scope) or 403 (a role with no business there) and never sees the
elder. The allowed and the refused tests share their setup (the fixtures below)."""

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kangyang.accounts.models import Organisation, User
from kangyang.audit.models import AuditEntry
from kangyang.registry.actions import update_elder
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.forms import previous_month
from kangyang.services.models import Caregiver, Complaint, Order, Provider, RoutePlan, ServiceVisit, Settlement, Skill
from kangyang.services.tests.conftest import HOME, local, metres_north

S = Order.Status
HTMX = {"HTTP_HX_REQUEST": "true"}
NEAR = metres_north(HOME, 20)
FAR = metres_north(HOME, 2000)


def text(response) -> str:
    return response.content.decode()


def section(page: str, group: str) -> str:
    """The HTML of one column of the board."""
    match = re.search(rf'data-group="{group}"(.*?)(?=data-group=|\Z)', page, re.S)
    return match.group(1) if match else ""


# -- setup shared by the allowed and the refused --------------------------------------------
@pytest.fixture
def order(worker_a, funded_elder, catalogue, carer, tomorrow):
    """Cleaning for community A's elder tomorrow 09:00–11:00 (flexible), dispatched to the
    `caregiver` persona's profile: ¥40, the voucher pays ¥20, the allowance ¥20."""
    return actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                               window_start=local(tomorrow, 9), window_end=local(tomorrow, 11), flexible=True)


@pytest.fixture
def other_manager(community_b):
    """The manager of another provider (serving subdistrict 2): sees nothing of the first."""
    org = Organisation.objects.create(name="阳光助老服务中心", kind="provider", region=community_b.parent)
    actions.register_provider(by=None, organisation=org, areas=[community_b.parent], lat=28.64, lng=115.86)
    return User.objects.create_user("other_provider", password="kangyang-demo", role="provider_manager",
                                    organisation=org, full_name="别家经理")


@pytest.fixture
def other_caregiver(other_manager):
    """A caregiver of that other provider, with a profile."""
    user = User.objects.create_user("other_caregiver", password="kangyang-demo", role="caregiver",
                                    organisation=other_manager.organisation, full_name="别家护理员")
    provider = Provider.objects.get(organisation=other_manager.organisation)
    actions.add_caregiver(provider, by=None, name="别家护理员", skills=[Skill.MEALS], user=user)
    return user


@pytest.fixture
def todays(worker_a, funded_elder, catalogue, carer, today):
    """Two orders of today with the caregiver, a meal from 09:00 (any time until late in the
    day, so that a check-in now is never after its window) and cleaning at 14:00, placed
    early in the day or at least three hours ago (so the test runs the same at any hour)."""
    early = min(timezone.now() - dt.timedelta(hours=3), local(today, 6))
    meal = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"], flexible=True,
                               window_start=local(today, 9), window_end=local(today, 23, 50), now=early)
    cleaning = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                   window_start=local(today, 14), now=early)
    assert meal.caregiver == carer and cleaning.caregiver == carer
    return meal, cleaning


@pytest.fixture
def flagged(order, caregiver, tomorrow):
    """The order's visit, checked in 2 km from the elder's home: held back for review."""
    actions.accept_order(order, by=caregiver)
    actions.check_in(order, by=caregiver, fix=Fix(*FAR, accuracy_m=10), now=local(tomorrow, 9, 5))
    service_visit = actions.check_out(Order.objects.get(pk=order.pk), by=caregiver, fix=Fix(*HOME, accuracy_m=10),
                              now=local(tomorrow, 10, 5))
    assert service_visit.review == ServiceVisit.Review.PENDING
    return service_visit


def _deliver(order, caregiver, *, day, hour):
    actions.accept_order(order, by=caregiver, now=local(day, hour - 1))
    actions.check_in(order, by=caregiver, fix=Fix(*NEAR, accuracy_m=10), now=local(day, hour))
    return actions.check_out(Order.objects.get(pk=order.pk), by=caregiver, fix=Fix(*NEAR, accuracy_m=10),
                             now=local(day, hour + 1, 5))


@pytest.fixture
def last_months_visit(worker_a, operator, caregiver, funded_elder, catalogue, carer, today):
    """Cleaning delivered and confirmed on the 10th of last month: ready to be settled."""
    day = previous_month(today) + dt.timedelta(days=9)
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                window_start=local(day, 9), now=local(day, 6))
    _deliver(order, caregiver, day=day, hour=9)
    return actions.confirm_order(Order.objects.get(pk=order.pk), by=operator, rating=5, now=local(day, 12))


@pytest.fixture
def complaint(order, worker_a):
    return actions.file_complaint(order, by=worker_a, text="上次来晚了一小时")


# -- where each role lands -------------------------------------------------------------------
@pytest.mark.parametrize("persona, lands_on", [
    ("caregiver", "/app/route/"), ("provider", "/services/board/"), ("worker_a", "/registry/elders/"),
])
def test_the_home_page_sends_each_role_to_its_first_page(client, request, persona, lands_on):
    client.force_login(request.getfixturevalue(persona))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == lands_on


@pytest.mark.parametrize("persona, lands_on", [
    ("operator", "/services/phone/"), ("worker_a", "/services/phone/"), ("admin", "/services/board/"),
    ("subdistrict", "/services/board/"), ("provider", "/services/board/"), ("caregiver", "/services/route/"),
])
def test_the_home_services_entry_opens_each_roles_page(client, request, persona, lands_on):
    client.force_login(request.getfixturevalue(persona))
    r = client.get("/services/")
    assert r.status_code == 302 and r["Location"] == lands_on


@pytest.mark.parametrize("persona", ["inspector", "volunteer", "family", "elder"])
def test_roles_without_business_in_home_services_get_403_at_its_entry(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/services/").status_code == 403


# -- the board -------------------------------------------------------------------------------
def test_the_manager_sees_tomorrows_order_on_the_board_under_dispatched(client, provider, order, tomorrow, funded_elder):
    client.force_login(provider)
    page = text(client.get("/services/board/", {"day": tomorrow.isoformat()}))
    dispatched = section(page, "dispatched")
    assert f'data-order="{order.pk}"' in dispatched and funded_elder.name in dispatched
    assert "熊秀梅" in dispatched and "09:00–11:00" in dispatched
    assert f'data-order="{order.pk}"' not in section(page, "new")
    assert "data-assign" in dispatched  # the manager may reassign


def test_the_board_shows_today_by_default_and_filters_by_status_and_caregiver(
    client, provider, order, tomorrow, funded_elder, carer, far_carer,
):
    client.force_login(provider)
    assert funded_elder.name not in text(client.get("/services/board/"))  # today has no orders
    day = tomorrow.isoformat()
    assert funded_elder.name not in text(client.get("/services/board/", {"day": day, "status": "new"}))
    assert funded_elder.name in text(client.get("/services/board/", {"day": day, "status": "dispatched"}))
    assert funded_elder.name in text(client.get("/services/board/", {"day": day, "caregiver": carer.pk}))
    assert funded_elder.name not in text(client.get("/services/board/", {"day": day, "caregiver": far_carer.pk}))
    assert funded_elder.name not in text(client.get("/services/board/", {"day": day, "caregiver": "none"}))
    fragment = client.get("/services/board/", {"day": day}, **HTMX)
    assert "<html" not in text(fragment) and funded_elder.name in text(fragment)


def test_the_manager_reassigns_an_order_to_another_qualified_caregiver(client, provider, order, far_carer, tomorrow):
    client.force_login(provider)
    r = client.post(f"/services/orders/{order.pk}/assign/", {
        "caregiver": far_carer.pk, "from": "board", "day": tomorrow.isoformat()}, **HTMX)
    assert r.status_code == 200 and "flash ok" in text(r) and "万丽" in section(text(r), "dispatched")
    order.refresh_from_db()
    assert order.caregiver == far_carer and order.status == S.DISPATCHED


def test_assigning_an_unqualified_caregiver_is_refused_with_the_reason(client, provider, order, home_provider, tomorrow):
    cook = actions.add_caregiver(home_provider, by=provider, name="只会助餐", skills=[Skill.MEALS])
    client.force_login(provider)
    r = client.post(f"/services/orders/{order.pk}/assign/", {
        "caregiver": cook.pk, "from": "board", "day": tomorrow.isoformat()}, **HTMX)
    assert "flash refused" in text(r) and "只会助餐" in text(r)
    order.refresh_from_db()
    assert order.caregiver.name == "熊秀梅"


def test_a_plain_assign_redirects_to_the_board_of_that_day(client, provider, order, far_carer, tomorrow):
    client.force_login(provider)
    r = client.post(f"/services/orders/{order.pk}/assign/", {
        "caregiver": far_carer.pk, "from": "board", "day": tomorrow.isoformat()})
    assert r.status_code == 302 and r["Location"].startswith("/services/board/?")
    assert f"day={tomorrow.isoformat()}" in r["Location"]
    page = text(client.get(r["Location"]))
    assert "万丽" in page and 'class="messages"' in page


def test_the_manager_cancels_an_order_with_a_reason_and_the_shares_go_back(client, provider, order, tomorrow):
    client.force_login(provider)
    refused = client.post(f"/services/orders/{order.pk}/cancel/", {"from": "board", "day": tomorrow.isoformat()}, **HTMX)
    assert "flash refused" in text(refused)
    assert Order.objects.get(pk=order.pk).status == S.DISPATCHED
    r = client.post(f"/services/orders/{order.pk}/cancel/", {
        "reason": "老人住院", "from": "board", "day": tomorrow.isoformat()}, **HTMX)
    assert f'data-order="{order.pk}"' in section(text(r), "closed")
    order.refresh_from_db()
    assert order.status == S.CANCELLED and order.cancel_reason == "老人住院"


@pytest.mark.parametrize("persona", ["subdistrict", "admin"])
def test_a_supervisor_reads_the_board_of_their_area_without_dispatching(client, request, persona, order, tomorrow, funded_elder, home_provider):
    client.force_login(request.getfixturevalue(persona))
    page = text(client.get("/services/board/", {"day": tomorrow.isoformat(), "provider": home_provider.pk}))
    assert funded_elder.name in page and "data-assign" not in page
    r = client.post(f"/services/orders/{order.pk}/assign/", {"caregiver": order.caregiver_id, "from": "board"})
    assert r.status_code == 403


def test_worker_b_and_another_provider_see_nothing_of_the_board(client, worker_b, other_manager, order, tomorrow, funded_elder, far_carer):
    client.force_login(worker_b)
    assert client.get("/services/board/", {"day": tomorrow.isoformat()}).status_code == 403
    assert client.post(f"/services/orders/{order.pk}/assign/", {"caregiver": far_carer.pk}).status_code == 404
    assert client.post(f"/services/orders/{order.pk}/cancel/", {"reason": "不要了"}).status_code == 404
    client.force_login(other_manager)
    r = client.get("/services/board/", {"day": tomorrow.isoformat()})
    assert r.status_code == 200 and funded_elder.name not in text(r) and "阳光助老服务中心" in text(r)
    assert client.post(f"/services/orders/{order.pk}/assign/", {"caregiver": far_carer.pk}).status_code == 404
    assert Order.objects.get(pk=order.pk).caregiver.name == "熊秀梅"


def test_a_supervisor_cannot_pick_a_provider_outside_their_area(client, subdistrict, other_manager, order):
    other = Provider.objects.get(organisation=other_manager.organisation)
    client.force_login(subdistrict)
    assert client.get("/services/board/", {"provider": other.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["caregiver", "operator", "inspector"])
def test_roles_outside_the_back_office_get_403_on_its_pages(client, request, persona, order):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/services/board/", "/services/caregivers/", "/services/routes/", "/services/flags/",
                "/services/settlement/"):
        assert client.get(url).status_code == 403, url


# -- an order's page -------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["provider", "caregiver", "worker_a", "subdistrict", "admin", "operator", "family", "elder"])
def test_those_who_may_see_the_order_see_its_status_split_and_timeline(client, request, persona, order, funded_elder, elder, family):
    client.force_login(request.getfixturevalue(persona))
    if persona in ("family", "elder"):  # their own elder's order
        order = actions.place_order(by=family, elder=elder.elder, item=order.item,
                                    window_start=order.window_start + dt.timedelta(hours=3))
    r = client.get(f"/services/orders/{order.pk}/")
    page = text(r)
    assert r.status_code == 200 and order.elder.name in page
    assert f'data-status="{order.status}"' in page
    assert f'data-split="price">¥{order.price}' in page and f'data-split="own">¥{order.self_amount}' in page
    assert 'data-event="created"' in page and 'data-event="dispatched"' in page


@pytest.mark.parametrize("persona", ["worker_b", "other_manager", "other_caregiver", "inspector", "volunteer"])
def test_others_get_404_for_the_order_and_never_see_the_elder(client, request, persona, order, funded_elder):
    client.force_login(request.getfixturevalue(persona))
    r = client.get(f"/services/orders/{order.pk}/")
    assert r.status_code == 404 and funded_elder.name not in text(r)
    for step in ("cancel", "confirm", "complaint"):
        assert client.post(f"/services/orders/{order.pk}/{step}/", {"reason": "x", "text": "x"}).status_code == 404


def test_the_order_page_shows_the_visit_with_distances_and_flags(client, provider, flagged):
    client.force_login(provider)
    page = text(client.get(f"/services/orders/{flagged.order_id}/"))
    assert 'data-flag="far_check_in"' in page and "2000" in page
    assert 'data-review="pending"' in page and 'name="decision"' in page


def test_a_manager_reviews_a_flagged_visit_from_the_order_page(client, provider, flagged):
    client.force_login(provider)
    r = client.post(f"/services/visits/{flagged.pk}/review/", {"decision": "accept", "note": "电话核实，已上门",
                                                                "from": "detail"}, **HTMX)
    assert 'id="order-detail"' in text(r) and 'data-review="accepted"' in text(r)


# -- caregivers ------------------------------------------------------------------------------
def test_the_manager_sees_caregivers_with_skills_masked_phone_shifts_and_todays_load(client, provider, carer, todays):
    client.force_login(provider)
    page = text(client.get("/services/caregivers/"))
    row = re.search(rf'data-caregiver="{carer.pk}".*?</tr>', page, re.S).group(0)
    assert "熊秀梅" in row and "139****2345" in row and "13979112345" not in page
    assert "07:00–20:00" in row
    load = re.search(r"data-load>(.*?)</td>", row, re.S).group(1)
    assert "2" in load and "70" in load  # a 10-minute meal and an hour of cleaning


def test_the_manager_adds_a_caregiver_with_skills_and_shifts(client, provider, home_provider):
    client.force_login(provider)
    r = client.post("/services/caregivers/new/", {
        "name": "刘芳", "phone": "13612345678", "level": "4", "skills": ["meals", "cleaning"],
        "home_lat": "28.67", "home_lng": "115.9", "from_1": "08:00", "until_1": "12:00", "from_3": "13:00", "until_3": "18:00",
    })
    assert r.status_code == 302 and r["Location"] == "/services/caregivers/"
    c = Caregiver.objects.get(name="刘芳")
    assert c.provider == home_provider and set(c.skills) == {"meals", "cleaning"} and c.level == 4
    assert c.phone_masked == "136****5678"
    assert {(s.weekday, s.starts_at, s.ends_at) for s in c.shifts.all()} == {
        (1, dt.time(8), dt.time(12)), (3, dt.time(13), dt.time(18))}
    assert AuditEntry.objects.filter(verb="caregiver.create", target_id=str(c.pk)).exists()


def test_a_shift_that_ends_before_it_starts_is_refused_and_nothing_is_added(client, provider, home_provider):
    client.force_login(provider)
    r = client.post("/services/caregivers/new/", {"name": "刘芳", "skills": ["meals"], "from_2": "18:00", "until_2": "08:00"})
    assert r.status_code == 200 and "errorlist" in text(r)
    assert not Caregiver.objects.filter(name="刘芳").exists()


def test_the_manager_changes_a_caregivers_skills_and_week(client, provider, carer):
    client.force_login(provider)
    assert "熊秀梅" in text(client.get(f"/services/caregivers/{carer.pk}/"))
    r = client.post(f"/services/caregivers/{carer.pk}/", {
        "skills": ["bathing"], "level": "3", "active": "on", "from_6": "09:00", "until_6": "15:00"})
    assert r.status_code == 302
    carer.refresh_from_db()
    assert carer.skills == ["bathing"] and carer.level == 3 and carer.active
    assert [(s.weekday, s.starts_at) for s in carer.shifts.all()] == [(6, dt.time(9))]


def test_a_subdistrict_officer_reads_the_caregivers_but_does_not_edit_them(client, subdistrict, carer, home_provider):
    client.force_login(subdistrict)
    page = text(client.get("/services/caregivers/", {"provider": home_provider.pk}))
    assert "熊秀梅" in page and "/services/caregivers/new/" not in page
    assert client.get("/services/caregivers/new/", {"provider": home_provider.pk}).status_code == 403
    assert client.post(f"/services/caregivers/{carer.pk}/", {"skills": ["meals"]}).status_code == 403
    assert Caregiver.objects.get(pk=carer.pk).skills == carer.skills


def test_another_provider_neither_sees_nor_edits_the_caregivers(client, other_manager, carer):
    client.force_login(other_manager)
    assert "熊秀梅" not in text(client.get("/services/caregivers/"))
    assert client.get(f"/services/caregivers/{carer.pk}/").status_code == 404
    assert client.post(f"/services/caregivers/{carer.pk}/", {"skills": ["meals"]}).status_code == 404


# -- routes ----------------------------------------------------------------------------------
def test_the_manager_plans_the_day_and_sees_each_route_on_the_map(settings, client, provider, order, tomorrow, funded_elder,
                                                                  django_capture_on_commit_callbacks):
    settings.ROUTE_SECONDS = 0.5
    client.force_login(provider)
    before = text(client.get("/services/routes/", {"day": tomorrow.isoformat()}))
    assert "data-unplanned" in before and "data-plan" in before
    assert f'name="day" value="{tomorrow.isoformat()}"' in before
    with django_capture_on_commit_callbacks(execute=True):  # the task runs after the request's commit
        r = client.post("/services/routes/plan/", {"day": tomorrow.isoformat()}, **HTMX)
        waiting = text(r)
        assert not RoutePlan.objects.exists()  # not planned inside the request…
    # …the page polls the run's progress meanwhile, with no script of its own (CSP)
    assert 'data-run-status="queued"' in waiting and 'hx-trigger="every 1s"' in waiting and "<progress" in waiting
    assert "<script" not in waiting and "data-plan>" not in waiting  # no second request while one waits
    page = text(client.get("/services/routes/", {"day": tomorrow.isoformat()}, **HTMX))
    assert "data-run-status" not in page and "hx-trigger" not in page  # done: polling stops
    plan = RoutePlan.objects.get(provider=order.provider, day=tomorrow)
    assert plan.planned_by == provider and plan.stops.filter(order=order).exists()
    # The route drawn by the shared map component (static/js/map.js) from its JSON: one line
    # from the home base through the stop and back, the stop numbered.
    assert 'data-routes="1"' in page and 'data-map-config="route-map-config"' in page
    config = json.loads(re.search(r'<script id="route-map-config" type="application/json">(.*?)</script>', page).group(1))
    assert len(config["lines"]) == 1 and len(config["lines"][0]["path"]) == 3
    assert [p["label"] for p in config["points"] if p["symbol"] == "circle"] == [1]
    assert config["tiles"] is None  # no tile server configured: a plain background
    assert f'data-stop="{order.pk}"' in page and funded_elder.name in page and "熊秀梅" in page
    assert "flash ok" in waiting


def test_planning_a_day_that_has_passed_is_refused(client, provider, home_provider, today):
    client.force_login(provider)
    r = client.post("/services/routes/plan/", {"day": (today - dt.timedelta(days=1)).isoformat()}, **HTMX)
    assert "flash refused" in text(r) and not RoutePlan.objects.exists()


def test_a_plain_plan_redirects_to_the_routes_of_that_day(settings, client, subdistrict, order, tomorrow, home_provider,
                                                         django_capture_on_commit_callbacks):
    settings.ROUTE_SECONDS = 0.5
    client.force_login(subdistrict)  # supervisors may plan their area's providers too
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/services/routes/plan/", {"day": tomorrow.isoformat(), "provider": home_provider.pk})
    assert r.status_code == 302 and f"day={tomorrow.isoformat()}" in r["Location"]
    assert RoutePlan.objects.filter(provider=home_provider, day=tomorrow).exists()


def test_another_provider_sees_none_of_the_routes(settings, client, provider, other_manager, order, tomorrow, funded_elder):
    settings.ROUTE_SECONDS = 0.5
    actions.plan_routes(order.provider, day=tomorrow, by=provider, seconds=0.5)
    client.force_login(other_manager)
    page = text(client.get("/services/routes/", {"day": tomorrow.isoformat()}))
    assert funded_elder.name not in page and "熊秀梅" not in page


# -- flags -----------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["provider", "subdistrict"])
def test_the_flagged_visit_waits_for_review_with_its_reasons(client, request, persona, flagged, funded_elder, home_provider):
    client.force_login(request.getfixturevalue(persona))
    page = text(client.get("/services/flags/", {"provider": home_provider.pk} if persona == "subdistrict" else {}))
    assert f'data-visit="{flagged.pk}"' in page and funded_elder.name in page
    assert 'data-flag="far_check_in"' in page and "2000" in page


def test_accepting_a_flagged_visit_takes_it_off_the_list(client, provider, flagged):
    client.force_login(provider)
    r = client.post(f"/services/visits/{flagged.pk}/review/", {"decision": "accept", "note": "电话核实，已上门",
                                                                "from": "flags"}, **HTMX)
    assert "data-empty" in text(r) and "flash ok" in text(r)
    flagged.refresh_from_db()
    assert flagged.review == ServiceVisit.Review.ACCEPTED and flagged.reviewed_by == provider


def test_rejecting_needs_a_note_and_voids_the_order(client, subdistrict, flagged, home_provider):
    client.force_login(subdistrict)
    refused = client.post(f"/services/visits/{flagged.pk}/review/", {
        "decision": "reject", "from": "flags", "provider": home_provider.pk}, **HTMX)
    assert "flash refused" in text(refused)
    assert ServiceVisit.objects.get(pk=flagged.pk).review == ServiceVisit.Review.PENDING
    r = client.post(f"/services/visits/{flagged.pk}/review/", {
        "decision": "reject", "note": "老人说没人来过", "from": "flags", "provider": home_provider.pk})
    assert r.status_code == 302
    assert Order.objects.get(pk=flagged.order_id).status == S.CANCELLED


def test_others_neither_see_nor_review_the_flagged_visit(client, worker_b, other_manager, caregiver, flagged, funded_elder):
    client.force_login(worker_b)
    assert client.get("/services/flags/").status_code == 403
    assert client.post(f"/services/visits/{flagged.pk}/review/", {"decision": "accept", "note": "好的"}).status_code == 404
    client.force_login(other_manager)
    assert funded_elder.name not in text(client.get("/services/flags/"))
    assert client.post(f"/services/visits/{flagged.pk}/review/", {"decision": "accept", "note": "好的"}).status_code == 404
    client.force_login(caregiver)  # the caregiver sees their visit, but does not review it
    assert client.post(f"/services/visits/{flagged.pk}/review/", {"decision": "accept", "note": "好的"}).status_code == 403
    assert ServiceVisit.objects.get(pk=flagged.pk).review == ServiceVisit.Review.PENDING


# -- settlement ------------------------------------------------------------------------------
def test_the_manager_previews_last_month_issues_it_and_it_reconciles(client, provider, last_months_visit, funded_elder, today):
    month = f"{previous_month(today):%Y-%m}"
    client.force_login(provider)
    page = text(client.get("/services/settlement/"))  # last month by default
    assert f'data-month="{month}"' in page and funded_elder.name in page and "data-total>¥40.00" in page
    assert "data-issue" in page
    r = client.post("/services/settlement/issue/", {"month": month}, **HTMX)
    issued = Settlement.objects.get(provider=last_months_visit.provider)
    assert issued.order_count == 1 and issued.total == Decimal("40.00")
    assert 'data-reconciles="yes"' in text(r) and "data-download" in text(r) and "data-issue" not in text(r)
    assert Order.objects.get(pk=last_months_visit.pk).status == S.SETTLED
    xlsx = client.get(f"/services/settlements/{issued.pk}/statement.xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    wb = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    cells = [v for row in wb.worksheets[0].iter_rows(values_only=True) for v in row]
    assert funded_elder.name in cells and Decimal("40.00") in [Decimal(str(v)) for v in cells if isinstance(v, (int, float))]
    assert AuditEntry.objects.filter(verb="settlement.export", target_id=str(issued.pk)).exists()


def test_a_month_that_has_not_ended_is_not_issued(client, provider, home_provider, today):
    client.force_login(provider)
    month = f"{today:%Y-%m}"
    assert "data-issue" not in text(client.get("/services/settlement/", {"month": month}))
    r = client.post("/services/settlement/issue/", {"month": month}, **HTMX)
    assert "flash refused" in text(r) and not Settlement.objects.exists()


def test_held_back_visits_are_listed_not_paid(client, provider, flagged, operator, tomorrow):
    actions.confirm_order(Order.objects.get(pk=flagged.order_id), by=operator, rating=4, now=local(tomorrow, 12))
    client.force_login(provider)
    page = text(client.get("/services/settlement/", {"month": f"{tomorrow:%Y-%m}"}))
    held = page.split('id="held-title"')[1]
    assert f'data-order="{flagged.order_id}"' in held
    assert "data-total>¥0.00" in page


def test_a_subdistrict_officer_reads_the_statement_but_neither_issues_nor_downloads(client, subdistrict, provider, last_months_visit, home_provider, today):
    month = previous_month(today)
    client.force_login(subdistrict)
    page = text(client.get("/services/settlement/", {"provider": home_provider.pk, "month": f"{month:%Y-%m}"}))
    assert "data-total>¥40.00" in page and "data-issue" not in page
    assert client.post("/services/settlement/issue/", {"provider": home_provider.pk, "month": f"{month:%Y-%m}"}).status_code == 403
    issued = actions.issue_settlement(home_provider, month=month, by=provider)
    assert client.get(f"/services/settlements/{issued.pk}/statement.xlsx").status_code == 403


def test_others_see_no_statement_of_the_provider(client, worker_b, caregiver, other_manager, provider, last_months_visit, home_provider, today, funded_elder):
    issued = actions.issue_settlement(home_provider, month=previous_month(today), by=provider)
    for user in (worker_b, caregiver):
        client.force_login(user)
        assert client.get("/services/settlement/").status_code == 403
        assert client.get(f"/services/settlements/{issued.pk}/statement.xlsx").status_code == 404
    client.force_login(other_manager)
    assert funded_elder.name not in text(client.get("/services/settlement/"))
    assert client.get(f"/services/settlements/{issued.pk}/statement.xlsx").status_code == 404


# -- complaints ------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["provider", "operator", "subdistrict"])
def test_those_who_follow_up_see_the_open_complaint(client, request, persona, complaint, home_provider):
    client.force_login(request.getfixturevalue(persona))
    page = text(client.get("/services/complaints/", {"provider": home_provider.pk} if persona == "subdistrict" else {}))
    assert f'data-complaint="{complaint.pk}"' in page and "上次来晚了一小时" in page


def test_the_manager_closes_a_complaint_with_the_follow_up(client, provider, complaint):
    client.force_login(provider)
    refused = client.post(f"/services/complaints/{complaint.pk}/close/", {"follow_up": ""}, **HTMX)
    assert "flash refused" in text(refused)
    r = client.post(f"/services/complaints/{complaint.pk}/close/", {"follow_up": "已致电道歉，调整排班"}, **HTMX)
    assert "data-empty" in text(r)
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED and complaint.follow_up == "已致电道歉，调整排班"


def test_others_neither_see_nor_close_the_complaint(client, worker_b, caregiver, other_manager, complaint):
    for user in (worker_b, caregiver):
        client.force_login(user)
        assert client.get("/services/complaints/").status_code == 403
    client.force_login(other_manager)
    assert "上次来晚了一小时" not in text(client.get("/services/complaints/"))
    assert client.post(f"/services/complaints/{complaint.pk}/close/", {"follow_up": "不是我们"}).status_code == 404
    client.force_login(worker_b)
    assert client.post(f"/services/complaints/{complaint.pk}/close/", {"follow_up": "不是我们"}).status_code == 404
    assert Complaint.objects.get(pk=complaint.pk).status == Complaint.Status.OPEN


# -- the caregiver's phone page --------------------------------------------------------------
def test_the_caregiver_sees_todays_route_in_order_with_navigation_and_door_notes(client, caregiver, worker_a, todays, funded_elder):
    update_elder(funded_elder, by=worker_a, door_access_notes="单元门密码 1234#")
    client.force_login(caregiver)
    page = text(client.get("/services/route/"))
    meal, cleaning = todays
    assert page.index(f'data-order="{meal.pk}"') < page.index(f'data-order="{cleaning.pk}"')
    assert "09:00" in page and "14:00" in page and funded_elder.address in page and "单元门密码 1234#" in page
    assert 'href="geo:28.660000,115.890000?q=28.660000,115.890000"' in page
    assert 'data-step="accept"' in page and "js/caregiver.js" in page


def test_the_caregiver_accepts_goes_checks_in_near_home_and_checks_out_with_notes(client, caregiver, todays):
    meal, _cleaning = todays
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/accept/", **HTMX)
    assert "<html" not in text(r) and re.search(rf'data-order="{meal.pk}" data-status="accepted"', text(r))
    client.post(f"/services/orders/{meal.pk}/on-my-way/", **HTMX)
    r = client.post(f"/services/orders/{meal.pk}/check-in/", {
        "lat": NEAR[0], "lng": NEAR[1], "accuracy": "12", "system": "wgs84", "age_seconds": "0.4"}, **HTMX)
    assert 'data-result="ok"' in text(r) and 'data-distance="20"' in text(r)
    service_visit = ServiceVisit.objects.get(order=meal)
    assert service_visit.check_in_ok is True and service_visit.check_in_accuracy_m == 12 and service_visit.review == ServiceVisit.Review.NOT_NEEDED
    r = client.post(f"/services/orders/{meal.pk}/check-out/", {
        "lat": HOME[0], "lng": HOME[1], "accuracy": "8", "system": "wgs84", "notes": "饭菜已送到，老人精神好"}, **HTMX)
    assert "data-result=" in text(r)
    service_visit.refresh_from_db()
    assert service_visit.checked_out_at is not None and service_visit.notes == "饭菜已送到，老人精神好"
    assert re.search(rf'class="stop is-done[^"]*" data-order="{meal.pk}"', text(r))


def test_a_check_in_far_from_home_goes_through_flagged_for_review(client, caregiver, todays):
    meal, _cleaning = todays
    actions.accept_order(meal, by=caregiver)
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/check-in/", {
        "lat": FAR[0], "lng": FAR[1], "accuracy": "10", "system": "wgs84"}, **HTMX)
    assert 'data-result="flagged"' in text(r) and 'data-distance="2000"' in text(r)
    service_visit = ServiceVisit.objects.get(order=meal)
    assert service_visit.review == ServiceVisit.Review.PENDING and service_visit.flags.filter(code="far_check_in").exists()


def test_a_check_in_without_a_location_is_not_blocked_but_flagged(client, caregiver, todays):
    meal, _cleaning = todays
    actions.accept_order(meal, by=caregiver)
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/check-in/", {})  # a plain form: no script, no location
    assert r.status_code == 302 and r["Location"] == "/services/route/"
    service_visit = ServiceVisit.objects.get(order=meal)
    assert service_visit.check_in_distance_m is None and service_visit.flags.filter(code="no_location").exists()
    assert 'class="messages"' in text(client.get("/services/route/"))


def test_a_check_queued_offline_is_stored_with_the_time_it_was_made(client, caregiver, todays):
    meal, _cleaning = todays
    actions.accept_order(meal, by=caregiver)
    client.force_login(caregiver)
    sent = timezone.now()
    client.post(f"/services/orders/{meal.pk}/check-in/", {
        "lat": NEAR[0], "lng": NEAR[1], "accuracy": "10", "system": "wgs84", "age_seconds": "5400"}, **HTMX)
    made = ServiceVisit.objects.get(order=meal).checked_in_at
    assert abs((sent - made) - dt.timedelta(minutes=90)) < dt.timedelta(seconds=5)


def test_a_check_older_than_twelve_hours_is_refused_with_the_reason(client, caregiver, todays):
    meal, _cleaning = todays
    actions.accept_order(meal, by=caregiver)
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/check-in/", {"age_seconds": str(13 * 3600)}, **HTMX)
    assert "flash refused" in text(r) and not ServiceVisit.objects.filter(order=meal).exists()


def test_nobody_home_closes_the_visit_as_the_elders_no_show(client, caregiver, todays):
    meal, _cleaning = todays
    actions.accept_order(meal, by=caregiver)
    client.force_login(caregiver)
    r = client.post(f"/services/orders/{meal.pk}/nobody-home/", {"reason": "敲门无人应答"}, **HTMX)
    assert re.search(rf'class="stop is-done[^"]*" data-order="{meal.pk}"', text(r))
    meal.refresh_from_db()
    assert meal.status == S.NO_SHOW and meal.no_show_party == "elder"


def test_declining_needs_a_reason_and_hands_the_order_on(client, caregiver, todays, far_carer):
    meal, _cleaning = todays
    client.force_login(caregiver)
    assert "flash refused" in text(client.post(f"/services/orders/{meal.pk}/decline/", {}, **HTMX))
    r = client.post(f"/services/orders/{meal.pk}/decline/", {"reason": "电动车坏了"}, **HTMX)
    assert f'data-order="{meal.pk}"' not in text(r)
    meal.refresh_from_db()
    assert meal.caregiver == far_carer


def test_the_route_page_is_the_caregivers_own(client, provider, worker_a, other_caregiver, caregiver, todays, funded_elder):
    meal, _cleaning = todays
    for user in (provider, worker_a):
        client.force_login(user)
        assert client.get("/services/route/").status_code == 403
    client.force_login(other_caregiver)
    assert funded_elder.name not in text(client.get("/services/route/"))
    for step in ("accept", "on-my-way", "check-in", "check-out", "nobody-home", "decline"):
        assert client.post(f"/services/orders/{meal.pk}/{step}/", {"reason": "x"}).status_code == 404, step
    client.force_login(provider)  # the manager sees the order, but is not its caregiver
    assert client.post(f"/services/orders/{meal.pk}/accept/").status_code == 403
    assert Order.objects.get(pk=meal.pk).status == S.DISPATCHED


def test_a_caregiver_account_without_a_profile_is_told_so(client, caregiver, home_provider):
    client.force_login(caregiver)
    r = client.get("/services/route/")
    assert r.status_code == 200 and "ol class=\"stops\"" not in text(r)


# -- ordering by phone -----------------------------------------------------------------------
def test_the_operator_finds_the_elder_by_pinyin_initials(client, operator, funded_elder):
    client.force_login(operator)
    page = text(client.get("/services/phone/", {"q": funded_elder.name_initials}))
    assert f'href="/services/elders/{funded_elder.pk}/"' in page and funded_elder.name in page


def test_worker_b_finds_no_elder_of_community_a(client, worker_b, funded_elder):
    client.force_login(worker_b)
    page = text(client.get("/services/phone/", {"q": funded_elder.name_initials}))
    assert funded_elder.name not in page and f"/services/elders/{funded_elder.pk}/" not in page


def _order_form(offer, day, **extra) -> dict:
    return {"offer": offer.pk, "quantity": "1", "day": day.isoformat(), "timing": "fixed", "time_from": "09:00",
            "note": "请带拖把", **extra}


@pytest.fixture
def cleaning_offer(home_provider, catalogue):
    return home_provider.prices.get(item=catalogue["cleaning"])


def test_the_operator_sees_the_split_before_anything_is_placed(client, operator, funded_elder, carer, cleaning_offer, tomorrow):
    client.force_login(operator)
    page = text(client.get(f"/services/elders/{funded_elder.pk}/"))
    assert "助洁" in page and "data-quote" in page
    r = client.post(f"/services/elders/{funded_elder.pk}/quote/", _order_form(cleaning_offer, tomorrow), **HTMX)
    page = text(r)
    assert 'data-split="price">¥40.00' in page and 'data-split="voucher">¥20.00' in page
    assert 'data-split="allowance">¥20.00' in page and 'data-split="own">¥0.00' in page
    assert 'name="expected_own_share" value="0.00"' in page and "data-place" in page
    assert not Order.objects.exists()


def test_change_goes_back_from_the_price_to_the_form_with_what_was_chosen(client, operator, funded_elder, carer, cleaning_offer, tomorrow):
    client.force_login(operator)
    r = client.post(f"/services/elders/{funded_elder.pk}/quote/",
                    _order_form(cleaning_offer, tomorrow, quantity="3", edit="1", expected_own_share="0.00"), **HTMX)
    page = text(r)
    assert "data-quote" in page and "data-place" not in page
    assert f'<option value="{cleaning_offer.pk}" selected>' in page and 'value="3"' in page
    assert not Order.objects.exists()


def test_the_operator_places_the_order_at_the_price_shown_and_sees_its_caregiver(client, operator, funded_elder, carer, cleaning_offer, tomorrow):
    client.force_login(operator)
    r = client.post(f"/services/elders/{funded_elder.pk}/place/",
                    _order_form(cleaning_offer, tomorrow, expected_own_share="0.00"), **HTMX)
    order = Order.objects.get()
    assert order.channel == "hotline" and order.created_by == operator and order.note == "请带拖把"
    assert order.window_start == local(tomorrow, 9) and order.window_end == local(tomorrow, 9, 30)
    page = text(r)
    assert f'data-placed="{order.pk}"' in page and 'data-status="dispatched"' in page and "熊秀梅" in page
    assert 'id="elder-orders" hx-swap-oob="true"' in page and f'data-order="{order.pk}"' in page


def test_a_price_changed_since_it_was_shown_refuses_the_order_and_shows_the_new_split(client, operator, funded_elder, carer, cleaning_offer, tomorrow):
    client.force_login(operator)
    r = client.post(f"/services/elders/{funded_elder.pk}/place/",
                    _order_form(cleaning_offer, tomorrow, expected_own_share="5.00"), **HTMX)
    assert "data-price-changed" in text(r) and 'name="expected_own_share" value="0.00"' in text(r)
    assert not Order.objects.exists()


def test_a_flexible_window_is_placed_as_given_and_a_plain_post_opens_the_order(client, worker_a, funded_elder, carer, cleaning_offer, tomorrow):
    client.force_login(worker_a)  # a community worker orders the same way
    r = client.post(f"/services/elders/{funded_elder.pk}/place/", _order_form(
        cleaning_offer, tomorrow, timing="flexible", time_from="13:00", time_to="16:00", expected_own_share="0.00"))
    order = Order.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/services/orders/{order.pk}/"
    assert order.flexible and order.window_end == local(tomorrow, 16) and order.channel == "community"


def test_a_time_that_has_passed_or_a_missing_window_end_is_refused_on_the_form(client, operator, funded_elder, carer, cleaning_offer, today):
    client.force_login(operator)
    past = _order_form(cleaning_offer, today - dt.timedelta(days=1), expected_own_share="0.00")
    r = client.post(f"/services/elders/{funded_elder.pk}/place/", past, **HTMX)
    assert "errorlist" in text(r) and "data-quote" in text(r)
    r = client.post(f"/services/elders/{funded_elder.pk}/quote/", _order_form(cleaning_offer, today, timing="flexible"), **HTMX)
    assert "errorlist" in text(r)
    assert not Order.objects.exists()


@pytest.mark.parametrize("persona, status", [
    ("provider", 404), ("caregiver", 404), ("worker_b", 404), ("inspector", 404), ("family", 403), ("elder", 403),
])
def test_others_cannot_order_for_the_elder_by_phone(client, request, persona, status, funded_elder, elder, family, cleaning_offer, tomorrow):
    client.force_login(request.getfixturevalue(persona))
    target = elder.elder if persona in ("family", "elder") else funded_elder
    r = client.get(f"/services/elders/{target.pk}/")
    assert r.status_code == status
    form = _order_form(cleaning_offer, tomorrow, expected_own_share="0.00")
    assert client.post(f"/services/elders/{target.pk}/place/", form).status_code == status
    assert not Order.objects.exists()
    if status == 404:
        assert target.name not in text(r)


def test_the_operator_confirms_a_delivered_order_by_callback_with_a_rating(client, operator, caregiver, order, tomorrow):
    _deliver(order, caregiver, day=tomorrow, hour=9)
    client.force_login(operator)
    page = text(client.get(f"/services/elders/{order.elder_id}/"))
    assert "data-confirm" in page
    r = client.post(f"/services/orders/{order.pk}/confirm/", {"rating": "5", "comment": "很满意", "from": "elder"}, **HTMX)
    assert 'id="elder-orders"' in text(r) and "flash ok" in text(r)
    order.refresh_from_db()
    assert order.status == S.CONFIRMED and order.rating == 5 and order.confirmed_by == operator


def test_the_operator_cancels_and_records_a_complaint_from_the_elders_orders(client, operator, order):
    client.force_login(operator)
    r = client.post(f"/services/orders/{order.pk}/complaint/", {"text": "态度不好", "from": "elder"}, **HTMX)
    assert "flash ok" in text(r) and Complaint.objects.get(order=order).created_by == operator
    r = client.post(f"/services/orders/{order.pk}/cancel/", {"reason": "家属已安排", "from": "elder"})
    assert r.status_code == 302 and r["Location"] == f"/services/elders/{order.elder_id}/"
    assert Order.objects.get(pk=order.pk).status == S.CANCELLED
