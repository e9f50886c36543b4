"""The health app's demo, checkups topic (kangyang/health/demo.py calls it): this year's and last
year's check-ups of the 65+ (about 75% and 72% examined; most complete, some missing a test or
two), plausible figures, and a health record number for about 80% of the elders. The team and
health centre are those of the elder's contract on the day (demo_contracts runs before), else
none. Bulk inserts, no per-row audit: it is seed data."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from kangyang.health.models import CHECKUP_PARTS, Checkup, Contract
from kangyang.regions import codes
from kangyang.registry.models import Elder, HealthRecord
from kangyang.registry.queries import _years_before

SHARE_THIS_YEAR = 0.75
SHARE_LAST_YEAR = 0.72
SHARE_COMPLETE = 0.88
SHARE_EHR = 0.80
TESTS = ("blood_routine", "urine_routine", "liver_function", "kidney_function", "lipids", "fasting_glucose_test",
         "ecg", "abdominal_ultrasound")
FINDINGS = ["", "", "", "血压偏高，建议低盐饮食并定期复测", "空腹血糖偏高，建议复查", "血脂偏高，建议饮食控制",
            "心电图示窦性心律", "腹部B超示脂肪肝", "建议适量运动，注意防跌倒"]
BATCH = 2000


def _figures(rng) -> dict:
    height = round(rng.gauss(160, 7), 1)
    weight = round(min(max(rng.gauss(61, 9), 38), 110), 1)
    systolic = int(min(max(rng.gauss(138, 17), 95), 200))
    diastolic = int(min(max(rng.gauss(80, 9), 55), systolic - 25))
    return {
        "systolic": systolic, "diastolic": diastolic, "heart_rate": int(min(max(rng.gauss(74, 9), 50), 110)),
        "fasting_glucose": round(min(max(rng.gauss(5.9, 1.3), 3.8), 15.0), 1),
        "weight_kg": weight, "height_cm": height, "bmi": round(weight / (height / 100) ** 2, 1),
    }


def _day_in(rng, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def seed(*, district, rng, elders: int) -> str:
    today = timezone.localdate()
    prefix = codes.prefix(district.code)
    people = list(Elder.objects.filter(region_code__startswith=prefix, status=Elder.Status.ACTIVE)
                  .values_list("pk", "birth_date"))
    if not people:
        return ""
    teams = {}  # elder → (team, institution, starts_on, ends_on) of her latest contract
    for c in (Contract.objects.filter(elder__region_code__startswith=prefix).select_related("team")
              .order_by("starts_on").values("elder_id", "team_id", "team__institution_id", "starts_on", "ends_on")):
        teams[c["elder_id"]] = c
    checkups, last_on = [], {}
    for year, share in ((today.year - 1, SHARE_LAST_YEAR), (today.year, SHARE_THIS_YEAR)):
        first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
        for pk, birth in people:
            if birth > _years_before(last, 65) or rng.random() >= share:
                continue
            day = _day_in(rng, first, last)
            parts = set(CHECKUP_PARTS)
            if rng.random() >= SHARE_COMPLETE:
                parts -= set(rng.sample(TESTS, rng.choice((1, 1, 2))))
            contract = teams.get(pk)
            on_contract = contract is not None and contract["starts_on"] <= day <= contract["ends_on"]
            checkup = Checkup(
                elder_id=pk, year=year, examined_on=day, figures=_figures(rng), findings=rng.choice(FINDINGS),
                self_care_score=rng.choice((0, 0, 0, 0, 1, 2, 3, 5, 8, 12, 20)),
                team_id=contract["team_id"] if on_contract else None,
                institution_id=contract["team__institution_id"] if on_contract else None,
                **{p: p in parts for p in CHECKUP_PARTS},
            )
            checkup.complete = all(getattr(checkup, p) for p in CHECKUP_PARTS)  # save() is not called
            checkups.append(checkup)
            last_on[pk] = day
    Checkup.objects.bulk_create(checkups, batch_size=BATCH, ignore_conflicts=True)

    records = list(HealthRecord.objects.filter(Q(elder__region_code__startswith=prefix))
                   .only("pk", "elder_id", "ehr_number", "ehr_opened_on", "last_checkup_on"))
    births = dict(people)
    with_ehr, changed = 0, []
    for health in records:
        touched = health.elder_id in last_on
        if touched:
            health.last_checkup_on = last_on[health.elder_id]
        if not health.ehr_number and rng.random() < SHARE_EHR:
            birth = births.get(health.elder_id)
            start = max(dt.date(2012, 1, 1), birth or dt.date(2012, 1, 1))
            health.ehr_opened_on = _day_in(rng, start, max(start, today - dt.timedelta(days=30)))
            health.ehr_number = f"{district.code[:6]}{health.ehr_opened_on:%Y}{health.elder_id:08d}"
            with_ehr += 1
            touched = True
        if touched:
            changed.append(health)
    HealthRecord.objects.bulk_update(changed, ["last_checkup_on", "ehr_number", "ehr_opened_on"], batch_size=BATCH)
    complete = sum(c.complete for c in checkups)
    return f"{len(checkups)} check-ups ({complete} complete), {with_ehr} health record numbers"
