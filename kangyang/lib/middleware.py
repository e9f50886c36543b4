"""Refuse hostile input before it reaches a view: NUL characters, and numbers too large
for the database that slipped past a form or schema. Keep every 4xx under /api/ in the
API's error format, also those Django answers itself (an unknown URL, a wrong method).

PostgreSQL cannot store a NUL character in text and psycopg refuses to send one, so a
`%00` in a search box or a `\\u0000` in a JSON string ended as a 500. This middleware
answers 400 instead: the API's JSON error format under /api/, a short page otherwise,
both in the request's language (it runs after LocaleMiddleware).
"""

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _has_nul(value: Any) -> bool:
    """Whether a parsed JSON value holds a NUL character in any string or key."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _body_has_nul(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body
        if b"\x00" in body:
            return True
        if b"\\u0000" not in body:
            return False
        try:  # only an escape that decodes to NUL counts, not a literal "\\u0000"
            return _has_nul(json.loads(body))
        except ValueError:
            return False  # not JSON: the API answers that itself
    if content_type == "application/x-www-form-urlencoded":
        body = request.body
        return b"\x00" in body or b"\x00" in unquote_to_bytes(body)
    if content_type == "multipart/form-data":
        # Files may hold any bytes; the text fields may not.
        return any("\x00" in v for values in request.POST.lists() for v in values[1])
    return False


def has_nul(request: HttpRequest) -> bool:
    """A NUL character in the path, the query string, or a text body."""
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "\x00" in query or b"\x00" in unquote_to_bytes(query):
        return True
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        return _body_has_nul(request)
    return False


def refuse(request: HttpRequest, *, code: str, message: str) -> HttpResponse:
    """A 400 in the API's error format under /api/, else a short page."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=400)
    page = format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
        '<body><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></body></html>',
        get_language() or settings.LANGUAGE_CODE, _("Bad request"), _("Bad request"), message,
        _("Back to the start page"),
    )
    return HttpResponseBadRequest(page)


# Django's own 4xx answers under /api/ (no route, wrong method, unreadable request), as
# (code, message) of the error format.
def _django_refusal(status: int) -> tuple[str, str]:
    if status == 404:
        return "not_found", _("Not found.")
    if status == 405:
        return "method_not_allowed", _("This method is not allowed here.")
    if status == 413:
        return "too_large", _("The request is too large.")
    return "bad_request", _("Bad request")


class InputGuardMiddleware:
    """Put right after LocaleMiddleware, so that the answers are in the request's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            return refuse(request, code="nul_character",
                          message=_("The request contains a NUL character, which is not allowed."))
        response = self.get_response(request)
        if (
            400 <= response.status_code < 500
            and request.path_info.startswith(API_PREFIX)
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _django_refusal(response.status_code)
            answer = JsonResponse({"error": {"code": code, "message": message, "fields": {}}},
                                  status=response.status_code)
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Pages: a number too large for the database, or data it refuses, is the
        request's fault (400), not the server's. (The API has its own handlers.)"""
        if isinstance(exception, OverflowError | DataError):
            logger.warning("refused input of %s %s: %s", request.method, request.path, exception)
            return refuse(request, code="out_of_range",
                          message=_("A number or value in the request is out of range."))
        return None
