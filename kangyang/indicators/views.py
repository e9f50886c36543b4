"""The indicator pages: the dashboard (from the monthly snapshots), one indicator's breakdown,
ranking and trend, the records behind a figure, a bureau's targets and its entered figures.

Every page reads the snapshots the worker keeps (actions.take_snapshot), so it is as fast for a
city as for a community; "compute now" takes a fresh snapshot of the reader's own area for
the running period. Who sees what is accounts/scope.py's: sees_indicators_of for the figures,
sees_indicator_records for the lists (which records_for cuts to the reader's area)."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.indicators import actions, presentation, queries
from kangyang.indicators import registry as units
from kangyang.indicators import targets as T
from kangyang.indicators.forms import ManualValueForm, PeriodForm, TargetSetForm
from kangyang.indicators.models import ManualValue, Snapshot, TargetSet
from kangyang.indicators.registry import LEVELS, Figure, Period, site
from kangyang.regions import codes
from kangyang.regions.models import Region

FIRST_PLAN_YEAR = 2023  # the earliest plan of plan-targets.yaml (xihu-2023)
RECORDS_PER_PAGE = 50
ENTRIES_PER_PAGE = 25


# -- where and when -----------------------------------------------------------------------------

@dataclass
class Place:
    """The region and period a page is about, and the picker that chose them."""

    region: Region
    period: Period
    form: PeriodForm

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def level(self) -> str:
        return codes.level_of(self.region.code)

    @property
    def is_running(self) -> bool:
        return self.period.first_day <= timezone.localdate() <= self.period.last_day

    @property
    def label(self) -> str:
        if self.period.month:
            return _("%(year)s, month %(month)s") % {"year": self.period.year, "month": self.period.month}
        return _("year %(year)s") % {"year": self.period.year}

    def query(self, **extra) -> str:
        """The page's parameters (region, year, month) with `extra` ones, URL-encoded."""
        params = {"region": self.code, "year": self.period.year}
        if self.period.month:
            params["month"] = self.period.month
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(params)


def _home_region(user) -> Region | None:
    """The region the reader's figures open on: their own area (the installer's superuser:
    the top of the tree)."""
    if user.region_id:
        return user.region
    if scope.area_prefix(user) == "":
        return Region.objects.filter(parent__isnull=True).order_by("code").first()
    return None


def _years(region_code: str) -> list[int]:
    """The years the picker offers: back to the plans' first, or to the region's first snapshot."""
    today = timezone.localdate()
    first = Snapshot.objects.filter(region_code=region_code).order_by("period").values_list("period", flat=True).first()
    start = min(FIRST_PLAN_YEAR, int(first[:4]) if first else today.year, today.year)
    return list(range(today.year, start - 1, -1))


def _place(request: HttpRequest, data=None, *, overlapping: bool = False) -> Place:
    """The region and period of the request (GET, or `data`), gated: a region the reader sees
    the figures of; with `overlapping`, also a region above the reader's area (the lists of
    records, which show only the reader's own part of it)."""
    user = request.user
    if not scope.can_open(user, "indicators"):
        raise PermissionDenied
    home = _home_region(user)
    if home is None:
        raise PermissionDenied
    data = request.GET if data is None else data
    today = timezone.localdate()
    form = PeriodForm(data or None, years=_years(home.code), initial={"region": home.code, "year": today.year})
    cleaned = form.cleaned_data if form.is_valid() else {}
    code = cleaned.get("region") or home.code
    # The rule before the lookup: a region outside the reader's area is refused whether or not
    # it exists.
    if not scope.sees_indicators_of(user, code):
        prefix = scope.area_prefix(user)
        try:
            above = overlapping and prefix is not None and prefix.startswith(codes.prefix(code))
        except ValidationError:
            above = False
        if not above:
            raise PermissionDenied
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404
    period = Period(cleaned.get("year") or today.year, cleaned.get("month"))
    return Place(region=region, period=period, form=form)


