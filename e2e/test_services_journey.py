"""Home services from the phone call to the supervisor's review, in a real Chromium: the
hotline operator orders cleaning for an elder by phone, seeing who pays what before placing
it; the provider's manager finds the order on the board, plans tomorrow (the routes drawn as
a map), and reviews a visit that was flagged for a check-in far from the elder's home."""

import datetime as dt

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from e2e.test_content_security_policy import WATCH
from kangyang.services import actions
from kangyang.services.actions import Fix
from kangyang.services.models import Order, RoutePlan, ServiceVisit
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    HOME, carer, catalogue, far_carer, funded_elder, generate, home_provider, last_month, local, metres_north,
    service, this_month, tomorrow, voucher,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def flagged_visit(worker_a, caregiver, funded_elder, catalogue, carer, today):
    """A meal of today whose caregiver checked in 2 km from the elder's home."""
    early = min(timezone.now() - dt.timedelta(hours=3), local(today, 6))
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["meal"],
                                window_start=local(today, 11), now=early)
    actions.accept_order(order, by=caregiver)
    actions.check_in(order, by=caregiver, fix=Fix(*metres_north(HOME, 2000), accuracy_m=10))
    return ServiceVisit.objects.get(order=order)


def test_an_order_by_phone_reaches_the_board_the_days_plan_and_a_flag_is_reviewed(
    settings, live_server, desk, operator, provider, funded_elder, home_provider, catalogue, carer, far_carer,
    flagged_visit, tomorrow,
):
    settings.ROUTE_SECONDS = 1
    offer = home_provider.prices.get(item=catalogue["cleaning"])
    expected = actions.quote_order(elder=funded_elder, item=catalogue["cleaning"], provider=home_provider,
                                   quantity=2, on=tomorrow).split

    # -- the hotline: find the caller's elder, choose, see the split, then place ---------------
    hotline = desk()
    sign_in(hotline, live_server, "operator")
    hotline.goto(f"{live_server.url}/services/")
    hotline.wait_for_url("**/services/phone/")
    hotline.fill("input[name=q]", funded_elder.name)
    hotline.locator(f'#phone-result a[data-elder="{funded_elder.pk}"]').click()
    hotline.wait_for_url(f"**/services/elders/{funded_elder.pk}/")
    hotline.select_option("select[name=offer]", str(offer.pk))
    hotline.fill("input[name=quantity]", "2")
    hotline.fill("input[name=day]", tomorrow.isoformat())
    hotline.fill("input[name=time_from]", "09:00")
    hotline.fill("textarea[name=note]", "厨房和卫生间")
    hotline.locator("button[data-quote]").click()
    split = hotline.locator("#order-form table.split")
    split.wait_for()
    shown = {k: split.locator(f'[data-split="{k}"]').inner_text() for k in ("price", "allowance", "voucher", "own")}
    assert shown == {"price": f"¥{expected.price}", "allowance": f"¥{expected.allowance}",
                     "voucher": f"¥{expected.voucher}", "own": f"¥{expected.own}"}
    assert expected.price == 80 and expected.own < expected.price  # the allowances pay first
    assert not Order.objects.filter(item=catalogue["cleaning"]).exists()  # nothing placed yet
    hotline.locator("button[data-place]").click()
    placed = hotline.locator("#order-form [data-placed]")
    placed.wait_for()
    order = Order.objects.get(item=catalogue["cleaning"])
    assert placed.get_attribute("data-placed") == str(order.pk)
    assert (order.channel, order.status, order.self_amount) == ("hotline", "dispatched", expected.own)
    assert placed.locator('[data-status="dispatched"]').count() == 1
    assert order.caregiver.name in placed.locator("[data-caregiver]").inner_text()
    hotline.locator(f'#elder-orders tr[data-order="{order.pk}"]').wait_for()

    # -- the provider's manager: the board of tomorrow --------------------------------------
    office = desk()
    office.context.add_init_script(WATCH)  # the map draws under the Content-Security-Policy
    sign_in(office, live_server, "provider")
    office.wait_for_url("**/services/board/")
    office.fill("#board-day", tomorrow.isoformat())
    office.locator("form.filters button[type=submit]").click()
    card = office.locator(f'#board [data-group="dispatched"] [data-order="{order.pk}"]')
    card.wait_for()
    assert funded_elder.name in card.inner_text()

    # -- plan tomorrow: each caregiver's route drawn ------------------------------------------
    office.locator("nav.tabs a[href^='/services/routes/']").click()
    office.wait_for_url("**/services/routes/**")
    office.fill("#routes-day", tomorrow.isoformat())
    office.locator("form.filters button[type=submit]").click()
    office.locator(f'#routes input[name=day][value="{tomorrow.isoformat()}"]').wait_for(state="attached")
    assert office.locator("#routes [data-unplanned]").count() == 1
    office.locator("#routes button[data-plan]").click()
    office.locator(f'#routes tr[data-stop="{order.pk}"]').wait_for(timeout=20_000)
    # Drawn by the shared map component on the routes htmx swapped in: the route's line and its numbered stop.
    office.locator('#routes .route-map .kmap[data-map-ready="true"]').wait_for()
    assert office.locator("#routes .route-map path.kmap-line").count() >= 1
    assert office.locator("#routes .route-map .kmap-point .kmap-circle").count() >= 1
    assert office.evaluate("window.__cspViolations") == []
    plan = RoutePlan.objects.get(provider=home_provider, day=tomorrow)
    assert plan.planned_by == provider and plan.stops.filter(order=order).exists()

    # -- review the flagged visit ----------------------------------------------------------
    office.locator("nav.tabs a[href^='/services/flags/']").click()
    row = office.locator(f'#flags [data-visit="{flagged_visit.pk}"]')
    row.wait_for()
    assert row.locator('[data-flag="far_check_in"]').count() == 1 and "2000" in row.inner_text()
    row.locator("textarea[name=note]").fill("电话回访老人，护理员确已上门")
    row.locator('button[data-review="accept"]').click()
    office.locator("#flags [data-empty]").wait_for()
    flagged_visit.refresh_from_db()
    assert flagged_visit.review == ServiceVisit.Review.ACCEPTED and flagged_visit.reviewed_by == provider


