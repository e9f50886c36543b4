"""The health app's demo, records topic (kangyang/health/demo.py calls it): coded chronic
conditions from the registry demo's free-text conditions (高血压 → I10, 糖尿病 → E11, …; the
registry demo draws them by age band after published prevalence, so about half of the 65+ have
hypertension and a fifth diabetes), the medicines that go with them, and disabilities with a
certificate grade for the 失能 and 重残 elders. Bulk-inserted (the demo's district has tens of
thousands of elders); the demo `elder` account's record goes through the actions."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from kangyang.health.actions.records import NAMES, programme_for
from kangyang.health.models import Condition, Disability, Medication
from kangyang.registry.models import Elder, HealthRecord

# The registry demo's words → ICD-10 (categories; a hospital would write a subdivision).
CODES = {
    "高血压": "I10", "糖尿病": "E11", "冠心病": "I25", "脑卒中后遗症": "I69", "慢阻肺": "J44",
    "骨关节炎": "M19", "阿尔茨海默病": "G30", "帕金森病": "G20", "高脂血症": "E78", "白内障": "H25",
    "慢性胃炎": "K29",
}
CONDITION_NAMES = {**NAMES, "E78": "高脂血症", "K29": "慢性胃炎", "H25": "白内障"}
# The medicines a family doctor commonly prescribes for them: (name, dose, how often).
MEDICINES = {
    "I10": [("苯磺酸氨氯地平片", "5mg", "每日一次"), ("缬沙坦胶囊", "80mg", "每日一次"),
            ("厄贝沙坦片", "150mg", "每日一次")],
    "E11": [("盐酸二甲双胍片", "0.5g", "每日两次"), ("阿卡波糖片", "50mg", "每日三次，随餐")],
    "I25": [("阿司匹林肠溶片", "100mg", "每日一次"), ("阿托伐他汀钙片", "20mg", "每晚一次")],
    "E78": [("阿托伐他汀钙片", "20mg", "每晚一次")],
    "J44": [("噻托溴铵粉吸入剂", "18μg", "每日一次")],
    "G30": [("盐酸多奈哌齐片", "5mg", "每晚一次")],
    "G20": [("多巴丝肼片", "125mg", "每日三次")],
    "I69": [("氯吡格雷片", "75mg", "每日一次")],
}
TAKES_MEDICINE = 0.85  # of those with a condition that has a medicine above
BATCH = 2000


def _codes(text: str) -> list[str]:
    return list(dict.fromkeys(code for word, code in CODES.items() if word in (text or "")))


def seed(*, district, rng, elders: int) -> str:
    today = timezone.localdate()
    records = (HealthRecord.objects.filter(region_code__startswith=district.code[:6])
               .exclude(chronic_conditions="")
               .values_list("elder_id", "chronic_conditions").order_by("elder_id"))
    done = set(Condition.objects.filter(elder__region_code__startswith=district.code[:6])
               .values_list("elder_id", flat=True).distinct())
    conditions, medications = [], []
    for elder_id, text in records.iterator(chunk_size=BATCH):
        if elder_id in done:
            continue
        for code in _codes(text):
            diagnosed = today - dt.timedelta(days=rng.randint(200, 365 * 15))
            conditions.append(Condition(elder_id=elder_id, code=code, name=CONDITION_NAMES.get(code, ""),
                                        programme=programme_for(code), diagnosed_on=diagnosed))
            if code in MEDICINES and rng.random() < TAKES_MEDICINE:
                name, dose, often = rng.choice(MEDICINES[code])
                medications.append(Medication(elder_id=elder_id, name=name, dose=dose, frequency=often,
                                              started_on=diagnosed + dt.timedelta(days=rng.randint(0, 60))))
    Condition.objects.bulk_create(conditions, batch_size=BATCH, ignore_conflicts=True)
    Medication.objects.bulk_create(medications, batch_size=BATCH)
    disabilities = []
    disabled = (Elder.objects.filter(region_code__startswith=district.code[:6])
                .filter(Q(categories_text__contains=",disabled,") | Q(categories_text__contains=",severely_disabled,"))
                .exclude(disabilities__isnull=False).values_list("pk", "categories_text"))
    for elder_id, categories in disabled.iterator(chunk_size=BATCH):
        if ",severely_disabled," in categories:  # 重残: a certificate of grade 1 or 2
            kind = rng.choice([Disability.Kind.PHYSICAL] * 3 + [Disability.Kind.VISUAL, Disability.Kind.MULTIPLE])
            disabilities.append(Disability(elder_id=elder_id, kind=kind, grade=rng.choice([1, 2])))
        elif rng.random() < 0.4:  # 失能 without a certificate mostly; some hold one of grade 3 or 4
            disabilities.append(Disability(elder_id=elder_id, kind=Disability.Kind.PHYSICAL, grade=rng.choice([3, 4])))
    Disability.objects.bulk_create(disabilities, batch_size=BATCH, ignore_conflicts=True)
    coded = len({c.elder_id for c in conditions})
    return (f"health records: {len(conditions)} coded conditions for {coded} elders, "
            f"{len(medications)} medicines, {len(disabilities)} disabilities")


def seed_accounts(*, accounts: dict, district, rng) -> str:
    """The demo `elder`: hypertension (I10) with a medicine, and her consent that her daughter is
    told of her health alerts. Recorded by the area's community worker as the doctor told her (the
    family-doctor team is attached later by the contracts topic)."""
    user = accounts.get("elder")
    elder = Elder.objects.filter(user=user).first() if user is not None else None
    if elder is None:
        return ""
    today = timezone.localdate()
    if not Condition.objects.filter(elder=elder, code="I10").exists():
        Condition.objects.create(elder=elder, code="I10", name=NAMES["I10"], programme=programme_for("I10"),
                                 diagnosed_on=today - dt.timedelta(days=365 * 6))
    if not Medication.objects.filter(elder=elder).exists():
        Medication.objects.create(elder=elder, name="苯磺酸氨氯地平片", dose="5mg", frequency="每日一次",
                                  started_on=today - dt.timedelta(days=365 * 6 - 30))
    HealthRecord.objects.update_or_create(elder=elder, defaults={"region_code": elder.region_code,
                                                                 "alerts_to_family": True})
    return "the elder account: hypertension, a medicine, alerts to the family"