def _taken_at(region_code: str, period: Period):
    """When the figures of the region for the period were computed: its own snapshot, or (a
    region without records has no rows) that of the nearest region above it; None if nobody
    computed them yet."""
    chain = [region_code]
    while (parent := codes.parent_code_of(chain[-1])) is not None:
        chain.append(parent)
    found = dict(Snapshot.objects.filter(region_code__in=chain, period=period.key)
                 .values("region_code").annotate(at=Max("computed_at")).values_list("region_code", "at"))
    return next((found[c] for c in chain if c in found), None)


def _regions(user, place: Place, url_name: str, **extra) -> dict:
    """The region picker: the regions above this one that the reader sees (top first) and
    this one, as a breadcrumb; the regions one level down; each a link to the same page."""
    chain = [place.code]
    while (parent := codes.parent_code_of(chain[-1])) is not None:
        chain.append(parent)
    seen = [c for c in chain if scope.sees_indicators_of(user, c)]
    found = {r.code: r for r in Region.objects.filter(code__in=seen)}
    url = reverse(url_name)

    def link(region):
        return {"region": region, "url": f"{url}?{place.query(region=region.code, **extra)}"}

    above = [link(found[c]) for c in reversed(seen) if c in found]
    below = [link(r) for r in Region.objects.filter(parent=place.region).order_by("code")]
    return {"breadcrumb": above, "children": below}


def _names(region_codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(filter(None, region_codes))).values_list("code", "name"))


# -- the dashboard --------------------------------------------------------------------------------

def _links(line: presentation.Line, user, place: Place) -> None:
    """Where a row's figure leads: its breakdown and the records behind it."""
    indicator = line.row.indicator
    line.drill_url = line.records_url = line.denominator_url = ""
    if indicator is None or line.row.origin != queries.COMPUTED:
        return
    line.drill_url = f"{reverse('indicators:indicator')}?{place.query(code=indicator.code)}"
    if indicator.compute is None and scope.sees_indicator_records(user, indicator.sensitivity):
        line.records_url = f"{reverse('indicators:records')}?{place.query(code=indicator.code)}"
        if indicator.is_share:
            line.denominator_url = f"{reverse('indicators:records')}?{place.query(code=indicator.code, of='denominator')}"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The indicators of a region for a period, from the snapshots: the plans' first (binding
    misses first), then each app's own by group."""
    user = request.user
    place = _place(request)
    taken_at = _taken_at(place.code, place.period)
    rows = queries.rows_for(place.code, place.period, source=queries.SNAPSHOT)
    if taken_at is None:
        presentation.without_figures(rows)

    def line(row):
        made = presentation.line_for(row, place.period.year, pending=taken_at is None and row.origin == queries.COMPUTED)
        _links(made, user, place)
        return made

    plans = [line(r) for r in queries.ordered_for_reading([r for r in rows if r.plan is not None])]
    groups: dict[str, list] = {}
    for row in rows:
        if row.plan is None:
            groups.setdefault(row.group, []).append(line(row))
    home = _home_region(user)
    return render(request, "indicators/dashboard.html", {
        "place": place, "taken_at": taken_at, "plans": plans,
        "groups": [(presentation.group_label(g), lines) for g, lines in groups.items()],
        "binding_misses": sum(1 for p in plans if p.row.binding_miss),
        **_regions(user, place, "indicators:dashboard"),
        "can_compute": place.is_running,
        "edits_targets": scope.edits_targets_of(user, home.code),
        "enters_values": scope.enters_indicator_values_of(user, home.code),
    })


@require_POST
@login_required
def compute(request: HttpRequest) -> HttpResponse:
    """Compute now: a fresh snapshot of the running period for the reader's whole area (the
    region shown and everything else they see), instead of waiting for the worker's next one."""
    place = _place(request, request.POST)
    if not place.is_running:
        return HttpResponseBadRequest(_("Only the running month or year can be computed again; past periods keep their snapshot."))
    home = _home_region(request.user)
    root = home.code if home is not None and place.code.startswith(home.prefix) else place.code
    try:
        n = actions.take_snapshot(place.period, roots=[root])
    except IntegrityError:
        # The worker stored the same period's figures at the same moment: its figures are as new.
        messages.warning(request, _("The figures were being computed at the same moment; they are up to date."))
    else:
        messages.success(request, _("%(n)d figures computed just now.") % {"n": n})
    return redirect(f"{reverse('indicators:dashboard')}?{place.query()}")


