"""Which way imports point (CONVENTIONS.md "Which way dependencies point"), read from the
source: a circle or a reversed call shows here before it shows as an import error."""

import ast
from pathlib import Path

import kangyang

PACKAGE = Path(kangyang.__file__).parent


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def app_modules(*, excluding: str = ""):
    for path in sorted(PACKAGE.glob("*/**/*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] == excluding or "tests" in parts or "migrations" in parts:
            continue
        yield path


def test_no_app_imports_ops_which_calls_the_apps():
    offenders = [str(p.relative_to(PACKAGE)) for p in app_modules(excluding="ops")
                 if any(n == "kangyang.ops" or n.startswith("kangyang.ops.") for n in imports_of(p))]
    assert offenders == []


def test_no_app_imports_the_project_api_which_imports_every_app_router():
    offenders = [str(p.relative_to(PACKAGE)) for p in app_modules()
                 if any(n == "kangyang.api" or n.startswith("kangyang.api.") for n in imports_of(p))]
    assert offenders == []


def test_no_app_imports_the_portal_which_shows_every_apps_cards():
    """The app for elders and family (kangyang/portal) sits above the apps whose records it
    shows; they declare their home-screen cards through kangyang/lib/cards.py, never by
    importing the portal (ops, which wires everything, may)."""
    offenders = [str(p.relative_to(PACKAGE)) for p in app_modules(excluding="portal")
                 if p.relative_to(PACKAGE).parts[0] != "ops"
                 and any(n == "kangyang.portal" or n.startswith("kangyang.portal.") for n in imports_of(p))]
    assert offenders == []
