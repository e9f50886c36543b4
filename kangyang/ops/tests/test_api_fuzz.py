"""Every operation of the OpenAPI document, fuzzed with schemathesis: no 5xx, ever.

The app is called in-process (WSGI), so the requests see this test's database. The
caller is the bureau admin with a bearer token made by the accounts action directly (not
the password endpoint, which a second factor may guard). Valid inputs (positive) and
invalid ones (negative) are generated for each operation, a few of each, derandomised so
that a run is reproducible; a failure names the operation and the request.
"""

import os
import time

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from kangyang.accounts.actions import issue_api_token

# Per operation and mode: about 15 s for the whole run on SQLite on a quiet machine.
# KANGYANG_FUZZ_EXAMPLES=200 for a deeper run by hand.
EXAMPLES = int(os.getenv("KANGYANG_FUZZ_EXAMPLES", "5"))
# A guard against a run that grows without bound, not a benchmark.
BUDGET_SECONDS = 150 * max(1, EXAMPLES // 5)


@pytest.fixture
def keep_connection():
    """As Django's test client does: the test's transaction holds the connection, so the
    WSGI handler must not close it (return it to the pool) at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(keep_connection, admin, elder_in_a, elder_in_b, operator, provider, caregiver):
    """The personas and two elders, so that small generated ids hit real records."""
    return admin


def _run(operation, mode, headers, app) -> list[str]:
    failures: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(
        max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call(headers=headers, app=app)
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except AssertionError as e:  # schemathesis' failures are AssertionErrors
            failures.append(f"{operation.label} [{mode.value}] {response.status_code}: "
                            f"{case.as_curl_command(headers=headers)}\n{str(e)[:400]}")
        if response.status_code >= 400:
            error = response.json().get("error", {})
            if set(error) != {"code", "message", "fields"}:
                failures.append(f"{operation.label}: not the error format: {response.text[:200]}")

    try:
        check()
    except Unsatisfiable:  # nothing to make invalid (an operation without input)
        pass
    return failures


def test_no_operation_answers_5xx_to_generated_input(world):
    secret, _ = issue_api_token(world)
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "zh-hans"}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    started = time.monotonic()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += _run(operation, mode, headers, app)
        assert time.monotonic() - started < BUDGET_SECONDS, "the fuzz run is over its time budget"
    assert operations > 30
    assert not failures, "\n\n".join(failures)
