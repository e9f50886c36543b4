"""What the family (and the elder) were told, and "tell me on this phone" (issue 14 §3)."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kangyang.accounts import scope
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify import transports
from kangyang.portal.queries import notices_for
from kangyang.portal.views._common import app_login_required

MAX_BODY = 4096  # a push subscription is well under 1 KB


def _own_page_only(request: HttpRequest) -> None:
    if not scope.has_own_page(request.user):
        raise PermissionDenied


@app_login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The messages sent to this account, newest first, and how this phone is told."""
    _own_page_only(request)
    preference = notify_queries.preference_of(request.user)
    return render(request, "portal/notifications.html", {
        "notices": notices_for(request.user), "preference": preference,
        "push_on": bool(preference and preference.push and preference.push_subscription),
        "vapid_key": transports.vapid_public_key(),
    })


def _subscription(request: HttpRequest) -> dict | None:
    """The browser's PushSubscription (JSON: endpoint and keys), or None when it is not one."""
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    endpoint, keys = data.get("endpoint"), data.get("keys")
    if not (isinstance(endpoint, str) and endpoint.startswith("https://") and 8 <= len(endpoint) <= 2000
            and "\x00" not in endpoint and isinstance(keys, dict)):
        return None
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not all(isinstance(v, str) and 0 < len(v) <= 200 and v.replace("-", "").replace("_", "").replace("=", "").isalnum()
               for v in (p256dh, auth)):
        return None
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


@app_login_required
@require_http_methods(["POST", "DELETE"])
def push(request: HttpRequest) -> HttpResponse:
    """POST the browser's push subscription (JSON) to be told on this phone by web push;
    DELETE, or a form POST with action=off, to stop (messages go by SMS again)."""
    _own_page_only(request)
    if request.method == "DELETE" or request.POST.get("action") == "off":
        notify.remove_push_subscription(request.user)
        if request.method == "DELETE":
            return JsonResponse({"push": False})
        messages.success(request, _("This phone is no longer told by push; messages come by SMS."))
        return redirect("portal:notifications")
    subscription = _subscription(request)
    if subscription is None:
        return JsonResponse({"error": _("This is not a push subscription.")}, status=400)
    notify.save_push_subscription(request.user, subscription=subscription)
    return JsonResponse({"push": True, "message": _("This phone will be told of alarms.")})
