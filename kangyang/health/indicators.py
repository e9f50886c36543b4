"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates, cognitive screening and the share of readings in range.
Each topic's block below says how it counts."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from kangyang.health.models import (
    Checkup, Condition, Contract, Disability, FollowUp, Reading, ResidentCount, Screening,
)
from kangyang.health.models.contracts import valid_on
from kangyang.indicators.registry import (
    PERCENT, PREFIX_LENGTH, Figure, Indicator, Query, node_code, ratio,
)
from kangyang.registry.indicators import ON_THE_DAY, aged, elders

INDICATORS: list = []


# -- checkups --
# The yearly health management of the 65+ (老年人健康管理, queries/checkups.py) and the coverage of
# kept-up electronic health records. Both count the registry's elders on the period's as-of day
# (its last day, today while it runs: registry/indicators.py `elders`), in one grouped query.


EHR_KEPT_UP_DAYS = 365


def _complete_checkup_of_year(q) -> Q:
    """A complete check-up (every part of the service) of the period's year, examined by the as-of day."""
    return Q(Exists(Checkup.objects.filter(elder_id=OuterRef("pk"), year=q.period.year, complete=True,
                                             examined_on__lte=q.as_of)))


def _ehr_kept_up(q) -> Q:
    """A health record number opened by the as-of day, and a check-up or a follow-up in the 365
    days up to it (the record kept up to date)."""

    since = q.as_of - dt.timedelta(days=EHR_KEPT_UP_DAYS)
    recent_checkup = Checkup.objects.filter(elder_id=OuterRef("pk"), examined_on__gt=since, examined_on__lte=q.as_of)
    recent_follow_up = FollowUp.objects.filter(elder_id=OuterRef("pk"), followed_on__gt=since,
                                               followed_on__lte=q.as_of)
    return (~Q(health__ehr_number="") & Q(health__ehr_opened_on__lte=q.as_of)
            & (Q(Exists(recent_checkup)) | Q(Exists(recent_follow_up))))


INDICATORS += [
    Indicator(
        code="elder_health_management_rate", name=_("health management rate of the 65+"), unit=PERCENT,
        group="health", sensitivity="health",
        numerator=elders, numerator_where=lambda q: aged(65)(q) & _complete_checkup_of_year(q),
        numerator_text=_("elders aged 65 or over with a complete yearly check-up of the period's year (every "
                             "part of the national service: assessment, physical examination, the tests, guidance), "
                             "examined on or before the day"),
        denominator=elders, denominator_where=aged(65), denominator_text=_("elders aged 65 or over"),
        as_of_text=ON_THE_DAY),
    Indicator(
        code="elder_ehr_coverage", name=_("kept-up electronic health records of elders"), unit=PERCENT,
        group="health", sensitivity="health",
        numerator=elders, numerator_where=lambda q: aged(60)(q) & _ehr_kept_up(q),
        numerator_text=_("elders aged 60 or over whose health record has a number in the health centre's "
                             "system opened on or before the day, and a check-up or a follow-up in the 365 days "
                             "up to the day"),
        denominator=elders, denominator_where=aged(60), denominator_text=_("elders aged 60 or over"),
        as_of_text=ON_THE_DAY),
]
# -- screening --
# The cognitive screening rate of the 65+: elders aged 65 or over on the day who were screened (Mini-Cog
# or AD8) from 1 January of the period's year to the period's day, of the elders aged 65 or over on
# the registry. plan-targets.yaml has no code for Alzheimer's or cognitive screening, so this is an
# operational indicator without a target.


def _screened_this_year(q) -> Q:
    screened = Screening.objects.filter(screened_on__gte=dt.date(q.period.year, 1, 1), screened_on__lte=q.as_of)
    return aged(65)(q) & Q(pk__in=screened.values("elder_id"))


