"""The institutions' indicators for the dashboard (issue 16 §10), with the plans' codes
(plan-targets.yaml).

Which institutions count:
* "care institutions" (养老机构) for the nursing-bed ratio and medical-care integration are the
  residential kinds, those with beds people live in: care homes, township homes (敬老院),
  subdistrict centres and embedded homes. Day-care centres, meal points, rural happiness homes
  and home-care-bed providers are facilities, not institutions, and do not count.
* "community facilities" for the community coverage are day-care centres, embedded homes, meal
  points and rural happiness homes standing in the community.
* An institution counts when it is open on the period's as-of date (its last day, or today
  while it runs): opened by then (or no opening date recorded) and not closed.

The two plans word medical-care integration differently: Xihu's 养老机构医养结合服务覆盖率
(`medical_care_integration_rate`) counts an institution that offers medical care in any way —
its own clinic, or an agreement with a medical institution valid on the as-of date (an agreement
without an end date counts as valid); Shapotou's 具备医养结合服务能力的养老机构占比
(`medical_care_capable_institution_share`) counts only the institutions capable themselves,
with an in-house clinic (内设医疗机构).

The nursing-bed ratio sums beds, numerator and denominator both: the framework's `measure`
sums the numerator only (the denominator is always counted), so it is a `compute` with one
grouped query of two sums. Its records are therefore not listed by the dashboard.

`embedded_homes_built` is cumulative in the plan (累计): the figure of a year counts the homes
opened (newly built or rebuilt, by `opened_on`, the day the built or rebuilt home opened) in that
year; the plan's total is the sum of its years.

Region: an institution's `region_code` (its community); a community or subdistrict its own code.
"""

from django.db.models import Exists, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from kangyang.indicators.registry import (
    COUNT, PERCENT, PREFIX_LENGTH, Figure, Indicator, Query, node_code, ratio,
)
from kangyang.institutions.models import RESIDENTIAL_KINDS, CentralisedCareWish, Institution
from kangyang.institutions.queries.register import stays_open
from kangyang.regions.models import Region

K = Institution.Kind
RESIDENTIAL = RESIDENTIAL_KINDS
COMMUNITY_FACILITIES = (K.DAY_CARE_CENTRE, K.EMBEDDED_HOME, K.MEAL_POINT, K.RURAL_HOME)
OPEN_AS_OF = _("institutions open on the period's last day (today while it runs): opened by then and not closed, "
               "in the community they stand in")


def institutions(q: Query):
    """Residential institutions open on the as-of date."""
    return Institution.objects.open(q.as_of).filter(kind__in=RESIDENTIAL)


def nursing_beds(q: Query, by: str) -> dict[str, Figure]:
    """Σ nursing beds / Σ beds of the open residential institutions, per node of level `by`."""
    rows = (institutions(q).filter(region_code__startswith=q.prefix)
            .annotate(_node=Substr("region_code", 1, PREFIX_LENGTH[by])).order_by().values("_node")
            .annotate(_n=Sum("beds_nursing"), _d=Sum("beds_total")))
    return {node_code(r["_node"]): ratio(r["_n"], r["_d"], 100) for r in rows if r["_d"]}


def _integrated(q: Query) -> Q:
    return Q(medical=Institution.Medical.IN_HOUSE) | (
        Q(medical=Institution.Medical.AGREEMENT)
        & (Q(medical_agreement_until__isnull=True) | Q(medical_agreement_until__gte=q.as_of)))


def _capable(q: Query) -> Q:
    return Q(medical=Institution.Medical.IN_HOUSE)


def communities(q: Query):
    return Region.objects.filter(level=Region.Level.COMMUNITY)


def subdistricts(q: Query):
    return Region.objects.filter(level=Region.Level.SUBDISTRICT)


def _facility_in_community(q: Query, kinds) -> Q:
    return Q(Exists(Institution.objects.open(q.as_of).filter(community=OuterRef("pk"), kind__in=kinds)))


def _has_community_facility(q: Query) -> Q:
    return _facility_in_community(q, COMMUNITY_FACILITIES)


def _has_meal_point(q: Query) -> Q:
    return _facility_in_community(q, (K.MEAL_POINT,))


def _has_subdistrict_centre(q: Query) -> Q:
    return Q(Exists(Institution.objects.open(q.as_of).filter(
        community__parent=OuterRef("pk"), kind=K.SUBDISTRICT_CENTRE)))


def extreme_poverty_elders(q: Query):
    """特困 elders alive and registered on the as-of date who wish centralised care or are in it."""
    from kangyang.registry.models import Elder

    return (Elder.objects.filter(categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},")
            .filter(Q(status=Elder.Status.ACTIVE) | Q(status_date__gt=q.as_of))
            .filter(Q(Exists(CentralisedCareWish.objects.filter(elder=OuterRef("pk"), willing=True)))
                    | _in_centralised_care(q)))


def _in_centralised_care(q: Query) -> Q:
    """An open stay in centralised care on the as-of day, by the register's rule of an open stay."""
    return Q(Exists(stays_open(q.as_of).filter(elder=OuterRef("pk"), centralised_care=True)))


