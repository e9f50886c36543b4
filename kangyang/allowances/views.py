"""Allowance pages: policies, payment rolls with their review, the recovery list, and an
elder's payee account. Parse, gate (queries), act (actions), render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.registry.queries import get_elder_for
from kangyang.allowances import actions, exports, queries
from kangyang.allowances import eligibility as rules
from kangyang.allowances.constants import CONSUMPTION_VOUCHER_PRESET
from kangyang.lib.forms import add_errors
from kangyang.allowances.forms import (
    BandFormSet, GenerateForm, NoteForm, PayeeAccountForm, PolicyForm, ReturnForm, RollFilterForm, SettleForm, VersionForm, band_initial, bands_from,
)
from kangyang.allowances.models import PaymentRoll, Policy, Recovery, RollRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
LINES_PAGE_SIZE = 100


def _staff_only(request: HttpRequest) -> None:
    if not queries.works_with_allowances(request.user):
        raise PermissionDenied


def _is_fragment_request(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _querystring(filters: dict) -> str:
    shown = {k: (v.strftime("%Y-%m") if hasattr(v, "strftime") else v) for k, v in filters.items()}
    return urlencode(shown)


# -- rolls -----------------------------------------------------------------------------------
@login_required
@require_safe
@vary_on_headers("HX-Request")
def roll_list(request: HttpRequest) -> HttpResponse:
    """The rolls of the user's area, filtered; generating and approving many at once."""
    _staff_only(request)
    form = RollFilterForm(request.GET, user=request.user)
    filters = form.filters()
    rolls = queries.rolls_for(request.user, **filters)
    page = Paginator(rolls, PAGE_SIZE).get_page(request.GET.get("page"))
    approvable = queries.approvable_rolls_for(
        request.user, month=filters.get("month"), policy=filters.get("policy")
    ).filter(pk__in=rolls.values("pk"))
    today = timezone.localdate()
    context = {
        "form": form, "page_obj": page, "querystring": _querystring(filters),
        "totals": queries.roll_totals(rolls), "approvable": approvable.count(), "filters": filters,
        "generate_form": GenerateForm(user=request.user, initial={
            "month": rules.month_start(today), "region": request.user.region.code if request.user.region_id else ""}),
        **_runs_context(request),
    }
    if _is_fragment_request(request):
        return render(request, "allowances/_rolls_table.html", context)
    return render(request, "allowances/rolls.html", context)


@login_required
@require_safe
def runs(request: HttpRequest) -> HttpResponse:
    """The recent generations (a fragment that polls itself while one is in progress)."""
    _staff_only(request)
    return render(request, "allowances/_runs.html", _runs_context(request))


def _runs_context(request: HttpRequest) -> dict:
    runs = list(queries.runs_for(request.user))
    busy = any(r.status in (RollRun.Status.QUEUED, RollRun.Status.RUNNING) for r in runs)
    return {"runs": runs, "runs_busy": busy}


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = GenerateForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            actions.request_payment_rolls(by=request.user, **form.cleaned_data)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The rolls are being generated; they appear below when done."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("allowances:rolls")


@login_required
@require_POST
def approve_many(request: HttpRequest) -> HttpResponse:
    """Approve, one by one (each audited), every listed roll waiting for the user's step."""
    _staff_only(request)
    filters = RollFilterForm(request.POST, user=request.user).filters()
    rolls = queries.approvable_rolls_for(request.user, month=filters.get("month"), policy=filters.get("policy"))
    rolls = rolls.filter(pk__in=queries.rolls_for(request.user, **filters).values("pk"))
    done, refused = 0, []
    for roll in rolls:
        try:
            actions.approve_payment_roll(roll, by=request.user)
            done += 1
        except (ValidationError, PermissionDenied) as e:
            refused.append("%(roll)s: %(why)s" % {
                "roll": roll, "why": "; ".join(e.messages) if isinstance(e, ValidationError) else _("not yours")})
    if done:
        messages.success(request, _("%(n)d rolls approved.") % {"n": done})
    for message in refused:
        messages.error(request, message)
    query = _querystring(filters)
    return redirect(f"{reverse('allowances:rolls')}?{query}" if query else reverse("allowances:rolls"))