INDICATORS.append(Indicator(
    code="cognitive_screening_rate", name=_("cognitive screening rate of the 65+"), unit=PERCENT, group="health",
    sensitivity="health",
    numerator=elders, numerator_where=_screened_this_year,
    numerator_text=_("elders aged 65 or over screened for cognitive impairment (Mini-Cog or AD8) "
                     "in the period's year up to its last day"),
    denominator=elders, denominator_where=aged(65), denominator_text=_("elders aged 65 or over"),
    as_of_text=ON_THE_DAY,
))
# -- contracts --
# Family-doctor contract rates (家庭医生签约服务覆盖率). An elder counts as contracted when she has
# a contract in force on the as-of date (started, not past its term, not ended early by then:
# models.contracts.valid_on). The elders are the registry's on that day (registry/indicators.py:
# not deceased or moved out, counted where they actually live).
# * elder_family_doctor_rate: the 65+ (aged 65 or more on the as-of date);
# * family_doctor_rate_key_groups, 一般重点人群: the national service counts the 65+, people with
#   hypertension or type 2 diabetes, and people with disabilities (and others Kangyang does not
#   keep: children, pregnant women, severe mental illness, tuberculosis). Among the elders the
#   platform keeps: aged 65+, or with a chronic condition on a follow-up programme
#   (Condition.programme: hypertension, diabetes), or with a disability record (Disability);
# * family_doctor_rate_priority_elders, 红、黄重点和次重点老年人: elders whose visit tier
#   (visits.VisitProfile.tier, the override or the derived one) ranks 1 or 2 — the default
#   policy's high_risk (高风险, red) and key (重点, yellow) tiers;
# * family_doctor_rate_all, 全人群: Kangyang keeps elders only, so this is the health centres'
#   figures: per community the latest ResidentCount on or before the as-of date,
#   Σ contracted / Σ residents.


def _contracted(q: Query) -> Q:
    return Q(Exists(Contract.objects.filter(valid_on(q.as_of), elder=OuterRef("pk"))))


def _key_group(q: Query) -> Q:
    return (aged(65)(q)
            | Q(Exists(Condition.objects.filter(elder=OuterRef("pk")).exclude(programme="")))
            | Q(Exists(Disability.objects.filter(elder=OuterRef("pk")))))


PRIORITY_RANK = 2  # visits' DEFAULT_TIERS: high_risk (1) and key (2)


def _priority(q: Query) -> Q:
    return Q(visit_profile__tier__rank__lte=PRIORITY_RANK)


def residents_contracted(q: Query, by: str) -> dict[str, Figure]:
    """Σ contracted / Σ residents of the latest ResidentCount per community on or before the as-of date."""
    latest: dict[str, tuple[int, int]] = {}
    for code, residents, contracted in (ResidentCount.objects
                                        .filter(region__code__startswith=q.prefix, as_of__lte=q.as_of)
                                        .order_by("region__code", "-as_of")
                                        .values_list("region__code", "residents", "contracted")):
        latest.setdefault(code, (residents, contracted))
    sums: dict[str, list[int]] = {}
    for code, (residents, contracted) in latest.items():
        node = node_code(code[:PREFIX_LENGTH[by]])
        pair = sums.setdefault(node, [0, 0])
        pair[0] += contracted
        pair[1] += residents
    return {node: ratio(n, d, 100) for node, (n, d) in sums.items() if d}


CONTRACTED_TEXT = _("with a family-doctor contract in force on the as-of date (not past its term, not ended early)")

INDICATORS += [
    Indicator(code="elder_family_doctor_rate", name=_("family-doctor contract rate of the 65+"), unit=PERCENT,
              group="health", sensitivity="health",
              numerator=elders, numerator_where=lambda q: aged(65)(q) & _contracted(q),
              numerator_text=_("elders aged 65 or over with a family-doctor contract in force on the as-of date"),
              denominator=elders, denominator_where=aged(65), denominator_text=_("elders aged 65 or over"),
              as_of_text=ON_THE_DAY),
    Indicator(code="family_doctor_rate_key_groups", name=_("family-doctor contract rate of key groups"),
              unit=PERCENT, group="health", sensitivity="health",
              numerator=elders, numerator_where=lambda q: _key_group(q) & _contracted(q),
              numerator_text=_("of those, elders with a family-doctor contract in force on the as-of date"),
              denominator=elders, denominator_where=_key_group,
              denominator_text=_("elders of the key groups: aged 65 or over, or followed up for hypertension or "
                                 "type 2 diabetes, or with a disability"),
              as_of_text=ON_THE_DAY),
    Indicator(code="family_doctor_rate_priority_elders",
              name=_("family-doctor contract rate of red and yellow priority elders"),
              unit=PERCENT, group="health", sensitivity="health",
              numerator=elders, numerator_where=lambda q: _priority(q) & _contracted(q),
              numerator_text=_("of those, elders with a family-doctor contract in force on the as-of date"),
              denominator=elders, denominator_where=_priority,
              denominator_text=_("elders whose visit tier is high risk or key (ranks 1 and 2)"),
              as_of_text=ON_THE_DAY),
    Indicator(code="family_doctor_rate_all", name=_("family-doctor contract rate of all residents"),
              unit=PERCENT, group="health", compute=residents_contracted,
              numerator_text=_("residents of any age with a family-doctor contract, as the health centre reports"),
              denominator_text=_("all residents (常住人口) of the communities, as the health centre reports"),
              as_of_text=_("per community, the latest figures reported on or before the period's last day")),
]