# -- one indicator: breakdown, ranking, trend ------------------------------------------------------

def _chart(names, figures, indicator, title) -> dict:
    """What indicators.js draws: labels, values and the values as they read, for a chart that
    says every value in words (labels on the bars and points)."""
    return {
        "title": str(title), "labels": [str(n) for n in names],
        "values": [float(f.value) if f.value is not None else None for f in figures],
        "texts": [presentation.format_value(f.value, indicator.unit) for f in figures],
        "lowerIsBetter": indicator.lower_is_better,
        "whole": indicator.unit == units.COUNT,  # an axis of whole numbers
    }


def _ranked(items, lower_is_better: bool):
    """[(rank, item)]: competition ranking (1, 2, 2, 4) by value, best first; those without a
    value after, unranked."""
    valued = sorted((i for i in items if i[1].value is not None), key=lambda i: i[1].value,
                    reverse=not lower_is_better)
    ranked, previous, rank = [], None, 0
    for n, item in enumerate(valued, start=1):
        if item[1].value != previous:
            rank, previous = n, item[1].value
        ranked.append((rank, item))
    return ranked + [(None, i) for i in items if i[1].value is None]


@login_required
def indicator_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    place = _place(request)
    indicator = site.get(request.GET.get("code", ""))
    if indicator is None:
        raise Http404
    taken_at = _taken_at(place.code, place.period)
    rows = queries.rows_for(place.code, place.period, source=queries.SNAPSHOT)
    if taken_at is None:
        presentation.without_figures(rows)
    row = next(r for r in rows if r.code == indicator.code)
    line = presentation.line_for(row, place.period.year, pending=taken_at is None)
    _links(line, user, place)

    def figure_of(figures, code):
        return figures.get(code) or (indicator.empty_figure() if taken_at else Figure(None))

    depth = LEVELS.index(place.level)
    children, child_rows, chart, ranking, ranking_chart = [], [], None, [], None
    if depth < LEVELS.index(indicator.level):
        children = list(Region.objects.filter(parent=place.region).order_by("code"))
        figures = queries.breakdown(indicator, place.code, place.period, LEVELS[depth + 1],
                                    source=queries.SNAPSHOT) if taken_at else {}
        for child in children:
            child_place = Place(region=child, period=place.period, form=place.form)
            child_line = presentation.Line(row=row, value_text="", status_label="")
            _links(child_line, user, child_place)
            child_rows.append({"region": child, "figure": figure_of(figures, child.code),
                               "drill_url": child_line.drill_url, "records_url": child_line.records_url})
        for r in child_rows:
            r["text"] = presentation.format_value(r["figure"].value, indicator.unit)
        chart = _chart([r["region"].name for r in child_rows], [r["figure"] for r in child_rows], indicator,
                       indicator.name)
    if depth < LEVELS.index("subdistrict") <= LEVELS.index(indicator.level):
        subdistricts = list(Region.objects.filter(level=Region.Level.SUBDISTRICT, code__startswith=place.region.prefix)
                            .order_by("code"))
        figures = queries.breakdown(indicator, place.code, place.period, "subdistrict",
                                    source=queries.SNAPSHOT) if taken_at else {}
        ranking = [(rank, region, figure, presentation.format_value(figure.value, indicator.unit))
                   for rank, (region, figure) in _ranked([(s, figure_of(figures, s.code)) for s in subdistricts],
                                                         indicator.lower_is_better)]
        ranking_chart = _chart([r[1].name for r in ranking], [r[2] for r in ranking], indicator, indicator.name)
    # Every month of the year so far on the chart (a month without a snapshot shows as a gap);
    # the table lists the months that have one.
    kept = dict(queries.history(indicator.code, place.code, place.period.year))
    today = timezone.localdate()
    last = 12 if place.period.year < today.year else today.month if place.period.year == today.year else 0
    months = [(m, Figure(kept.get(f"{place.period.year}-{m:02d}"))) for m in range(1, last + 1)]
    trend = [(m, f, presentation.format_value(f.value, indicator.unit)) for m, f in months
             if f"{place.period.year}-{m:02d}" in kept]
    trend_chart = _chart([_("month %(month)s") % {"month": m} for m, _f in months], [f for _m, f in months], indicator,
                         indicator.name)
    return render(request, "indicators/indicator.html", {
        "place": place, "indicator": indicator, "line": line, "line_list": [line], "taken_at": taken_at,
        **_regions(user, place, "indicators:indicator", code=indicator.code),
        "child_level": LEVELS[depth + 1] if children else "", "children": child_rows, "chart": chart,
        "ranking": ranking, "ranking_chart": ranking_chart, "trend": trend, "trend_chart": trend_chart if trend else None,
    })


