"""Health services' indicators for the dashboard (issue 17 §7), with the plans' codes
(plan-targets.yaml): the 65+ health management rate, the family-doctor contract rates, electronic
health record coverage, follow-up rates and the share of readings in range. Each topic's block
below says how it counts."""

from kangyang.indicators.registry import Indicator  # noqa: F401 - the topics' blocks below use it

INDICATORS: list = []


# -- followups --
# 规范管理率 (managed rate) of hypertension and type 2 diabetes: patients of the programme (an
# elder on the registry on the day, not deceased or moved out, with a coded condition of it) who
# had at least four follow-ups from the first of January of the period's year up to the day, over
# the patients of the programme. Controlled rate: patients whose latest follow-up of the year (up
# to the day) was classified "controlled", over the patients followed up in the year.
from django.db.models import Count, Exists, OuterRef, Q  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

from kangyang.indicators.registry import PERCENT  # noqa: E402


def _programme_patients(programme: str):
    from kangyang.health.models import Condition
    from kangyang.registry.indicators import elders

    def base(q):
        return elders(q).filter(Exists(Condition.objects.filter(elder_id=OuterRef("pk"), programme=programme)))

    return base


def _in_year(q, programme: str, path: str = ""):
    return {f"{path}programme": programme, f"{path}followed_on__gte": q.period.first_day.replace(month=1, day=1),
            f"{path}followed_on__lte": q.as_of}


def _managed(programme: str):
    def where(q):
        from kangyang.health.models import FollowUp

        enough = (FollowUp.objects.filter(**_in_year(q, programme)).order_by().values("elder_id")
                  .annotate(n=Count("pk")).filter(n__gte=4).values("elder_id"))
        return Q(pk__in=enough)

    return where


def _followed(programme: str):
    def where(q):
        from kangyang.health.models import FollowUp

        return Q(Exists(FollowUp.objects.filter(elder_id=OuterRef("pk"), **_in_year(q, programme))))

    return where


def _controlled(programme: str):
    def where(q):
        from kangyang.health.models import FollowUp

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