def test_the_dispatcher_is_offered_who_fits_and_an_off_shift_caregiver_needs_a_reason(
    live_server, desk, provider, worker_a, funded_elder, home_provider, catalogue, carer, tomorrow,
):
    """Issue 12 §1: on the board, the caregivers offered for an order are those who fit, each
    with the reason; choosing one off shift needs a reason, and the order shows the warning."""
    from kangyang.services.models import Skill

    late = actions.add_caregiver(home_provider, by=None, name="晚班护理员", skills=Skill.values,
                                 home_lat=HOME[0], home_lng=HOME[1])
    actions.set_shifts(late, by=None, shifts={d: (dt.time(11), dt.time(20)) for d in range(1, 8)})
    order = actions.place_order(by=worker_a, elder=funded_elder, item=catalogue["cleaning"],
                                window_start=local(tomorrow, 10))
    assert order.caregiver == carer

    office = desk()
    sign_in(office, live_server, "provider")
    office.wait_for_url("**/services/board/")
    office.fill("#board-day", tomorrow.isoformat())
    office.locator("form.filters button[type=submit]").click()
    # The date's change and the submit each fetch the board (htmx): let both land before
    # opening a section the second would close again.
    office.wait_for_load_state("networkidle")
    card = office.locator(f'#board [data-order="{order.pk}"]')
    card.wait_for()
    offered = card.locator("select[data-fitting] option").all_inner_texts()
    assert len(offered) == 1 and offered[0].startswith("熊秀梅 · ") and "公里" in offered[0]  # with the reason
    assert "晚班护理员" not in " ".join(offered)  # off shift: not among those offered

    card.locator("details[data-override] summary").click()
    card.locator("select[data-others]").select_option(str(late.pk))
    assert "晚班护理员" in card.locator("select[data-others] option:checked").inner_text()
    card.locator("button[data-override-assign]").click()
    reason = card.locator("input[name=override_reason]")
    assert reason.evaluate("e => !e.validity.valid")  # the browser asks for the reason first…
    assert Order.objects.get(pk=order.pk).caregiver == carer  # …and nothing was sent
    reason.fill("老人指定由她上门")
    card.locator("button[data-override-assign]").click()
    office.locator(f'#board [data-order="{order.pk}"] [data-warning="off_shift"]').wait_for()
    order.refresh_from_db()
    assert order.caregiver == late and order.override_reason == "老人指定由她上门"

    office.locator(f'#board a#order-{order.pk}').click()
    office.wait_for_url(f"**/services/orders/{order.pk}/")
    warning = office.locator("#order-detail [data-warning]")
    assert warning.get_attribute("data-warning") == "off_shift"
    assert "老人指定由她上门" in warning.inner_text() and "11:00" in warning.inner_text()
