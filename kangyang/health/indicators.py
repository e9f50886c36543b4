"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates and the share of readings in range. Each topic's block
below says how it counts."""

from kangyang.indicators.registry import Indicator  # noqa: F401 - the topics' blocks below use it

INDICATORS: list = []


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
from django.db.models import Exists, OuterRef, Q  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from kangyang.indicators.registry import PERCENT, PREFIX_LENGTH, Figure, Query, node_code, ratio  # noqa: E402
from kangyang.registry.indicators import ON_THE_DAY, aged, elders  # noqa: E402


def _contracted(q: Query) -> Q:
    from kangyang.health.models import Contract
    from kangyang.health.models.contracts import valid_on

    return Q(Exists(Contract.objects.filter(valid_on(q.as_of), elder=OuterRef("pk"))))


def _key_group(q: Query) -> Q:
    from kangyang.health.models import Condition, Disability

    return (aged(65)(q)
            | Q(Exists(Condition.objects.filter(elder=OuterRef("pk")).exclude(programme="")))
            | Q(Exists(Disability.objects.filter(elder=OuterRef("pk")))))


PRIORITY_RANK = 2  # visits' DEFAULT_TIERS: high_risk (1) and key (2)


def _priority(q: Query) -> Q:
    return Q(visit_profile__tier__rank__lte=PRIORITY_RANK)


def residents_contracted(q: Query, by: str) -> dict[str, Figure]:
    """Σ contracted / Σ residents of the latest ResidentCount per community on or before the as-of date."""
    from kangyang.health.models import ResidentCount

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
