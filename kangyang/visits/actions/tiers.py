"""The visit policy: which tier an elder is in, the override, refreshing the profiles in bulk,
and the visit a major event makes due.

Who is considered: vulnerable elders only — active, with at least one registry category in
force (`Elder.categories`), living at home. An elder who lives in an institution
(`living_arrangement == "institution"`) gets no tier: the institution's staff look after her
every day and the community's visits (探访关爱) are for elders at home.

Which tier: `Tier.criteria` (see the model) is tried tier by tier in `rank` order; the first
tier one of whose alternatives the elder meets is hers. An alternative's keys must all hold:
`categories_any` (one of these categories in force), `age_min` (age on the day of the
refresh), `living_any` (one of these living arrangements; "" is an unrecorded one) and
`levels_any` (the final capability level of her latest valid GB/T 42195 assessment). A tier
set by hand (`override_tier`, with a reason, audited) wins over the derived one until it is
cleared.

An elder who died or moved out keeps the profile she had: the month she left still counts her
(queries/rate.py), and refreshing leaves her alone.

Events. `visit_due_after_event` opens a visit due within the tier's `event_within_hours` of a
major event (an alarm, a hospital stay, unanswered care calls). Alarms are wired by a chore
(`visits_due_after_alarms`, run hourly by the worker: kangyang/ops/housekeeping.py): an alarm
of an elder with a tier, resolved as a real emergency or with nobody answering (a door visit),
makes a visit due within the hours after it was resolved. The alarms app is not changed.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.registry.models import Elder
from kangyang.visits.models import Tier, VisitDue, VisitProfile

C = Elder.Category
L = Elder.LivingArrangement

# The default policy (the issue's, after the plans: high risk weekly and within 24 h of a major
# event; key monthly; other vulnerable elders quarterly). A bureau edits its tiers in the admin.
# Counted modes (queries/rate.py): the high-risk and key tiers need someone at the door — our
# visitor, or a neighbour or relative who looked in on her; a phone or video call counts only
# for the general tier.
IN_PERSON = ["home", "proxy"]
ANY_MODE = ["home", "proxy", "phone", "video"]
DEFAULT_TIERS = [
    {"code": "high_risk", "name": "高风险", "rank": 1, "interval_days": 7, "event_within_hours": 24,
     "counted_modes": IN_PERSON, "criteria": [
         {"age_min": 80, "categories_any": [C.ALONE.value, C.EMPTY_NEST.value]},
         {"categories_any": [C.SEVERELY_DISABLED.value]},
         {"levels_any": [3, 4]},  # GB/T 42195 C.3: severe or complete loss of capability
     ]},
    {"code": "key", "name": "重点", "rank": 2, "interval_days": 30, "event_within_hours": 24,
     "counted_modes": IN_PERSON, "criteria": [
         {"categories_any": [C.DISABLED.value, C.COGNITIVELY_IMPAIRED.value, C.BEREAVED.value]},
         {"categories_any": [C.EXTREME_POVERTY.value]},  # 特困 at home (institutions have no tier)
     ]},
    {"code": "general", "name": "一般", "rank": 3, "interval_days": 91, "event_within_hours": 48,
     "counted_modes": ANY_MODE, "criteria": [{"categories_any": list(C.values)}]},
]


CRITERIA_KEYS = {"categories_any", "age_min", "living_any", "levels_any"}


def check_policy(*, criteria, counted_modes) -> None:
    """Refuse a tier's criteria or counted modes that the rules could not read (the admin's
    form). ValidationError naming the field."""
    from kangyang.visits.models import Mode

    def bad(field, message):
        raise ValidationError({field: ValidationError(message, code="invalid")})

    if not isinstance(criteria, list) or not all(isinstance(a, dict) and a for a in criteria):
        bad("criteria", _("Give a list of alternatives, each a non-empty object."))
    for alternative in criteria:
        unknown = set(alternative) - CRITERIA_KEYS
        if unknown:
            bad("criteria", _("Unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(unknown))})
        cats = alternative.get("categories_any", [])
        if not isinstance(cats, list) or set(cats) - set(C.values):
            bad("criteria", _("categories_any lists registry categories."))
        living = alternative.get("living_any", [])
        if not isinstance(living, list) or set(living) - set(L.values) - {""}:
            bad("criteria", _("living_any lists living arrangements."))
        levels = alternative.get("levels_any", [])
        if not isinstance(levels, list) or any(not isinstance(v, int) or not 0 <= v <= 4 for v in levels):
            bad("criteria", _("levels_any lists capability levels from 0 to 4."))
        age = alternative.get("age_min")
        if age is not None and (not isinstance(age, int) or not 0 <= age <= 130):
            bad("criteria", _("age_min is a whole number of years."))
    if not isinstance(counted_modes, list) or not counted_modes or set(counted_modes) - set(Mode.values):
        bad("counted_modes", _("Give at least one mode: %(modes)s.") % {"modes": ", ".join(Mode.values)})


def ensure_default_tiers() -> list[Tier]:
    """The default tiers, made if missing (by code); a tier already there is left as the bureau
    edited it. For the demo, the tests and a fresh installation."""
    tiers = []
    for spec in DEFAULT_TIERS:
        tier, _created = Tier.objects.get_or_create(code=spec["code"], defaults={k: v for k, v in spec.items()
                                                                                 if k != "code"})
        tiers.append(tier)
    return tiers


# -- deriving a tier -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the criteria look at, for one elder."""

    categories: frozenset
    age: int
    living: str
    level: int | None


