"""Time-bank pages. The daily digests page is public (no sign-in): the last hash of each day,
for anyone to copy, so that a ledger rewritten afterwards is caught by what they kept.

The community's time-bank pages (staff layout): confirm hours (the completed care visits by
volunteers and the activity attendances waiting for the community worker), activities (create
one, confirm who came), the area's accounts with their balances, and statements as .xlsx.

Community workers and subdistrict officers whose area covers the record (accounts.scope,
"time bank pages"); only a community worker confirms hours, only an activity's organiser who
came. Parse, gate, act, render; every rule is actions.py's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kangyang.accounts import scope
from kangyang.lib.forms import add_errors
from kangyang.regions.models import Region
from kangyang.timebank import actions, app_words, exports, queries
from kangyang.timebank.forms import ActivityForm, AttendanceForm, MonthForm, parse_rows
from kangyang.timebank.models import Account, ActivitySignup

DIGESTS_PER_PAGE = 100
SHOWN = 200  # rows of each list on the confirm page ("confirm all shown" confirms these)


@require_safe
def digests(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.digests(), DIGESTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "timebank/digests.html", {"page_obj": page, "digests": page.object_list,
                                                     "querystring": ""})


def _staff_only(request: HttpRequest) -> None:
    if not scope.sees_timebank_pages(request.user):
        raise PermissionDenied


def _regions(user) -> list[Region]:
    """The communities (and, for an officer, her subdistrict) the user's pages cover."""
    prefix = scope.area_prefix(user) or ""
    return list(Region.objects.filter(code__startswith=prefix, level__in=("subdistrict", "community"))
                .order_by("code"))


def _hours(minutes) -> str:
    return app_words.hours_words(minutes or 0)


# -- confirm hours -----------------------------------------------------------------------------
def _to_confirm(user) -> tuple[list, list]:
    visits = list(queries.visits_to_confirm(user)[:SHOWN])
    attendances = list(queries.attendances_to_confirm(user)[:SHOWN])
    return visits, attendances


@login_required
@require_safe
def confirm(request: HttpRequest) -> HttpResponse:
    """The hours waiting for confirmation, one button per row and one for all shown."""
    _staff_only(request)
    visits, attendances = _to_confirm(request.user)
    rows = [f"visit:{v.pk}" for v in visits] + [f"attendance:{a.pk}" for a in attendances]
    visit_rows = [{"visit": v, "hours": _hours(actions.quarter_hours(v.ended_at - v.started_at)),
                   "volunteer": v.visitor.timebank_account.real_name} for v in visits]
    attendance_rows = [{"attendance": a, "hours": _hours(a.minutes)} for a in attendances]
    return render(request, "timebank/confirm.html", {
        "visit_rows": visit_rows, "attendance_rows": attendance_rows, "rows": rows,
        "confirms": scope.confirms_hours(request.user),
    })


@login_required
@require_POST
def confirm_hours(request: HttpRequest) -> HttpResponse:
    """Deposit the hours of the rows sent ("visit:ID", "attendance:ID"): one row's button, or
    every row shown. A row no longer waiting (confirmed meanwhile, out of the area, a forged
    number) is skipped and said."""
    _staff_only(request)
    if not scope.confirms_hours(request.user):
        raise PermissionDenied
    rows = parse_rows(request.POST.getlist("row"))
    if not rows:
        messages.error(request, _("Nothing to confirm was chosen."))
        return redirect("timebank:confirm")
    visits = {v.pk: v for v in queries.visits_to_confirm(request.user).filter(
        pk__in=[pk for kind, pk in rows if kind == "visit"])}
    attendances = {a.pk: a for a in queries.attendances_to_confirm(request.user).filter(
        pk__in=[pk for kind, pk in rows if kind == "attendance"])}
    done, minutes, problems = 0, 0, []
    for kind, pk in rows:
        found = (visits if kind == "visit" else attendances).get(pk)
        if found is None:
            problems.append(_("One row was no longer waiting for confirmation."))
            continue
        try:
            if kind == "visit":
                entries = actions.deposit_for_care_visit(found, by=request.user)
            else:
                entries = actions.deposit_for_attendance(found, by=request.user)
        except ValidationError as e:
            problems.append(" ".join(e.messages))
            continue
        done += 1
        minutes += entries[-1].amount_minutes
    if done:
        messages.success(request, _("Confirmed: %(count)d, %(hours)s deposited.") % {
            "count": done, "hours": _hours(minutes)})
    for problem in dict.fromkeys(problems):
        messages.error(request, problem)
    return redirect("timebank:confirm")