# -- followups --
# 规范管理率 (managed rate) of hypertension and type 2 diabetes: patients of the programme (an
# elder on the registry on the day, not deceased or moved out, with a coded condition of it) who
# had at least four follow-ups from the first of January of the period's year up to the day, over
# the patients of the programme. Controlled rate: patients whose latest follow-up of the year (up
# to the day) was classified "controlled", over the patients followed up in the year.


def _programme_patients(programme: str):
    def base(q):
        return elders(q).filter(Exists(Condition.objects.filter(elder_id=OuterRef("pk"), programme=programme)))

    return base


def _in_year(q, programme: str, path: str = ""):
    return {f"{path}programme": programme, f"{path}followed_on__gte": q.period.first_day.replace(month=1, day=1),
            f"{path}followed_on__lte": q.as_of}


def _managed(programme: str):
    def where(q):
        # At least four face-to-face follow-ups (面对面随访, the specification): a call does not count.
        enough = (FollowUp.objects.filter(**_in_year(q, programme)).exclude(mode=FollowUp.Mode.PHONE)
                  .order_by().values("elder_id")
                  .annotate(n=Count("pk")).filter(n__gte=4).values("elder_id"))
        return Q(pk__in=enough)

    return where


def _followed(programme: str):
    def where(q):
        return Q(Exists(FollowUp.objects.filter(elder_id=OuterRef("pk"), **_in_year(q, programme))))

    return where


def _controlled(programme: str):
    def where(q):
        later = FollowUp.objects.filter(elder_id=OuterRef("elder_id"), **_in_year(q, programme)).filter(
            Q(followed_on__gt=OuterRef("followed_on")) | Q(followed_on=OuterRef("followed_on"), pk__gt=OuterRef("pk")))
        last_controlled = FollowUp.objects.filter(elder_id=OuterRef("pk"), classification="controlled",
                                                  **_in_year(q, programme)).filter(~Exists(later))
        return Q(Exists(last_controlled))

    return where


_HYPERTENSION = _programme_patients("hypertension")
_DIABETES = _programme_patients("diabetes")
_FOLLOWUPS_AS_OF = _("elders on the registry on the period's last day (today while it runs) with a recorded "
                     "condition of the programme; follow-ups from 1 January of the period's year to that day")

INDICATORS += [
    *[Indicator(code=f"{p}_managed_rate", name=name, unit=PERCENT, group="health", sensitivity="health",
                numerator=base, numerator_where=_managed(p),
                numerator_text=_("patients of the programme with at least four follow-ups in the year"),
                denominator=base, denominator_text=_("patients of the programme on the registry"),
                as_of_text=_FOLLOWUPS_AS_OF)
      for p, base, name in (("hypertension", _HYPERTENSION, _("hypertension patients managed to the standard")),
                            ("diabetes", _DIABETES, _("type 2 diabetes patients managed to the standard")))],
    *[Indicator(code=f"{p}_controlled_rate", name=name, unit=PERCENT, group="health", sensitivity="health",
                numerator=base, numerator_where=lambda q, p=p: _followed(p)(q) & _controlled(p)(q),
                numerator_text=_("patients whose latest follow-up of the year found them controlled"),
                denominator=base, denominator_where=_followed(p),
                denominator_text=_("patients of the programme followed up in the year"),
                as_of_text=_FOLLOWUPS_AS_OF)
      for p, base, name in (("hypertension", _HYPERTENSION, _("hypertension patients controlled")),
                            ("diabetes", _DIABETES, _("type 2 diabetes patients controlled")))],
]


# -- readings --
# The share of readings in range: of the readings measured in the period that have a class
# (urgent, uncontrolled or controlled; weight has no rule and no class), those "controlled".
# By the elder's community (the reading's elder's region code). No plan target: an operational
# indicator of the platform.


def _classified_readings(q):
    return Reading.objects.filter(measured_at__gte=q.start, measured_at__lt=q.end,
                                  classification__in=("urgent", "uncontrolled", "controlled"))


INDICATORS += [
    Indicator(
        code="readings_in_range_share", name=_("share of home-device readings in range"), unit=PERCENT,
        group="health",
        numerator=lambda q: _classified_readings(q).filter(classification="controlled"),
        numerator_text=_("readings classed controlled by the follow-up rules"),
        denominator=_classified_readings,
        denominator_text=_("readings with a class (urgent, not controlled or controlled)"),
        as_of_text=_("readings measured from the first to the last day of the period, by the elder's "
                              "community"),
        region_field="elder__region_code", sensitivity="health",
    ),
]
