"""The alarm centre's pages: the operator console (live queue, the alarm and elder card, the
action buttons), the hotline page and the reports. Parse, gate, act, render.

The queue is live through server-sent events (`stream`): under ASGI (`kangyang serve`) one
response stays open and says "alarms changed" within about 300 ms of a change; under WSGI
(runserver, the test server) each request answers at once with the changes since the last
one and the browser reconnects a second later. Either way the page also polls the queue
fragment every two seconds while the stream is down (static/js/alarms.js).
"""

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.alarms import actions, constants, queries, reports
from kangyang.lib.forms import add_errors
from kangyang.alarms.forms import (
    AcknowledgeForm, ActionForm, CallerForm, HotlineAlarmForm, NoteForm, ReportFilterForm, ResolveForm, RevealForm,
)
from kangyang.alarms.models import Alarm, AlarmEvent
from kangyang.assessment.queries import current_assessment
from kangyang.assessment.standard import LEVEL_NAMES
from kangyang.lib import coords, phone as phones
from kangyang.registry import actions as registry_actions
from kangyang.registry import queries as registry_queries
from kangyang.registry.models import Elder, HealthRecord

QUEUE_LENGTH = 200
RECENT_ALARMS = 5
REPORT_PAGE_SIZE = 50
REPORT_MONTHS = 12
# The stream: how often it looks, how far back (a change committed a little after its
# updated_at was set is still seen), when it sends a comment to keep proxies from closing
# an idle connection, and how long one response lives before the browser reconnects.
STREAM_POLL_SECONDS = 0.3
STREAM_LOOKBACK = dt.timedelta(seconds=5)
STREAM_KEEPALIVE_SECONDS = 15
STREAM_LIFETIME_SECONDS = 300
STREAM_RETRY_MS = 1000


