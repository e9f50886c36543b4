"""What every action of home services shares: refusals, and the one way an order's status
changes (a conditional UPDATE, a timeline event, an audit entry)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.services.models import Caregiver, Order, OrderEvent

S = Order.Status
K = OrderEvent.Kind


def invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A refusal put on one field, keeping its code (the API's error format shows it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def wrong_status(order: Order) -> ValidationError:
    return ValidationError(
        _("Order #%(id)d is %(status)s: this step is not possible now.") % {
            "id": order.pk, "status": Order.Status(order.status).label},
        code="wrong_status",
    )


def add_event(order: Order, kind: str, *, by=None, at: dt.datetime | None = None,
              caregiver: Caregiver | None = None, note: str = "", code: str = "",
              travel_minutes: int | None = None) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, region_code=order.region_code, kind=kind, at=at or timezone.now(),
        by=by if by is not None and by.is_authenticated else None, caregiver=caregiver, note=note,
        code=code, travel_minutes=travel_minutes,
    )


def transition(order: Order, to: str, *, by, allowed: Iterable[str], event: str, now: dt.datetime | None = None,
               at: dt.datetime | None = None, note: str = "", changes: dict | None = None,
               travel_minutes: int | None = None, **fields) -> Order:
    """Move the order to status `to` if it is in one of `allowed` now — a conditional UPDATE,
    so two people (or a person and the sweep) never both take the same step — then write the
    timeline event and the audit entry. The event is dated `at` when the step happened
    earlier than it is recorded (a check-in queued on a phone without a connection). Extra
    `fields` are set in the same UPDATE."""
    now = now or timezone.now()
    allowed = list(allowed)
    taken = Order.objects.filter(pk=order.pk, status__in=allowed).update(status=to, updated_at=now, **fields)
    if not taken:
        order.refresh_from_db(fields=["status"])
        raise wrong_status(order)
    before = order.status
    order.refresh_from_db()
    add_event(order, event, by=by, at=at or now, caregiver=order.caregiver, note=note, travel_minutes=travel_minutes)
    record(by, AuditEntry.Action.CHANGE, order, verb=f"order.{event}",
           changes={"status": [before, to], **(changes or {})}, note=note)
    return order
