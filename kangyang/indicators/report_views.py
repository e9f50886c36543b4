"""The report page: the indicators of a region for a month or a year as a printable page, and
the same as a PDF or a spreadsheet to download (each download audited)."""

from django.core.exceptions import PermissionDenied
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from kangyang.accounts import scope
from kangyang.indicators import reports
from kangyang.indicators.report_forms import HTML, ReportForm
from kangyang.regions.models import Region


@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    """?region=&year=&month=&format=html|pdf|xlsx; without a year, this month of the reader's
    region. A region outside the reader's area is a 404, as every other record."""
    if not scope.can_open(request.user, "indicators"):
        raise PermissionDenied
    form = ReportForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "indicators/report.html", {"form": form, "report": None}, status=400)
    region_code, period, format = (form.cleaned_data[k] for k in ("region", "period", "format"))
    if not scope.sees_indicators_of(request.user, region_code):
        raise Http404
    if not Region.objects.filter(code=region_code).exists():
        raise Http404
    if format == HTML:
        data = reports.report_data(region_code, period)
        return render(request, "indicators/report.html", {
            "form": form, "report": data, "summary": reports.summary_text(data),
            "status_bars": data.status_bars(), "region_bars": data.region_bars(),
            "chart_column": data.chart_column(),
            "breakdown_rows": data.breakdown.table() if data.breakdown else [],
        })
    body = reports.download(format, region_code=region_code, period=period, by=request.user)
    response = HttpResponse(body, content_type=reports.CONTENT_TYPES[format])
    response["Content-Disposition"] = content_disposition_header(
        format == reports.XLSX, reports.filename(format, region_code=region_code, period=period))
    return response
