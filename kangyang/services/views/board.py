"""The provider's orders board, an order's page, and the steps taken on an order from
either (assign, cancel, confirm by phone callback, complaint). Parse, gate, act, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.services import actions, planning, queries
from kangyang.services.forms import AssignForm, BoardFilterForm, CancelForm, ComplaintForm, ConfirmForm, ReviewForm
from kangyang.services.models import Order, ServiceVisit
from kangyang.services.views._common import (
    ASSIGNABLE, CANCELLABLE, STATUS_GROUPS, Office, back_office, form_errors, is_fragment, office_context, refusal,
)

S = Order.Status


# -- the board -------------------------------------------------------------------------------
def choices_for(order: Order, caregivers=None) -> tuple[list, list]:
    """The caregivers offered for the order, with their reasons (planning.options_for):
    those who fit, by least added travel; and those the manager may choose only by override.
    Nobody without the skill or booked at once is offered."""
    options = planning.options_for(order, caregivers=caregivers)
    return [o for o in options if o.ok], [o for o in options if o.allowed and not o.ok]


def board_context(request: HttpRequest, office: Office, data, **extra) -> dict:
    """The board of the chosen day, grouped by status; each open order of a manager's board
    with the caregivers qualified to take it."""
    provider = office.provider
    caregivers = (list(provider.caregivers.filter(active=True).select_related("provider").order_by("name", "id"))
                  if provider else [])
    form = BoardFilterForm(data, groups=STATUS_GROUPS, caregivers=caregivers)
    f = form.filters()
    orders = queries.board_orders(request.user, provider, f["day"]) if provider else Order.objects.none()
    if f["caregiver"] == "none":
        orders = orders.filter(caregiver__isnull=True)
    elif f["caregiver"]:
        orders = orders.filter(caregiver_id=int(f["caregiver"]))
    orders = list(orders.select_related("caregiver", "item", "stop"))
    for o in orders:
        o.assignable = office.manager and o.status in ASSIGNABLE
        o.cancellable = office.manager and o.status in CANCELLABLE
        if o.assignable:
            o.fitting, o.others = choices_for(o, caregivers)
    groups = [
        {"key": key, "label": label, "orders": [o for o in orders if o.status in statuses]}
        for key, label, statuses in STATUS_GROUPS if not f["status"] or key == f["status"]
    ]
    return {
        **office_context(office, "board"), "form": form, "filters": f, "day": f["day"], "groups": groups,
        "total": len(orders), "can_dispatch": office.manager,
        "querystring": office.query(day=f["day"].isoformat(), status=f["status"], caregiver=f["caregiver"]),
        **extra,
    }


@login_required
@require_safe
@vary_on_headers("HX-Request")
def board(request: HttpRequest) -> HttpResponse:
    """Today's orders (or a chosen day's) by status; the manager assigns and cancels here."""
    office = back_office(request)
    context = board_context(request, office, request.GET)
    return render(request, "services/_board.html" if is_fragment(request) else "services/board.html", context)


# -- an order --------------------------------------------------------------------------------
def detail_context(request: HttpRequest, order: Order, **extra) -> dict:
    user = request.user
    service_visit = getattr(order, "service_visit", None)  # RelatedObjectDoesNotExist is an AttributeError
    manages = queries.manages(user, order.provider_id)
    can_assign = manages and order.status in ASSIGNABLE
    return {
        "order": order,
        "events": list(queries.timeline(order)),
        "visit": service_visit,
        "flags": list(service_visit.flags.all()) if service_visit else [],
        "complaints": list(order.complaints.select_related("created_by", "closed_by")),
        "choices": choices_for(order) if can_assign else ([], []),
        "can_assign": can_assign,
        "can_cancel": order.status in CANCELLABLE and queries.can_cancel(user, order),
        "can_confirm": order.status == S.CHECKED_OUT and queries.can_confirm(user, order),
        "can_complain": order.status != S.CREATED and queries.can_complain(user, order),
        "can_review": service_visit is not None and service_visit.review == ServiceVisit.Review.PENDING and queries.can_review(user, service_visit),
        "confirm_form": extra.pop("confirm_form", None) or ConfirmForm(),
        "review_form": extra.pop("review_form", None) or ReviewForm(),
        **extra,
    }


@login_required
@require_safe
@vary_on_headers("HX-Request")
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    """An order: status, price split, timeline, the visit with its distances and flags."""
    order = queries.get_order_for(request.user, order_id)
    template = "services/_order.html" if is_fragment(request) else "services/order.html"
    return render(request, template, detail_context(request, order))


def after_order_action(request: HttpRequest, order_id: int, *, done: str | None = None,
                       refused: str | None = None) -> HttpResponse:
    """Show the result where the step was taken (`from`: the board, the elder's orders on the
    phone page, the flags list, or the order's page): the fragment for htmx; for a plain form
    the page again, with the result as a message."""
    origin = request.POST.get("from", "")
    order = queries.get_order_for(request.user, order_id)
    if not is_fragment(request):
        if done:
            messages.success(request, done)
        if refused:
            messages.error(request, refused)
    if origin == "board":
        office = back_office(request, request.POST)
        if is_fragment(request):
            return render(request, "services/_board.html",
                          board_context(request, office, request.POST, done=done, refused=refused))
        context = board_context(request, office, request.POST)
        return redirect(f"{reverse('services:board')}?{context['querystring']}")
    if origin == "elder":
        from kangyang.services.views.phone import elder_orders_context

        if is_fragment(request):
            return render(request, "services/_elder_orders.html",
                          elder_orders_context(request, order.elder, done=done, refused=refused))
        return redirect("services:elder", elder_id=order.elder_id)
    if origin == "flags":
        from kangyang.services.views.office import flags_context

        if is_fragment(request):
            office = back_office(request, request.POST)
            return render(request, "services/_flags.html", flags_context(request, office, done=done, refused=refused))
        return redirect(f"{reverse('services:flags')}?{back_office(request, request.POST).query()}")
    if is_fragment(request):
        return render(request, "services/_order.html", detail_context(request, order, done=done, refused=refused))
    return redirect("services:order", order_id=order.pk)


def order_step(request: HttpRequest, order_id: int, form_class, act, **form_kwargs) -> HttpResponse:
    """Parse the step's form, take the step — `act(order, cleaned_data)` calls the action and
    returns what to tell the user — and show the result where the step was taken."""
    order = queries.get_order_for(request.user, order_id)
    form = form_class(request.POST, **{k: v(order) for k, v in form_kwargs.items()})
    done = refused = None
    if form.is_valid():
        try:
            done = act(order, form.cleaned_data)
        except ValidationError as e:
            refused = refusal(e)
    else:
        refused = form_errors(form)
    return after_order_action(request, order_id, done=done, refused=refused)


@login_required
@require_POST
def assign(request: HttpRequest, order_id: int) -> HttpResponse:
    """The manager gives the order to a caregiver (or to another one)."""
    def act(order, data):
        order = actions.assign_order(order, by=request.user, caregiver=data["caregiver"], note=data["note"],
                                     override_reason=data["override_reason"])
        done = _("Order #%(id)d is now with %(name)s.") % {"id": order.pk, "name": data["caregiver"].name}
        return f"{done} {order.warning_text()}".strip()

    return order_step(request, order_id, AssignForm, act, caregivers=lambda order: order.provider.caregivers.all())


@login_required
@require_POST
def cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    """Cancel with a reason: the ordering side or the provider's manager."""
    def act(order, data):
        actions.cancel_order(order, by=request.user, reason=data["reason"])
        return _("Order #%(id)d is cancelled.") % {"id": order.pk}

    return order_step(request, order_id, CancelForm, act)


@login_required
@require_POST
def confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    """The hotline calls the elder back: the service was delivered, with a rating."""
    def act(order, data):
        actions.confirm_order(order, by=request.user, rating=data["rating"], comment=data["comment"])
        return _("Order #%(id)d is confirmed.") % {"id": order.pk}

    return order_step(request, order_id, ConfirmForm, act)


@login_required
@require_POST
def complain(request: HttpRequest, order_id: int) -> HttpResponse:
    """Record a complaint about an order; the provider and the area follow it up."""
    def act(order, data):
        actions.file_complaint(order, by=request.user, text=data["text"])
        return _("The complaint about order #%(id)d is recorded.") % {"id": order.pk}

    return order_step(request, order_id, ComplaintForm, act)
