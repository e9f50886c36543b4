"""The assessment module's indicators: elders by capability level (GB/T 42195-2022 levels 0–4)
and the share of elders assessed in time.

"On the day": the period's last day, or today while it runs. Elders are those on the registry
that day (records created by the period's end, not deceased or moved out on or before the
day), as the registry's own indicators count them.

Region: the elder's community of actual residence (`elder.region_code`). An assessment's own
`region_code` is where the elder lived when assessed and does not follow a move, so the
levels go through the elder (`elder__region_code`), as the module's lists do
(AssessmentQuerySet.visible_to).

Two grouped queries: one over the current assessments (the levels), one over the elders who
should hold a valid assessment (the share).
"""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kangyang.assessment import queries
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import LEVEL_NAMES, STANDARD
from kangyang.indicators.registry import COUNT, PERCENT, Indicator, Query, lazy_format
from kangyang.registry.models import Elder

LEVEL_AS_OF = _("each elder on the registry on the period's last day (today while it runs) counted once, at the "
                "final level of their latest signed GB/T 42195 assessment still valid that day (made by the day, "
                "re-assessment not yet due), in the community where the elder lives")
IN_TIME_AS_OF = _("elders on the registry on the period's last day (today while it runs), by the assessment "
                  "module's due rule on that day, in the community where the elder lives")


def _on_registry(q: Query, path: str = "") -> Q:
    """Elders on the registry on the query's day (the registry's rule)."""
    return Q(**{f"{path}created_at__lt": q.end}) & (
        Q(**{f"{path}status": Elder.Status.ACTIVE}) | Q(**{f"{path}status_date__gt": q.as_of}))


def current_assessments(q: Query):
    """Each elder's latest (by date, then id) signed GB/T 42195 assessment that is valid on the
    day (queries.valid_assessments, the same as queries.current_level_subquery picks), for
    the elders on the registry that day: one per elder."""
    day = q.as_of
    later = queries.valid_assessments(day).filter(elder=OuterRef("elder")).filter(
        Q(assessed_on__gt=OuterRef("assessed_on")) | Q(assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk")))
    return queries.valid_assessments(day).filter(_on_registry(q, "elder__")).exclude(Exists(later))


def should_be_assessed(q: Query):
    """Elders on the registry on the day whom the due rule (queries.due_for) asks to hold a
    valid assessment: those with a signed GB/T 42195 assessment made by the day, or a
    re-assessment request open that day, or of a category that needs one (disabled,
    severely disabled) even without any. Annotated with the rule's `due_on` for the day."""
    day = q.as_of
    assessed = Assessment.objects.signed().filter(standard=STANDARD, assessed_on__lte=day).values("elder_id")
    asked = queries.open_requests(day)
    elders = Elder.objects.filter(_on_registry(q)).filter(
        Q(pk__in=assessed) | Exists(asked) | queries.needs_assessment())
    return queries.with_due_on(elders, on=day)


def _at_level(level: int):
    return lambda q: Q(final_level=level)


def _not_overdue(q: Query) -> Q:
    """Not overdue on the day: the due date (the latest assessment's end of validity, or an
    open request's date, whichever is earlier) is the day or later."""
    return Q(due_on__gte=q.as_of)


INDICATORS = [
    Indicator(
        code="elders_with_valid_assessment", name=_("elders with a valid capability assessment"), unit=COUNT,
        group="assessment", sensitivity="health", region_field="elder__region_code",
        numerator=current_assessments,
        numerator_text=_("elders whose latest signed GB/T 42195 capability assessment is valid on the day"),
        as_of_text=LEVEL_AS_OF),
    *[Indicator(
        code=f"elders_capability_level_{level}",
        name=lazy_format(_("elders at capability level %(level)s (%(name)s)"), level=level, name=name),
        unit=COUNT, group="assessment", sensitivity="health", region_field="elder__region_code",
        numerator=current_assessments, numerator_where=_at_level(level),
        numerator_text=lazy_format(
            _("elders whose current capability assessment's final level is %(level)s (%(name)s, GB/T 42195-2022 "
              "Annex C)"), level=level, name=name),
        as_of_text=LEVEL_AS_OF)
      for level, (name, _zh) in LEVEL_NAMES.items()],
    Indicator(
        code="assessment_in_time_rate", name=_("elders assessed in time"), unit=PERCENT,
        group="assessment", sensitivity="health",
        numerator=should_be_assessed, numerator_where=_not_overdue,
        numerator_text=_("of those, elders not overdue on the day: their latest signed GB/T 42195 assessment is "
                         "still valid and no re-assessment request made before the day is still open"),
        denominator=should_be_assessed,
        denominator_text=_("elders who should hold a valid capability assessment: assessed before (a signed "
                           "GB/T 42195 assessment made by the day), asked to be re-assessed, or disabled or "
                           "severely disabled"),
        as_of_text=IN_TIME_AS_OF),
]
