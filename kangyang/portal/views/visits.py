"""The visitor's board in the app (/app/visits/): today's care visits in walking order, with
the way there and a record form per elder (mode, the findings checklist, notes, the phone's
location), for volunteers and community workers.

The form works without a connection: static/js/visitor.js keeps each record on the phone
(localStorage) with its `client_id` and sends it when the connection is back, showing how many
records wait; the same record sent twice is kept once (visits.actions.record_visit). Without
JavaScript the form is a plain POST. The view only parses, gates and calls the visits app's
action and queries."""

import datetime as dt
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from kangyang.accounts import scope
from kangyang.lib import coords
from kangyang.portal.views._common import app_login_required
from kangyang.visits import actions, queries
from kangyang.visits.actions.records import FINDING_ITEMS, LOCATION_FLAGS
from kangyang.visits.models import FollowUp, Mode

FINDING_CHOICES = [("", gettext_lazy("not checked")), ("ok", gettext_lazy("all right")),
                   ("concern", gettext_lazy("a concern"))]


class VisitRecordForm(forms.Form):
    """What the board's record form sends (input shapes only; the rules are the action's)."""

    elder = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    client_id = forms.RegexField(regex=r"^[A-Za-z0-9._:-]{0,64}$", required=False, max_length=64)
    mode = forms.ChoiceField(choices=Mode.choices)
    met = forms.ChoiceField(choices=[("yes", ""), ("no", "")], required=False)
    minutes = forms.IntegerField(min_value=1, max_value=720, required=False)
    notes = forms.CharField(required=False, max_length=4000)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False, min_value=0, max_value=100_000)
    system = forms.ChoiceField(choices=[(s, s) for s in coords.SYSTEMS], required=False)
    # How long ago the visitor pressed "save" (visitor.js, by the phone's own clock): the record
    # is dated then, however late it reaches the server.
    age_seconds = forms.FloatField(required=False, min_value=0, max_value=31 * 24 * 3600)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in FINDING_ITEMS:
            self.fields[f"f_{item}"] = forms.ChoiceField(choices=FINDING_CHOICES, required=False)
            self.fields[f"n_{item}"] = forms.CharField(required=False, max_length=500)
            # A concern may ask for a follow-up of a kind (opened with the record).
            self.fields[f"u_{item}"] = forms.ChoiceField(choices=[("", "")] + FollowUp.Kind.choices, required=False)

    def findings(self) -> dict:
        data = self.cleaned_data
        return {item: {"state": data[f"f_{item}"], "note": data[f"n_{item}"]}
                for item in FINDING_ITEMS if data.get(f"f_{item}")}

    def follow_ups(self) -> list[tuple[str, str, str]]:
        """(finding, kind, note) for each concern that asks for a follow-up."""
        data = self.cleaned_data
        return [(item, data[f"u_{item}"], data[f"n_{item}"]) for item in FINDING_ITEMS
                if data.get(f"f_{item}") == "concern" and data.get(f"u_{item}")]

    def fix(self) -> actions.Fix | None:
        data = self.cleaned_data
        if data.get("lat") is None or data.get("lng") is None:
            return None
        return actions.Fix(lat=data["lat"], lng=data["lng"], accuracy_m=data.get("accuracy"),
                           system=data.get("system") or "wgs84")

    def times(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        ended = now - dt.timedelta(seconds=self.cleaned_data.get("age_seconds") or 0)
        return ended - dt.timedelta(minutes=self.cleaned_data.get("minutes") or 30), ended


def _gate(request: HttpRequest) -> None:
    if not scope.uses_visitor_board(request.user):
        raise PermissionDenied


def _context(request: HttpRequest, *, result: dict | None = None) -> dict:
    day = queries.visitor_day(request.user)
    for visit in day["visited"]:
        visit.flag_label = LOCATION_FLAGS.get(visit.location_flag, "")
    return {
        **day, "result": result, "board_url": reverse("portal:visits"), "record_url": reverse("portal:visit_record"),
        "finding_items": list(FINDING_ITEMS.items()), "modes": Mode.choices, "new_client_id": uuid.uuid4().hex,
        "follow_up_kinds": FollowUp.Kind.choices,
    }


def _board(request: HttpRequest, *, result: dict | None = None, status: int = 200) -> HttpResponse:
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    return render(request, "portal/_visit_board.html" if fragment else "portal/visits.html",
                  _context(request, result=result), status=status)


@app_login_required
@require_safe
# Always asked again while there is a connection, but not "no-store": the app's service worker
# keeps the board, so that it opens again in a stairwell and records can still be saved.
@cache_control(private=True, no_cache=True)
@vary_on_headers("HX-Request")
def visits(request: HttpRequest) -> HttpResponse:
    """Today's visits in walking order and those recorded today; the board alone for htmx and
    visitor.js (which ask for it again after a record is sent)."""
    _gate(request)
    return _board(request)


def _said(visit) -> dict:
    """What the board says after a record: kept, and the location check in words."""
    if visit.location_flag:
        text = _("Saved, with a note for the community: %(flag)s.") % {"flag": LOCATION_FLAGS[visit.location_flag]}
        return {"kind": "flagged", "text": text, "distance": visit.distance_m}
    if visit.distance_m is not None:
        return {"kind": "done", "text": _("Saved: %(m)d m from the home.") % {"m": visit.distance_m},
                "distance": visit.distance_m}
    return {"kind": "done", "text": _("Saved."), "distance": None}


@app_login_required
@require_POST
def visit_record(request: HttpRequest) -> HttpResponse:
    """Record a visit from the board: parse, gate, act, answer with the board (htmx, visitor.js)
    or back to the page (a plain form)."""
    _gate(request)
    form = VisitRecordForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[k].label or k}: {' '.join(v)}" if k != "__all__" else " ".join(v)
                           for k, v in form.errors.items())
        return _refused(request, _("The record was not saved: %(why)s") % {"why": errors})
    elder = queries.elder_to_visit(request.user, form.cleaned_data["elder"])
    started, ended = form.times(timezone.now())
    try:
        with transaction.atomic():  # the record and the follow-ups it asks for: both or neither
            visit = actions.record_visit(
                elder, by=request.user, mode=form.cleaned_data["mode"], started_at=started, ended_at=ended,
                fix=form.fix(), findings=form.findings(), notes=form.cleaned_data["notes"],
                client_id=form.cleaned_data["client_id"], met=form.cleaned_data.get("met") != "no",
            )
            # A record sent again (same client_id) is the same visit: its follow-ups are opened once.
            opened = set(visit.follow_ups.values_list("finding", flat=True))
            for finding, kind, note in form.follow_ups():
                if finding not in opened:
                    actions.open_follow_up(visit, by=request.user, kind=kind, finding=finding, note=note)
    except ValidationError as e:
        return _refused(request, _("The record was not saved: %(why)s") % {"why": " ".join(e.messages)})
    result = _said(visit)
    if request.htmx:
        return _board(request, result=result)
    messages.success(request, result["text"])
    return redirect("portal:visits")


def _refused(request: HttpRequest, text: str) -> HttpResponse:
    if request.htmx:
        return _board(request, result={"kind": "refused", "text": text, "distance": None}, status=422)
    messages.error(request, text)
    return redirect("portal:visits")


class CloseForm(forms.Form):
    outcome = forms.CharField(max_length=4000)


@app_login_required
@require_POST
def follow_up_close(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """Close a follow-up from the board with what came of it (the area's community worker, or
    whoever opened it)."""
    _gate(request)
    follow_up = queries.get_follow_up_for(request.user, follow_up_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _refused(request, _("Say what came of it."))
    try:
        actions.close_follow_up(follow_up, by=request.user, outcome=form.cleaned_data["outcome"])
    except ValidationError as e:
        return _refused(request, " ".join(e.messages))
    text = _("Follow-up closed.")
    if request.htmx:
        return _board(request, result={"kind": "done", "text": text, "distance": None})
    messages.success(request, text)
    return redirect("portal:visits")