def meets(alternative: dict, facts: Facts) -> bool:
    """Whether one alternative of a tier's criteria holds (every key it has)."""
    wanted = alternative.get("categories_any")
    if wanted is not None and not facts.categories.intersection(wanted):
        return False
    if alternative.get("age_min") is not None and facts.age < alternative["age_min"]:
        return False
    living = alternative.get("living_any")
    if living is not None and facts.living not in living:
        return False
    levels = alternative.get("levels_any")
    if levels is not None and (facts.level is None or facts.level not in levels):
        return False
    return True


def derive_tier(tiers: list[Tier], facts: Facts) -> Tier | None:
    """The first tier by rank whose criteria the elder meets; None for an elder who is not
    vulnerable (no category) or lives in an institution."""
    if not facts.categories or facts.living == L.INSTITUTION:
        return None
    for tier in tiers:
        if any(meets(alternative, facts) for alternative in tier.criteria or []):
            return tier
    return None


def why(tier: Tier | None, facts: Facts) -> list[str]:
    """The alternatives of the tier the elder meets, in words (the profile page's "why")."""
    if tier is None:
        return []
    reasons = []
    for alternative in tier.criteria or []:
        if not meets(alternative, facts):
            continue
        parts = []
        if alternative.get("age_min") is not None:
            parts.append(_("aged %(age)d or more") % {"age": alternative["age_min"]})
        if alternative.get("categories_any") is not None:
            found = [str(C(c).label) for c in C.values if c in facts.categories and c in alternative["categories_any"]]
            parts.append(", ".join(found))
        if alternative.get("living_any") is not None:
            parts.append(str(L(facts.living).label) if facts.living else _("living arrangement not recorded"))
        if alternative.get("levels_any") is not None:
            parts.append(_("capability level %(level)s in the latest assessment") % {"level": facts.level})
        reasons.append(" · ".join(p for p in parts if p))
    return reasons


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def facts_of(elder: Elder, *, on: dt.date | None = None) -> Facts:
    """One elder's facts (the profile page; refresh_profiles reads them in bulk)."""
    from kangyang.assessment.queries import current_assessment

    on = on or timezone.localdate()
    assessment = current_assessment(elder, on=on)
    return Facts(categories=frozenset(elder.categories), age=_age(elder.birth_date, on),
                 living=elder.living_arrangement or "", level=assessment.final_level if assessment else None)


# -- profiles -------------------------------------------------------------------------------------

@dataclass
class Refreshed:
    created: int = 0
    changed: int = 0
    unchanged: int = 0