# -- activities --------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activities(request: HttpRequest) -> HttpResponse:
    """The area's activities, and a form to create one."""
    _staff_only(request)
    regions = [r for r in _regions(request.user) if scope.organises_activities_of(request.user, r.code)]
    form = ActivityForm(request.POST if request.method == "POST" else None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = actions.create_activity(
                title=data["title"], region_code=data["region"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                place=data["place"], description=data["description"], by=request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The activity is created. Volunteers of the area see it in their app."))
            return redirect("timebank:activity", activity.pk)
    return render(request, "timebank/activities.html", {
        "form": form, "activities": queries.activities_of_area(request.user)[:100], "may_create": bool(regions),
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity(request: HttpRequest, activity_id: int) -> HttpResponse:
    """One activity: who signed up, whose attendance is confirmed, and (for its organiser) the
    form to confirm who came."""
    _staff_only(request)
    found = queries.get_activity_for(request.user, activity_id)
    signups = list(ActivitySignup.objects.filter(activity=found).select_related("account"))
    attendances = list(found.attendances.select_related("account").order_by("id"))
    came = {a.account_id for a in attendances}
    signed = [s.account for s in signups if s.account_id not in came]
    others = [a for a in queries.accounts_of_area(request.user).filter(kind=Account.Kind.VOLUNTEER)
              if a.pk not in came and a.pk not in {s.pk for s in signed}]
    is_organiser = found.organiser_id == request.user.pk
    form = AttendanceForm(request.POST if request.method == "POST" else None, accounts=signed + others)
    if request.method == "POST":
        if not is_organiser:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.confirm_attendance(found, account=data["account_object"], minutes=data["hours"],
                                           by=request.user)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Attendance confirmed: %(name)s.") % {
                    "name": data["account_object"].real_name})
                return redirect("timebank:activity", found.pk)
    return render(request, "timebank/activity.html", {
        "activity": found, "signups": signups, "attendances": attendances, "form": form,
        "is_organiser": is_organiser, "length": _hours(actions.quarter_hours(found.ends_at - found.starts_at)),
    }, status=400 if form.errors else 200)


# -- accounts and statements -------------------------------------------------------------------
@login_required
@require_safe
def accounts(request: HttpRequest) -> HttpResponse:
    """The area's accounts with their balances, and the statements to download."""
    _staff_only(request)
    regions = _regions(request.user)
    form = MonthForm(request.GET or None, regions=regions)
    region_code = ""
    if form.is_bound and form.is_valid():
        region_code = form.cleaned_data["region"]
    found = queries.accounts_of_area(request.user, region_code=region_code)[:500]
    rows = [{"account": a, "balance": _hours(a.balance_minutes)} for a in found]
    return render(request, "timebank/accounts.html", {
        "form": form, "rows": rows, "regions": regions, "this_month": timezone.localdate().strftime("%Y-%m"),
    }, status=400 if form.errors else 200)


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _month_or_400(request: HttpRequest, regions=()) -> MonthForm:
    form = MonthForm(request.GET, regions=regions)
    form.is_valid()
    return form


@login_required
@require_safe
def account_statement(request: HttpRequest, account_id: int) -> HttpResponse:
    """One account's statement of a month (?month=YYYY-MM, this month by default) as .xlsx."""
    _staff_only(request)
    account = queries.get_account_for(request.user, account_id)
    if not scope.sees_timebank_of(request.user, account.region_code):
        raise PermissionDenied
    form = _month_or_400(request)
    if "month" in form.errors:
        return render(request, "timebank/bad_request.html", {"form": form}, status=400)
    month = form.cleaned_data["month"]
    data = exports.account_statement_xlsx(account, month=month, by=request.user)
    return _xlsx(data, f"时间银行对账单-{account.pk}-{month:%Y-%m}.xlsx")


@login_required
@require_safe
def community_statement(request: HttpRequest) -> HttpResponse:
    """A community's (or subdistrict's) statement of a month as .xlsx (?region=&month=)."""
    _staff_only(request)
    regions = _regions(request.user)
    form = _month_or_400(request, regions)
    if form.errors or not form.cleaned_data.get("region"):
        if not form.errors:
            form.add_error("region", _("Choose a community."))
        return render(request, "timebank/bad_request.html", {"form": form}, status=400)
    region = next(r for r in regions if r.code == form.cleaned_data["region"])
    if not scope.sees_timebank_of(request.user, region.code):
        raise PermissionDenied
    month = form.cleaned_data["month"]
    data = exports.community_statement_xlsx(region, month=month, by=request.user)
    return _xlsx(data, f"时间银行社区对账单-{region.code}-{month:%Y-%m}.xlsx")
