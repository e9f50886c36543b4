"""The REST API (/api/v1): bearer-token auth, one error format, app routers (the list
format, `Page`, is in lib/pagination.py so that app routers need not import this module).

Every refusal is `{"error": {"code", "message", "fields"}}` in the request's language,
also for input the schemas refuse (field by field, see lib/field_errors.py), a body that
is not a JSON object, and numbers too large for the database; the OpenAPI document lists
these answers for every operation (`KangyangAPI.get_openapi_schema`).
"""

import json
import logging
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import Field

from kangyang.accounts.actions import user_for_token
from kangyang.lib.field_errors import message_for

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the authenticated value is the User."""

    def authenticate(self, request: HttpRequest, token: str):
        return user_for_token(token)


class BodyNotAnObject(ValueError):
    """The JSON body is an array or a scalar where the operation takes an object."""


class ObjectParser(Parser):
    """Every body of this API is one JSON object. Pydantic would read an array as an
    object with no fields set (a PATCH of `[1, 2]` changed nothing and answered 200)."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise BodyNotAnObject
        return data


class ErrorDetail(Schema):
    code: str = Field(..., description="Machine-readable reason, e.g. not_found, invalid, duplicate.")
    message: str = Field(..., description="In the request's language (Accept-Language; zh-Hans by default).")
    fields: dict[str, list[str]] = Field(
        ..., description="Messages per field of the input (dotted for nested fields); empty if none.")


class Error(Schema):
    """The one error format of the API (CONTRACTS.md)."""

    error: ErrorDetail


# The 4xx answers the document lists, with what each means here.
ERROR_ANSWERS = {
    400: "The request cannot be read: a body that is not JSON, or a NUL character.",
    401: "No valid bearer token (or, for sign-in, wrong credentials).",
    403: "Signed in, but this role may not do this.",
    404: "No such record, or one outside the caller's scope.",
    409: "The record is not in a state that allows this step, or a duplicate.",
    422: "The input is not valid; `fields` says why, field by field.",
    429: "Too many attempts; try again later.",
}
WRITE_METHODS = ("post", "put", "patch", "delete")
# Answers of particular operations that the rules below cannot tell, by path: sign-in is
# throttled (429) and refuses an account that must first enrol a second factor (403).
EXTRA_ANSWERS = {"/api/v1/auth/token": (403, 429)}


class KangyangAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_error_answers(schema)


