"""Who is entitled to what, and why: the one place where a policy version's bands are applied.

Per elder (`explain_eligibility`, `eligibility`) for pages and the API, and as one SQL
query over a whole region (`eligible_rows_sql`) for payment rolls. Both follow the same
rules, written once here, and a test holds them to the same answers.

The rules
* A month is judged as of its first day, the reference day.
* Age is in completed years on the reference day: an elder who turns 80 on 15 March is
  80 from 1 April, and paid from April ("from the month after the birthday").
* The capability level is the final level of the latest signed GB/T 42195 assessment
  valid on the reference day (assessment.queries); an assessment signed during a month
  counts from the next month.
* Means come from the registry's vulnerability categories: extreme poverty (特困) if the
  elder has that category, else minimum living allowance (低保) if they have that one,
  else ordinary.
* After death or moving out: paid for the month of the date recorded (status_date), not
  for any later month.
* A policy that pays on application (needs_application) pays an elder from the month after
  their application was approved (after its public notice): approved before the
  reference day.
* A policy with a survival certification period (survival_months) pays an elder only
  while a survival certification (生存认证) accepted before the reference day, or the
  approval of their application, is less than that many months old; otherwise the month
  is paused (recorded, not paid) and paid as back pay once a certification comes. The
  period is counted from the policy's survival_since at the earliest.
* A band applies when all of its conditions hold; a condition left empty holds for
  everyone, but a level condition needs a valid assessment. The bands of a version do
  not overlap (actions.check_bands), so at most one applies.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _, pgettext

from kangyang.assessment.queries import current_assessment, current_level_subquery, valid_assessments
from kangyang.assessment.standard import LEVEL_NAMES
from kangyang.regions import codes
from kangyang.registry.models import Elder
from kangyang.allowances.models import Application, Means, Policy, PolicyBand, PolicyVersion, SurvivalCheck

ZERO = Decimal("0.00")


# -- dates -----------------------------------------------------------------------------------
def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_before(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - months
    return month.replace(year=index // 12, month=index % 12 + 1, day=1)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# -- facts about an elder ----------------------------------------------------------------------
def means_of(categories) -> str:
    categories = set(categories)
    if Elder.Category.EXTREME_POVERTY in categories:
        return Means.EXTREME_POVERTY
    if Elder.Category.LOW_INCOME in categories:
        return Means.LOW_INCOME
    return Means.ORDINARY


def paid_in(elder: Elder, month: dt.date) -> bool:
    """Still paid for the month: active, or died / moved out on or after its first day."""
    if elder.status == Elder.Status.ACTIVE:
        return True
    return elder.status_date is not None and elder.status_date >= month


def band_matches(band: PolicyBand, *, age: int, level: int | None, means: str) -> bool:
    if band.age_from is not None and age < band.age_from:
        return False
    if band.age_to is not None and age > band.age_to:
        return False
    if band.uses_level and level is None:
        return False
    if band.level_from is not None and level < band.level_from:
        return False
    if band.level_to is not None and level > band.level_to:
        return False
    return not band.means or band.means == means


# -- applications and survival certification ---------------------------------------------------
def approved_applications(policy: Policy, month: dt.date):
    """Elder ids whose application for the policy was approved before the month."""
    return Application.objects.filter(
        policy=policy, status=Application.Status.APPROVED, decided_on__lt=month,
    ).values("elder_id")


def survival_cutoff(policy: Policy, month: dt.date) -> dt.date | None:
    """Certifications after this day count for the month; None when the policy asks for
    none in the month (no period, or the period since survival_since is not over)."""
    if not policy.survival_months:
        return None
    cutoff = months_before(month, policy.survival_months)
    if policy.survival_since is not None and policy.survival_since > cutoff:
        return None
    return cutoff


def certified(policy: Policy, month: dt.date) -> Q | None:
    """Elders (as a filter on Elder) whose survival is on record for the month: an accepted
    certification, or the approval of their application, after the cutoff and before the
    month. None when every elder counts as certified."""
    cutoff = survival_cutoff(policy, month)
    if cutoff is None:
        return None
    checks = SurvivalCheck.objects.filter(
        status=SurvivalCheck.Status.ACCEPTED, checked_on__gt=cutoff, checked_on__lt=month,
    ).values("elder_id")
    approvals = Application.objects.filter(
        policy=policy, status=Application.Status.APPROVED, decided_on__gt=cutoff, decided_on__lt=month,
    ).values("elder_id")
    return Q(pk__in=checks) | Q(pk__in=approvals)


def is_certified(elder: Elder, policy: Policy, month: dt.date) -> bool:
    condition = certified(policy, month)
    return condition is None or Elder.objects.filter(condition, pk=elder.pk).exists()


def last_certification(elder: Elder) -> dt.date | None:
    return (
        SurvivalCheck.objects.filter(elder=elder, status=SurvivalCheck.Status.ACCEPTED)
        .order_by("-checked_on").values_list("checked_on", flat=True).first()
    )


# -- words -------------------------------------------------------------------------------------
def join(parts) -> str:
    return pgettext("list separator", ", ").join(str(p) for p in parts)


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def level_words(level: int) -> str:
    name = LEVEL_NAMES[level][0] if level in LEVEL_NAMES else ""
    return _("capability level %(level)d (%(name)s)") % {"level": level, "name": name}


def age_range_words(band: PolicyBand) -> str:
    if band.age_from is not None and band.age_to is not None:
        return _("%(low)d–%(high)d") % {"low": band.age_from, "high": band.age_to}
    if band.age_from is not None:
        return _("%(low)d and over") % {"low": band.age_from}
    return _("up to %(high)d") % {"high": band.age_to}


def level_range_words(band: PolicyBand) -> str:
    low = band.level_from if band.level_from is not None else 0
    high = band.level_to if band.level_to is not None else 4
    if low == high:
        return _("level %(level)d") % {"level": low}
    return _("levels %(low)d–%(high)d") % {"low": low, "high": high}


def band_words(band: PolicyBand) -> str:
    """The conditions of a band, e.g. "aged 80–89, minimum living allowance"."""
    parts = []
    if band.age_from is not None or band.age_to is not None:
        parts.append(_("aged %(range)s") % {"range": age_range_words(band)})
    if band.uses_level:
        parts.append(_("capability %(levels)s") % {"levels": level_range_words(band)})
    if band.means:
        parts.append(Means(band.means).label)
    return join(parts) if parts else _("everyone")


def reasons_for(band: PolicyBand, *, age: int, level: int | None, means: str) -> list[str]:
    """Why a band applies, in words: only the conditions the band has."""
    reasons = []
    if band.age_from is not None or band.age_to is not None:
        reasons.append(_("aged %(age)d (%(range)s)") % {"age": age, "range": age_range_words(band)})
    if band.uses_level and level is not None:
        reasons.append(level_words(level))
    if band.means:
        reasons.append(str(Means(means).label))
    return reasons or [_("every elder of the region")]


def line_explanation(line) -> str:
    """A payment line's reasons, from the rule and the facts stored with it."""
    band = line.band
    age = age_on(line.elder.birth_date, line.month) if (band.age_from is not None or band.age_to is not None) else 0
    return join(reasons_for(band, age=age, level=line.level, means=line.means))


