"""Reads of the elder registry. Views, API and exports all start here."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.lib import crypto, phone as phones, residentid
from kangyang.regions import codes
from kangyang.registry.models import Elder, ImportJob

AGE_BANDS = {
    "60-69": (60, 69), "70-79": (70, 79), "80-89": (80, 89), "90-99": (90, 99), "100+": (100, None),
    "under-60": (None, 59),
}
AGE_BAND_LABELS = {
    "under-60": _("under 60"), "60-69": _("60–69"), "70-79": _("70–79"), "80-89": _("80–89"),
    "90-99": _("90–99"), "100+": _("100 and over"),
}


def get_elder_for(user, elder_id: int, *, write: bool = False) -> Elder:
    """The only way views and API handlers load an elder. Outside scope → 404, not 403."""
    elder = get_object_or_404(
        Elder.objects.visible_to(user).select_related("community", "compound", "registered_community"), pk=elder_id
    )
    if write and not scope.can_edit(user, elder.region_code):
        raise PermissionDenied
    return elder


def birth_range(band: str, *, today: dt.date | None = None) -> Q:
    """Birth dates of people whose age today falls in the band."""
    today = today or timezone.localdate()
    low, high = AGE_BANDS[band]
    q = Q()
    if low is not None:  # at least `low` years old: born on or before today minus low years
        q &= Q(birth_date__lte=_years_before(today, low))
    if high is not None:  # at most `high`: born after today minus (high + 1) years
        q &= Q(birth_date__gt=_years_before(today, high + 1))
    return q


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def search_term_filter(term: str) -> Q:
    """What a Chinese staff member types into the one search box:
    a name (from its start), pinyin initials (zs → 张三), the last four characters of the
    ID number, a whole ID number, or a phone number."""
    term = term.strip()
    if not term:
        return Q()
    compact = re.sub(r"[\s\-]", "", term)
    if re.fullmatch(r"\d{3}[\dxX]", compact):
        return Q(id_last4_hash=crypto.tail_hash(compact.upper()))  # no plain tail is stored
    if len(compact) == 18:
        try:
            return Q(id_number_hash=crypto.lookup_hash(residentid.parse(compact).number))
        except ValidationError:
            return Q(pk__in=[])
    if re.fullmatch(r"\+?[\d]{7,14}", compact):
        try:
            return Q(phone_hash=crypto.lookup_hash(phones.normalise(compact)))
        except ValidationError:
            return Q(pk__in=[])
    if re.fullmatch(r"[A-Za-z]+", compact):
        return Q(name_initials__startswith=compact.lower())
    return Q(name__startswith=term)


def elders_for(
    user, *, q: str = "", community: str = "", age_band: str = "", category: str = "",
    status: str = "",
):
    """The elders a user may see, searched and filtered. Unknown filter values find nothing."""
    qs = Elder.objects.visible_to(user).filter(search_term_filter(q))
    if community:
        try:
            qs = qs.filter(region_code__startswith=codes.prefix(community))
        except ValidationError:
            qs = qs.none()
    if age_band:
        qs = qs.filter(birth_range(age_band)) if age_band in AGE_BANDS else qs.none()
    if category:
        qs = qs.filter(categories_text__contains=f",{category},") if category in Elder.Category.values else qs.none()
    if status:
        qs = qs.filter(status=status) if status in Elder.Status.values else qs.none()
    return qs.select_related("community")


def get_import_job_for(user, job_id: int) -> ImportJob:
    """An import is seen by whoever uploaded it and by the bureau admin; others get 404."""
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=job_id)
    if job.created_by_id != user.pk and not scope.can_read_audit(user):
        raise Http404
    return job