def with_error_answers(schema):
    """Add the error answers to every operation of an OpenAPI document, generically: 401
    and 403 where a token is needed, 404 with a path id or a body naming records, 409 for
    authenticated writes, 400 and 422 wherever there is input; all with the Error schema."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in error_schema.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("Error", error_schema)
    ref = {"$ref": "#/components/schemas/Error"}
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = operation.get("parameters", [])
            has_input = bool(params) or "requestBody" in operation
            secured = bool(operation.get("security"))
            statuses = set()
            if has_input:
                statuses |= {400, 422}
            if secured:
                statuses |= {401, 403}
            elif method in WRITE_METHODS:
                statuses.add(401)
            if any(p.get("in") == "path" for p in params) or (secured and "requestBody" in operation):
                statuses.add(404)
            if secured and method in WRITE_METHODS:
                statuses.add(409)
            statuses.update(EXTRA_ANSWERS.get(path, ()))
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                responses.setdefault(str(status), {
                    "description": ERROR_ANSWERS[status],
                    "content": {"application/json": {"schema": ref}},
                })
    return schema


api = KangyangAPI(
    title="Kangyang API",
    version="1",
    description="Smart elder-care service and supervision platform. Errors: "
    '{"error": {"code", "message", "fields"}}; lists: {"items", "count"}.',
    auth=BearerToken(),
    urls_namespace="api",
    parser=ObjectParser(),
)


def error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request, {"error": {"code": code, "message": str(message), "fields": fields or {}}}, status=status
    )


def _fields_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {}


# Refusals that are not about the shape of the input get their own status.
STATUS_BY_CODE = {
    "duplicate": 409, "duplicate_elsewhere": 409, "conflict": 409,
    "invalid_login": 401, "otp_required": 401, "throttled": 429,
    # alarms: another operator took it first, or the alarm is not in the state the step needs
    "taken": 409, "already_resolved": 409, "not_acknowledged": 409, "already_done": 409,
    # home services: the order is not in the state the step needs; the price split changed since the quote
    "wrong_status": 409, "price_changed": 409,
}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    fields = _fields_of(exc)
    errors = exc.error_list if not hasattr(exc, "error_dict") else [e for v in exc.error_dict.values() for e in v]
    code = next((e.code for e in errors if e.code), "invalid")
    message = "; ".join(m for e in errors for m in e.messages)
    status = STATUS_BY_CODE.get(code, 422)
    return error(request, status, code, message, fields)


# The first parts of a pydantic location that name where the input came from, not a field.
SOURCES = ("body", "payload", "query", "path", "form", "filters", "header", "cookie")
# Last parts that name a member of a union (`int | str`, a Literal) or a dict key, not a field.
UNION_TAGS = ("int", "str", "float", "bool", "none", "bytes", "decimal")


def _field_of(loc) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in SOURCES:
        parts.pop(0)
    while len(parts) > 1 and ("[" in parts[-1] or "-" in parts[-1] or parts[-1] in UNION_TAGS):
        parts.pop()
    return ".".join(parts) or "__all__"


@api.exception_handler(SchemaValidationError)
def on_schema_error(request, exc: SchemaValidationError):
    """Field by field, in the request's language (lib/field_errors.py). The members of a
    union refused together are one message: all choices of its Literals in one list."""
    fields: dict[str, list[str]] = {}
    choices: dict[str, list[str]] = {}
    for e in exc.errors:
        key = _field_of(e.get("loc", []))
        if e.get("type") in ("literal_error", "enum") and (e.get("ctx") or {}).get("expected"):
            choices.setdefault(key, []).append(str(e["ctx"]["expected"]).replace(" or ", ", "))
            fields.setdefault(key, [])
            continue
        message = message_for(e)
        if message not in fields.setdefault(key, []):
            fields[key].append(message)
    for key, expected in choices.items():
        fields[key].insert(0, message_for({"type": "literal_error", "ctx": {"expected": ", ".join(expected)}}))
    return error(request, 422, "invalid", _("The request is not valid."), fields)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error(request, 403, "forbidden", _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    response = error(request, 401, "unauthenticated", _("Sign in first: send a valid bearer token."))
    response["WWW-Authenticate"] = 'Bearer realm="kangyang"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, BodyNotAnObject):
        return error(request, 422, "invalid", _("The request is not valid."),
                     {"__all__": [_("Send a JSON object as the body.")]})
    if isinstance(cause, ValueError):  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        return error(request, 400, "json_invalid", _("The body is not valid JSON."))
    return error(request, exc.status_code, getattr(exc, "code", "error"), str(exc))


@api.exception_handler(OverflowError)
def on_overflow(request, exc: OverflowError):
    """A number past what the database holds (2^63 and beyond) that no schema bounded."""
    return error(request, 422, "out_of_range", _("A number in the request is too large."))


@api.exception_handler(DataError)
def on_data_error(request, exc: DataError):
    """Input the database refuses as data (a number out of range, a value too long).
    Schemas should catch these first; log it so that the schema gets fixed."""
    logger.warning("database refused the input of %s %s: %s", request.method, request.path, exc)
    return error(request, 422, "invalid", _("The request is not valid."))


def _add_routers() -> None:
    from kangyang.accounts.api import router as auth_router, users_router
    from kangyang.accounts.api_organisations import router as organisations_router
    from kangyang.alarms.api import devices_router, router as alarms_router
    from kangyang.assessment.api import router as assessments_router
    from kangyang.notify.api import router as notifications_router
    from kangyang.regions.api import router as regions_router
    from kangyang.registry.api import router as elders_router
    from kangyang.services.api import items_router, providers_router, router as orders_router
    from kangyang.allowances.api import router as allowances_router
    from kangyang.timebank.api import router as timebank_router
    from kangyang.visits.api import router as visits_router
    from kangyang.institutions.api import hazards_router, inspections_router, institutions_router
    from kangyang.health.api import router as health_router

    api.add_router("/v1/auth", auth_router)
    api.add_router("/v1/users", users_router)
    api.add_router("/v1/regions", regions_router)
    api.add_router("/v1/organisations", organisations_router)
    api.add_router("/v1/elders", elders_router)
    api.add_router("/v1/assessments", assessments_router)
    api.add_router("/v1/allowances", allowances_router)
    api.add_router("/v1/alarms", alarms_router)
    api.add_router("/v1/devices", devices_router)
    api.add_router("/v1/providers", providers_router)
    api.add_router("/v1/service-items", items_router)
    api.add_router("/v1/orders", orders_router)
    api.add_router("/v1/notifications", notifications_router)
    api.add_router("/v1/timebank", timebank_router)
    api.add_router("/v1/visits", visits_router)
    api.add_router("/v1/institutions", institutions_router)
    api.add_router("/v1/inspections", inspections_router)
    api.add_router("/v1/hazards", hazards_router)
    api.add_router("/v1/health", health_router)


_add_routers()
