"""notify sits below the domain apps (CONVENTIONS.md: "notify ← used by anyone; imports no
domain app"): it may use lib, accounts (scope, users) and audit, nothing else of ours."""

from pathlib import Path

from kangyang.ops.tests.test_structure import imports_of

NOTIFY = Path(__file__).resolve().parent.parent
ALLOWED = ("kangyang.lib", "kangyang.accounts", "kangyang.audit", "kangyang.notify")


def test_notify_imports_no_domain_app():
    offenders = {
        f"{path.relative_to(NOTIFY)}: {name}"
        for path in NOTIFY.rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts
        for name in imports_of(path)
        if name.startswith("kangyang.") and not name.startswith(ALLOWED)
    }
    assert offenders == set()