@dataclass(frozen=True)
class Entitlement:
    """What one policy gives an elder for a month (nothing, when `band` is None), and why."""

    policy: Policy
    version: PolicyVersion
    band: PolicyBand | None
    amount: Decimal
    reasons: tuple[str, ...]
    month: dt.date
    paused: bool = False  # entitled, but held back for want of a survival certification

    @property
    def eligible(self) -> bool:
        return self.band is not None and not self.paused

    @property
    def explanation(self) -> str:
        if self.eligible:
            return _("%(policy)s ¥%(amount)s: %(reasons)s") % {
                "policy": self.policy.name, "amount": money(self.amount), "reasons": join(self.reasons)}
        if self.paused:
            return _("%(policy)s ¥%(amount)s paused: %(reasons)s") % {
                "policy": self.policy.name, "amount": money(self.amount), "reasons": join(self.reasons)}
        return _("%(policy)s: not eligible: %(reasons)s") % {
            "policy": self.policy.name, "reasons": join(self.reasons)}

    def __str__(self) -> str:
        return self.explanation


# -- versions in force -----------------------------------------------------------------------
def in_force(month: dt.date) -> Q:
    return Q(effective_from__lte=month) & (Q(effective_to__isnull=True) | Q(effective_to__gte=month))


def version_in_force(policy: Policy, month: dt.date) -> PolicyVersion | None:
    return (
        policy.versions.filter(in_force(month)).order_by("-effective_from")
        .prefetch_related("bands").first()
    )


