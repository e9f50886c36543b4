"""The interactive API docs (Swagger UI at /api/docs) work with no internet: their scripts and
styles come from this site (django-ninja's own copies), under the Content-Security-Policy."""

import pytest

from e2e.test_content_security_policy import WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_their_operations_with_the_internet_blocked(desk, live_server):
    page = desk()
    page.context.add_init_script(WATCH)
    outside = []

    def only_this_site(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", only_this_site)
    response = page.goto(f"{live_server.url}/api/docs")
    assert response.status == 200
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/auth/token" in paths
    assert len(paths) > 20
    assert outside == []
    assert page.evaluate("window.__cspViolations") == []
