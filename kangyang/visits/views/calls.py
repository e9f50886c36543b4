"""The hotline operators' care-call pages: the call list (due now, oldest first, one form
per call), taking a call with its number to dial (audited), recording the outcome, and an
elder's calls. Parse, gate, act, render; every form also works without htmx."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from kangyang.accounts import scope
from kangyang.lib import phone as phones
from kangyang.lib.forms import add_errors
from kangyang.registry import queries as registry_queries
from kangyang.visits.actions import calls as actions
from kangyang.visits.forms.calls import MonthForm, OutcomeForm
from kangyang.visits.models import CareCall
from kangyang.visits.queries import calls as queries

CHANGED = "care-calls-changed"


def _is_fragment_request(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _check(user) -> None:
    """The pages are for the care-call roles with an area (accounts/scope.py)."""
    if not scope.makes_care_calls(user):
        raise PermissionDenied


def _auto_id(call: CareCall) -> str:
    """Each row's form has ids of its own (a page holds many rows)."""
    return f"call-{call.pk}-%s"


def _row(call: CareCall, *, user, now: dt.datetime, last=None, form=None, number=None, refusal=None,
         done=None) -> dict:
    held = (call.outcome == CareCall.Outcome.PENDING and call.operator_id is not None
            and call.taken_at is not None and call.taken_at >= now - actions.CLAIM_LAPSES)
    dial = None
    if number:
        dial = phones.dial_links(number, softphone=settings.SOFTPHONE_URL)
    elif number is not None:
        dial = {"none": True}
    return {
        "call": call,
        "retry": call.attempt > 1,
        "retries": settings.CARE_CALL_RETRIES,
        "mine": held and call.operator_id == user.pk,
        "held_by_other": held and call.operator_id != user.pk,
        "form": form or OutcomeForm(auto_id=_auto_id(call)),
        "last": last if last is not None else queries.last_calls_by_elder([call.elder_id]).get(call.elder_id, []),
        "dial": dial,
        "refusal": refusal,
        "done": done,
    }


def _list_context(request: HttpRequest, *, now: dt.datetime, rows: dict[int, dict] | None = None) -> dict:
    user = request.user
    calls = queries.due_calls_for(user, now=now)
    last = queries.last_calls_by_elder({c.elder_id for c in calls})
    rows = rows or {}
    month_form = MonthForm(request.GET)
    month = month_form.month_start()
    return {
        "rows": [rows.get(c.pk) or _row(c, user=user, now=now, last=last.get(c.elder_id, [])) for c in calls],
        "due_count": queries.due_count_for(user, now=now),
        "next_due": queries.next_due_for(user, now=now),
        "month_form": month_form,
        "month": month,
        "counts": queries.outcome_counts(user, month=month),
        "list_length": queries.LIST_LENGTH,
        "every_days": settings.CARE_CALL_EVERY_DAYS,
        "retries": settings.CARE_CALL_RETRIES,
        "can_raise": scope.handles_alarms_of(user, scope.area_prefix(user).ljust(12, "0")),
    }


@login_required
@require_safe
def call_list(request: HttpRequest) -> HttpResponse:
    """The calls due now, oldest first, each with its buttons."""
    _check(request.user)
    context = _list_context(request, now=timezone.now())
    template = "visits/calls/_list.html" if _is_fragment_request(request) else "visits/calls/list.html"
    return render(request, template, context)


def _row_response(request: HttpRequest, call: CareCall, row: dict, *, changed: bool = False) -> HttpResponse:
    """The row for htmx; without htmx, the list with this row as it is now (the number to
    dial is never put in a redirect's URL)."""
    if _is_fragment_request(request):
        response = render(request, "visits/calls/_call.html", {"row": row})
        if changed:
            response["HX-Trigger"] = CHANGED
        return response
    context = _list_context(request, now=timezone.now(), rows={call.pk: row})
    if call.pk not in {r["call"].pk for r in context["rows"]}:
        context["rows"].insert(0, row)
    return render(request, "visits/calls/list.html", context)


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_POST
@never_cache
def dial(request: HttpRequest, call_id: int) -> HttpResponse:
    """Take the call and show the number to dial: the claim keeps other operators off it;
    the number is revealed with the call as reason (audited)."""
    _check(request.user)
    call = queries.get_call_for(request.user, call_id)
    now = timezone.now()
    number = refusal = None
    try:
        call = actions.take_call(call, by=request.user, now=now)
        number = queries.number_to_dial(call, by=request.user)
    except ValidationError as e:
        refusal = _message(e)
    row = _row(call, user=request.user, now=now, number=number, refusal=refusal)
    return _row_response(request, call, row, changed=refusal is None)


@login_required
@require_POST
def record(request: HttpRequest, call_id: int) -> HttpResponse:
    """Record what the call found: well, needs help (with a note) or no answer."""
    _check(request.user)
    call = queries.get_call_for(request.user, call_id)
    now = timezone.now()
    form = OutcomeForm(request.POST, auto_id=_auto_id(call))
    refusal = None
    if form.is_valid():
        try:
            call = actions.record_outcome(call, by=request.user, outcome=form.cleaned_data["outcome"],
                                          note=form.cleaned_data["note"], now=now)
        except ValidationError as e:
            if getattr(e, "code", None) in ("done", "taken", "not_due"):
                refusal = _message(e)
            else:
                add_errors(form, e)
        else:
            done = _done_message(call)
            if not _is_fragment_request(request):
                messages.success(request, done)
                return redirect("care_calls:list")
            return _row_response(request, call, _row(call, user=request.user, now=now, done=done), changed=True)
    return _row_response(request, call, _row(call, user=request.user, now=now, form=form, refusal=refusal))


def _done_message(call: CareCall) -> str:
    name = call.elder.name
    if call.outcome == CareCall.Outcome.WELL:
        return _("%(name)s: recorded as well.") % {"name": name}
    if call.outcome == CareCall.Outcome.NEEDS_HELP:
        return _("%(name)s needs help: a home visit is due within 24 hours and the community worker is told.") % {
            "name": name}
    if call.visit_due_id:
        return _("%(name)s did not answer %(n)d calls: a home visit is due within 24 hours and the community "
                 "worker is told.") % {"name": name, "n": call.attempt}
    minutes = settings.CARE_CALL_RETRY_MINUTES
    return _("%(name)s did not answer: the call is tried again in %(minutes)d minutes.") % {
        "name": name, "minutes": minutes}


@login_required
@require_safe
def elder_calls(request: HttpRequest, elder_id: int) -> HttpResponse:
    """An elder's calls, newest first. An elder outside the user's view → 404 (as every page
    with an elder's id), then a role without care calls → 403."""
    elder = registry_queries.get_elder_for(request.user, elder_id)
    if not scope.makes_care_calls_of(request.user, elder.region_code):
        raise PermissionDenied
    return render(request, "visits/calls/elder.html", {
        "elder": elder, "calls": queries.calls_of(elder), "retries": settings.CARE_CALL_RETRIES,
    })
