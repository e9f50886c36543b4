"""Placing orders from the menu, standing orders, and the orderer's side of an order's life:
cancelling, no-shows, confirming with a rating, complaints.

Money. The price is fixed when the order is placed and split at once (rules.split_price):
the allowance and voucher shares are debited from the elder's balances then, under the
reference `order:<id>`, so that no two orders can spend the same yuan; a cancelled or
no-show order is refunded (allowances.actions.refund_voucher). Settlement pays the provider
for the shares of verified, confirmed orders only.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.registry.models import Elder
from kangyang.services import constants, queries, rules
from kangyang.services.actions._common import K, S, add_event, invalid, transition
from kangyang.services.models import Channel, Complaint, Order, Provider, Recurrence, ServiceItem
from kangyang.allowances import actions as allowances, queries as allowance_queries
from kangyang.allowances.models import Policy

log = logging.getLogger(__name__)
R = queries.R
CHANNEL_BY_ROLE = {R.ELDER: Channel.APP, R.FAMILY: Channel.APP, R.HOTLINE_OPERATOR: Channel.HOTLINE,
                   R.COMMUNITY_WORKER: Channel.COMMUNITY}
# Statuses from which the ordering side may still cancel (not once the caregiver is in).
CANCELLABLE = (S.CREATED, S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE)


@dataclass(frozen=True)
class Quote:
    """What an order would cost and who would pay, shown before it is placed."""

    elder: Elder
    item: ServiceItem
    provider: Provider
    quantity: int
    unit_price: Decimal
    split: rules.Split


def _provider_for(elder: Elder, item: ServiceItem, provider: Provider | None):
    """The chosen provider, checked; or the cheapest one serving the elder's community."""
    if provider is None:
        offer = queries.menu_for(elder).filter(item=item).first()
        if offer is None:
            raise invalid("item", _("No provider serving this community offers this service."), "no_provider")
        return offer.provider, offer.price
    if provider.is_blacklisted or not provider.active:
        raise invalid("provider", _("This provider does not take orders."), "provider_closed")
    if not queries.serves(provider, elder.region_code):
        raise invalid("provider", _("This provider does not serve the elder's community."), "not_served")
    offer = queries.price_of(provider, item)
    if offer is None:
        raise invalid("item", _("This provider does not offer this service."), "not_offered")
    return provider, offer.price


def quote_order(*, elder: Elder, item: ServiceItem, provider: Provider | None = None, quantity: int = 1,
                on: dt.date | None = None) -> Quote:
    """The price and its split for the elder as their balances stand now."""
    if elder.status != Elder.Status.ACTIVE:
        raise invalid("elder", _("Services are ordered only for active elder records."), "elder_inactive")
    if not item.active:
        raise invalid("item", _("This service is not offered any more."), "not_offered")
    if not 1 <= quantity <= 99:
        raise invalid("quantity", _("Order between 1 and 99 units."), "quantity")
    provider, unit_price = _provider_for(elder, item, provider)
    price = rules.order_price(unit_price, quantity)
    on = on or timezone.localdate()
    payable = set(item.payable_by)
    cover = (allowance_queries.voucher_cover(elder, price=price, setting="home", on=on)
             if Policy.Kind.CONSUMPTION_VOUCHER in payable else rules.ZERO)
    balance = (allowance_queries.voucher_balance(elder, kind=Policy.Kind.SERVICE)
               if Policy.Kind.SERVICE in payable else rules.ZERO)
    split = rules.split_price(price, voucher_cover=cover, allowance_balance=balance)
    return Quote(elder=elder, item=item, provider=provider, quantity=quantity, unit_price=unit_price, split=split)


