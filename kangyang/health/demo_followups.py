"""The health app's demo, followups topic (kangyang/health/demo.py calls it): a year of follow-ups
for the hypertension and type 2 diabetes patients demo_records gave conditions to — about 85 % with
the four a year the specification asks for, mostly controlled, some not, a few urgent — each
classified by the active rule set (made from the shipped YAML when there is none), by the
elder's contract team when she has one."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kangyang.health import rules as health_rules
from kangyang.health.models import Condition, Contract, FollowUp, TeamMember
from kangyang.health.models.records import Programme

MODES = [FollowUp.Mode.CLINIC] * 6 + [FollowUp.Mode.HOME] * 2 + [FollowUp.Mode.PHONE] * 2


def _bp(rng, target: str, age: int) -> tuple[int, int]:
    if target == "urgent":
        return rng.randint(180, 196), rng.randint(95, 115)
    top = 150 if age >= 65 else 140
    if target == "uncontrolled":
        return rng.randint(top, 175), rng.randint(80, 104)
    return rng.randint(112, top - 2), rng.randint(66, 86)


def _glucose(rng, target: str) -> Decimal:
    if target == "urgent":
        value = rng.uniform(16.8, 21.0) if rng.random() < 0.7 else rng.uniform(2.8, 3.8)
    elif target == "uncontrolled":
        value = rng.uniform(7.1, 11.5)
    else:
        value = rng.uniform(4.6, 6.8)
    return Decimal(f"{value:.1f}")


def seed(*, district, rng, elders: int) -> str:
    rule_set = health_rules.active_rule_set()
    health_rules.forget_cached_rules()
    rules = dict(rule_set.rules, version=rule_set.version)
    days_after = rules.get("follow_up_days", {})
    today = timezone.localdate()
    pairs = list(Condition.objects.filter(elder__region_code__startswith=district.code[:6])
                 .exclude(programme="").values_list("elder_id", "programme").distinct().order_by("elder_id", "programme"))
    if not pairs:
        return ""
    from kangyang.registry.models import Elder

    births = dict(Elder.objects.filter(pk__in={e for e, _p in pairs}).values_list("pk", "birth_date"))
    teams = dict(Contract.objects.filter(elder_id__in=births, starts_on__lte=today, ends_on__gte=today,
                                         ended_on__isnull=True).values_list("elder_id", "team_id"))
    recorder = dict(TeamMember.objects.filter(team_id__in=set(teams.values()), user__isnull=False)
                    .order_by("-lead").values_list("team_id", "user_id"))
    made = []
    for elder_id, programme in pairs:
        n = rng.choice([4, 4, 4, 5, 5, 6]) if rng.random() < 0.85 else rng.randint(1, 3)
        start = today - dt.timedelta(days=360)
        days = sorted(rng.sample(range(0, 360), n))
        for offset in days:
            day = start + dt.timedelta(days=offset)
            born = births[elder_id]
            age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            roll = rng.random()
            target = "urgent" if roll < 0.03 else "uncontrolled" if roll < 0.25 else "controlled"
            follow_up = FollowUp(elder_id=elder_id, programme=programme, followed_on=day, mode=rng.choice(MODES),
                                 team_id=teams.get(elder_id), heart_rate=rng.randint(58, 92),
                                 recorded_by_id=recorder.get(teams.get(elder_id)),
                                 recorded_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))))
            if programme == Programme.HYPERTENSION:
                follow_up.systolic, follow_up.diastolic = _bp(rng, target, age)
                reading = {"kind": "blood_pressure", "systolic": follow_up.systolic,
                           "diastolic": follow_up.diastolic, "age": age}
            else:
                follow_up.fasting_glucose = _glucose(rng, target)
                reading = {"kind": "fasting_glucose", "mmol_l": float(follow_up.fasting_glucose), "age": age}
            result = health_rules.classify(reading, rules=rules)
            follow_up.classification, follow_up.rule, follow_up.rule_set = result.classification, result.rule, rule_set
            if result.classification in days_after:
                follow_up.next_due_on = day + dt.timedelta(days=days_after[result.classification])
            if result.classification == "urgent":
                follow_up.advice = "紧急转诊，2周内随访转诊情况"
            elif result.classification == "uncontrolled":
                follow_up.advice = "调整用药，2周时随访"
            made.append(follow_up)
    FollowUp.objects.bulk_create(made, batch_size=2000)
    return f"{len(made)} follow-ups of {len(pairs)} patients"
