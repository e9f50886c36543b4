"""Ordering by phone: the hotline operator (or a community worker) finds the caller's
elder, picks a service from the elder's menu, sees the price split before placing, places
the order, and follows the elder's orders (confirm by callback, cancel, complaint)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.lib.forms import add_errors
from kangyang.registry import queries as registry_queries
from kangyang.registry.models import Elder
from kangyang.services import actions, queries
from kangyang.services.forms import CancelForm, ComplaintForm, ConfirmForm, ElderSearchForm, OrderForm
from kangyang.services.models import Order
from kangyang.services.views._common import CANCELLABLE, is_fragment, refusal

S = Order.Status
SEARCH_RESULTS = 20
ELDER_ORDERS = 30


def _check_desk(user) -> None:
    if user.role not in scope.DESK_ROLES:
        raise PermissionDenied


def _get_elder(request: HttpRequest, elder_id: int) -> Elder:
    """The elder (outside the user's area: 404), for someone who may order for them (else 403)."""
    elder = registry_queries.get_elder_for(request.user, elder_id)
    _check_desk(request.user)
    if not queries.can_order_for(request.user, elder):
        raise PermissionDenied
    return elder


@login_required
@require_safe
@vary_on_headers("HX-Request")
def phone(request: HttpRequest) -> HttpResponse:
    """Find the caller's elder by name, pinyin initials, the ID's last four or a phone number."""
    _check_desk(request.user)
    form = ElderSearchForm(request.GET)
    elders = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        elders = list(registry_queries.elders_for(request.user, q=form.cleaned_data["q"])
                      .select_related("compound").order_by("name", "id")[:SEARCH_RESULTS])
    context = {"form": form, "elders": elders, "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
               "may_follow_up": scope.may_follow_up_complaints(request.user)}
    return render(request, "services/_phone_result.html" if is_fragment(request) else "services/phone.html", context)


def elder_orders_context(request: HttpRequest, elder: Elder, **extra) -> dict:
    """The elder's latest orders, each with the steps the user may take on it."""
    user = request.user
    may_order = queries.can_order_for(user, elder)
    orders = list(queries.elder_orders_for(user, elder)[:ELDER_ORDERS])
    for o in orders:
        o.can_confirm = o.status == S.CHECKED_OUT and queries.can_confirm(user, o)
        o.can_cancel = o.status in CANCELLABLE and may_order
        o.can_complain = o.status != S.CREATED and may_order
    return {"elder": elder, "orders": orders, "confirm_form": ConfirmForm(), "cancel_form": CancelForm(),
            "complaint_form": ComplaintForm(), **extra}


def _page(request: HttpRequest, elder: Elder, form: OrderForm, *, step: str = "form", quote=None,
          price_error: str = "", placed: Order | None = None) -> HttpResponse:
    context = {"form": form, "step": step, "quote": quote, "price_error": price_error, "placed": placed,
               "menu_empty": not form.fields["offer"].queryset.exists(),
               **elder_orders_context(request, elder)}
    if is_fragment(request):
        return render(request, "services/_placed.html" if placed else "services/_order_form.html", context)
    return render(request, "services/elder.html", context)


@login_required
@require_safe
@vary_on_headers("HX-Request")
def elder_page(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The caller's elder: the order form and the elder's orders."""
    elder = _get_elder(request, elder_id)
    form = OrderForm(menu=queries.menu_for(elder), initial=OrderForm.initial_for_now())
    return _page(request, elder, form)


def _quote(form: OrderForm, elder: Elder):
    data = form.cleaned_data
    offer = data["offer"]
    return actions.quote_order(elder=elder, item=offer.item, provider=offer.provider, quantity=data["quantity"],
                               on=data["day"])


@login_required
@require_POST
def quote(request: HttpRequest, elder_id: int) -> HttpResponse:
    """The price step: what the order costs and who pays what, before anything is placed
    ("edit" goes back to the form with what was chosen)."""
    elder = _get_elder(request, elder_id)
    form = OrderForm(request.POST, menu=queries.menu_for(elder))
    if "edit" in request.POST or not form.is_valid():
        return _page(request, elder, form)
    try:
        split = _quote(form, elder)
    except ValidationError as e:
        add_errors(form, e)
        return _page(request, elder, form)
    return _page(request, elder, form, step="price", quote=split)


@login_required
@require_POST
def place(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Place the order at the price shown: if the elder's share has changed since (a balance
    spent meanwhile, a new price), it is refused and the new split is shown."""
    elder = _get_elder(request, elder_id)
    form = OrderForm(request.POST, menu=queries.menu_for(elder))
    if not form.is_valid():
        return _page(request, elder, form)
    expected = form.own_share_shown()
    if expected is None:  # the price was not shown: show it first
        return quote(request, elder_id)
    data = form.cleaned_data
    start, end = form.window()
    try:
        order = actions.place_order(
            by=request.user, elder=elder, item=data["offer"].item, provider=data["offer"].provider,
            quantity=data["quantity"], window_start=start, window_end=end, flexible=data["timing"] == "flexible",
            urgent=data["urgent"], note=data["note"], expected_own_share=expected,
        )
    except ValidationError as e:
        if getattr(e, "code", None) == "price_changed":
            return _page(request, elder, form, step="price", quote=_quote(form, elder), price_error=refusal(e))
        add_errors(form, e)
        return _page(request, elder, form)
    order = queries.get_order_for(request.user, order.pk)
    if is_fragment(request):
        return _page(request, elder, OrderForm(menu=queries.menu_for(elder), initial=OrderForm.initial_for_now()),
                     placed=order)
    messages.success(request, _("Order #%(id)d is placed: %(status)s.") % {
        "id": order.pk, "status": order.get_status_display()})
    return redirect("services:order", order_id=order.pk)
