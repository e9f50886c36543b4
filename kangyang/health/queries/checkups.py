"""Reads of the yearly check-up of the 65+: who is due, the rate per community
("规范健康管理服务率"), the panel's and the elder page's sections.

"The 65+ on the registry on a day" (`aged_65_on`): records created by the end of that day, not
deceased or moved out on or before it, 65 or over on it (born on or before the day 65 years
earlier; 29 February counts from 28 February). "Due" in a year: one of those without a complete
check-up of the year. The same counts give the indicator elder_health_management_rate."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.health.models import CHECKUP_PARTS, Checkup, Contract
from kangyang.health.models.contracts import valid_on
from kangyang.regions import codes
from kangyang.registry.models import Elder
from kangyang.registry.queries import _years_before


ELDER_AGE = 65
PANEL_LENGTH = 10
# The registry's age bands from 65 (its 60–69 band cut at 65).
AGE_BANDS_65 = {"65-69": (65, 69), "70-79": (70, 79), "80-89": (80, 89), "90-99": (90, 99), "100+": (100, None)}


def age_band_filter(band: str, day: dt.date) -> Q:
    low, high = AGE_BANDS_65[band]
    q = Q(birth_date__lte=_years_before(day, low))
    if high is not None:
        q &= Q(birth_date__gt=_years_before(day, high + 1))
    return q


def as_of_for(year: int, today: dt.date | None = None) -> dt.date:
    """The day a year's figures are as of: its last day, or today while it runs."""
    today = today or timezone.localdate()
    return min(dt.date(year, 12, 31), today)


def on_registry(day: dt.date) -> Q:
    """Elders on the registry on `day` (registry/indicators.py's `elders`, as a Q)."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return Q(created_at__lt=end) & (Q(status=Elder.Status.ACTIVE) | Q(status_date__gt=day))


def aged_65_on(day: dt.date) -> Q:
    return on_registry(day) & Q(birth_date__lte=_years_before(day, ELDER_AGE))


def complete_checkup(year: int, on: dt.date, *, path: str = "") -> Exists:
    """A complete check-up of `year` examined on or before `on`, for the elder at OuterRef."""
    return Exists(Checkup.objects.filter(elder_id=OuterRef(f"{path}pk"), year=year, complete=True,
                                         examined_on__lte=on))


def due_for(user, *, year: int | None = None, community: str = "", age_band: str = ""):
    """The elders the user follows (scope.checkup_panel_filter) aged 65+ on the year's as-of day
    without a complete check-up of the year, oldest first; each with `checkup_this_year` (the
    incomplete one, if any, as a pk). Unknown filter values find nothing."""
    year = year or timezone.localdate().year
    day = as_of_for(year)
    qs = Elder.objects.filter(scope.checkup_panel_filter(user)).filter(aged_65_on(day)).filter(
        ~complete_checkup(year, day))
    if community:
        try:
            qs = qs.filter(region_code__startswith=codes.prefix(community))
        except ValidationError:
            qs = qs.none()
    if age_band:
        qs = qs.filter(age_band_filter(age_band, day)) if age_band in AGE_BANDS_65 else qs.none()
    started = Checkup.objects.filter(elder_id=OuterRef("pk"), year=year)
    return (qs.annotate(started=Exists(started)).select_related("community")
            .order_by("birth_date", "pk"))


def rates_for(user, *, year: int) -> list[dict]:
    """Per community the user follows: the 65+ on the registry on the year's as-of day, those
    with a complete check-up of the year (examined by then), and the rate in percent (None
    with nobody to divide by). Sorted by community code; one grouped query."""
    day = as_of_for(year)
    rows = (Elder.objects.filter(scope.checkup_panel_filter(user)).filter(aged_65_on(day))
            .annotate(done=complete_checkup(year, day))
            .values("community_id", "community__name", "community__code")
            .annotate(eligible=Count("pk"), managed=Count("pk", filter=Q(done=True)))
            .order_by("community__code"))
    return [{
        "community_id": r["community_id"], "name": r["community__name"], "code": r["community__code"],
        "eligible": r["eligible"], "managed": r["managed"],
        "rate": round(100 * r["managed"] / r["eligible"], 1) if r["eligible"] else None,
    } for r in rows]


def totals(rows: list[dict]) -> dict:
    eligible = sum(r["eligible"] for r in rows)
    managed = sum(r["managed"] for r in rows)
    return {"eligible": eligible, "managed": managed,
            "rate": round(100 * managed / eligible, 1) if eligible else None}


def checkups_for(user, *, elder: int | None = None, year: int | None = None, complete: bool | None = None):
    """Check-ups whose elder the user may read (scope.health_filter), newest first."""
    qs = Checkup.objects.visible_to(user).select_related("elder", "team", "institution")
    if elder is not None:
        qs = qs.filter(elder_id=elder)
    if year is not None:
        qs = qs.filter(year=year)
    if complete is not None:
        qs = qs.filter(complete=complete)
    return qs.order_by("-year", "elder_id", "-pk")


def parts_of(checkup: Checkup) -> list[dict]:
    """Each part of the service with its label and whether it was done."""
    return [{"code": p, "label": Checkup._meta.get_field(p).verbose_name, "done": getattr(checkup, p)}
            for p in CHECKUP_PARTS]


def ehr_link(elder: Elder, ehr_number: str) -> str:
    """The link to the elder's record in her team's health centre's system, when it has one."""
    if not ehr_number:
        return ""
    contract = (Contract.objects.filter(valid_on(timezone.localdate()), elder=elder)
                .select_related("team__institution").order_by("-starts_on").first())
    template = contract.team.institution.record_url if contract else ""
    if not template or "{ehr}" not in template:
        return ""
    from urllib.parse import quote

    url = template.replace("{ehr}", quote(ehr_number, safe=""))
    return url if url.startswith(("https://", "http://")) else ""


def panel_section(user):
    """The checkups part of the health panel (/health/): how many are due this year and the
    first ten, for those who follow check-ups; None for everyone else."""
    if not scope.follows_checkups(user):
        return None
    year = timezone.localdate().year
    due = due_for(user, year=year)
    first = list(due[:PANEL_LENGTH])
    return {
        "year": year, "count": due.count(),
        "elders": [{"elder": e, "age": e.age(), "started": e.started,
                    "url": reverse("health:checkup_record", args=[e.pk])} for e in first],
        "list_url": reverse("health:checkups_due"),
    }


def elder_section(user, elder):
    """The checkups part of an elder's health page (/health/elders/<id>/), already allowed to the user
    (scope.reads_health): a dict for health/elder/_checkups.html, or None when there is nothing to show."""
    from kangyang.registry.models import HealthRecord

    checkups = list(Checkup.objects.filter(elder=elder).select_related("team", "institution").order_by("-year"))
    health = HealthRecord.objects.filter(elder=elder).first()
    can_record = scope.records_health_facts(user, elder)
    ehr_number = health.ehr_number if health else ""
    if not checkups and not ehr_number and not can_record:
        return None
    return {
        "elder": elder,
        "checkups": [{"checkup": c, "parts": parts_of(c), "done": sum(getattr(c, p) for p in CHECKUP_PARTS),
                      "figures": c.figures} for c in checkups],
        "parts_total": len(CHECKUP_PARTS),
        "ehr_number": ehr_number,
        "ehr_opened_on": health.ehr_opened_on if health else None,
        "ehr_url": ehr_link(elder, ehr_number),
        "can_record": can_record,
        "record_url": reverse("health:checkup_record", args=[elder.pk]) if can_record else "",
        "ehr_edit_url": reverse("health:checkup_ehr", args=[elder.pk]) if can_record else "",
    }