# -- the records behind a figure -------------------------------------------------------------------

@login_required
def records(request: HttpRequest) -> HttpResponse:
    """The records a figure counts, as the reader may see them: cut to their own area (a
    community worker looking at a district's figure sees her community's records only)."""
    user = request.user
    place = _place(request, overlapping=True)
    indicator = site.get(request.GET.get("code", ""))
    if indicator is None:
        raise Http404
    denominator = request.GET.get("of") == "denominator"
    try:
        found = queries.records_for(user, indicator, place.code, place.period, denominator=denominator)
    except PermissionError:
        raise PermissionDenied from None
    except queries.NoRecords:
        raise Http404 from None
    if presentation.has_elder(found.model):
        found = found.select_related("elder")
    if not found.ordered:
        found = found.order_by("pk")
    page = Paginator(found, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    field = indicator.records_field(denominator=denominator)
    region_codes = [presentation._field_value(obj, field) for obj in page]
    lines = presentation.record_lines(user, page, region_field=field, region_names=_names(region_codes))
    whole = scope.sees_indicators_of(user, place.code)
    figure = None
    if whole and (taken_at := _taken_at(place.code, place.period)) is not None:
        figure = queries.snapshot_figures(place.code, place.period)[0].get(indicator.code) or indicator.empty_figure()
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "indicators/records.html", {
        "place": place, "indicator": indicator, "denominator": denominator, "page_obj": page, "lines": lines,
        "querystring": query.urlencode(), "whole": whole, "figure": figure,
        "counted": (figure.denominator if denominator else figure.numerator) if figure else None,
        "area": _home_region(user), "dashboard_query": place.query(),
    })


# -- a bureau's targets ------------------------------------------------------------------------------

def _bureau_region(user, may) -> Region:
    """The area of a bureau admin who may do this there (scope's rule `may`); 403 otherwise."""
    if not user.region_id or not may(user, user.region.code):
        raise PermissionDenied
    return user.region


