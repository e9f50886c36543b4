"""SOS in the app (issue 14 §2): the elder presses and holds the button on her home screen
(static/js/sos.js), or, without JavaScript, presses it and then the one "call for help" button
of the confirm page. The alarm is raised by the alarms app's own action, so the hotline's
console shows it like a pendant's; then a page follows it in words until it is handled."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kangyang.alarms import app_words
from kangyang.alarms.actions import raise_alarm
from kangyang.alarms.models import Alarm
from kangyang.alarms.queries import get_alarm_for
from kangyang.portal.forms import SosForm, new_msg_id
from kangyang.portal.queries import sos_elder_of
from kangyang.portal.views._common import app_login_required
from kangyang.portal.views.pages import _own_page_only
from kangyang.services.queries import home_of


@app_login_required
@require_http_methods(["GET", "POST"])
def sos(request: HttpRequest) -> HttpResponse:
    """GET: the confirm page, one big "call for help" button. POST: raise the alarm, then the
    page that follows it."""
    _own_page_only(request)
    elder = sos_elder_of(request.user)
    if elder is None:
        raise PermissionDenied  # family members see the alarm, only the elder raises it
    if request.method == "POST":
        form = SosForm(request.POST)
        form.is_valid()  # a bad extra is dropped: never a reason to refuse a call for help
        data = form.cleaned_data
        lat, lng = data.get("lat"), data.get("lng")
        if lat is None or lng is None:
            lat, lng = home_of(elder) or (None, None)  # her home, when the phone gives no location
        alarm, _created = raise_alarm(source=Alarm.Source.APP, type=Alarm.Type.SOS, elder=elder,
                                      msg_id=data.get("msg_id") or new_msg_id(), lat=lat, lng=lng,
                                      by=request.user)
        return redirect("portal:sos_status", alarm.pk)
    return render(request, "portal/sos.html", {"elder": elder, "msg_id": new_msg_id()})


@app_login_required
def sos_status(request: HttpRequest, alarm_id: int) -> HttpResponse:
    """The alarm in words (raised, taken by the hotline at HH:MM, handled), refreshed by htmx
    until it is handled; the elder and her family, nobody else's (404)."""
    _own_page_only(request)
    alarm = get_alarm_for(request.user, alarm_id)
    context = {"alarm": alarm, "state": app_words.state(alarm), "short": app_words.short_state(alarm),
               "steps": app_words.steps(alarm),
               "handled": alarm.status == Alarm.Status.RESOLVED}
    if request.headers.get("HX-Request"):
        return render(request, "portal/_sos_state.html", context)
    return render(request, "portal/sos_status.html", context)