def versions_in_force(*, region_code: str, month: dt.date) -> list[PolicyVersion]:
    """The version in force in the month of every policy that covers the region."""
    versions = (
        PolicyVersion.objects.filter(in_force(month)).select_related("policy")
        .prefetch_related("bands").order_by("policy__kind", "policy__name", "policy_id", "-effective_from")
    )
    chosen: dict[int, PolicyVersion] = {}
    for version in versions:
        if version.policy_id in chosen:
            continue
        if region_code.startswith(codes.prefix(version.policy.region_code)):
            chosen[version.policy_id] = version
    return list(chosen.values())


# -- one elder -------------------------------------------------------------------------------
def explain_eligibility(elder: Elder, *, on: dt.date) -> list[Entitlement]:
    """Every policy covering the elder in the month of `on`: what it gives, or why nothing."""
    month = month_start(on)
    versions = versions_in_force(region_code=elder.region_code, month=month)
    if not versions:
        return []
    age = age_on(elder.birth_date, month)
    means = means_of(elder.categories)
    needs_level = any(b.uses_level for v in versions for b in v.bands.all())
    assessment = current_assessment(elder, on=month) if needs_level else None
    level = assessment.final_level if assessment is not None else None
    stopped = None
    if not paid_in(elder, month):
        words = {"date": elder.status_date.isoformat() if elder.status_date else "?"}
        stopped = (
            _("died on %(date)s: paid up to that month") % words
            if elder.status == Elder.Status.DECEASED
            else _("moved out on %(date)s: paid up to that month") % words
        )

    out = []
    for version in versions:
        bands = list(version.bands.all())
        band = next((b for b in bands if band_matches(b, age=age, level=level, means=means)), None)
        policy = version.policy
        if stopped:
            out.append(Entitlement(policy, version, None, ZERO, (stopped,), month))
        elif band is not None and policy.needs_application and not Elder.objects.filter(
                pk=elder.pk, pk__in=approved_applications(policy, month)).exists():
            out.append(Entitlement(policy, version, None, ZERO, (_("no application approved before %(date)s") % {
                "date": month.isoformat()},), month))
        elif band is not None and not is_certified(elder, policy, month):
            last = last_certification(elder)
            reason = (
                _("no survival certification since %(date)s") % {"date": last.isoformat()} if last
                else _("no survival certification on record")
            )
            out.append(Entitlement(policy, version, band, band.amount, (reason,), month, paused=True))
        elif band is not None:
            reasons = tuple(reasons_for(band, age=age, level=level, means=means))
            out.append(Entitlement(policy, version, band, band.amount, reasons, month))
        else:
            facts = [_("aged %(age)d") % {"age": age}]
            if any(b.uses_level for b in bands):
                facts.append(
                    level_words(level) if level is not None
                    else _("no valid capability assessment on %(date)s") % {"date": month.isoformat()}
                )
            facts.append(str(Means(means).label))
            facts.append(_("no rule of this policy applies"))
            out.append(Entitlement(version.policy, version, None, ZERO, tuple(facts), month))
    return out


def eligibility(elder: Elder, *, on: dt.date) -> list[Entitlement]:
    """What the elder is entitled to in the month of `on`, each with its reasons in words,
    e.g. "护理补贴 ¥200.00：能力等级3级（重度失能），低保"."""
    return [e for e in explain_eligibility(elder, on=on) if e.eligible]


# -- a whole region, in SQL ------------------------------------------------------------------
MEANS_CASE = Case(
    When(categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},", then=Value(Means.EXTREME_POVERTY.value)),
    When(categories_text__contains=f",{Elder.Category.LOW_INCOME},", then=Value(Means.LOW_INCOME.value)),
    default=Value(Means.ORDINARY.value),
    output_field=CharField(),
)


