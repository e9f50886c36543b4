"""The REST API (/api/v1): bearer-token auth, one error format, pagination, app routers."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import PaginationBase
from ninja.security import HttpBearer
from pydantic import Field

from kangyang.accounts.actions import user_for_token


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; the authenticated value is the User."""

    def authenticate(self, request: HttpRequest, token: str):
        return user_for_token(token)


api = NinjaAPI(
    title="Kangyang API",
    version="1",
    description="Smart elder-care service and supervision platform. Errors: "
    '{"error": {"code", "message", "fields"}}; lists: {"items", "count"}.',
    auth=BearerToken(),
    urls_namespace="api",
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


@api.exception_handler(SchemaValidationError)
def on_schema_error(request, exc: SchemaValidationError):
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields.setdefault(".".join(loc) or "__all__", []).append(e.get("msg", ""))
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
    return error(request, exc.status_code, getattr(exc, "code", "error"), str(exc))


class Page(PaginationBase):
    """`?page=` and `?page_size=` (up to 200) → {"items": [...], "count": N}."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, **params):
        start = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[start : start + pagination.page_size]),
            "count": queryset.count(),
        }


def _add_routers() -> None:
    from kangyang.accounts.api import router as auth_router
    from kangyang.alarms.api import devices_router, router as alarms_router
    from kangyang.assessment.api import router as assessments_router
    from kangyang.regions.api import router as regions_router
    from kangyang.registry.api import router as elders_router
    from kangyang.services.api import items_router, providers_router, router as orders_router
    from kangyang.subsidies.api import router as allowances_router

    api.add_router("/v1/auth", auth_router)
    api.add_router("/v1/regions", regions_router)
    api.add_router("/v1/elders", elders_router)
    api.add_router("/v1/assessments", assessments_router)
    api.add_router("/v1/allowances", allowances_router)
    api.add_router("/v1/alarms", alarms_router)
    api.add_router("/v1/devices", devices_router)
    api.add_router("/v1/providers", providers_router)
    api.add_router("/v1/service-items", items_router)
    api.add_router("/v1/orders", orders_router)


_add_routers()
