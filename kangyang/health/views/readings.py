"""Pages of the health app's readings topic: the health alerts (a list that refreshes itself,
one alert with its acknowledge and close forms), an elder's readings with their trend charts,
and the readings to look at with the "looked at" bulk action. Every staff read is audited."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.health.actions import alerts as actions
from kangyang.health.actions.reviews import mark_reviewed
from kangyang.health.forms.readings import AlertFilterForm, CloseAlertForm, ReadingFilterForm
from kangyang.health.queries import readings as queries
from kangyang.lib.forms import add_errors

PAGE_SIZE = 50


def _may_open(user) -> None:
    if not scope.can_open(user, "health"):
        raise PermissionDenied


@login_required
def alert_list(request):
    _may_open(request.user)
    form = AlertFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(queries.alerts_for(request.user, status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.may_handle = scope.handles_health_alert(request.user, alert)
        alert.value_text = queries.value_text(alert.reading) if alert.reading_id else ""
    queries.audit_read(request.user, None, verb="health_alert.list")
    return render(request, "health/alerts.html", {
        "form": form, "page_obj": page, "status": status, "counts": queries.counts_for(request.user),
    })


def _detail(request, alert, *, close_form=None, status=200):
    alert.value_text = queries.value_text(alert.reading) if alert.reading_id else ""
    may_handle = scope.handles_health_alert(request.user, alert)
    return render(request, "health/alert_detail.html", {
        "alert": alert, "may_handle": may_handle, "close_form": close_form or CloseAlertForm(),
        "may_read_elder": scope.reads_health(request.user, alert.elder),
    }, status=status)


@login_required
def alert_detail(request, alert_id: int):
    _may_open(request.user)
    alert = queries.get_alert_for(request.user, alert_id)
    queries.audit_read(request.user, alert, verb="health_alert.read")
    return _detail(request, alert)


@login_required
@require_POST
def alert_acknowledge(request, alert_id: int):
    _may_open(request.user)
    alert = queries.get_alert_for(request.user, alert_id)
    try:
        actions.acknowledge(alert, request.user)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Acknowledged: the alert stops escalating."))
    if request.POST.get("next") == "panel":
        return redirect("health:index")
    return redirect("health:alert", alert_id=alert.pk)


@login_required
@require_POST
def alert_close(request, alert_id: int):
    _may_open(request.user)
    alert = queries.get_alert_for(request.user, alert_id)
    if not scope.handles_health_alert(request.user, alert):
        raise PermissionDenied
    form = CloseAlertForm(request.POST)
    if form.is_valid():
        try:
            actions.close(alert, request.user, form.cleaned_data["outcome"])
        except ValidationError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("The alert is closed."))
            return redirect("health:alert", alert_id=alert.pk)
    return _detail(request, alert, close_form=form, status=422)


def _elder_for(user, elder_id: int):
    from kangyang.registry.models import Elder

    elder = Elder.objects.filter(scope.health_filter(user), pk=elder_id).select_related("community").first()
    if elder is None:
        raise Http404
    return elder


@login_required
def elder_readings(request, elder_id: int):
    elder = _elder_for(request.user, elder_id)  # 404 for whoever may not read her health, as everywhere
    _may_open(request.user)  # then the staff page is for the module's roles (the elder and family: the app)
    form = ReadingFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    page = Paginator(queries.readings_for(request.user, elder=elder, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page"))
    for reading in page:
        reading.value_text = queries.value_text(reading)
    queries.audit_read(request.user, elder, verb="reading.read")
    return render(request, "health/elder_readings.html", {
        "elder": elder, "form": form, "page_obj": page, "section": queries.elder_section(request.user, elder),
    })


@login_required
def review(request):
    _may_open(request.user)
    page = Paginator(queries.to_look_at(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for reading in page:
        reading.value_text = queries.value_text(reading)
        reading.may_review = scope.reviews_readings(request.user, reading.elder)
    queries.audit_read(request.user, None, verb="reading.read")
    return render(request, "health/readings_review.html", {"page_obj": page})


@login_required
@require_POST
def review_mark(request):
    _may_open(request.user)
    # the ids chosen; anything else in the list (not a number, too long) is ignored
    ids = {int(v) for v in request.POST.getlist("readings") if v.isascii() and v.isdigit() and len(v) < 19}
    if not ids:
        messages.error(request, _("Choose the readings you have looked at."))
        return redirect("health:readings_review")
    readings = list(queries.to_look_at(request.user).filter(pk__in=ids))
    marked = mark_reviewed(readings, request.user)
    messages.success(request, ngettext("%(n)d reading marked looked at.", "%(n)d readings marked looked at.",
                                       marked) % {"n": marked})
    return redirect("health:readings_review")


urlpatterns = [
    path("alerts/", alert_list, name="alerts"),
    path("alerts/<int:alert_id>/", alert_detail, name="alert"),
    path("alerts/<int:alert_id>/acknowledge/", alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:alert_id>/close/", alert_close, name="alert_close"),
    path("readings/", review, name="readings_review"),
    path("readings/looked-at/", review_mark, name="readings_mark"),
    path("elders/<int:elder_id>/readings/", elder_readings, name="elder_readings"),
]
