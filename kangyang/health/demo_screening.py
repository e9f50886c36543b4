"""The health app's demo, screening topic (kangyang/health/demo.py calls it): cognitive screenings
for about 30% of the 65+ this year (about one in ten positive), referrals of most positives and of a
few others to a hospital (some returned with a summary, some received, some still sent), and a few
home sickbeds (most open). It uses the medical institutions and teams of the contracts topic when
there are any, else a district hospital of its own."""

import datetime as dt

from django.utils import timezone

from kangyang.health import screening_tools
from kangyang.health.models import Contract, MedicalInstitution, Referral, Screening, Sickbed, TeamMember
from kangyang.registry.models import Elder
from kangyang.registry.queries import _years_before

SCREENED_SHARE = 0.30
POSITIVE_SHARE = 0.10
REASONS = ["认知筛查阳性，建议至记忆门诊进一步评估", "血压控制不佳，建议专科调整用药", "反复头晕，建议神经内科就诊",
           "血糖波动大，建议内分泌科就诊"]
SUMMARIES = ["已完成头颅MRI及量表评估，诊断轻度认知障碍，建议社区随访、每半年复评",
             "调整降压方案，血压平稳，转回社区继续管理", "排除脑血管病变，建议规律作息，社区随访",
             "胰岛素方案已调整，转回社区监测血糖"]
SICKBED_DIAGNOSES = [("I63.9", "脑梗死后遗症"), ("J44.9", "慢性阻塞性肺疾病"), ("G30.9", "阿尔茨海默病"),
                     ("S72.0", "股骨颈骨折术后")]
CLOSE_REASONS = ["病情稳定，撤床", "转入医院住院", "康复良好，撤床"]


def _answers(rng, tool: str, positive: bool) -> dict:
    """Answers that score positive (or not) on the tool."""
    while True:
        if tool == "mini_cog":
            answers = {"recall": str(rng.choice([0, 1, 2] if positive else [1, 2, 3, 3])),
                       "clock": rng.choice(["0", "2"] if positive else ["2", "2", "0"])}
        else:
            yes = rng.randrange(2, 6) if positive else rng.choice([0, 0, 0, 1])
            keys = rng.sample([f"q{n}" for n in range(1, 9)], 8)
            answers = {k: ("yes" if i < yes else rng.choice(["no", "no", "no", "unknown"])) for i, k in enumerate(keys)}
        if screening_tools.score(tool, answers).positive == positive:
            return answers


def _day_this_year(rng, today: dt.date) -> dt.date:
    first = dt.date(today.year, 1, 1)
    return first + dt.timedelta(days=rng.randrange((today - first).days + 1))


def _hospital(district) -> MedicalInstitution:
    hospitals = MedicalInstitution.objects.filter(region_code__startswith=district.code[:6],
                                                  kind=MedicalInstitution.Kind.HOSPITAL).order_by("pk")
    return hospitals.first() or MedicalInstitution.objects.get_or_create(
        name=f"{district.name}人民医院",
        defaults={"kind": MedicalInstitution.Kind.HOSPITAL, "level": MedicalInstitution.Level.SECONDARY,
                  "region_code": district.code, "phone": "0791-86000120"})[0]


def seed(*, district, rng, elders: int) -> str:
    today = timezone.localdate()
    prefix = district.code[:6]
    old = list(Elder.objects.filter(region_code__startswith=prefix, status=Elder.Status.ACTIVE,
                                    birth_date__lte=_years_before(today, 65)).order_by("pk").values_list("pk", flat=True))
    if not old:
        return ""
    hospital = _hospital(district)
    centres = list(MedicalInstitution.objects.filter(region_code__startswith=prefix).exclude(
        kind=MedicalInstitution.Kind.HOSPITAL).order_by("pk")) or [hospital]
    contracts = {c.elder_id: c.team for c in Contract.objects.valid_on(today).filter(elder_id__in=old)
                 .select_related("team")}
    doctor_of = {m.team_id: m.user for m in TeamMember.objects.filter(user__isnull=False).select_related("user")}
    screened = rng.sample(old, round(len(old) * SCREENED_SHARE))
    screenings = []
    for elder_id in screened:
        tool = rng.choice(["mini_cog", "ad8"])
        result = screening_tools.score(tool, _answers(rng, tool, rng.random() < POSITIVE_SHARE))
        team = contracts.get(elder_id)
        screenings.append(Screening(elder_id=elder_id, tool=tool, screened_on=_day_this_year(rng, today),
                                    answers=result.answers, score=result.score, positive=result.positive, team=team,
                                    recorded_by=doctor_of.get(team.pk) if team else None))
    Screening.objects.bulk_create(screenings)
    referrals = []
    others = rng.sample(old, min(len(old), max(2, len(old) // 100)))
    to_refer = [(s.elder_id, s.screened_on, REASONS[0], s.team) for s in screenings if s.positive and rng.random() < 0.6]
    to_refer += [(e, _day_this_year(rng, today), rng.choice(REASONS[1:]), contracts.get(e)) for e in others]
    for elder_id, day, reason, team in to_refer:
        referred_on = min(today, day + dt.timedelta(days=rng.randrange(0, 8)))
        r = Referral(elder_id=elder_id, to_institution=hospital, from_team=team, reason=reason,
                     urgent=rng.random() < 0.1, referred_on=referred_on,
                     recorded_by=doctor_of.get(team.pk) if team else None)
        step = rng.random()
        if step < 0.45 and (today - referred_on).days >= 14:
            r.status, r.received_on = Referral.Status.RETURNED, referred_on + dt.timedelta(days=rng.randrange(0, 4))
            r.returned_on = r.received_on + dt.timedelta(days=rng.randrange(3, 10))
            r.return_summary = SUMMARIES[0] if reason == REASONS[0] else rng.choice(SUMMARIES[1:])
        elif step < 0.75 and (today - referred_on).days >= 3:
            r.status, r.received_on = Referral.Status.RECEIVED, referred_on + dt.timedelta(days=rng.randrange(0, 3))
        elif step < 0.8:
            r.status = Referral.Status.CANCELLED
        referrals.append(r)
    Referral.objects.bulk_create(referrals)
    beds = rng.sample(old, min(len(old), max(3, len(old) // 200)))
    sickbeds = []
    for n, elder_id in enumerate(beds):
        code, _name = rng.choice(SICKBED_DIAGNOSES)
        opened = today - dt.timedelta(days=rng.randrange(5, 90))
        closed = n % 3 == 2
        sickbeds.append(Sickbed(
            elder_id=elder_id, institution=rng.choice(centres), diagnosis=code, opened_on=opened,
            closed_on=min(today, opened + dt.timedelta(days=rng.randrange(3, 30))) if closed else None,
            close_reason=rng.choice(CLOSE_REASONS) if closed else "", visits_per_week=rng.choice([1, 2, 3])))
    Sickbed.objects.bulk_create(sickbeds)
    positives = sum(s.positive for s in screenings)
    return (f"{len(screenings)} cognitive screenings ({positives} positive), {len(referrals)} referrals, "
            f"{sum(b.closed_on is None for b in sickbeds)} open home sickbeds")
