"""`kangyang indicators --region CODE --year Y [--month M] [--format json|xlsx|pdf] [--out F]`:
the indicators of a region for a year or a month, computed now, as the report a bureau sends
upward (JSON on stdout by default; xlsx and pdf need --out)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.indicators import queries
from kangyang.indicators.registry import Period
from kangyang.regions import codes
from kangyang.regions.models import Region


class Command(BaseCommand):
    help = gettext_lazy("Compute the indicators of a region for a year (or one month of it) against "
                        "the plans' targets, as JSON, a spreadsheet or a PDF report.")

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("--region", required=True, help=_("12-digit region code (city, district, subdistrict or community)."))
        parser.add_argument("--year", required=True, type=int, help=_("Year, e.g. 2026."))
        parser.add_argument("--month", type=int, default=None, help=_("Month 1–12 (default: the whole year)."))
        parser.add_argument("--format", choices=("json", "xlsx", "pdf"), default="json", help=_("Output format (default json)."))
        parser.add_argument("--out", default=None, help=_("File to write (default: standard output, JSON only)."))

    def handle(self, *args, region: str, year: int, month: int | None, format: str, out: str | None, **options):
        try:
            codes.level_of(region)
            period = Period(year, month)
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        except ValueError:
            raise CommandError(_("Give a year between 2000 and 2100 and a month between 1 and 12.")) from None
        if not Region.objects.filter(code=region).exists():
            raise CommandError(_("No region has the code %(code)s.") % {"code": region})
        if format == "json":
            text = json.dumps(queries.report(region, period), ensure_ascii=False, indent=2) + "\n"
            if out:
                with open(out, "w", encoding="utf-8") as f:
                    f.write(text)
            else:
                self.stdout.write(text, ending="")
            return
        if not out:
            raise CommandError(_("A spreadsheet or PDF needs --out FILE."))
        from kangyang.indicators import reports

        data = reports.render(format, region_code=region, period=period)
        with open(out, "wb") as f:
            f.write(data)
        self.stderr.write(_("Wrote %(file)s.") % {"file": out})
