"""The volunteer's time bank in the app (/app/timebank/, issue 15): her balance in words, her
history (each movement with what it was for), the needs nearby she may take (open visits due
without a visitor, activities of her community), spending hours on a service of the catalogue,
giving hours to her family's elder or to a vulnerable elder she visits, and registering.

Every rule is the time bank's (kangyang/timebank/actions.py, signups.py, accounts/scope.py);
these views parse, gate, call and render. A refusal of an action is a form error in words;
a value no form offers (a forged number) is a form error too, never a 500."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.lib.forms import add_errors
from kangyang.portal.timebank_forms import GiveForm, RedeemForm, RegisterForm, TakeForm
from kangyang.portal.views._common import app_login_required
from kangyang.services.models import ServiceItem
from kangyang.timebank import actions, app_words, queries, signups

HISTORY_SHOWN = 30


def _volunteer_only(request: HttpRequest) -> None:
    if not scope.uses_timebank_app(request.user):
        raise PermissionDenied


def _page(request: HttpRequest, account, **extra) -> HttpResponse:
    """The page: the balance, the needs nearby, the history; or the registration form."""
    if account is None:
        return render(request, "portal/timebank_register.html",
                      {"form": extra.get("register_form") or RegisterForm(),
                       "min_age": settings.TIMEBANK_MIN_AGE}, status=extra.get("status", 200))
    minutes = queries.balance(account)
    lines = app_words.describe(queries.history(account)[:HISTORY_SHOWN])
    needs = queries.needs_nearby(request.user)
    # Before she takes it, a visit shows the elder's family name and her compound only.
    visits = [{"due": due, "name": app_words.masked_name(due.elder.name),
               "place": due.elder.compound.name if due.elder.compound_id else due.elder.community.name}
              for due in needs.visits]
    return render(request, "portal/timebank.html", {
        "account": account, "minutes": minutes, "hours": app_words.hours_figure(minutes),
        "balance_words": app_words.balance_words(minutes), "lines": lines,
        "needs": needs, "visits": visits,
        "may_redeem": (account.age() or 0) >= settings.TIMEBANK_REDEEM_MIN_AGE,
        "redeem_age": settings.TIMEBANK_REDEEM_MIN_AGE,
        "take_error": extra.get("take_error"),
    }, status=extra.get("status", 200))


@app_login_required
@never_cache
def timebank(request: HttpRequest) -> HttpResponse:
    _volunteer_only(request)
    return _page(request, queries.account_of(request.user))


@app_login_required
@require_POST
def timebank_register(request: HttpRequest) -> HttpResponse:
    """She registers herself (actions.open_volunteer_account: real name, the minimum age, phone)."""
    _volunteer_only(request)
    form = RegisterForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.open_volunteer_account(request.user, real_name=data["real_name"], birth_date=data["birth_date"],
                                           phone=data["phone"], by=request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("You are registered in the time bank. Thank you for helping."))
            return redirect("portal:timebank")
    return _page(request, queries.account_of(request.user), register_form=form, status=400)


@app_login_required
@require_POST
def timebank_take(request: HttpRequest) -> HttpResponse:
    """Take a need nearby: become the visitor of a visit due, or sign up for an activity."""
    _volunteer_only(request)
    account = queries.account_of(request.user)
    if account is None:
        return redirect("portal:timebank")
    form = TakeForm(request.POST)
    error = None
    if not form.is_valid():
        error = _("This need is not one you can take.")
    else:
        kind = form.cleaned_data["kind"]
        need = queries.get_need_for(request.user, kind, form.cleaned_data["need"])
        try:
            if kind == "visit":
                signups.take_visit_due(need, by=request.user)
                messages.success(request, _("The visit is yours: visit by %(date)s.") % {
                    "date": timezone.localtime(need.due_by).strftime("%Y-%m-%d")})
            else:
                signups.sign_up(need, by=request.user)
                messages.success(request, _("You are signed up for “%(title)s”.") % {"title": need.title})
        except ValidationError as e:
            error = " ".join(e.messages)
    if error:
        return _page(request, account, take_error=error, status=400)
    return redirect("portal:timebank")


@app_login_required
@never_cache
def timebank_spend(request: HttpRequest) -> HttpResponse:
    """Spend hours on a service of the catalogue (from the redemption age)."""
    _volunteer_only(request)
    account = queries.account_of(request.user)
    if account is None:
        return redirect("portal:timebank")
    items = list(ServiceItem.objects.filter(active=True).order_by("position", "code"))
    form = RedeemForm(request.POST if request.method == "POST" else None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.redeem(account, item=data["item_object"], quantity=data["quantity"], by=request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Spent: %(service)s × %(quantity)d.") % {
                "service": data["item_object"].name, "quantity": data["quantity"]})
            return redirect("portal:timebank")
    minutes = queries.balance(account)
    return render(request, "portal/timebank_spend.html", {
        "form": form, "account": account, "balance_words": app_words.balance_words(minutes),
        "may_redeem": (account.age() or 0) >= settings.TIMEBANK_REDEEM_MIN_AGE,
        "redeem_age": settings.TIMEBANK_REDEEM_MIN_AGE,
    }, status=400 if form.errors else 200)


@app_login_required
@never_cache
def timebank_give(request: HttpRequest) -> HttpResponse:
    """Give hours: to an elder of her family, or to a vulnerable elder she visits (each
    within its yearly limit)."""
    _volunteer_only(request)
    account = queries.account_of(request.user)
    if account is None:
        return redirect("portal:timebank")
    family = queries.family_elders_of(account)
    recipients = queries.donation_recipients_of(account)
    form = GiveForm(request.POST if request.method == "POST" else None, family=family, recipients=recipients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        give = actions.transfer_to_family if data["kind"] == "transfer" else actions.donate
        try:
            give(account, to_elder=data["elder"], minutes=data["hours"], by=request.user, memo=data["memo"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(hours)s given to %(name)s.") % {
                "hours": app_words.hours_words(data["hours"]), "name": data["elder"].name})
            return redirect("portal:timebank")
    minutes = queries.balance(account)
    return render(request, "portal/timebank_give.html", {
        "form": form, "account": account, "balance_words": app_words.balance_words(minutes),
        "has_recipients": bool(family or recipients),
        "transfer_limit": settings.TIMEBANK_TRANSFER_LIMIT_HOURS,
        "donation_limit": settings.TIMEBANK_DONATION_LIMIT_HOURS,
    }, status=400 if form.errors else 200)
