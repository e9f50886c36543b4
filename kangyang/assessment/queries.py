"""Reads of assessments: the gate for views and the API, the elder's history, the due list,
and the reads other modules rely on (allowances, services, alarms' elder card)."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Least
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.assessment import constants
from kangyang.assessment.models import Assessment, ReassessmentRequest
from kangyang.assessment.standard import STANDARD
from kangyang.regions import codes
from kangyang.registry.models import Elder
from kangyang.registry.queries import search_term_filter

# Categories of elders who need an assessment even before anyone asks for one.
NEEDS_ASSESSMENT = (Elder.Category.DISABLED, Elder.Category.SEVERELY_DISABLED)


def valid_assessments(on: dt.date):
    """Signed GB/T 42195 assessments that are still valid on a date (not yet due again)."""
    return Assessment.objects.signed().filter(
        standard=STANDARD, assessed_on__lte=on, valid_until__gte=on
    )


def current_level_subquery(on: dt.date, *, elder_ref: str = "pk") -> Subquery:
    """For annotating elders: the final level of their latest valid assessment on `on`,
    or NULL. Usable over a million elders in one query:
    `Elder.objects.annotate(level=current_level_subquery(day))`."""
    latest = valid_assessments(on).filter(elder=OuterRef(elder_ref)).order_by("-assessed_on", "-id")
    return Subquery(latest.values("final_level")[:1])


def current_assessment(elder, *, on: dt.date) -> Assessment | None:
    return valid_assessments(on).filter(elder=elder).order_by("-assessed_on", "-id").first()


def get_assessment_for(user, assessment_id: int, *, write: bool = False) -> Assessment:
    """The only way views and API handlers load an assessment: outside the user's view of
    elders → 404; visible but not the user's to change (write=True) → 403."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(user).select_related("elder", "elder__community", "signed_by"),
        pk=assessment_id,
    )
    if write and not scope.can_edit(user, assessment.region_code):
        raise PermissionDenied
    return assessment


def history_for(user, elder: Elder):
    """Every assessment of the elder, newest first, GB/T 42195 and imported MZ/T 039-2013
    alike; drafts only for those who may carry them on."""
    qs = Assessment.objects.filter(elder=elder).select_related("signed_by")
    if not scope.can_edit(user, elder.region_code):
        qs = qs.signed()
    return qs.order_by("-assessed_on", "-id")


def open_request_for(elder: Elder) -> ReassessmentRequest | None:
    return ReassessmentRequest.objects.filter(elder=elder, fulfilled_by__isnull=True).first()


def latest_signed(on: dt.date):
    """For a subquery over elders (OuterRef "pk"): their signed GB/T 42195 assessments made
    by `on`, latest first."""
    return (
        Assessment.objects.signed().filter(standard=STANDARD, elder=OuterRef("pk"), assessed_on__lte=on)
        .order_by("-assessed_on", "-id")
    )


def open_requests(on: dt.date):
    """For a subquery over elders (OuterRef "pk"): their re-assessment requests still open
    on `on` (made by then, not fulfilled by an assessment made by then)."""
    return ReassessmentRequest.objects.filter(elder=OuterRef("pk"), requested_on__lte=on).filter(
        Q(fulfilled_by__isnull=True) | Q(fulfilled_by__assessed_on__gt=on))


def with_due_on(elders, *, on: dt.date):
    """The due rule on a day, as annotations of an elder queryset: `last_valid_until` (when
    the latest signed GB/T 42195 assessment runs out), `requested_on` (the earliest open
    re-assessment request) and `due_on`, the earlier of the two (None: never assessed and
    nothing asked). An elder is overdue on a day after their `due_on`."""
    return elders.annotate(
        last_valid_until=Subquery(latest_signed(on).values("valid_until")[:1]),
        requested_on=Subquery(open_requests(on).order_by("requested_on").values("requested_on")[:1]),
    ).annotate(
        # The earlier of the two dates; LEAST ignores NULLs on PostgreSQL but not on SQLite.
        due_on=Least(Coalesce("last_valid_until", "requested_on"), Coalesce("requested_on", "last_valid_until")),
    )


def needs_assessment() -> Q:
    """Elders whose categories call for an assessment even before anyone asks for one."""
    needs = Q()
    for category in NEEDS_ASSESSMENT:
        needs |= Q(categories_text__contains=f",{category},")
    return needs


def due_for(user, *, community: str = "", q: str = "", on: dt.date | None = None):
    """Active elders of the user's area who need an assessment: their latest GB/T 42195
    assessment runs out within constants.DUE_WITHIN_DAYS days or has run out, or a
    re-assessment was asked for, or they have none and are disabled or severely disabled.
    Each is annotated with `due_on` (None: never assessed), the last assessment's date,
    final level and id, an open request's date and a draft in progress; most urgent first."""
    on = on or timezone.localdate()
    cutoff = on + dt.timedelta(days=constants.DUE_WITHIN_DAYS)
    latest = latest_signed(on)
    draft = Assessment.objects.drafts().filter(elder=OuterRef("pk")).order_by("-id")
    qs = Elder.objects.visible_to(user).filter(status=Elder.Status.ACTIVE).filter(search_term_filter(q))
    if community:
        try:
            qs = qs.filter(region_code__startswith=codes.prefix(community))
        except ValidationError:
            qs = qs.none()
    qs = with_due_on(qs, on=on).annotate(
        last_assessed_on=Subquery(latest.values("assessed_on")[:1]),
        last_level=Subquery(latest.values("final_level")[:1]),
        last_assessment_id=Subquery(latest.values("pk")[:1]),
        draft_id=Subquery(draft.values("pk")[:1]),
    )
    qs = qs.filter(Q(due_on__lte=cutoff) | (Q(last_assessed_on__isnull=True) & needs_assessment()))
    return qs.select_related("community").order_by(F("due_on").asc(nulls_first=True), "region_code", "name", "id")