def _add_errors(form, error: ValidationError, field: str) -> None:
    """An action's refusal on the form: by field where it names one, else on `field`."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, error)


@login_required
def targets_page(request: HttpRequest) -> HttpResponse:
    """The bureau admin edits her bureau's copy of the plans' targets: the whole YAML, checked
    before it is saved as a new version."""
    region = _bureau_region(request.user, scope.edits_targets_of)
    in_force = queries.target_set_for(region.code)
    if request.method == "POST":
        form = TargetSetForm(request.POST)
        if form.is_valid():
            try:
                saved = actions.save_target_set(by=request.user, region_code=region.code,
                                                text=form.cleaned_data["text"], note=form.cleaned_data["note"])
            except ValidationError as e:
                _add_errors(form, e, "text")
            else:
                messages.success(request, _("Version %(v)d of the targets is saved and in force.") % {"v": saved.version})
                return redirect("indicators:targets")
    else:
        form = TargetSetForm(initial={"text": in_force.text if in_force else T.shipped_text()})
    inherited = None
    if in_force is not None and in_force.region_code != region.code:
        inherited = Region.objects.filter(code=in_force.region_code).first()
    versions = TargetSet.objects.filter(region_code=region.code).select_related("created_by").order_by("-version")
    return render(request, "indicators/targets.html", {
        "region": region, "form": form, "in_force": in_force, "inherited": inherited, "versions": versions,
    })


@login_required
def target_version(request: HttpRequest, version: int) -> HttpResponse:
    region = _bureau_region(request.user, scope.edits_targets_of)
    saved = get_object_or_404(TargetSet.objects.select_related("created_by"), region_code=region.code, version=version)
    before = TargetSet.objects.filter(region_code=region.code, version=version - 1).first()
    before_text = before.text if before else T.shipped_text()
    diff = list(difflib.unified_diff(before_text.splitlines(), saved.text.splitlines(), lineterm="", n=2))[2:]
    return render(request, "indicators/target_version.html", {
        "region": region, "saved": saved, "before": before,
        "diff": [(line[:1], line) for line in diff],
    })


# -- figures entered by hand -------------------------------------------------------------------------

@login_required
def values_page(request: HttpRequest) -> HttpResponse:
    """The bureau enters the figures no module computes (life expectancy, industry revenue…),
    each with its source, date and document; the entries so far below."""
    user = request.user
    region = _bureau_region(user, scope.enters_indicator_values_of)
    plans = queries.plan_indicators_for(region.code)
    choices = [(code, plan.name_zh or code) for code, plan in plans.items() if site.get(code) is None]
    regions = Region.objects.filter(code__startswith=region.prefix,
                                    level__in=[Region.Level.CITY, Region.Level.DISTRICT, Region.Level.SUBDISTRICT])
    region_choices = [(r.code, r.name) for r in regions.order_by("code")]
    if request.method == "POST":
        form = ManualValueForm(request.POST, request.FILES, codes=choices, regions=region_choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.enter_value(
                    by=user, code=data["code"], region_code=data["region"], year=data["year"], value=data["value"],
                    source=data["source"], as_of=data["as_of"], attachment=data.get("attachment"))
            except ValidationError as e:
                _add_errors(form, e, "value")
            else:
                messages.success(request, _("The figure is recorded: %(name)s, %(year)d.") % {
                    "name": plans[entry.code].name_zh or entry.code, "year": entry.year})
                return redirect("indicators:values")
    else:
        form = ManualValueForm(codes=choices, regions=region_choices, initial={"region": region.code})
    entries = ManualValue.objects.filter(region_code__startswith=region.prefix).select_related("entered_by")
    page = Paginator(entries.order_by("-entered_at", "-id"), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    names = _names(e.region_code for e in page)
    return render(request, "indicators/values.html", {
        "region": region, "form": form, "page_obj": page, "querystring": "",
        "entries": [(e, plans[e.code].name_zh if e.code in plans else e.code, names.get(e.region_code, e.region_code),
                     presentation.format_value(e.value, plans[e.code].unit if e.code in plans else ""))
                    for e in page],
    })


@login_required
def value_attachment(request: HttpRequest, entry_id: int) -> FileResponse:
    """An entered figure's document, for the bureau of its region; each download audited."""
    user = request.user
    entry = get_object_or_404(ManualValue.objects.filter(scope.region_filter(user)), pk=entry_id)
    if not scope.enters_indicator_values_of(user, entry.region_code):
        raise PermissionDenied
    if not entry.attachment:
        raise Http404
    record(user, AuditEntry.Action.EXPORT, entry, verb="indicator_value.download",
           changes={"code": entry.code, "year": entry.year})
    return FileResponse(entry.attachment.open("rb"), as_attachment=True,
                        filename=os.path.basename(entry.attachment.name))
