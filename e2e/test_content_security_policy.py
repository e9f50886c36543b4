"""The pages run under the Content-Security-Policy without a single violation: no inline
script or style, no eval (htmx with allowEval off), in a real Chromium."""

import pytest
from django.urls import reverse

from e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.mark.parametrize("who, pages", [
    ("worker_a", ["registry:list", "assessment:due", "accounts:two_factor", "accounts:tokens", "accounts:password"]),
    ("operator", ["alarms:console", "alarms:hotline", "indicators:wall"]),
    ("caregiver", ["services:route", "portal:route"]),
    ("admin", ["accounts:staff", "allowances:rolls", "audit:list"]),
])
def test_pages_open_without_a_policy_violation(desk, live_server, who, pages, request):
    request.getfixturevalue(who)
    page = desk()
    page.context.add_init_script(WATCH)
    sign_in(page, live_server, who)
    for path in map(reverse, pages):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_timeout(300)  # htmx loads and runs its triggers
        assert page.evaluate("window.__cspViolations") == [], path