def _check_window(provider: Provider, start: dt.datetime, end: dt.datetime, *, urgent: bool, now: dt.datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("order windows are aware datetimes")
    if end < start:
        raise invalid("window_end", _("The window ends before it starts."), "window")
    if start < now - constants.MAX_CLOCK_SKEW and not (urgent and end >= now):
        raise invalid("window_start", _("Choose a time that has not passed."), "window")
    if start > now + dt.timedelta(days=constants.MAX_DAYS_AHEAD):
        raise invalid("window_start", _("Orders are taken up to %(days)d days ahead.") % {
            "days": constants.MAX_DAYS_AHEAD}, "window")
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    if local_start.date() != local_end.date():
        raise invalid("window_end", _("The window must end on the day it starts."), "window")
    if urgent:
        return  # urgent help (助急) is sent whenever it is needed
    if not provider.is_open(local_start.isoweekday()):
        raise invalid("window_start", _("The provider does not work on that day."), "closed")
    if local_end.time() < provider.opens_at or local_start.time() > provider.closes_at:
        raise invalid("window_start", _("The provider works from %(opens)s to %(closes)s.") % {
            "opens": provider.opens_at.strftime("%H:%M"), "closes": provider.closes_at.strftime("%H:%M")}, "closed")


@transaction.atomic
def place_order(*, by, elder: Elder, item: ServiceItem, window_start: dt.datetime,
                window_end: dt.datetime | None = None, provider: Provider | None = None, quantity: int = 1,
                flexible: bool = False, urgent: bool = False, note: str = "",
                expected_own_share: Decimal | None = None, recurrence: Recurrence | None = None,
                dispatch: bool = True, now: dt.datetime | None = None) -> Order:
    """Place an order for the elder and dispatch it. The price is split and the allowance
    shares taken from the elder's balances at once. A fixed time without an end gets the
    standard window (constants.FIXED_WINDOW). `expected_own_share`, the elder's share the
    orderer was shown, refuses the order if it has changed since."""
    now = now or timezone.now()
    if recurrence is None and not queries.can_order_for(by, elder):
        raise PermissionDenied
    quote = quote_order(elder=elder, item=item, provider=provider, quantity=quantity, on=timezone.localdate(window_start))
    if expected_own_share is not None and quote.split.own != expected_own_share:
        raise ValidationError(
            _("The price has changed: the elder now pays ¥%(own)s. Check the price and order again.") % {
                "own": quote.split.own}, code="price_changed")
    window_end = window_end or window_start + constants.FIXED_WINDOW
    _check_window(quote.provider, window_start, window_end, urgent=urgent, now=now)
    channel = recurrence.channel if recurrence is not None else CHANNEL_BY_ROLE[by.role]
    split = quote.split
    busy = busy_time(window_start, window_end, item.duration_minutes * quantity)
    order = Order.objects.create(
        elder=elder, region_code=elder.region_code, item=item, provider=quote.provider, channel=channel,
        quantity=quantity, window_start=window_start, window_end=window_end, flexible=flexible, urgent=urgent,
        note=note.strip(), unit_price=quote.unit_price, price=split.price, allowance_amount=split.allowance,
        voucher_amount=split.voucher, self_amount=split.own, created_by=by if recurrence is None else recurrence.created_by,
        created_at=now, updated_at=now, recurrence=recurrence,
        busy_from=busy[0] if busy else None, busy_until=busy[1] if busy else None,
    )
    if split.voucher:
        allowances.debit_voucher(elder, amount=split.voucher, by=by, reference=order.reference,
                                 kind=Policy.Kind.CONSUMPTION_VOUCHER)
    if split.allowance:
        allowances.debit_voucher(elder, amount=split.allowance, by=by, reference=order.reference,
                                 kind=Policy.Kind.SERVICE)
    add_event(order, K.CREATED, by=by, at=now)
    record(by, AuditEntry.Action.CREATE, order, verb="order.create", changes={
        "elder": elder.pk, "item": item.code, "provider": quote.provider.pk, "quantity": quantity,
        "price": str(split.price), "allowance": str(split.allowance), "voucher": str(split.voucher),
        "own": str(split.own), "channel": channel, "urgent": urgent,
    })
    if dispatch:
        from kangyang.services.actions.dispatch import dispatch_order

        order = dispatch_order(order, by=None, now=now)
    return order


def busy_time(window_start: dt.datetime, window_end: dt.datetime, minutes: int) -> tuple[dt.datetime, dt.datetime] | None:
    """Order.busy_from/busy_until (dispatch_rules.busy_time in datetimes)."""
    end = window_start + dt.timedelta(minutes=minutes)
    return (window_end, end) if window_end < end else None


def refund_shares(order: Order, *, by) -> None:
    for kind, amount in ((Policy.Kind.SERVICE, order.allowance_amount),
                         (Policy.Kind.CONSUMPTION_VOUCHER, order.voucher_amount)):
        if amount:
            allowances.refund_voucher(order.elder, by=by, reference=order.reference, kind=kind)


def _drop_from_plan(order: Order) -> None:
    from kangyang.services.models import RouteStop

    RouteStop.objects.filter(order=order).delete()


@transaction.atomic
def cancel_order(order: Order, *, by, reason: str, now: dt.datetime | None = None) -> Order:
    """The ordering side or the provider cancels, with a reason, until the caregiver checks
    in. The allowance shares go back to the elder's balances."""
    if not queries.can_cancel(by, order):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise invalid("reason", _("Say why the order is cancelled."), "reason")
    order = transition(order, S.CANCELLED, by=by, allowed=CANCELLABLE, event=K.CANCELLED, now=now,
                       note=reason, cancel_reason=reason)
    refund_shares(order, by=by)
    _drop_from_plan(order)
    return order


@transaction.atomic
def report_no_show(order: Order, *, by, party: str, reason: str = "", now: dt.datetime | None = None) -> Order:
    """Nobody was there: the caregiver at a closed door (party "elder"), or the elder or the
    hotline about a caregiver who never came (party "caregiver"). Nothing is paid; the
    allowance shares go back."""
    if party not in Order.NoShowParty.values:
        raise invalid("party", _("Say who was not there."), "party")
    if party == Order.NoShowParty.ELDER:
        allowed = queries.is_caregiver_of(by, order) or queries.manages(by, order.provider_id)
        statuses = (S.ACCEPTED, S.EN_ROUTE, S.CHECKED_IN)
    else:
        allowed = queries.can_order_for(by, order.elder) or queries.manages(by, order.provider_id)
        statuses = (S.DISPATCHED, S.ACCEPTED, S.EN_ROUTE)
    if not allowed:
        raise PermissionDenied
    order = transition(order, S.NO_SHOW, by=by, allowed=statuses, event=K.NO_SHOW, now=now,
                       note=reason.strip(), changes={"party": party}, no_show_party=party, cancel_reason=reason.strip())
    refund_shares(order, by=by)
    _drop_from_plan(order)
    if hasattr(order, "service_visit"):  # checked in at a closed door: the visit is not a service
        from kangyang.services.models import ServiceVisit

        ServiceVisit.objects.filter(pk=order.service_visit.pk).update(checked_out_at=now or timezone.now())
    return order


@transaction.atomic
def confirm_order(order: Order, *, by, rating: int | None = None, comment: str = "",
                  now: dt.datetime | None = None) -> Order:
    """The elder or family confirms the service was delivered, in the app, or the hotline
    on a callback; with a rating of 1 to 5 stars. A low rating opens a complaint to follow up."""
    if not queries.can_confirm(by, order):
        raise PermissionDenied
    if rating is not None and not 1 <= rating <= 5:
        raise invalid("rating", _("Rate from 1 to 5 stars."), "rating")
    now = now or timezone.now()
    order = transition(order, S.CONFIRMED, by=by, allowed=[S.CHECKED_OUT], event=K.CONFIRMED, now=now,
                       note=comment.strip(), changes={"rating": rating}, rating=rating,
                       rating_comment=comment.strip(), confirmed_by=by, confirmed_at=now)
    if rating is not None and rating <= constants.LOW_RATING:
        text = comment.strip() or _("Rated %(n)d of 5 stars.") % {"n": rating}
        _open_complaint(order, by=by, text=text, now=now)
    return order


def _open_complaint(order: Order, *, by, text: str, now: dt.datetime) -> Complaint:
    complaint = Complaint.objects.create(
        order=order, provider=order.provider, elder=order.elder, caregiver=order.caregiver,
        region_code=order.region_code, text=text, created_by=by, created_at=now,
    )
    add_event(order, K.COMPLAINT, by=by, at=now, note=text)
    record(by, AuditEntry.Action.CREATE, complaint, verb="complaint.create", changes={"order": order.pk})
    return complaint


@transaction.atomic
def file_complaint(order: Order, *, by, text: str, now: dt.datetime | None = None) -> Complaint:
    """The ordering side complains about an order; the provider and the area follow it up."""
    if not queries.can_complain(by, order):
        raise PermissionDenied
    if len(text.strip()) < 2:
        raise invalid("text", _("Say what went wrong."), "text")
    return _open_complaint(order, by=by, text=text.strip(), now=now or timezone.now())


@transaction.atomic
def close_complaint(complaint: Complaint, *, by, follow_up: str, now: dt.datetime | None = None) -> Complaint:
    """Close a complaint, saying what was done about it."""
    if not queries.can_follow_up(by, complaint):
        raise PermissionDenied
    if len(follow_up.strip()) < 2:
        raise invalid("follow_up", _("Say what was done about the complaint."), "follow_up")
    now = now or timezone.now()
    closed = Complaint.objects.filter(pk=complaint.pk, status=Complaint.Status.OPEN).update(
        status=Complaint.Status.CLOSED, follow_up=follow_up.strip(), closed_by=by, closed_at=now)
    if not closed:
        raise ValidationError(_("This complaint is closed already."), code="conflict")
    complaint.refresh_from_db()
    record(by, AuditEntry.Action.CHANGE, complaint, verb="complaint.close", note=follow_up.strip())
    return complaint


def _errors(e: ValidationError) -> list[ValidationError]:
    return [x for v in e.error_dict.values() for x in v] if hasattr(e, "error_dict") else e.error_list


# -- standing orders -------------------------------------------------------------------------
@transaction.atomic
def create_recurrence(*, by, elder: Elder, item: ServiceItem, weekdays: str, time_from: dt.time,
                      time_to: dt.time | None = None, starts_on: dt.date, ends_on: dt.date | None = None,
                      provider: Provider | None = None, quantity: int = 1, flexible: bool = False,
                      note: str = "", now: dt.datetime | None = None) -> Recurrence:
    """A standing order, e.g. lunch every weekday. Its orders are placed a few days ahead by
    the sweep (and now, for the first days)."""
    if not queries.can_order_for(by, elder):
        raise PermissionDenied
    days = "".join(sorted(set(weekdays)))
    if not days or any(d not in "1234567" for d in days):
        raise invalid("weekdays", _("Choose the weekdays (1 Monday … 7 Sunday)."), "weekdays")
    time_to = time_to or (dt.datetime.combine(starts_on, time_from) + constants.FIXED_WINDOW).time()
    if time_to <= time_from:
        raise invalid("time_to", _("The window ends before it starts."), "window")
    if ends_on is not None and ends_on < starts_on:
        raise invalid("ends_on", _("The last day is before the first."), "window")
    quote = quote_order(elder=elder, item=item, provider=provider, quantity=quantity)  # checks provider and item
    recurrence = Recurrence.objects.create(
        elder=elder, region_code=elder.region_code, item=item, provider=quote.provider, quantity=quantity,
        weekdays=days, time_from=time_from, time_to=time_to, flexible=flexible, starts_on=starts_on,
        ends_on=ends_on, note=note.strip(), channel=CHANNEL_BY_ROLE[by.role], created_by=by,
    )
    record(by, AuditEntry.Action.CREATE, recurrence, verb="recurrence.create", changes={
        "elder": elder.pk, "item": item.code, "weekdays": days, "provider": quote.provider.pk})
    place_recurring_orders(recurrence=recurrence, now=now)
    return recurrence


@transaction.atomic
def stop_recurrence(recurrence: Recurrence, *, by, now: dt.datetime | None = None) -> Recurrence:
    """No more orders from this standing order (those already placed stay, and can be cancelled one by one)."""
    if not queries.can_order_for(by, recurrence.elder) and not queries.manages(by, recurrence.provider_id):
        raise PermissionDenied
    Recurrence.objects.filter(pk=recurrence.pk, stopped_at__isnull=True).update(stopped_at=now or timezone.now())
    recurrence.refresh_from_db()
    record(by, AuditEntry.Action.CHANGE, recurrence, verb="recurrence.stop")
    return recurrence


def place_recurring_orders(*, recurrence: Recurrence | None = None, now: dt.datetime | None = None) -> int:
    """Place the orders of standing orders for today and the next RECURRENCE_DAYS_AHEAD days,
    once each (a unique constraint per standing order and slot). A day that cannot be
    ordered (provider closed, service withdrawn) is skipped with a line in the log (codes
    only, nothing personal), not retried. Returns the number placed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=constants.RECURRENCE_DAYS_AHEAD)
    recurrences = [recurrence] if recurrence is not None else Recurrence.objects.filter(
        stopped_at__isnull=True).select_related("elder", "item", "provider", "created_by")
    placed = 0
    for r in recurrences:
        first = max(r.starts_on, today, (r.generated_until + dt.timedelta(days=1)) if r.generated_until else today)
        last = min(horizon, r.ends_on) if r.ends_on else horizon
        day = first
        while day <= last:
            if str(day.isoweekday()) in r.weekdays:
                start = timezone.make_aware(dt.datetime.combine(day, r.time_from))
                end = timezone.make_aware(dt.datetime.combine(day, r.time_to))
                if end > now and not Order.objects.filter(recurrence=r, window_start=start).exists():
                    try:
                        with transaction.atomic():
                            place_order(by=r.created_by, elder=r.elder, item=r.item, provider=r.provider,
                                        quantity=r.quantity, window_start=start, window_end=end,
                                        flexible=r.flexible, note=r.note, recurrence=r, now=now)
                        placed += 1
                    except ValidationError as e:  # this day cannot be ordered; the next may
                        log.warning("standing order %s: no order on %s (%s)", r.pk, day.isoformat(),
                                    ",".join(sorted({err.code or "invalid" for err in _errors(e)})))
            day += dt.timedelta(days=1)
        if last >= first:
            Recurrence.objects.filter(pk=r.pk).update(generated_until=last)
    return placed
