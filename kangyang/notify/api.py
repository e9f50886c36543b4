"""Notifications over the API: the delivery log (bureau admin and operators, by area, masked),
and the app's web-push subscription (its public VAPID key; saving the subscription)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from kangyang.accounts import scope
from kangyang.lib.pagination import Page
from kangyang.lib.schemas import UtcDatetime
from kangyang.notify import actions, queries, transports
from kangyang.notify.models import Channel, Delivery, Kind

router = Router(tags=["notifications"])


class DeliveryOut(Schema):
    id: int
    kind: str
    channel: str
    template: str
    audience: str
    address_masked: str
    status: str
    attempts: int
    last_error: str
    created_at: UtcDatetime
    last_attempt_at: UtcDatetime | None
    sent_at: UtcDatetime | None


class DeliveryFilter(Schema):
    status: Delivery.Status | None = None
    channel: Channel | None = None
    kind: Kind | None = None
    audience: str | None = Field(None, max_length=30)


class PushKeyOut(Schema):
    key: str = Field(..., description="The VAPID public key (base64url) for PushManager.subscribe().")


class PushKeysIn(Schema):
    p256dh: str = Field(..., min_length=1, max_length=200)
    auth: str = Field(..., min_length=1, max_length=100)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(..., min_length=8, max_length=2000, pattern=r"^https?://")
    keys: PushKeysIn


@router.get("/deliveries", response=list[DeliveryOut])
@paginate(Page)
def list_deliveries(request, filters: Query[DeliveryFilter]):
    """The delivery log as the caller may see it, newest first; 403 for roles without it."""
    if not scope.reads_delivery_log(request.auth):
        raise PermissionDenied
    return queries.deliveries_for(request.auth, status=filters.status or "", channel=filters.channel or "",
                                  kind=filters.kind or "", audience=filters.audience or "")


@router.get("/push-key", response=PushKeyOut)
def push_key(request):
    return {"key": transports.vapid_public_key()}


@router.put("/push-subscription", response={204: None})
def save_push_subscription(request, payload: PushSubscriptionIn):
    """The app's service worker subscribed: push to this browser from now on."""
    try:
        actions.save_push_subscription(request.auth, subscription=payload.dict())
    except ValueError:
        raise ValidationError(_("This is not a push subscription."), code="invalid") from None
    return Status(204, None)