def _years_before(day: dt.date, years: int) -> dt.date:
    """The latest birth date of someone `years` old on `day` (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _alternative_q(alternative: dict, today: dt.date) -> Q:
    """One alternative of a tier's criteria as a filter on elders (annotated with `_level`):
    the same rule as `meets`, for the database."""
    q = Q()
    wanted = alternative.get("categories_any")
    if wanted is not None:
        if set(C.values) <= set(wanted):
            q &= ~Q(categories_text="")  # any category at all
        else:
            any_of = Q(pk__in=[])
            for category in wanted:
                any_of |= Q(categories_text__contains=f",{category},")
            q &= any_of
    if alternative.get("age_min") is not None:
        q &= Q(birth_date__lte=_years_before(today, alternative["age_min"]))
    if alternative.get("living_any") is not None:
        q &= Q(living_arrangement__in=alternative["living_any"])
    if alternative.get("levels_any") is not None:
        q &= Q(_level__in=alternative["levels_any"])
    return q


def tier_expression(tiers: list[Tier], today: dt.date):
    """The derived tier's id of an elder as one SQL expression (CASE in rank order; NULL for
    an elder not vulnerable or living in an institution): `derive_tier` for the database."""
    whens = []
    for tier in tiers:
        matches = Q(pk__in=[])
        for alternative in tier.criteria or []:
            matches |= _alternative_q(alternative, today)
        whens.append(When(matches, then=Value(tier.pk)))
    if not whens:
        # Typed: PostgreSQL reads a bare NULL parameter in a select list as text, which the
        # profile's bigint column cannot be compared with.
        return Cast(Value(None), output_field=models.BigIntegerField())
    vulnerable = ~Q(categories_text="") & ~Q(living_arrangement=L.INSTITUTION)
    return Case(When(~vulnerable, then=Value(None)), *whens, default=Value(None),
                output_field=models.IntegerField())


def _uses_levels(tiers: list[Tier]) -> bool:
    return any("levels_any" in a for t in tiers for a in (t.criteria or []))


def refresh_profiles(*, region_code: str = "", elder_ids=None, today: dt.date | None = None) -> Refreshed:
    """Derive the tier of every active elder (of a region, or the elders given) and store it:
    one profile per vulnerable elder, kept in step with the registry and the assessments; an
    active elder no longer vulnerable keeps her profile with no derived tier (her tier set by
    hand, if any, stays). Profiles of elders who died or moved out are left as they were.
    Idempotent. Two statements in the database (an UPDATE of the profiles whose tier or
    community changed, an INSERT of the missing ones), whatever the number of elders."""
    from kangyang.assessment.queries import current_level_subquery

    today = today or timezone.localdate()
    tiers = list(Tier.objects.order_by("rank", "pk"))
    elders = Elder.objects.filter(status=Elder.Status.ACTIVE)
    if region_code:
        elders = elders.filter(region_code__startswith=region_code)
    if elder_ids is not None:
        elders = elders.filter(pk__in=list(elder_ids))
    if _uses_levels(tiers):
        elders = elders.annotate(_level=current_level_subquery(today))
    derived = elders.order_by().values(_id=F("pk"), _region=F("region_code"), _tier=tier_expression(tiers, today))
    sql, params = derived.query.sql_with_params()
    now = timezone.now()
    table = VisitProfile._meta.db_table
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    result = Refreshed()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {table} SET derived_tier_id = d._tier, tier_id = COALESCE({table}.override_tier_id, d._tier),
                   region_code = d._region, updated_at = %s
            FROM ({sql}) d
            WHERE {table}.elder_id = d._id
              AND ({table}.derived_tier_id {differs} d._tier
                   OR {table}.tier_id {differs} COALESCE({table}.override_tier_id, d._tier)
                   OR {table}.region_code <> d._region)""", [now, *params])
        result.changed = cursor.rowcount
        cursor.execute(f"""
            INSERT INTO {table} (elder_id, region_code, derived_tier_id, tier_id, override_reason, updated_at)
            SELECT d._id, d._region, d._tier, d._tier, '', %s FROM ({sql}) d
            WHERE d._tier IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} p WHERE p.elder_id = d._id)""",
                       [now, *params])
        result.created = cursor.rowcount
    profiles = VisitProfile.objects.filter(elder__in=elders.values("pk"))
    result.unchanged = profiles.count() - result.changed - result.created
    return result


def profile_of(elder: Elder) -> VisitProfile:
    """The elder's profile, derived now if she has none yet (an elder added since the last
    refresh)."""
    profile = VisitProfile.objects.select_related("tier", "derived_tier", "override_tier", "overridden_by").filter(
        elder=elder).first()
    if profile is None:
        refresh_profiles(elder_ids=[elder.pk])
        profile = VisitProfile.objects.select_related("tier", "derived_tier", "override_tier").filter(
            elder=elder).first()
    return profile or VisitProfile(elder=elder, region_code=elder.region_code)