def _is_fragment_request(request: HttpRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _check_watcher(user) -> None:
    """The console and the reports are for staff with an area of the region tree (operators,
    bureau admin, subdistrict officers, community workers); they see that area's alarms."""
    if scope.area_prefix(user) is None:
        raise PermissionDenied


def _get_alarm(user, alarm_id: int) -> Alarm:
    """An alarm the user may see; outside their scope → 404."""
    _check_watcher(user)
    return queries.get_alarm_for(user, alarm_id)


def _queue(user):
    """The open alarms, each knowing whether its elder's record is in the user's view (see
    _card_context)."""
    return (
        queries.open_alarms_for(user).select_related("elder__community")
        .annotate(elder_visible=Exists(Elder.objects.visible_to(user).filter(pk=OuterRef("elder_id"))))
        [:QUEUE_LENGTH]
    )


# -- the elder card (the alarm card and the hotline page share it) --------------------------
def _map_links(lng: float | None, lat: float | None, *, label: str) -> dict | None:
    """AMap wants GCJ-02 and Baidu BD-09; we store WGS-84."""
    if lng is None or lat is None:
        return None
    g_lng, g_lat = coords.wgs84_to_gcj02(lng, lat)
    b_lng, b_lat = coords.wgs84_to_bd09(lng, lat)
    return {
        "amap": "https://uri.amap.com/marker?" + urlencode({
            "position": f"{g_lng:.6f},{g_lat:.6f}", "name": label, "coordinate": "gaode", "callnative": 0,
        }),
        "baidu": "https://api.map.baidu.com/marker?" + urlencode({
            "location": f"{b_lat:.6f},{b_lng:.6f}", "title": label, "content": label,
            "coord_type": "bd09ll", "output": "html", "src": "kangyang",
        }),
        "wgs84": f"{lat:.6f}, {lng:.6f}",
    }


def _level(elder: Elder) -> dict | None:
    assessment = current_assessment(elder, on=timezone.localdate())
    if assessment is None or assessment.final_level is None:
        return None
    label, _zh = LEVEL_NAMES.get(assessment.final_level, ("", ""))  # gettext gives zh-Hans the standard's name
    return {"number": assessment.final_level, "label": label, "assessed_on": assessment.assessed_on}


def _elder_context(user, elder: Elder | None, *, alarm: Alarm | None = None, **forms) -> dict:
    if elder is None:
        return {"elder": None}
    can_see_health = scope.can_see_health(user, elder)
    place = elder.compound
    if alarm is not None and alarm.lat is not None:
        where = _map_links(alarm.lng, alarm.lat, label=elder.address or elder.name)
        where_from = "alarm"
    elif place is not None:
        where = _map_links(place.lng, place.lat, label=elder.address or place.name)
        where_from = "compound"
    else:
        where, where_from = None, ""
    recent = queries.recent_alarms_of(elder, limit=RECENT_ALARMS, exclude=getattr(alarm, "pk", None))
    return {
        "elder": elder,
        "age": elder.age(),
        "contacts": list(elder.contacts.all()),
        "can_see_health": can_see_health,
        "health": HealthRecord.objects.filter(elder=elder).first() if can_see_health else None,
        "level": _level(elder),
        "map": where,
        "map_from": where_from,
        "recent": recent,
        "can_reveal": scope.can_reveal(user, elder.region_code),
        "reveal_form": forms.get("reveal_form") or RevealForm(),
    }


def _card_context(request: HttpRequest, alarm: Alarm, **forms) -> dict:
    user = request.user
    elder = alarm.elder
    # The alarm is in the user's area by its own region code; the elder's card is shown only
    # if the elder's record is too (an elder who moved away keeps the old device's alarms).
    elder_hidden = elder is not None and not Elder.objects.visible_to(user).filter(pk=elder.pk).exists()
    if elder_hidden:
        elder = None
    events = list(queries.timeline(alarm))
    mine = alarm.status == Alarm.Status.ACKNOWLEDGED and alarm.acknowledged_by_id == user.pk
    return {
        "alarm": alarm,
        "stamp": _stamp(alarm.updated_at),
        "events": events,
        "can_handle": actions.can_handle(user, alarm.region_code),
        "can_note": actions.can_note(user, alarm.region_code),
        "in_hand": mine,
        "elder_hidden": elder_hidden,
        "note_form": forms.get("note_form") or NoteForm(),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "action_kinds": _action_buttons(),
        "refusal": forms.get("refusal"),
        "done": forms.get("done"),
        "repeats": list(alarm.repeats.select_related("device")) if alarm.repeat_count else [],
        **_elder_context(user, elder, alarm=alarm, **forms),
    }


def _action_buttons() -> list[tuple[str, str]]:
    """The one-press actions (calls to the elder and contacts have their own buttons)."""
    K = AlarmEvent.Kind
    return [(k.value, k.label) for k in (
        K.SENT_WORKER, K.SENT_CAREGIVER, K.SENT_VOLUNTEER, K.CALLED_120, K.CALLED_110, K.CALLED_119,
    )]


def _card_response(request: HttpRequest, alarm: Alarm, *, changed: bool = False, **forms) -> HttpResponse:
    """The card fragment for htmx (telling the queue to reload when the alarm changed), or
    the console with the card open for a plain request."""
    if _is_fragment_request(request):
        response = render(request, "alarms/_card.html", _card_context(request, alarm, **forms))
        if changed:
            response["HX-Trigger"] = "alarms-changed"
        return response
    if forms.get("refusal"):
        messages.error(request, forms["refusal"])
    return redirect(f"{reverse('alarms:console')}?{urlencode({'alarm': alarm.pk})}")


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


# -- the console -----------------------------------------------------------------------------
@login_required
@require_safe
def console(request: HttpRequest) -> HttpResponse:
    """The operator's screen: the queue on the left, the open alarm's card on the right."""
    _check_watcher(request.user)
    selected = None
    if request.GET.get("alarm", "").isdigit():
        selected = Alarm.objects.visible_to(request.user).filter(pk=int(request.GET["alarm"])).first()
        if selected is not None:
            selected = _get_alarm(request.user, selected.pk)
    context = {
        "alarms": _queue(request.user),
        "stream_url": reverse("alarms:stream") + "?" + urlencode({"after": _stamp(timezone.now())}),
        "selected": selected,
        "can_raise": _may_raise(request.user),
        "broker_warnings": queries.broker_warnings(),
    }
    if selected is not None:
        context.update(_card_context(request, selected))
    return render(request, "alarms/console.html", context)


@login_required
@require_safe
@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    """The queue fragment, reloaded by the page on each change (or every two seconds)."""
    _check_watcher(request.user)
    return render(request, "alarms/_queue.html", {"alarms": _queue(request.user)})


@login_required
@require_safe
@vary_on_headers("HX-Request")
def alarm_detail(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = _get_alarm(request.user, alarm_id)
    if _is_fragment_request(request):
        return render(request, "alarms/_card.html", _card_context(request, alarm))
    return redirect(f"{reverse('alarms:console')}?{urlencode({'alarm': alarm.pk})}")


@login_required
@require_POST
def acknowledge(request: HttpRequest, alarm_id: int) -> HttpResponse:
    """Take the alarm. When another operator was quicker, say who took it."""
    alarm = _get_alarm(request.user, alarm_id)
    form = AcknowledgeForm(request.POST)
    refusal = None
    if form.is_valid():
        try:
            alarm = actions.acknowledge_alarm(alarm, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as e:
            refusal = _message(e)
            alarm = _get_alarm(request.user, alarm_id)
    return _card_response(request, alarm, changed=True, refusal=refusal)


@login_required
@require_POST
def act(request: HttpRequest, alarm_id: int) -> HttpResponse:
    """One of the action buttons: called the elder or a contact, sent someone, called 120/110/119."""
    alarm = _get_alarm(request.user, alarm_id)
    contacts = alarm.elder.contacts.all() if alarm.elder_id else None
    form = ActionForm(request.POST, contacts=contacts)
    refusal = done = None
    if form.is_valid():
        try:
            event = actions.record_alarm_action(
                alarm, by=request.user, kind=form.cleaned_data["kind"],
                contact=form.cleaned_data["contact"], reached=form.cleaned_data["reached"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            refusal = _message(e)
        else:
            done = _("Recorded: %(action)s.") % {"action": event.get_kind_display()}
    else:
        refusal = " ".join(str(m) for errors in form.errors.values() for m in errors)
    alarm = _get_alarm(request.user, alarm_id)
    return _card_response(request, alarm, changed=done is not None, refusal=refusal, done=done)


@login_required
@require_POST
def note(request: HttpRequest, alarm_id: int) -> HttpResponse:
    alarm = _get_alarm(request.user, alarm_id)
    form = NoteForm(request.POST)
    done = refusal = None
    if form.is_valid():
        try:
            actions.record_alarm_action(
                alarm, by=request.user, kind=AlarmEvent.Kind.NOTE, note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            add_errors(form, e)
        else:
            done, form = _("The note is added."), NoteForm()
    alarm = _get_alarm(request.user, alarm_id)
    if form.errors:
        refusal = " ".join(str(m) for errors in form.errors.values() for m in errors)
    return _card_response(request, alarm, changed=done is not None, note_form=form, done=done, refusal=refusal)


@login_required
@require_POST
def resolve(request: HttpRequest, alarm_id: int) -> HttpResponse:
    """Close the alarm with its outcome."""
    alarm = _get_alarm(request.user, alarm_id)
    form = ResolveForm(request.POST)
    done = refusal = None
    if form.is_valid():
        try:
            alarm = actions.resolve_alarm(
                alarm, by=request.user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"],
            )
        except ValidationError as e:
            add_errors(form, e)
            alarm = _get_alarm(request.user, alarm_id)
        else:
            done = _("The alarm is resolved: %(outcome)s.") % {"outcome": alarm.get_outcome_display()}
    if form.errors:
        refusal = " ".join(str(m) for errors in form.errors.values() for m in errors)
    return _card_response(request, alarm, changed=done is not None, resolve_form=form, done=done,
                          refusal=refusal)


@login_required
@require_POST
@never_cache
def reveal(request: HttpRequest, alarm_id: int) -> HttpResponse:
    """The full phone numbers of the alarm's elder and contacts, with a reason (audited)."""
    alarm = _get_alarm(request.user, alarm_id)
    if alarm.elder is None:
        raise PermissionDenied
    return _reveal(request, alarm.elder, alarm=alarm)


def _reveal(request: HttpRequest, elder: Elder, *, alarm: Alarm | None = None) -> HttpResponse:
    if not scope.can_reveal(request.user, elder.region_code):
        raise PermissionDenied
    form = RevealForm(request.POST)
    revealed = None
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        if alarm is not None:
            reason = _("alarm %(id)d: %(reason)s") % {"id": alarm.pk, "reason": reason}
        try:
            numbers = registry_actions.reveal_elder(elder, by=request.user, reason=reason)
            contacts = actions.reveal_contact_phones(elder, by=request.user, reason=reason)
        except ValidationError as e:
            add_errors(form, e)
        else:
            # Click-to-call only here, after the audited reveal: the card shows masked numbers.
            softphone = settings.SOFTPHONE_URL
            revealed = {
                "phone": numbers["phone"],
                "elder_dial": phones.dial_links(numbers["phone"], softphone=softphone) if numbers["phone"] else None,
                "contacts": [
                    {**row, "dial": phones.dial_links(row["phone"], softphone=softphone) if row["phone"] else None}
                    for row in contacts
                ],
            }
    template = "alarms/_revealed.html" if revealed else "alarms/_reveal.html"
    context = {"elder": elder, "alarm": alarm, "reveal_form": form, "revealed": revealed}
    if _is_fragment_request(request):
        return render(request, template, context)
    # Without htmx: the numbers on a page of their own (never in a redirect's URL).
    return render(request, "alarms/reveal.html", {**context, "template": template})


# -- the stream ------------------------------------------------------------------------------
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def _stamp(moment: dt.datetime) -> str:
    """A cursor: whole microseconds since the epoch (exact, unlike float timestamps)."""
    return str((moment - EPOCH) // MICROSECOND)


def _parse_stamp(value: str | None) -> dt.datetime | None:
    if not value or not value.isdigit() or len(value) > 17:
        return None
    return EPOCH + int(value) * MICROSECOND


def _changes_since(user, since: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """(id, updated_at) of the user's alarms raised or changed after `since`."""
    return list(queries.alarms_changed_since(user, since).values_list("id", "updated_at")[:QUEUE_LENGTH])


def _event(*, cursor: dt.datetime, rows: list[tuple[int, dt.datetime]]) -> str:
    """One "alarms" event: the ids that changed, and for each the time of its latest change
    (the page compares it with the card it shows, to reload the card only if it is older)."""
    latest: dict[int, dt.datetime] = {}
    for alarm_id, updated in rows:
        latest[alarm_id] = max(updated, latest.get(alarm_id, updated))
    data = {"ids": sorted(latest), "changed": {str(i): _stamp(u) for i, u in sorted(latest.items())}}
    return "id: %s\nevent: alarms\ndata: %s\n\n" % (_stamp(cursor), json.dumps(data))


async def alarm_events(
    user, *, cursor: dt.datetime, lifetime: float = STREAM_LIFETIME_SECONDS,
    poll: float = STREAM_POLL_SECONDS,
) -> AsyncIterator[str]:
    """Server-sent events: "alarms" with the ids of the user's alarms that changed, each
    change once. Ends after `lifetime` seconds; the browser reconnects with the last id."""
    changes = sync_to_async(_changes_since)
    seen: set[tuple[int, dt.datetime]] = set()
    started = last_sent = time.monotonic()
    yield "retry: %d\n\n" % STREAM_RETRY_MS
    while time.monotonic() - started < lifetime:
        rows = await changes(user, cursor - STREAM_LOOKBACK)
        new = [row for row in rows if row not in seen]
        if new:
            cursor = max(cursor, max(updated for _id, updated in new))
            seen = {row for row in seen | set(new) if row[1] > cursor - STREAM_LOOKBACK}
            last_sent = time.monotonic()
            yield _event(cursor=cursor, rows=new)
        elif time.monotonic() - last_sent > STREAM_KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(poll)


@login_required
@require_safe
@never_cache
def stream(request: HttpRequest) -> HttpResponse:
    """The console's event stream, from the last event id (or ?after= on the first
    connection, the time the page was made)."""
    _check_watcher(request.user)
    cursor = (
        _parse_stamp(request.headers.get("Last-Event-ID")) or _parse_stamp(request.GET.get("after"))
        or timezone.now()
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if isinstance(request, ASGIRequest):
        return StreamingHttpResponse(
            alarm_events(request.user, cursor=cursor), content_type="text/event-stream", headers=headers,
        )
    # WSGI holds a thread per open response: answer at once; the browser comes back after
    # `retry` milliseconds with the last event id.
    rows = _changes_since(request.user, cursor)
    body = "retry: %d\n\n" % STREAM_RETRY_MS
    if rows:
        body += _event(cursor=max(u for _i, u in rows), rows=rows)
    return HttpResponse(body, content_type="text/event-stream", headers=headers)


# -- the hotline -----------------------------------------------------------------------------
def _may_raise(user) -> bool:
    """The hotline page raises alarms: for those who handle alarms in their area
    (operators, bureau admin)."""
    prefix = scope.area_prefix(user)
    # A region code inside the area, for the rule that takes one.
    return prefix is not None and actions.can_handle(user, prefix.ljust(12, "0"))


def _check_hotline(user) -> None:
    if not _may_raise(user):
        raise PermissionDenied


@login_required
@require_safe
@vary_on_headers("HX-Request")
def hotline(request: HttpRequest) -> HttpResponse:
    """The operator types the caller's number; the elders registered with it come up."""
    _check_hotline(request.user)
    form = CallerForm(request.GET)
    elders = None
    if form.is_valid() and form.cleaned_data["q"]:
        elders = list(queries.elders_by_phone(request.user, form.cleaned_data["q"]).select_related("community")[:10])
    context = {"form": form, "elders": elders, "number": form.cleaned_data.get("q", "") if form.is_valid() else ""}
    if len(elders or []) == 1:
        context.update(_hotline_elder_context(request, elders[0], caller=context["number"]))
    template = "alarms/_hotline_result.html" if _is_fragment_request(request) else "alarms/hotline.html"
    return render(request, template, context)


def _hotline_elder_context(request: HttpRequest, elder: Elder, *, caller: str = "", **forms) -> dict:
    return {
        "chosen": elder,
        "raise_form": forms.get("raise_form") or HotlineAlarmForm(initial={"caller": caller}),
        **_elder_context(request.user, elder, **forms),
    }


@login_required
@require_safe
def hotline_elder(request: HttpRequest, elder_id: int) -> HttpResponse:
    """One elder's card on the hotline page (when several share the caller's number)."""
    elder = registry_queries.get_elder_for(request.user, elder_id)
    _check_hotline(request.user)
    context = {"form": CallerForm(), "elders": [elder], **_hotline_elder_context(
        request, elder, caller=request.GET.get("caller", ""))}
    template = "alarms/_hotline_result.html" if _is_fragment_request(request) else "alarms/hotline.html"
    return render(request, template, context)


@login_required
@require_POST
def hotline_raise(request: HttpRequest, elder_id: int) -> HttpResponse:
    """Raise an alarm for the caller's elder. The operator on the phone has answered it
    already, so it is acknowledged by them at once, and their console opens on it."""
    elder = registry_queries.get_elder_for(request.user, elder_id)
    if not actions.can_handle(request.user, elder.region_code):
        raise PermissionDenied
    form = HotlineAlarmForm(request.POST)
    if form.is_valid():
        try:
            alarm, _created = actions.raise_alarm(
                source=Alarm.Source.HOTLINE, type=form.cleaned_data["type"], elder=elder, by=request.user,
                caller_masked=form.cleaned_data["caller"], note=form.cleaned_data["note"],
            )
            actions.acknowledge_alarm(alarm, by=request.user)
        except ValidationError as e:
            add_errors(form, e)
        else:
            url = f"{reverse('alarms:console')}?{urlencode({'alarm': alarm.pk})}"
            if _is_fragment_request(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    context = {"form": CallerForm(), "elders": [elder],
               **_hotline_elder_context(request, elder, raise_form=form)}
    template = "alarms/_hotline_result.html" if _is_fragment_request(request) else "alarms/hotline.html"
    return render(request, template, context)


@login_required
@require_POST
@never_cache
def hotline_reveal(request: HttpRequest, elder_id: int) -> HttpResponse:
    elder = registry_queries.get_elder_for(request.user, elder_id)
    _check_hotline(request.user)
    return _reveal(request, elder)


# -- reports ---------------------------------------------------------------------------------
@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    """Answering times against the alarm-centre standard, false alarms, offline devices."""
    _check_watcher(request.user)
    user = request.user
    form = ReportFilterForm(request.GET)
    month = form.month_start()
    start, end = reports.period_bounds(month)
    days = reports.answer_shares(user, start=start, end=end, by="day")
    year_start, _unused = reports.period_bounds(reports.months_back(month, REPORT_MONTHS))
    months = reports.answer_shares(user, start=year_start, end=end, by="month")
    page = Paginator(reports.alarm_times(user, start=start, end=end), REPORT_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "alarms/reports.html", {
        "form": form, "month": month, "days": days, "months": months,
        "month_total": reports.answer_total(days, period=month),
        "page_obj": page, "querystring": urlencode({"month": f"{month:%Y-%m}"}),
        "false_alarms": reports.false_alarms_by_model(user, start=start, end=end),
        "offline": reports.offline_devices_by_community(user),
        "target_seconds": constants.ANSWER_TARGET_SECONDS, "target_share": constants.ANSWER_TARGET_SHARE,
        "late_seconds": constants.ANSWER_LATE_SECONDS, "late_share": constants.ANSWER_LATE_SHARE,
        "can_raise": _may_raise(user),
    })
