"""Hostile input answers 4xx in the error format, in the caller's language, never 500.

NUL characters (PostgreSQL cannot store them), numbers past 2^63, bodies of the wrong
shape, numbers where dates belong; and the OpenAPI document names these answers.
"""

import pytest
from django.utils import translation

from kangyang.registry.models import Elder

HUGE = str(2**70)


def zh(message: str) -> str:
    """What the zh-Hans catalogue makes of an English message."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def send(client, method, url, body, headers, **extra):
    return getattr(client, method)(url, body, content_type="application/json", **headers, **extra)


def assert_error(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    if code:
        assert error["code"] == code
    return error


@pytest.fixture
def headers(api_token, admin, elder_in_a):
    return api_token(admin)


# -- NUL characters ----------------------------------------------------------------------------
def test_a_nul_in_the_query_string_is_a_400_in_chinese(client, headers):
    error = assert_error(client.get("/api/v1/elders?q=a%00b", **headers), 400, "nul_character")
    assert error["message"] == zh("The request contains a NUL character, which is not allowed.")


def test_a_nul_in_the_query_string_is_a_400_in_english_on_request(client, headers):
    r = client.get("/api/v1/elders?q=a%00b", HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert assert_error(r, 400)["message"] == "The request contains a NUL character, which is not allowed."


def test_a_nul_in_a_json_body_is_refused_and_nothing_changes(client, headers, elder_in_a):
    r = send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", '{"name": "a\\u0000b"}', headers)
    assert_error(r, 400, "nul_character")
    r = send(client, "post", f"/api/v1/elders/{elder_in_a.id}/reveal", '{"reason": "x\\u0000"}', headers)
    assert_error(r, 400, "nul_character")
    elder_in_a.refresh_from_db()
    assert elder_in_a.name == "张桂兰"


def test_a_backslash_u0000_that_is_text_is_not_a_nul(client, headers, elder_in_a):
    r = send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", '{"address": "C:\\\\u0000"}', headers)
    assert r.status_code == 200, r.content
    assert r.json()["address"] == "C:\\u0000"


def test_a_nul_in_the_path_is_a_400(client, headers):
    assert_error(client.get("/api/v1/regions/36%000", **headers), 400, "nul_character")


def test_pages_answer_a_nul_with_a_400_page(client, admin):
    client.force_login(admin)
    r = client.get("/registry/elders/?q=a%00b")
    assert r.status_code == 400
    assert r["Content-Type"].startswith("text/html")
    assert zh("The request contains a NUL character, which is not allowed.") in r.content.decode()
    r = client.post("/registry/elders/new/", "name=a%00b", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400


def test_django_s_own_4xx_under_api_are_in_the_error_format(client, headers):
    assert_error(client.get("/api/v1/no-such-thing", **headers), 404, "not_found")
    r = send(client, "put", "/api/v1/elders/1", {}, headers)
    assert_error(r, 405, "method_not_allowed")
    assert "PATCH" in r["Allow"]


# -- numbers past the database's integers -------------------------------------------------------
@pytest.mark.parametrize("query", [f"page={HUGE}", "page=9223372036854775808", f"page_size={HUGE}"])
def test_a_huge_page_number_is_a_422_on_that_field(client, headers, query):
    error = assert_error(client.get(f"/api/v1/elders?{query}", **headers), 422, "invalid")
    assert list(error["fields"]) == [query.split("=")[0]]


@pytest.mark.parametrize("url", [
    "/api/v1/elders?page=2", "/api/v1/alarms?page=3", "/api/v1/orders?page=9",
    "/api/v1/allowances/rolls?page=1000000",
])
def test_a_page_past_the_end_is_empty(client, headers, url):
    r = client.get(url, **headers)
    assert r.status_code == 200, r.content
    assert r.json()["items"] == []


@pytest.mark.parametrize("url", [
    f"/api/v1/elders/{HUGE}", f"/api/v1/alarms/{HUGE}", f"/api/v1/orders/{HUGE}",
    f"/api/v1/assessments/{HUGE}", f"/api/v1/allowances/rolls/{HUGE}", f"/api/v1/providers/{HUGE}",
])
def test_a_huge_id_in_the_path_is_a_404(client, headers, url):
    assert_error(client.get(url, **headers), 404, "not_found")


def test_a_huge_id_in_a_page_url_is_a_404(client, admin):
    client.force_login(admin)
    assert client.get(f"/registry/elders/{HUGE}/").status_code == 404


def test_huge_ids_in_filters_and_bodies_are_4xx(client, headers):
    r = client.get(f"/api/v1/alarms?elder={HUGE}", **headers)
    assert r.status_code == 422 or r.json()["count"] == 0, r.content
    assert_error(send(client, "post", "/api/v1/alarms", {"elder": 2**70}, headers), 404)
    r = send(client, "post", "/api/v1/orders/quote", {"elder": 2**70, "item": 2**70}, headers)
    assert 400 <= r.status_code < 500


# -- bodies of the wrong shape ------------------------------------------------------------------
@pytest.mark.parametrize("body", ["[1, 2]", '"name"', "3", "null", "[]"])
def test_a_body_that_is_not_an_object_is_a_422(client, headers, elder_in_a, body):
    error = assert_error(send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", body, headers), 422)
    assert error["fields"] == {"__all__": [zh("Send a JSON object as the body.")]}
    assert_error(send(client, "post", "/api/v1/elders", body, headers), 422)


def test_a_body_that_is_not_json_is_a_400_in_the_error_format(client, headers, elder_in_a):
    error = assert_error(send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", "{name:", headers),
                         400, "json_invalid")
    assert error["message"] == zh("The body is not valid JSON.")
    r = client.post("/api/v1/elders", b"\xff\xfe{", content_type="application/json", **headers)
    assert_error(r, 400, "json_invalid")


# -- dates and months ---------------------------------------------------------------------------
def test_a_number_is_not_a_date(client, headers, elder_in_a):
    r = send(client, "post", f"/api/v1/elders/{elder_in_a.id}/status", {"status": "deceased", "date": 0},
             headers)
    error = assert_error(r, 422, "invalid")
    assert error["fields"] == {"date": [zh("Enter a date as YYYY-MM-DD.")]}
    elder_in_a.refresh_from_db()
    assert elder_in_a.status == Elder.Status.ACTIVE


@pytest.mark.parametrize("month", ["0", "2026-13", "2026-00", "13", "2026-02-30", "abc"])
def test_month_zero_or_thirteen_is_a_422(client, headers, month):
    error = assert_error(client.get(f"/api/v1/allowances/payments?month={month}", **headers), 422)
    assert list(error["fields"]) == ["month"]
    assert_error(client.get(f"/api/v1/allowances/rolls?month={month}", **headers), 422)


@pytest.mark.parametrize("month", ["2026-02", "2026-02-17"])
def test_a_month_is_given_as_text(client, headers, month):
    assert client.get(f"/api/v1/allowances/rolls?month={month}", **headers).status_code == 200


def test_a_datetime_must_be_rfc_3339_text(client, headers, elder_in_a):
    body = {"elder": elder_in_a.id, "item": "meal", "window_start": 0}
    error = assert_error(send(client, "post", "/api/v1/orders", body, headers), 422)
    assert "window_start" in error["fields"]


# -- field errors in the caller's language ------------------------------------------------------
def test_field_errors_are_in_chinese_by_default(client, headers, elder_in_a):
    body = {"name": 5, "categories": "x", "birth_date": "1.2.1950", "compound": "a"}
    error = assert_error(send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", body, headers), 422)
    assert error["fields"]["name"] == [zh("Enter text.")]
    assert error["fields"]["categories"] == [zh("Send a list.")]
    assert error["fields"]["birth_date"] == [zh("Enter a date as YYYY-MM-DD.")]
    assert error["fields"]["compound"] == [zh("Enter a whole number.")]
    assert "Input should be" not in str(error)


def test_field_errors_are_in_english_on_request(client, headers, elder_in_a):
    body = {"name": "x" * 51, "sex": "X"}
    r = send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", body, headers, HTTP_ACCEPT_LANGUAGE="en")
    error = assert_error(r, 422)
    assert error["message"] == "The request is not valid."
    assert error["fields"]["name"] == ["Enter at most 50 characters."]
    assert error["fields"]["sex"] == ["Choose one of: 'M', 'F'."]
    r = send(client, "post", "/api/v1/elders", {}, headers, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(r, 422)["fields"]["name"] == ["This field is required."]
    r = client.get("/api/v1/elders?page=0", HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert assert_error(r, 422)["fields"] == {"page": ["Enter a value of at least 1."]}


def test_a_union_is_named_as_its_field(client, headers, elder_in_a):
    body = {"living_arrangement": "x"}
    r = send(client, "patch", f"/api/v1/elders/{elder_in_a.id}", body, headers, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(r, 422)["fields"] == {"living_arrangement": [
        "Choose one of: 'alone', 'spouse', 'children', 'others', 'institution', ''."]}
    body = {"elder": elder_in_a.id, "item": [1]}
    r = send(client, "post", "/api/v1/orders/quote", body, headers, HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(r, 422)["fields"] == {"item": ["Enter a whole number.", "Enter text."]}


def test_an_unknown_error_type_gets_the_generic_message():
    from kangyang.lib.field_errors import message_for

    with translation.override("en"):
        assert message_for({"type": "no_such_type", "msg": "Something"}) == "Enter a valid value."


# -- the OpenAPI document -----------------------------------------------------------------------
def test_openapi_lists_the_error_answers_of_every_operation(client):
    doc = client.get("/api/openapi.json").json()
    assert "Error" in doc["components"]["schemas"]
    checked = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            responses = op["responses"]
            has_input = op.get("parameters") or "requestBody" in op
            if op.get("security"):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if has_input:
                assert "422" in responses and "400" in responses, (method, path)
            for status, answer in responses.items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}
            checked += 1
    assert checked > 30
    assert "429" in doc["paths"]["/api/v1/auth/token"]["post"]["responses"]
