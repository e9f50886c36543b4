"""Follow-ups of care visits: what a finding of concern opened (a home-service order, a home
adaptation, a device install, a referral to the community doctor), tracked to closure.

A follow-up of the kind "service order" may link an order already placed for the elder (the
community worker places it on the services desk, which quotes the price and the allowance
share first); the link is checked against the elder. The community workers of the elder's
community are told when one is opened, after commit.
"""

import datetime as dt
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify.models import Kind
from kangyang.regions.models import Region
from kangyang.services.models import Order
from kangyang.visits.actions.records import CONCERN, FINDING_ITEMS, NOTES_MAX, clean_text, invalid
from kangyang.visits.models import CareVisit, FollowUp


@transaction.atomic
def open_follow_up(visit: CareVisit, *, by, kind: str, note: str, finding: str = "", order: Order | None = None,
                   now: dt.datetime | None = None) -> FollowUp:
    """Open a follow-up of a visit: its visitor, or the area's community worker or officer.
    A `finding` named must be one the visit found a concern; an `order` must be the elder's."""
    if not scope.may_open_follow_up(by, visit):
        raise PermissionDenied
    if kind not in FollowUp.Kind.values:
        raise invalid("kind", _("The kind is one of: service_order, home_adaptation, device_install, doctor_referral."))
    finding = clean_text(finding, "finding", limit=20)
    if finding:
        if finding not in FINDING_ITEMS:
            raise invalid("finding", _("There is no finding called “%(item)s”: use health, safety, living, needs or mood.")
                          % {"item": finding})
        if (visit.findings or {}).get(finding, {}).get("state") != CONCERN:
            raise invalid("finding", _("The visit found no concern there."))
    note = clean_text(note, "note", limit=NOTES_MAX)
    if len(note) < 2:
        raise invalid("note", _("Say what is needed."))
    if order is not None:
        if kind != FollowUp.Kind.SERVICE_ORDER:
            raise invalid("order", _("Only a follow-up of the kind “a home-service order” links an order."))
        if order.elder_id != visit.elder_id:
            raise invalid("order", _("This order is not for the elder visited."))
    now = now or timezone.now()
    follow_up = FollowUp.objects.create(
        visit=visit, elder_id=visit.elder_id, region_code=visit.region_code, kind=kind, finding=finding,
        note=note, order=order, opened_by=by, opened_at=now,
    )
    record(by, AuditEntry.Action.CREATE, follow_up, verb="follow_up.open",
           changes={"visit": visit.pk, "kind": kind, "finding": finding, "order": order.pk if order else None})
    transaction.on_commit(partial(tell_community_workers, follow_up.pk))
    return follow_up


@transaction.atomic
def close_follow_up(follow_up: FollowUp, *, by, outcome: str, now: dt.datetime | None = None) -> FollowUp:
    """Close a follow-up with what came of it. Closing twice is refused (409)."""
    if not scope.may_close_follow_up(by, follow_up):
        raise PermissionDenied
    outcome = clean_text(outcome, "outcome", limit=NOTES_MAX)
    if len(outcome) < 2:
        raise invalid("outcome", _("Say what came of it."))
    now = now or timezone.now()
    taken = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.CLOSED, closed_by=by, closed_at=now, outcome=outcome)
    if not taken:
        raise ValidationError(_("This follow-up is already closed."), code="conflict")
    follow_up.refresh_from_db()
    record(by, AuditEntry.Action.CHANGE, follow_up, verb="follow_up.close",
           changes={"status": [FollowUp.Status.OPEN, FollowUp.Status.CLOSED]}, note=outcome)
    return follow_up


def community_workers_of(region_code: str) -> list[User]:
    """The active community workers of the community (its 12-digit code)."""
    return list(User.objects.filter(role=User.Role.COMMUNITY_WORKER, is_active=True, region__code=region_code)
                .order_by("pk"))


def tell_community_workers(follow_up_id: int) -> int:
    """Tell the community workers of the elder's community that a follow-up was opened (not the
    one who opened it). Returns the deliveries queued; each worker is told once."""
    follow_up = FollowUp.objects.filter(pk=follow_up_id).first()
    if follow_up is None:
        return 0
    community = Region.objects.filter(code=follow_up.region_code).values_list("name", flat=True).first()
    context = {"follow_up": f"#{follow_up.pk}", "kind": FollowUp.Kind(follow_up.kind).label,
               "community": community or follow_up.region_code}
    queued = 0
    for worker in community_workers_of(follow_up.region_code):
        if worker.pk == follow_up.opened_by_id:
            continue
        recipient = notify_queries.recipient_for(worker, audience="community_worker")
        queued += len(notify.notify(recipient, template="visit.follow_up", context=context, kind=Kind.VISIT,
                                    key=f"follow_up:{follow_up.pk}:opened:user:{worker.pk}",
                                    region_code=follow_up.region_code))
    return queued