def _opened_in_period(q: Query):
    return Institution.objects.filter(opened_on__gte=q.period.first_day, opened_on__lte=q.as_of)


def new_subdistrict_centres(q: Query):
    return _opened_in_period(q).filter(kind=K.SUBDISTRICT_CENTRE)


def embedded_homes_built(q: Query):
    return _opened_in_period(q).filter(
        kind=K.EMBEDDED_HOME, construction__in=(Institution.Construction.NEW, Institution.Construction.REBUILT))


RESIDENTIAL_TEXT = _("residential institutions — care homes, township homes, subdistrict centres and embedded homes "
                     "— open on the as-of date")
COMMUNITIES_TEXT = _("communities of the area")

INDICATORS = [
    Indicator(
        code="nursing_bed_ratio", name=_("nursing-bed ratio of care institutions"), unit=PERCENT,
        group="institutions", compute=nursing_beds,
        numerator_text=_("nursing beds of the residential institutions (care homes, township homes, subdistrict "
                         "centres, embedded homes) open on the as-of date"),
        denominator_text=_("all beds of the same institutions (day-care centres, meal points, rural happiness "
                           "homes and home-care-bed providers do not count)"),
        as_of_text=OPEN_AS_OF),
    Indicator(
        code="medical_care_integration_rate", name=_("medical-care integration of care institutions (coverage)"),
        unit=PERCENT, group="institutions",
        numerator=institutions, numerator_where=_integrated,
        numerator_text=_("of those, institutions offering medical care: an in-house clinic, or an agreement with a "
                         "medical institution valid on the as-of date (without an end date: valid)"),
        denominator=institutions, denominator_text=RESIDENTIAL_TEXT,
        as_of_text=OPEN_AS_OF),
    Indicator(
        code="medical_care_capable_institution_share",
        name=_("care institutions capable of medical care themselves"), unit=PERCENT, group="institutions",
        numerator=institutions, numerator_where=_capable,
        numerator_text=_("of those, institutions with an in-house clinic (an agreement with a hospital does not "
                         "count here, unlike the coverage)"),
        denominator=institutions, denominator_text=RESIDENTIAL_TEXT,
        as_of_text=OPEN_AS_OF),
    Indicator(
        code="community_facility_coverage", name=_("communities with an elder-care facility"), unit=PERCENT,
        group="institutions", region_field="code",
        numerator=communities, numerator_where=_has_community_facility,
        numerator_text=_("of those, communities with at least one open day-care centre, embedded home, meal point "
                         "or rural happiness home"),
        denominator=communities, denominator_text=COMMUNITIES_TEXT,
        as_of_text=_("facilities open on the period's last day (today while it runs)")),
    Indicator(
        code="subdistrict_facility_coverage", name=_("subdistricts with a subdistrict centre"), unit=PERCENT,
        group="institutions", region_field="code", level="subdistrict",
        numerator=subdistricts, numerator_where=_has_subdistrict_centre,
        numerator_text=_("of those, subdistricts with an open subdistrict centre in one of their communities"),
        denominator=subdistricts, denominator_text=_("subdistricts of the area"),
        as_of_text=_("subdistrict centres open on the period's last day (today while it runs)")),
    Indicator(
        code="meal_point_coverage", name=_("communities with a meal point"), unit=PERCENT,
        group="institutions", region_field="code",
        numerator=communities, numerator_where=_has_meal_point,
        numerator_text=_("of those, communities with at least one open meal point"),
        denominator=communities, denominator_text=COMMUNITIES_TEXT,
        as_of_text=_("meal points open on the period's last day (today while it runs)")),
    Indicator(
        code="extreme_poverty_centralised_care_rate",
        name=_("centralised care of extremely poor elders who wish it"), unit=PERCENT, group="institutions",
        numerator=extreme_poverty_elders, numerator_where=_in_centralised_care,
        numerator_text=_("of those, elders living in an institution in centralised care on the as-of date"),
        denominator=extreme_poverty_elders,
        denominator_text=_("extremely poor (特困) elders alive and registered on the as-of date who wish "
                           "centralised care, or are in it"),
        as_of_text=_("the period's last day (today while it runs), in the community where the elder actually "
                     "lives")),
    Indicator(
        code="new_subdistrict_centres", name=_("new subdistrict centres"), unit=COUNT, group="institutions",
        numerator=new_subdistrict_centres,
        numerator_text=_("subdistrict centres opened in the period"),
        as_of_text=_("opening dates from the period's first day to its last (today while it runs)")),
    Indicator(
        code="embedded_homes_built", name=_("embedded homes built or rebuilt"), unit=COUNT, group="institutions",
        numerator=embedded_homes_built,
        numerator_text=_("embedded homes newly built or rebuilt that opened in the period (the plan's figure is the "
                         "sum of its years)"),
        as_of_text=_("opening dates from the period's first day to its last (today while it runs)")),
]
