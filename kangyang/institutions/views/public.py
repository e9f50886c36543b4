"""Public disclosure pages (issue 16 §9), no sign-in: the directory of institutions and
facilities with its filters and map, and each institution's page (fees, services, rating,
published inspection results, credit status). Nothing personal reaches them
(queries.public says what is read). Mounted at /public/institutions/ (urls_public.py).

Filters come from the query string: a value that is not one of the choices answers 400 in
words (JSON for map.json), never 500; an unknown parameter is ignored."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from kangyang.institutions.models import Institution
from kangyang.institutions.queries import inspections as inspection_queries, public as queries, rating as rating_queries

PER_PAGE = 25
MAX_ID = 2**63 - 1
# The map's data may sit in shared caches a minute; the pages carry a CSRF token (the language
# switch) and set its cookie, so only the visitor's own browser keeps them.
CACHE = {"public": True, "max_age": 60}
PAGE_CACHE = {"private": True, "max_age": 60}
SUBDISTRICTS_CACHE_SECONDS = 300

class DirectoryFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    subdistrict = forms.ChoiceField(label=gettext_lazy("Subdistrict"), required=False)
    beds = forms.ChoiceField(label=gettext_lazy("Beds available"), required=False)
    stars = forms.ChoiceField(label=gettext_lazy("Star rating"), required=False)
    band = forms.ChoiceField(label=gettext_lazy("Lowest monthly fee"), required=False)

    def __init__(self, data, subdistricts):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds"))] + list(Institution.Kind.choices)
        self.fields["subdistrict"].choices = [("", _("All subdistricts"))] + [
            (r.code, f"{r.parent.name} · {r.name}" if r.parent_id else r.name) for r in subdistricts]
        self.fields["beds"].choices = [("", _("Any")), ("1", _("At least one bed available"))]
        self.fields["stars"].choices = [("", _("Any"))] + [
            (str(n), _("%(n)s stars or more") % {"n": n}) for n in range(1, 6)]
        self.fields["band"].choices = [("", _("Any"))] + [(k, v[0]) for k, v in queries.PRICE_BANDS.items()]

    def filters(self) -> queries.Filters:
        d = self.cleaned_data
        return queries.Filters(kind=d["kind"], subdistrict=d["subdistrict"], beds=d["beds"] == "1",
                               stars=int(d["stars"] or 0), band=d["band"])


FILTER_NAMES = ("kind", "subdistrict", "beds", "stars", "band")


def _subdistricts() -> list:
    """The subdistricts of the filter, kept a few minutes (every directory page and map.json asks)."""
    return cache.get_or_set("public_institutions:subdistricts", queries.subdistricts, SUBDISTRICTS_CACHE_SECONDS)


def _form(request: HttpRequest) -> DirectoryFilterForm:
    data = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    return DirectoryFilterForm(data, _subdistricts())


def _bad_request(request: HttpRequest, form: DirectoryFilterForm) -> HttpResponse:
    return render(request, "institutions/public/bad_request.html",
                  {"form": form, "errors": [(form.fields[n].label, e) for n, errs in form.errors.items() for e in errs]},
                  status=400)


@require_safe
@cache_control(**PAGE_CACHE)
def directory(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _bad_request(request, form)
    filters = form.filters()
    page = Paginator(queries.directory_page_rows(queries.directory(filters)), PER_PAGE).get_page(request.GET.get("page"))
    querystring = urlencode({k: v for k, v in form.cleaned_data.items() if v})
    rows = [{"inst": i, "band": i.min_monthly_fee} for i in page.object_list]
    return render(request, "institutions/public/directory.html", {
        "form": form, "page_obj": page, "rows": rows, "querystring": querystring,
        "filtered": bool(querystring),
        "map_url": reverse("public_institutions:map") + (f"?{querystring}" if querystring else ""),
        "map_config": {"tiles": settings.MAP_TILES.as_json(), "detail": reverse("public_institutions:detail", args=[0]),
                       "words": {"stars": _("Stars"), "beds": _("Beds available"), "unrated": _("not rated"),
                                 "failed": _("The map could not be loaded: the list below holds the same institutions.")}},
    })


@require_safe
@cache_control(**CACHE)
def map_data(request: HttpRequest) -> JsonResponse:
    """The map's markers, with the directory's filters: id, name, kind, lat, lng, beds available, stars."""
    form = _form(request)
    if not form.is_valid():
        return JsonResponse({"error": {"code": "invalid", "message": _("Some filters are not valid."),
                                       "fields": {k: [str(e) for e in v] for k, v in form.errors.items()}}}, status=400)
    kinds = dict(Institution.Kind.choices)
    items = []
    for p in queries.map_points(form.filters()):
        lat, lng = settings.MAP_TILES.project(p["lat"], p["lng"])
        items.append({"id": p["pk"], "name": p["name"], "kind": p["kind"], "kind_label": str(kinds.get(p["kind"], "")),
                      "lat": lat, "lng": lng, "beds_available": p["beds_available"], "stars": p["stars"]})
    return JsonResponse({"items": items, "count": len(items)}, json_dumps_params={"ensure_ascii": False})


@require_safe
@cache_control(**PAGE_CACHE)
def detail(request: HttpRequest, institution_id: int) -> HttpResponse:
    inst = queries.institution(institution_id) if 0 < institution_id <= MAX_ID else None
    if inst is None:
        return render(request, "institutions/public/not_found.html", status=404)
    inspections = inspection_queries.published_results(inst)
    history = rating_queries.public_history(inst)
    subdistrict = inst.community.parent if inst.community_id else None
    return render(request, "institutions/public/detail.html", {
        "inst": inst, "subdistrict": subdistrict, "fees": queries.fees(inst),
        "services": [_service_text(s) for s in (inst.services or []) if _service_text(s)],
        "history": history, "example_card": any(h["is_example"] for h in history),
        "inspections": inspections, "credit": queries.credit_status(inst),
    })


def _service_text(s) -> str:
    """A service as written in the register (a string, or a dict with a name)."""
    if isinstance(s, dict):
        s = s.get("name") or s.get("label") or ""
    return str(s).strip() if isinstance(s, str | int) else ""


urlpatterns = [
    path("", directory, name="directory"),
    path("map.json", map_data, name="map"),
    path("<int:institution_id>/", detail, name="detail"),
]