def candidates(version: PolicyVersion, bands: list[PolicyBand], *, prefix: str, month: dt.date):
    """Elders of the region still paid in the month, with their means and capability level
    (NULL when no band asks for it) as `elig_means` and `elig_level`. Filters that every band
    implies are applied here, so the database reads fewer rows."""
    qs = (
        Elder.objects.order_by()
        .filter(region_code__startswith=prefix)
        .filter(Q(status=Elder.Status.ACTIVE) | Q(status_date__gte=month))
    )
    if bands and all(b.age_from is not None for b in bands):
        qs = qs.filter(birth_date__lte=years_before(month, min(b.age_from for b in bands)))
    if bands and all(b.uses_level for b in bands):
        qs = qs.filter(pk__in=valid_assessments(month).values("elder_id"))
    if version.policy.needs_application:
        qs = qs.filter(pk__in=approved_applications(version.policy, month))
    if bands and all(b.means in (Means.EXTREME_POVERTY, Means.LOW_INCOME) for b in bands):
        qs = qs.filter(
            Q(categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},")
            | Q(categories_text__contains=f",{Elder.Category.LOW_INCOME},")
        )
    level = (
        current_level_subquery(month) if any(b.uses_level for b in bands)
        else Cast(Value(None), output_field=IntegerField())
    )
    condition = certified(version.policy, month)
    alive = (
        Value(True, output_field=BooleanField()) if condition is None
        else Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
    )
    # Every column named (AS …): the SQL around this query refers to them by name.
    return qs.annotate(
        elig_id=F("pk"), elig_community=F("community_id"), elig_region=F("region_code"),
        elig_birth=F("birth_date"), elig_means=MEANS_CASE, elig_level=level, elig_certified=alive,
    ).values_list("elig_id", "elig_community", "elig_region", "elig_birth", "elig_means", "elig_level",
                  "elig_certified")


def _band_condition(band: PolicyBand, month: dt.date) -> tuple[str, list]:
    """SQL over the candidates (alias e) for "this band applies", with its parameters."""
    adapt = connection.ops.adapt_datefield_value
    parts, params = [], []
    if band.age_from is not None:
        parts.append("e.elig_birth <= %s")
        params.append(adapt(years_before(month, band.age_from)))
    if band.age_to is not None:
        parts.append("e.elig_birth > %s")
        params.append(adapt(years_before(month, band.age_to + 1)))
    if band.uses_level:
        parts.append("e.elig_level IS NOT NULL")
    if band.level_from is not None:
        parts.append(f"e.elig_level >= {int(band.level_from)}")
    if band.level_to is not None:
        parts.append(f"e.elig_level <= {int(band.level_to)}")
    if band.means:
        parts.append("e.elig_means = %s")
        params.append(band.means)
    return (" AND ".join(parts) or "1 = 1"), params


def eligible_rows_sql(version: PolicyVersion, *, prefix: str, month: dt.date) -> tuple[str, list]:
    """One SELECT of (elder_id, community_id, region_code, band_id, amount, level, means,
    certified) for every elder of the region whom the version pays in the month; those not
    `certified` are paused. No rows are loaded into Python: callers count them or
    INSERT … SELECT them."""
    bands = list(version.bands.all())
    inner_sql, inner_params = candidates(version, bands, prefix=prefix, month=month).query.sql_with_params()
    # On PostgreSQL, OFFSET 0 keeps the candidates a subquery of their own, so that the
    # level subquery runs once per elder and not once per band that mentions it.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    whens, case_params = [], []
    for band in bands:
        condition, params = _band_condition(band, month)
        whens.append(f"WHEN {condition} THEN {int(band.pk)}")
        case_params += params
    case = f"CASE {' '.join(whens)} END" if whens else "NULL"
    band_table = connection.ops.quote_name(PolicyBand._meta.db_table)
    sql = (
        "SELECT x.elder_id, x.community_id, x.region_code, b.id AS band_id, b.amount, x.level, x.means, "
        "x.certified FROM (SELECT e.elig_id AS elder_id, e.elig_community AS community_id, "
        "e.elig_region AS region_code, e.elig_level AS level, e.elig_certified AS certified, "
        f"e.elig_means AS means, {case} AS band_id FROM ({inner_sql}{fence}) e) x "
        f"JOIN {band_table} b ON b.id = x.band_id"
    )
    return sql, [*case_params, *inner_params]


def eligible_summary(version: PolicyVersion, *, prefix: str, month: dt.date) -> list[tuple[PolicyBand, int, Decimal]]:
    """How many elders of the region each band pays in the month, and how much: the
    effect of a version over a whole district, counted by the database."""
    sql, params = eligible_rows_sql(version, prefix=prefix, month=month)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT y.band_id, COUNT(*), SUM(y.amount) FROM ({sql}) y GROUP BY y.band_id", params)
        rows = {band_id: (count, total) for band_id, count, total in cursor.fetchall()}
    out = []
    for band in version.bands.all():
        count, total = rows.get(band.pk, (0, None))
        # SQLite sums decimals as floats: back to Decimal, to the fen.
        out.append((band, count, Decimal(str(total or 0)).quantize(Decimal("0.01"))))
    return out
