from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.lib.forms import add_errors
from kangyang.notify import actions, queries
from kangyang.notify.forms import DeliveryFilterForm, PreferenceForm


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    """The bureau admin and the operators see which messages went out about their area,
    to whom (masked), by which channel, and whether they arrived at the provider."""
    if not scope.reads_delivery_log(request.user):
        raise PermissionDenied
    form = DeliveryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    deliveries = queries.deliveries_for(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "notify/_table.html" if request.htmx else "notify/log.html"
    return render(request, template, {"form": form, "page_obj": page, "querystring": query.urlencode()})


@login_required
def my_preference(request: HttpRequest) -> HttpResponse:
    """Anyone signed in sets how they are told: channels, addresses, language, quiet hours."""
    preference = queries.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["phone"] = data["phone"] or None  # blank keeps the number on file
            try:
                actions.save_preference(request.user, by=request.user, **data)
            except ValidationError as e:
                add_errors(form, e)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notify:preference")
    else:
        initial = {"sms": True, "language": request.LANGUAGE_CODE, "email": request.user.email}
        if preference is not None:
            initial = {name: getattr(preference, name) for name in
                       ("email", "sms", "by_email", "push", "language", "quiet_from", "quiet_until")}
        form = PreferenceForm(initial=initial)
    return render(request, "notify/preference.html", {"form": form, "preference": preference})
