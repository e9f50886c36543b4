"""The API's one convention for datetimes (README "HTTP API"), over its whole surface:

* every datetime it answers is RFC 3339 in UTC ending in `Z`;
* every datetime it takes must carry an offset (any offset; it is stored as UTC); one
  without is refused with 422 and a message on the field, in the caller's language.
* Dates (birth dates, service days, months) stay calendar dates.

The operations are read from the OpenAPI document, so a new resource is checked without
being named here. Answers are read as the bureau admin from a seeded demo district.
"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from pydantic import TypeAdapter

from kangyang.accounts.actions import issue_api_token
from kangyang.accounts.models import User
from kangyang.lib.schemas import StrictAwareDatetime, UtcDatetime

# The home-services resources switch to this convention in their own branch (services is
# being split into topic packages there); drop these prefixes once it has landed.
LOOKS_LIKE_A_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
UTC_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
NAIVE = "2026-12-02T11:00:00"


@pytest.fixture(scope="module")
def district(shared_data):
    yield from shared_data(lambda: call_command("demo", "--no-serve", "--elders", "40", stdout=StringIO()))


@pytest.fixture
def headers(district):
    secret, _token = issue_api_token(User.objects.get(username="admin"))
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def doc(client):
    return client.get("/api/openapi.json").json()


def datetimes_in(value, where="$"):
    """(where, text) of every string in a JSON value that looks like a date and a time."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from datetimes_in(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from datetimes_in(item, f"{where}[{i}]")
    elif isinstance(value, str) and LOOKS_LIKE_A_DATETIME.match(value):
        yield where, value


def _items(body) -> list:
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"]
    return body if isinstance(body, list) else []


def test_every_datetime_the_api_answers_is_utc_with_z(client, headers, doc):
    """Each list (a GET with no path parameter), then each record of the first item of a
    list (a GET with one path parameter under it)."""
    answers: dict[str, object] = {}
    gets = [p for p, item in doc["paths"].items() if "get" in item]
    for path in sorted(p for p in gets if "{" not in p):
        r = client.get(path, **headers)
        if r.status_code == 200 and r["Content-Type"].startswith("application/json"):
            answers[path] = r.json()
    for path in sorted(p for p in gets if p.count("{") == 1 and p.endswith("}")):
        parent, _sep, param = path.rpartition("/")
        first = next(iter(_items(answers.get(parent))), None)
        key = param.strip("{}")
        if isinstance(first, dict):
            ident = first.get(key, first.get("id"))
            r = client.get(f"{parent}/{ident}", **headers)
            assert r.status_code == 200, (path, r.content)
            answers[path] = r.json()

    # A write's answer too: the token's expiry (it was once written out by hand, "+00:00").
    r = client.post("/api/v1/auth/token", {"username": "admin", "password": "kangyang-demo"},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    answers["POST /api/v1/auth/token"] = r.json()

    found = [(path, where, text) for path, body in answers.items() for where, text in datetimes_in(body)]
    wrong = [f for f in found if not UTC_RFC3339.fullmatch(f[2])]
    assert wrong == []
    # Not vacuous: the seeded district gave datetimes in many resources, lists and records alike.
    with_datetimes = {path for path, _where, _text in found}
    assert len(with_datetimes) >= 6 and any("{" in p for p in with_datetimes), sorted(with_datetimes)


def _resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _is_datetime(schema) -> bool:
    options = schema.get("anyOf", [schema])
    return any(o.get("format") == "date-time" for o in options)


def _datetime_properties(doc, schema, seen=None):
    """(component, property, schema) of every date-time property reachable from a schema."""
    seen = set() if seen is None else seen
    name = schema.get("$ref", "")
    if name:
        if name in seen:
            return
        seen.add(name)
    schema = _resolve(doc, schema)
    for key in ("anyOf", "allOf", "oneOf"):
        for option in schema.get(key, []):
            yield from _datetime_properties(doc, option, seen)
    if "items" in schema:
        yield from _datetime_properties(doc, schema["items"], seen)
    for prop, sub in schema.get("properties", {}).items():
        if _is_datetime(sub):
            yield name, prop, sub
        yield from _datetime_properties(doc, sub, seen)


def test_every_answered_datetime_field_is_declared_utc_in_the_openapi_document(doc):
    """Also the fields the seeded data leave empty: each is the shared output type."""
    fields = [
        (path, component, prop, sub)
        for path, item in doc["paths"].items()
        for operation in item.values() if isinstance(operation, dict)
        for answer in operation.get("responses", {}).values()
        for content in answer.get("content", {}).values()
        for component, prop, sub in _datetime_properties(doc, content["schema"])
    ]
    examples = [ex for _p, _c, _prop, sub in fields for o in sub.get("anyOf", [sub]) for ex in o.get("examples", [])]
    assert fields and len(examples) == len(fields)
    assert all(ex.endswith("Z") for ex in examples)


def _datetime_inputs(doc):
    """(method, path, where, field) of every datetime an operation takes, in its body or query."""
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []):
                if param.get("in") == "query" and _is_datetime(_resolve(doc, param.get("schema", {}))):
                    yield method, path, "query", param["name"]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for _component, prop, _sub in _datetime_properties(doc, body["schema"]):
                    yield method, path, "body", prop


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_datetime_the_api_takes_without_an_offset_is_refused_on_its_field(client, headers, doc, language):
    inputs = sorted(set(_datetime_inputs(doc)))
    assert inputs  # the orders' windows and a check-in's time at least
    for method, path, where, field in inputs:
        url = re.sub(r"\{[^}]+\}", "1", path)
        call = getattr(client, method)
        if where == "query":
            r = call(url, {field: NAIVE}, HTTP_ACCEPT_LANGUAGE=language, **headers)
        else:
            r = call(url, {field: NAIVE}, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language, **headers)
        assert r.status_code == 422, (method, path, field, r.content)
        with translation.override(language):
            expected = translation.gettext("Give the time with its offset from UTC, e.g. +08:00.")
        assert expected in r.json()["error"]["fields"][field], (method, path, field, r.json())


def test_any_offset_is_taken_and_answered_as_the_same_instant_in_utc():
    taken = TypeAdapter(StrictAwareDatetime).validate_python("2026-12-02T11:00:00+05:30")
    assert taken == dt.datetime(2026, 12, 2, 5, 30, tzinfo=dt.UTC)
    assert TypeAdapter(UtcDatetime).dump_python(taken) == "2026-12-02T05:30:00Z"
    shanghai = TypeAdapter(StrictAwareDatetime).validate_python("2026-12-02T13:30:00+08:00")
    assert TypeAdapter(UtcDatetime).dump_json(shanghai) == b'"2026-12-02T05:30:00Z"'


def test_a_datetime_without_an_offset_is_refused_by_the_shared_type():
    with pytest.raises(ValueError) as refused:
        TypeAdapter(StrictAwareDatetime).validate_python(NAIVE)
    assert refused.value.errors()[0]["type"] == "timezone_aware"