@transaction.atomic
def override_tier(elder: Elder, *, tier: Tier | None, reason: str, by) -> VisitProfile:
    """Set the elder's tier by hand, with a reason (audited); `tier=None` clears the override
    and the derived tier counts again. The reason is required either way."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Say why the tier is set by hand."), code="required")})
    profile = profile_of(elder)
    before = profile.tier.code if profile.tier_id else ""
    if profile.pk is None:
        profile.save()
    profile.override_tier = tier
    profile.override_reason = reason if tier is not None else ""
    profile.overridden_by = by if tier is not None else None
    profile.overridden_at = timezone.now() if tier is not None else None
    profile.tier = tier if tier is not None else profile.derived_tier
    profile.region_code = elder.region_code
    profile.save(update_fields=["override_tier", "override_reason", "overridden_by", "overridden_at", "tier",
                                "region_code", "updated_at"])
    after = profile.tier.code if profile.tier_id else ""
    record(by, AuditEntry.Action.CHANGE, profile,
           verb="visit_profile.override" if tier is not None else "visit_profile.clear_override",
           note=reason, changes={"tier": [before, after]}, region_code=elder.region_code)
    return profile


# -- events -----------------------------------------------------------------------------------------

EVENT_REASONS = (VisitDue.Reason.ALARM, VisitDue.Reason.HOSPITAL, VisitDue.Reason.CARE_CALL,
                 VisitDue.Reason.FINDING)
# When an elder's tier names no hours (or she has no tier), the most urgent tier's.
DEFAULT_EVENT_HOURS = 24


def _event_hours(tier: Tier | None) -> int:
    if tier is not None and tier.event_within_hours:
        return tier.event_within_hours
    first = Tier.objects.exclude(event_within_hours=None).order_by("rank").values_list(
        "event_within_hours", flat=True).first()
    return first or DEFAULT_EVENT_HOURS


@transaction.atomic
def visit_due_after_event(elder: Elder, *, reason: str, at: dt.datetime, by=None, note: str = "") -> VisitDue:
    """A visit due within the hours the elder's tier gives after a major event (`at`). The due
    opens at the event (`created_at`), so any counted visit after it settles it. Twice for the
    same event (elder, reason, moment) makes one; an open due of the same reason that falls due
    sooner covers the new event too."""
    from kangyang.visits.actions.plans import propose_visitor

    if reason not in EVENT_REASONS:
        raise ValidationError({"reason": ValidationError(_("Not a reason for an event visit."), code="invalid")})
    profile = VisitProfile.objects.select_related("tier").filter(elder=elder).first()
    tier = profile.tier if profile is not None else None
    due_by = at + dt.timedelta(hours=_event_hours(tier))
    mine = VisitDue.objects.filter(elder=elder, reason=reason)
    same = mine.filter(created_at=at).first()
    if same is not None:
        return same
    sooner = mine.filter(status=VisitDue.Status.OPEN, created_at__lte=at, due_by__lte=due_by).first()
    if sooner is not None:
        return sooner
    visitor = propose_visitor(elder, month=timezone.localdate(at).replace(day=1))
    due = VisitDue.objects.create(
        elder=elder, region_code=elder.region_code, tier=tier, month=timezone.localdate(at).replace(day=1),
        reason=reason, due_by=due_by, proposed_visitor=visitor, visitor=visitor, note=note, created_at=at)
    record(by, AuditEntry.Action.CREATE, due, verb="visit_due.event", note=str(VisitDue.Reason(reason).label),
           region_code=elder.region_code)
    return due


# Alarm outcomes after which the elder is visited: a real emergency, and an alarm nobody
# answered at the door (the alarms app's "no answer: door visit").
ALARM_OUTCOMES = ("real_emergency", "no_answer")
# How far back the hourly chore looks (a worker down for a day catches up).
ALARM_LOOKBACK = dt.timedelta(hours=48)


def visits_due_after_alarms(*, now: dt.datetime | None = None) -> int:
    """For each alarm of an elder with a tier resolved in the last ALARM_LOOKBACK as a real
    emergency or unanswered, a visit due after it (visit_due_after_event: idempotent).
    Returns how many dues were made."""
    from kangyang.alarms.models import Alarm

    now = now or timezone.now()
    alarms = (Alarm.objects.filter(status=Alarm.Status.RESOLVED, outcome__in=ALARM_OUTCOMES,
                                   resolved_at__gte=now - ALARM_LOOKBACK, resolved_at__lte=now,
                                   elder__visit_profile__tier__isnull=False,
                                   elder__status=Elder.Status.ACTIVE)
              .select_related("elder").order_by("resolved_at", "pk"))
    made = 0
    for alarm in alarms:
        before = VisitDue.objects.filter(elder=alarm.elder, reason=VisitDue.Reason.ALARM).count()
        visit_due_after_event(alarm.elder, reason=VisitDue.Reason.ALARM, at=alarm.resolved_at,
                              note=_("Alarm %(number)s") % {"number": alarm.pk})
        made += VisitDue.objects.filter(elder=alarm.elder, reason=VisitDue.Reason.ALARM).count() - before
    return made