def _roll_context(request: HttpRequest, roll: PaymentRoll, **forms) -> dict:
    user = request.user
    lines = Paginator(queries.roll_lines(roll), LINES_PAGE_SIZE).get_page(request.GET.get("page"))
    for line in lines:
        line.explanation = rules.line_explanation(line)
    in_force = rules.version_in_force(roll.policy, roll.month)
    return {
        "roll": roll, "page_obj": lines, "querystring": "",
        "next_step": queries.approval_step(user, roll),
        "can_return": queries.can_return(user, roll),
        "can_pay_out": queries.can_pay_out(user, roll) and roll.status in (
            PaymentRoll.Status.DISTRICT_APPROVED, PaymentRoll.Status.EXPORTED),
        "can_regenerate": roll.status == PaymentRoll.Status.DRAFT and queries.can_generate(user, roll.region_code),
        "generating": queries.runs_in_progress(roll),
        "stopped": list(queries.stopped_lines(roll).select_related("elder")[:50]),
        "pauses": list(queries.roll_pauses(roll)[:200]),
        "outdated": in_force is not None and in_force.pk != roll.version_id,
        "note_form": forms.get("note_form") or NoteForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "status_steps": _steps(roll),
    }


def _steps(roll: PaymentRoll) -> list[dict]:
    return [
        {"label": _("Community review"), "by": roll.community_approved_by, "at": roll.community_approved_at},
        {"label": _("Subdistrict review"), "by": roll.subdistrict_approved_by, "at": roll.subdistrict_approved_at},
        {"label": _("District approval"), "by": roll.district_approved_by, "at": roll.district_approved_at},
        {"label": _("Paid out"), "by": roll.exported_by, "at": roll.exported_at},
    ]


@login_required
@require_safe
def roll_detail(request: HttpRequest, roll_id: int) -> HttpResponse:
    roll = queries.get_roll_for(request.user, roll_id)
    return render(request, "allowances/roll.html", _roll_context(request, roll))


