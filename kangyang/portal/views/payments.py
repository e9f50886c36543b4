"""Paying the elder's own share of an order (issue 14 §3): start, the fake provider's
checkout and its callback, the result. Parse, gate, act (kangyang/payments/actions.py), render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kangyang.payments import actions, queries
from kangyang.payments.models import Payment
from kangyang.payments.providers import FakeProvider
from kangyang.portal.views._common import app_login_required
from kangyang.services.queries import get_order_for


@app_login_required
@require_http_methods(["GET", "POST"])
def pay_order(request: HttpRequest, order_id: int) -> HttpResponse:
    """GET: the share and the button; POST: start the payment and go to the provider's
    checkout. Outside the user's orders: 404; staff who see the order but do not pay: 403."""
    order = get_order_for(request.user, order_id)
    if request.method == "POST":
        try:
            _payment, url = actions.start_payment(order, by=request.user)
        except ValidationError as e:
            messages.error(request, e.messages[0])
        else:
            return redirect(url)
    return render(request, "portal/payments/start.html", {"order": order, "refusal": queries.refusal(order)})


@app_login_required
@require_http_methods(["GET", "POST"])
def pay_fake(request: HttpRequest, ref: str) -> HttpResponse:
    """The fake provider's checkout page (a demo: no money moves), for the payer only; its
    buttons post the provider's signed notice back here, as a real provider's callback would."""
    if request.method == "POST":
        try:
            payment = actions.handle_callback(provider=FakeProvider.name, ref=ref, data=request.POST,
                                              by=request.user)
        except Payment.DoesNotExist:
            raise Http404 from None
        except ValidationError as e:
            messages.error(request, e.messages[0])
            payment = Payment.objects.filter(provider=FakeProvider.name, provider_ref=ref[:64]).first()
        else:
            if payment.status == Payment.Status.PAID:
                messages.success(request, _("Paid. Thank you."))
            else:
                messages.success(request, _("The payment is cancelled; nothing was paid."))
        return redirect("portal:payment", payment.pk)
    payment = queries.get_checkout_for(request.user, provider=FakeProvider.name, ref=ref)
    if payment.status != Payment.Status.CREATED:
        return redirect("portal:payment", payment.pk)
    provider = FakeProvider()
    return render(request, "portal/payments/fake_checkout.html", {
        "payment": payment, "pay": provider.form(payment, "paid"), "cancel": provider.form(payment, "cancelled"),
    })


@app_login_required
def payment(request: HttpRequest, payment_id: int) -> HttpResponse:
    """The result of a payment: paid, cancelled, failed or still waiting."""
    payment = queries.get_payment_for(request.user, payment_id)
    return render(request, "portal/payments/result.html", {"payment": payment, "order": payment.order})
