"""Pages of the health app's followups topic: who is due for a follow-up (the team's patients, the
area's), an elder's follow-ups by programme, and the follow-up form (phone-friendly)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.health.actions import followups as actions
from kangyang.health.forms.followups import DueFilterForm, FollowUpForm
from kangyang.health.queries import followups as queries
from kangyang.lib.forms import add_errors
from kangyang.regions.models import Region
from kangyang.registry.models import Elder


def _may_open(user) -> bool:
    return scope.can_open(user, "health") and user.role not in (scope.R.ELDER, scope.R.FAMILY)


def _elder(user, elder_id: int) -> Elder:
    elder = Elder.objects.filter(pk=elder_id).first()
    if elder is None or not scope.reads_health(user, elder):
        raise Http404(_("No such elder among those whose health data you may read."))
    return elder


@login_required
def due_list(request):
    if not _may_open(request.user):
        raise PermissionDenied(_("Only the family-doctor team and the area's staff see who is due."))
    codes = Elder.objects.filter(scope.health_filter(request.user)).values("region_code").distinct()
    communities = list(Region.objects.filter(code__in=codes).order_by("code").values_list("code", "name"))
    form = DueFilterForm(request.GET or None, communities=communities)
    data = form.cleaned_data if form.is_valid() else {}
    rows = queries.due(request.user, programme=data.get("programme", ""), community=data.get("community", ""),
                       reason=data.get("reason", ""))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    actions.audit_read(request.user, "health.follow_ups.due", note=str(len(rows)))
    return render(request, "health/follow_ups.html", {"form": form, "page_obj": page, "count": len(rows),
                                                       "tab": "follow_ups"})


@login_required
def elder_follow_ups(request, elder_id: int):
    elder = _elder(request.user, elder_id)
    section = queries.elder_section(request.user, elder) or {"elder": elder, "programmes": [],
                                                             "can_record": scope.writes_health(request.user, elder)}
    actions.audit_read(request.user, "health.follow_ups.read", elder)
    return render(request, "health/follow_ups_elder.html", {
        "section": section, "elder": elder, "tab": "follow_ups",
        "referral_url": referral_url(elder) if section["can_record"] else ""})


def referral_url(elder) -> str:
    """The screening topic's referral form for the elder."""
    return reverse("health:screening_refer", args=[elder.pk])


@login_required
def follow_up_new(request, elder_id: int):
    elder = _elder(request.user, elder_id)
    if not scope.writes_health(request.user, elder):
        raise PermissionDenied(_("Only the elder's family-doctor team records her follow-ups."))
    programmes = actions.programmes_of(elder)
    form = FollowUpForm(request.POST or None, programmes=programmes)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                follow_up = actions.record_follow_up(elder, by=request.user, **form.cleaned_data)
            except ValidationError as e:
                add_errors(form, e)
            else:
                described = queries.describe(follow_up)
                messages.success(request, _("Follow-up recorded: %(cls)s. %(rule)s") % {
                    "cls": described["class_label"], "rule": described["rule_text"]})
                if actions.is_urgent(follow_up):
                    messages.warning(request, _("Urgent: refer %(name)s to a hospital and follow up within two "
                                                "weeks.") % {"name": elder.name})
                return redirect("health:elder_follow_ups", elder.pk)
        status = 422
    return render(request, "health/follow_up_form.html", {"form": form, "elder": elder, "no_programme": not programmes,
                                                          "tab": "follow_ups"}, status=status)


urlpatterns = [
    path("follow-ups/", due_list, name="follow_ups"),
    path("follow-ups/elders/<int:elder_id>/", elder_follow_ups, name="elder_follow_ups"),
    path("follow-ups/elders/<int:elder_id>/new/", follow_up_new, name="follow_up_new"),
]
