"""Reads of the health app's followups topic: the patients of a programme (elders with a coded
condition of hypertension or type 2 diabetes, on the registry), who is due for a follow-up (the
next one's day has passed, or none yet, or fewer than four this year), an elder's follow-ups by
programme with the class in words and the rule's text."""

import dataclasses
import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.health import rules as health_rules
from kangyang.health.models import Classification, Condition, FollowUp, RuleSet
from kangyang.health.models.records import Programme
from kangyang.registry.models import Elder

PER_YEAR = 4  # at least four follow-ups a year (the specification)


def year_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)


def patients(programme: str):
    """Elders on the programme (a condition of it) who are on the registry (not deceased or moved out)."""
    return Elder.objects.filter(
        Exists(Condition.objects.filter(elder_id=OuterRef("pk"), programme=programme)),
        status=Elder.Status.ACTIVE)


def follow_ups_visible(user):
    return FollowUp.objects.visible_to(user)


def follow_ups_for(user, *, elder: int | None = None, programme: str = "", classification: str | None = None,
                   since: dt.date | None = None):
    qs = FollowUp.objects.visible_to(user).select_related("elder", "rule_set", "team")
    if elder is not None:
        qs = qs.filter(elder_id=elder)
    if programme:
        qs = qs.filter(programme=programme)
    if classification is not None:
        qs = qs.filter(classification=classification)
    if since is not None:
        qs = qs.filter(followed_on__gte=since)
    return qs


def get_follow_up_for(user, followup_id: int) -> FollowUp:
    found = follow_ups_for(user).filter(pk=followup_id).first()
    if found is None:
        raise Http404
    return found


@dataclasses.dataclass
class DueRow:
    elder: Elder
    programme: str
    last_on: dt.date | None
    last_class: str
    next_due_on: dt.date | None
    this_year: int
    overdue: bool
    short: bool

    @property
    def programme_label(self) -> str:
        return str(Programme(self.programme).label)

    @property
    def class_label(self) -> str:
        return str(Classification(self.last_class).label) if self.last_class else ""


def _annotated(programme: str, today: dt.date, elders):
    latest = FollowUp.objects.filter(elder_id=OuterRef("pk"), programme=programme).order_by("-followed_on", "-pk")
    this_year = (FollowUp.objects.filter(elder_id=OuterRef("pk"), programme=programme,
                                         followed_on__gte=year_start(today), followed_on__lte=today)
                 .exclude(mode=FollowUp.Mode.PHONE)  # the four a year are face to face (面对面)
                 .order_by().values("elder_id").annotate(n=Count("pk")).values("n"))
    return elders.filter(pk__in=patients(programme).values("pk")).annotate(
        last_on=Subquery(latest.values("followed_on")[:1]),
        last_class=Subquery(latest.values("classification")[:1]),
        next_due=Subquery(latest.values("next_due_on")[:1]),
        this_year=Coalesce(Subquery(this_year, output_field=IntegerField()), Value(0)),
    )


def due(user, *, programme: str = "", community: str = "", reason: str = "", today: dt.date | None = None) -> list[DueRow]:
    """Patients the user may see who are due: their next follow-up's day has passed or they have
    had none (`overdue`), or fewer than four this year (`short`); `reason` "overdue" or "short"
    keeps one kind. Most overdue first."""
    today = today or timezone.localdate()
    elders = Elder.objects.filter(scope.health_filter(user))
    if community:
        elders = elders.filter(region_code=community)
    rows = []
    for p in ([programme] if programme else Programme.values):
        qs = _annotated(p, today, elders).filter(
            Q(next_due__isnull=True) | Q(next_due__lt=today) | Q(this_year__lt=PER_YEAR))
        if reason == "overdue":
            qs = qs.filter(Q(next_due__isnull=True) | Q(next_due__lt=today))
        elif reason == "short":
            qs = qs.filter(this_year__lt=PER_YEAR)
        for e in qs.order_by("next_due", "name", "pk"):
            rows.append(DueRow(elder=e, programme=p, last_on=e.last_on, last_class=e.last_class or "",
                               next_due_on=e.next_due, this_year=e.this_year,
                               overdue=e.next_due is None or e.next_due < today, short=e.this_year < PER_YEAR))
    rows.sort(key=lambda r: (not r.overdue, r.next_due_on or dt.date.min, r.elder.name, r.elder.pk))
    return rows


def panel_section(user):
    """The followups part of the health panel (/health/) for this user: a dict for the template
    health/panel/_followups.html, or None when it has nothing for them."""
    if not user.is_authenticated:
        return None
    if not (scope.team_ids(user) or user.role in scope.AREA_ROLES or user.is_superuser):
        return None
    rows = due(user)
    if not rows:
        return None
    from kangyang.health.actions.followups import audit_read

    audit_read(user, "health.follow_ups.due", note=str(len(rows)))
    return {"rows": rows[:10], "count": len(rows), "overdue": sum(r.overdue for r in rows),
            "short": sum(r.short for r in rows), "urgent": sum(r.last_class == Classification.URGENT for r in rows)}


def elder_section(user, elder):
    """The followups part of an elder's health page (/health/elders/<id>/), already allowed to the user
    (scope.reads_health): a dict for health/elder/_followups.html, or None when there is nothing to show."""
    today = timezone.localdate()
    programmes = set(Condition.objects.filter(elder=elder).exclude(programme="").values_list("programme", flat=True))
    follow_ups = list(FollowUp.objects.filter(elder=elder).select_related("rule_set"))
    if not programmes and not follow_ups:
        return None
    by_programme = []
    for p in Programme.values:
        mine = [f for f in follow_ups if f.programme == p]
        if p not in programmes and not mine:
            continue
        this_year = sum(1 for f in mine if year_start(today) <= f.followed_on <= today)
        by_programme.append({
            "programme": p, "label": Programme(p).label, "follow_ups": [describe(f) for f in mine],
            "this_year": this_year, "per_year": PER_YEAR, "next_due_on": mine[0].next_due_on if mine else None,
            "overdue": not mine or (mine[0].next_due_on is not None and mine[0].next_due_on < today),
        })
    return {"elder": elder, "programmes": by_programme, "can_record": scope.writes_health(user, elder)}


def describe(follow_up: FollowUp) -> dict:
    """A follow-up with its class in words and the text of the rule that gave it."""
    rules = follow_up.rule_set.rules if follow_up.rule_set_id else None
    return {
        "follow_up": follow_up,
        "class_label": follow_up.get_classification_display() if follow_up.classification else "",
        "rule_text": health_rules.rule_text(follow_up.rule, rules) if follow_up.rule else "",
        "rule_set": follow_up.rule_set.version if follow_up.rule_set_id else "",
    }


def rule_sets():
    return RuleSet.objects.order_by("-published_at", "-pk")