@login_required
@require_POST
def approve(request: HttpRequest, roll_id: int) -> HttpResponse:
    roll = queries.get_roll_for(request.user, roll_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            actions.approve_payment_roll(roll, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The roll is approved."))
            return redirect("allowances:roll", roll.pk)
    return render(request, "allowances/roll.html", _roll_context(request, roll, note_form=form))


@login_required
@require_POST
def return_roll(request: HttpRequest, roll_id: int) -> HttpResponse:
    roll = queries.get_roll_for(request.user, roll_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            actions.return_payment_roll(roll, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The roll is back in draft."))
            return redirect("allowances:roll", roll.pk)
    return render(request, "allowances/roll.html", _roll_context(request, roll, return_form=form))


@login_required
@require_POST
def regenerate(request: HttpRequest, roll_id: int) -> HttpResponse:
    """Generate this draft's community again (in the background)."""
    roll = queries.get_roll_for(request.user, roll_id)
    try:
        actions.request_payment_rolls(by=request.user, policy=roll.policy, month=roll.month, region=roll.region)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The roll is being generated again."))
    return redirect("allowances:roll", roll.pk)


@login_required
@require_safe
def export_roll(request: HttpRequest, roll_id: int) -> HttpResponse:
    """The roll as .xlsx with masked ID numbers, for review and public notice (audited)."""
    roll = queries.get_roll_for(request.user, roll_id)
    data = exports.roll_xlsx(roll, by=request.user)
    filename = f"补贴发放名册-{roll.policy.name}-{roll.region.name}-{roll.month:%Y%m}.xlsx"
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_POST
def credit(request: HttpRequest, roll_id: int) -> HttpResponse:
    roll = queries.get_roll_for(request.user, roll_id)
    try:
        actions.credit_voucher_roll(roll, by=request.user)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The vouchers are credited to the elders' balances."))
    return redirect("allowances:roll", roll.pk)


# -- policies --------------------------------------------------------------------------------
@login_required
@require_safe
def policy_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    today = timezone.localdate()
    policies = list(queries.policies_for(request.user))
    for policy in policies:
        policy.current = queries.current_version(policy, on=today)
    can_create = request.user.region_id is not None and queries.can_manage_policies(request.user, request.user.region.code)
    return render(request, "allowances/policies.html", {"policies": policies, "can_create": can_create})


@login_required
@require_safe
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    """A policy's versions; with ?count=1, how many elders the current version pays."""
    _staff_only(request)
    policy = queries.get_policy_for(request.user, policy_id)
    month = rules.month_start(timezone.localdate())
    current = queries.current_version(policy, on=month)
    summary = None
    if request.GET.get("count") and current is not None and request.user.region_id:
        prefix = request.user.region.prefix if request.user.region.code.startswith(policy.region.prefix) \
            else policy.region.prefix
        summary = rules.eligible_summary(current, prefix=prefix, month=month)
    return render(request, "allowances/policy.html", {
        "policy": policy, "versions": queries.versions_of(policy), "current": current, "month": month,
        "summary": summary, "summary_total": sum((t for _b, _n, t in summary), 0) if summary else None,
        "summary_count": sum(n for _b, n, _t in summary) if summary else None,
        "can_edit": queries.can_manage_policies(request.user, policy.region_code),
        "closed_month": queries.latest_closed_month(policy),
    })


def _band_words(version):
    return [(b, rules.band_words(b)) for b in version.bands.all()] if version else []


@login_required
@require_http_methods(["GET", "POST"])
def policy_create(request: HttpRequest) -> HttpResponse:
    """A new policy; ?preset=consumption_voucher fills in the nationwide voucher."""
    _staff_only(request)
    if not (request.user.region_id and queries.can_manage_policies(request.user, request.user.region.code)):
        raise PermissionDenied
    initial = {"region": request.user.region.code, "effective_from": rules.month_start(timezone.localdate())}
    bands_initial = []
    if request.GET.get("preset") == Policy.Kind.CONSUMPTION_VOUCHER:
        preset = CONSUMPTION_VOUCHER_PRESET
        initial.update(kind=Policy.Kind.CONSUMPTION_VOUCHER, name=str(Policy.Kind.CONSUMPTION_VOUCHER.label),
                       home_service_share=preset["home_service_share"],
                       institution_share=preset["institution_share"], carries_over=preset["carries_over"])
        bands_initial = preset["bands"]
    form = PolicyForm(request.POST or None, user=request.user, initial=initial)
    bands = BandFormSet(request.POST or None, prefix="band", initial=bands_initial)
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        data = dict(form.cleaned_data)
        try:
            policy = actions.create_policy(by=request.user, bands=bands_from(bands), **data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The policy is saved."))
            return redirect("allowances:policy", policy.pk)
    return render(request, "allowances/policy_form.html", {"form": form, "bands": bands, "policy": None})


@login_required
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, policy_id: int) -> HttpResponse:
    """New rules from a month on, starting from the current ones."""
    _staff_only(request)
    policy = queries.get_policy_for(request.user, policy_id)
    if not queries.can_manage_policies(request.user, policy.region_code):
        raise PermissionDenied
    latest = policy.versions.order_by("-effective_from").prefetch_related("bands").first()
    initial = {
        "effective_from": rules.next_month(rules.month_start(timezone.localdate())),
        "home_service_share": latest.home_service_share if latest else None,
        "institution_share": latest.institution_share if latest else None,
        "carries_over": latest.carries_over if latest else True,
        "is_example": latest.is_example if latest else False,
    }
    form = VersionForm(request.POST or None, initial=initial)
    bands = BandFormSet(request.POST or None, prefix="band", initial=band_initial(latest))
    if request.method == "POST" and form.is_valid() and bands.is_valid():
        try:
            actions.add_policy_version(policy, by=request.user, bands=bands_from(bands), **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The new version is saved."))
            return redirect("allowances:policy", policy.pk)
    return render(request, "allowances/policy_form.html", {
        "form": form, "bands": bands, "policy": policy, "closed_month": queries.latest_closed_month(policy),
    })


# -- overpayments ----------------------------------------------------------------------------
OUTCOMES = ("open", "settled", "all")


@login_required
@require_safe
def recovery_list(request: HttpRequest) -> HttpResponse:
    """Payments made for months after the elder died or moved out."""
    _staff_only(request)
    outcome = request.GET.get("outcome", "open")
    outcome = outcome if outcome in OUTCOMES else "open"
    lines = queries.overpayments_for(request.user, outcome=outcome).select_related("recovery")
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "allowances/recovery.html", {
        "page_obj": page, "outcome": outcome, "querystring": urlencode({"outcome": outcome}),
        "total": queries.overpayment_total(lines), "settle_form": SettleForm(),
        "outcomes": [("open", _("to recover")), ("settled", _("settled")), ("all", _("all"))],
    })


@login_required
@require_POST
def settle(request: HttpRequest, line_id: int) -> HttpResponse:
    _staff_only(request)
    line = queries.get_overpayment_for(request.user, line_id)
    form = SettleForm(request.POST)
    if form.is_valid():
        try:
            actions.settle_overpayment(line, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(outcome)s: %(name)s, %(month)s.") % {
                "outcome": Recovery.Outcome(form.cleaned_data["outcome"]).label, "name": line.elder.name,
                "month": line.month.strftime("%Y-%m")})
    return redirect("allowances:recovery")


# -- an elder's payee account ------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def payee_account(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = get_elder_for(request.user, elder_id)
    if not queries.can_edit_payee_account(request.user, elder):
        raise PermissionDenied
    account = getattr(elder, "payee_account", None)
    initial = {"holder_name": account.holder_name if account else elder.name,
               "bank_name": account.bank_name if account else ""}
    form = PayeeAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_payee_account(elder, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The payee account is saved."))
            return redirect("registry:detail", elder.pk)
    return render(request, "allowances/payee_account.html", {"form": form, "elder": elder, "account": account})
