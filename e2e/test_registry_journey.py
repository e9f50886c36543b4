"""A community worker keeps the registry on a tablet, in a real Chromium."""

import pytest

from e2e.conftest import sign_in
from kangyang.audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_finds_an_elder_by_initials_and_reveals_the_id_with_a_reason(
    live_server, tablet, worker_a, elder_in_a, elder_in_b
):
    page = tablet
    sign_in(page, live_server, "worker_a")
    page.goto(f"{live_server.url}/registry/elders/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # typing in the search box refreshes the table without reloading the page
    page.evaluate("window.__same_document = true")
    page.fill("input[name=q]", "zgl")
    page.wait_for_url("**q=zgl**")
    table = page.locator("#elder-table")
    table.get_by_text("张桂兰").wait_for()
    assert page.evaluate("window.__same_document") is True
    assert "李建国" not in table.inner_text()
    assert "360103********0026" in table.inner_text()
    assert "360103194503120026" not in page.content()

    table.get_by_text("张桂兰").click()
    page.wait_for_url(f"**/registry/elders/{elder_in_a.pk}/")
    page.fill("textarea[name=reason], input[name=reason]", "核实高龄津贴发放")
    page.get_by_role("button", name="显示完整号码").or_(page.get_by_role("button", name="Show full number")).click()
    page.get_by_text("360103194503120026").wait_for()
    entry = AuditEntry.objects.get(action="view_full", verb="elder.reveal")
    assert entry.actor == worker_a and entry.note == "核实高龄津贴发放"


def test_worker_cannot_open_an_elder_of_another_community(live_server, tablet, worker_a, elder_in_b):
    sign_in(tablet, live_server, "worker_a")
    response = tablet.goto(f"{live_server.url}/registry/elders/{elder_in_b.pk}/")
    assert response.status == 404
    assert "李建国" not in tablet.content()


def test_the_language_switch_turns_the_pages_into_english(live_server, tablet, worker_a, elder_in_a):
    sign_in(tablet, live_server, "worker_a")
    tablet.goto(f"{live_server.url}/registry/elders/")
    tablet.locator("header form.lang button[value=en]").click()
    tablet.wait_for_load_state()
    assert tablet.locator("html").get_attribute("lang") == "en"
    assert tablet.get_by_role("link", name="Elders").count() >= 1
