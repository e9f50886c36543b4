"""Ordering a service in the app (点菜式, issue 14 §2) and following the orders: the menu of
what providers near her home offer, a confirm page with who pays what before anything is
placed, then the order in words until she confirms and rates it. Every rule is the services
app's (quote_order, place_order, confirm_order, file_complaint, cancel_order); these views
parse, call and render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.lib.forms import add_errors
from kangyang.portal.forms import AppOrderForm, CancelForm, ComplaintForm, RateForm
from kangyang.portal.queries import get_own_elder, menu_of, own_elders
from kangyang.portal.views._common import app_login_required
from kangyang.portal.views.pages import _own_page_only
from kangyang.services import actions, app_words, queries
from kangyang.services.actions.orders import CANCELLABLE
from kangyang.services.models import Order


def _elder_for(request: HttpRequest):
    """The elder ordered for: the elder herself, or the one a family member chose (?elder=,
    or the form's); None when a family member with several elders has not chosen."""
    elders = own_elders(request.user)
    chosen = request.POST.get("elder") or request.GET.get("elder")
    if chosen:
        return get_own_elder(request.user, chosen), elders
    return (elders[0] if len(elders) == 1 else None), elders


@app_login_required
def order(request: HttpRequest) -> HttpResponse:
    """GET: the menu. POST step "quote": the confirm page with the price split. POST step
    "place": the order is placed (channel "app"), then its page."""
    _own_page_only(request)
    elder, elders = _elder_for(request)
    if elder is None:
        return render(request, "portal/order_choose.html", {"elders": elders})
    offers, groups = menu_of(elder)
    step = request.POST.get("step", "")
    form = AppOrderForm(request.POST if request.method == "POST" else None, elders=[elder], offers=offers,
                        initial={"elder": elder.pk, "offer": request.GET.get("offer")})
    context = {"elder": elder, "groups": groups, "form": form}
    if request.method != "POST" or not form.is_valid():
        return render(request, "portal/order_menu.html", context, status=200)
    data = form.cleaned_data
    offer = data["offer_object"]
    try:
        quote = actions.quote_order(elder=elder, item=offer.item, provider=offer.provider, quantity=data["quantity"],
                                    on=timezone.localdate(data["window_start"]))
        if step == "place":
            placed = actions.place_order(
                by=request.user, elder=elder, item=offer.item, provider=offer.provider, quantity=data["quantity"],
                window_start=data["window_start"], window_end=data["window_end"], flexible=True,
                note=data["note"], expected_own_share=data["expected_own_share"],
            )
    except ValidationError as e:
        add_errors(form, e)
        return render(request, "portal/order_menu.html", context)
    if step == "place":
        messages.success(request, _("Ordered: %(item)s, %(when)s. You pay ¥%(own)s.") % {
            "item": placed.item.name, "when": app_words.when(placed), "own": placed.self_amount})
        return redirect("portal:order_detail", placed.pk)
    window_label = dict(form.fields["window"].choices)[data["window"]]
    day_label = dict(form.fields["day"].choices)[data["day"]]
    return render(request, "portal/order_confirm.html", {
        **context, "quote": quote, "data": data, "window_label": window_label, "day_label": day_label,
    })


@app_login_required
def orders(request: HttpRequest) -> HttpResponse:
    """The orders of her elders (or of the one chosen), coming first, then the past ones."""
    _own_page_only(request)
    elders = own_elders(request.user)
    if request.GET.get("elder"):
        elders = [get_own_elder(request.user, request.GET["elder"])]
    lists = []
    for elder in elders:
        mine = queries.elder_orders_for(request.user, elder).select_related("caregiver")
        coming = list(mine.filter(status__in=(*app_words.COMING, Order.Status.CHECKED_OUT)).order_by("window_start", "id"))
        past = list(mine.exclude(status__in=(*app_words.COMING, Order.Status.CHECKED_OUT))[:30])
        rows = lambda found: [{"order": o, "state": app_words.state(o), "short": app_words.short_state(o),  # noqa: E731
                               "when": app_words.when(o)} for o in found]
        lists.append({"elder": elder, "coming": rows(coming), "past": rows(past)})
    return render(request, "portal/orders.html", {"lists": lists})


def _detail(request: HttpRequest, order: Order, *, rate=None, complain=None, cancel=None, status=200) -> HttpResponse:
    user = request.user
    context = {
        "order": order, "state": app_words.state(order), "short": app_words.short_state(order),
        "when": app_words.when(order), "steps": app_words.steps(order),
        "may_rate": order.status == Order.Status.CHECKED_OUT and queries.can_confirm(user, order),
        "may_complain": order.status != Order.Status.CANCELLED and queries.can_complain(user, order),
        "may_cancel": order.status in CANCELLABLE and queries.can_cancel(user, order),
        "live": order.status in app_words.COMING,
        "rate_form": rate or RateForm(), "complaint_form": complain or ComplaintForm(),
        "cancel_form": cancel or CancelForm(),
        "complaints": list(order.complaints.order_by("created_at")),
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "portal/_order_state.html", context)
    return render(request, "portal/order_detail.html", context, status=status)


@app_login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    _own_page_only(request)
    return _detail(request, queries.get_order_for(request.user, order_id))


def _step(request: HttpRequest, order_id: int, form_class, slot: str, act, done) -> HttpResponse:
    """One step on her order (rate, complain, cancel): parse the form, act through the services
    app (whose rules say no in words), say it was done and go back to the order; or show the
    order again with the form and its errors in `slot`."""
    _own_page_only(request)
    order = queries.get_order_for(request.user, order_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            act(order, form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, done(form.cleaned_data))
            return redirect("portal:order_detail", order.pk)
    return _detail(request, order, **{slot: form})


@app_login_required
@require_POST
def order_rate(request: HttpRequest, order_id: int) -> HttpResponse:
    """Confirm the service was delivered, with a rating (services.confirm_order)."""
    return _step(
        request, order_id, RateForm, "rate",
        lambda order, data: actions.confirm_order(order, by=request.user, rating=data["rating"],
                                                  comment=data["comment"]),
        lambda data: _("Thank you. The service is confirmed, rated %(n)d of 5.") % {"n": data["rating"]})


@app_login_required
@require_POST
def order_complain(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(
        request, order_id, ComplaintForm, "complain",
        lambda order, data: actions.file_complaint(order, by=request.user, text=data["text"]),
        lambda data: _("Your complaint is sent. The provider and the community will follow it up."))


@app_login_required
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    return _step(
        request, order_id, CancelForm, "cancel",
        lambda order, data: actions.cancel_order(order, by=request.user,
                                                 reason=str(CancelForm.REASONS[data["reason"]])),
        lambda data: _("The order is cancelled. The allowance it held is given back."))
