"""Synthetic capability assessments for `kangyang demo` and `kangyang seed` (demo hook:
kangyang/ops/demo.py).

Who is assessed, and how they score, are assumptions for synthetic data, not statistics:
about 15% of elders aged 70+ and 3% of those in their sixties have a GB/T 42195 assessment,
three in four disabled (失能) elders and most severely disabled ones; levels lean towards
intact and mild loss, and towards severe loss among the disabled. Assessment dates spread
over the last 15 months, so with 12-month validity about a fifth have run out and some
are due within 30 days. A third of the assessed also have an MZ/T 039-2013 result from
2019–2022, imported as history.

Every assessment is scored by scoring.score and dated by actions.due_date, the functions
sign_assessment uses, then bulk-inserted; nobody signed them (signed_by is empty) and one
audit entry records the seeding. Whether an elder is assessed depends on the elder's id
only, and elders who have any assessment are left alone, so running `seed` again adds
assessments only among the elders it adds.
"""

import datetime as dt
import random
import zlib

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.assessment import actions, scoring
from kangyang.assessment.models import Assessment, ReassessmentRequest
from kangyang.assessment.standard import ITEMS, LEVEL_BANDS, PREVIOUS_STANDARD, STANDARD
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.regions.models import Region
from kangyang.registry.models import Elder

BATCH = 2000
# Share of elders with a GB/T 42195 assessment (assumptions, see the module docstring).
SHARE_60S, SHARE_70_PLUS, SHARE_DISABLED, SHARE_SEVERELY_DISABLED = 0.03, 0.15, 0.75, 0.6
# Final-level weights (levels 0–4) before the change rules.
# Elders not recorded as disabled mostly score intact: 失能 follows the assessment
# (registry.categories: level 1 or more), so these weights keep the disabled share plausible.
LEVELS_ABLE = (0.92, 0.06, 0.015, 0.005, 0.0)
LEVELS_DISABLED = (0.0, 0.08, 0.30, 0.35, 0.27)
DEMENTIA = (0.03, 0.15)  # an F00–F03 diagnosis, among the able and the disabled
TWO_RISK_EVENTS = (0.03, 0.10)  # two or more care-risk events in the last 30 days
MONTHS_BACK = 15
SHARE_HISTORY = 0.33
# Physical loss comes first in the dimensions that show it: items of these dimensions lose
# points more often (weights per dimension).
LOSS_WEIGHTS = {"self_care": 3, "motor": 3, "mental": 1, "perception_social": 2}
ASSESSORS = [
    "万丽", "熊伟", "胡敏", "涂建华", "邹小燕", "刘婷", "龚志刚", "罗静", "喻海涛", "饶春燕",
]
AGENCY = "西湖区老年人能力评估中心"  # the `elder` account's assessors; a district's: _agency()
PLACES = ["家中", "家中", "家中", "社区养老服务站", "养老机构"]


def _band(level: int) -> tuple[int, int]:
    """The totals of a preliminary level (Annex C.3)."""
    bands = dict((lvl, low) for low, lvl in LEVEL_BANDS)
    high = 90 if level == 0 else bands[level - 1] - 1
    return bands[level], high


# Items that rarely lose points: behaviour in the past month, and consciousness (0 is a
# stupor or coma), which is lost only by the most dependent.
RARE_LOSS = {"B.3.7": 0.3, "B.3.8": 0.5, "B.3.9": 0.05}


def _answers(rng: random.Random, total: int) -> dict[str, int]:
    """Answers adding up to `total`: full marks, then points taken one by one from items
    drawn with the dimension's loss weight (every item's options run from 0 to its maximum)."""
    answers = {item.code: item.max_points for item in ITEMS}
    weights = {item.code: RARE_LOSS.get(item.code, LOSS_WEIGHTS[item.dimension]) for item in ITEMS}
    codes = [item.code for item in ITEMS]
    for _i in range(90 - total):
        live = [c for c in codes if answers[c] > 0]
        code = rng.choices(live, weights=[weights[c] for c in live])[0]
        answers[code] -= 1
    return answers


def _chosen(elder_key: str, share: float) -> bool:
    """Whether an elder is among the assessed: decided by the elder alone (the keyed hash of
    the ID number), so that a second run, which looks again at every elder without an
    assessment, chooses nobody new among the elders of the first; and the same seed chooses
    the same elders whatever their row ids (PostgreSQL does not roll its sequences back)."""
    return zlib.crc32(f"assessed:{elder_key}".encode()) / 2**32 < share


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _agency(district: Region) -> str:
    return f"{district.name}老年人能力评估中心"


def _assessment(rng: random.Random, elder_id: int, region_code: str, disabled: bool, today: dt.date,
                agency: str = AGENCY) -> Assessment:
    weights = LEVELS_DISABLED if disabled else LEVELS_ABLE
    level = rng.choices(range(5), weights=weights)[0]
    low, high = _band(level)
    answers = _answers(rng, rng.randint(low, high))
    diagnoses = ["I10"] if rng.random() < 0.5 else []
    if rng.random() < DEMENTIA[disabled]:
        diagnoses.append(rng.choice(["F00.1", "F01.9", "F03"]))
    events = {}
    if rng.random() < TWO_RISK_EVENTS[disabled]:
        events = {"fall": rng.randint(1, 2), rng.choice(["choking", "lost", "other"]): 1}
    result = scoring.score(answers, diagnoses=diagnoses, risk_events_30d=events,
                           stack_raises=bool(getattr(settings, "ASSESSMENT_STACK_RAISES", False)))
    assessed_on = today - dt.timedelta(days=rng.randrange(MONTHS_BACK * 30))
    reason = rng.choices([Assessment.Reason.FIRST, Assessment.Reason.ROUTINE, Assessment.Reason.IMMEDIATE],
                         weights=[0.6, 0.35, 0.05])[0]
    signed_at = timezone.make_aware(dt.datetime.combine(assessed_on, dt.time(rng.randint(9, 16), rng.randrange(60))))
    first, second = rng.sample(ASSESSORS, 2)
    return Assessment(
        elder_id=elder_id, region_code=region_code, standard=STANDARD, reason=reason, assessed_on=assessed_on,
        place=rng.choice(PLACES), assessor_1=f"{first}（{agency}）", assessor_2=f"{second}（{agency}）",
        informant=rng.choice(["本人", "配偶", "子女", "护理员"]),
        diagnoses=diagnoses, risk_events_30d=events, answers=answers,
        dimension_scores=result.dimensions, total=result.total, preliminary_level=result.preliminary_level,
        final_level=result.final_level, level_change_reasons=result.reasons,
        stack_raises=bool(getattr(settings, "ASSESSMENT_STACK_RAISES", False)),
        status=Assessment.Status.SIGNED, signed_at=signed_at,
        valid_until=actions.due_date(assessed_on=assessed_on, reason=reason, final_level=result.final_level,
                                     previous_level=None),
        created_at=signed_at,
    )


def _legacy(rng: random.Random, elder_id: int, region_code: str, level: int) -> Assessment:
    """An MZ/T 039-2013 result of 2019–2022, about as bad as the later one (its scale ends at 3)."""
    assessed_on = dt.date(rng.randint(2019, 2021), rng.randint(1, 12), rng.randint(1, 28))
    old = max(0, min(3, level - rng.choice([0, 0, 1])))
    signed_at = timezone.make_aware(dt.datetime.combine(assessed_on, dt.time(10)))
    return Assessment(
        elder_id=elder_id, region_code=region_code, standard=PREVIOUS_STANDARD, reason=Assessment.Reason.OTHER,
        assessed_on=assessed_on, final_level=old, status=Assessment.Status.SIGNED, signed_at=signed_at,
        imported=True, note="演示数据：MZ/T 039-2013 历史评估结果", created_at=signed_at,
    )


def seed_demo(*, district: Region, rng: random.Random, elders: int) -> str:
    """Add assessments for elders of the district who have none (see the module docstring)."""
    today = timezone.localdate()
    candidates = (
        Elder.objects.filter(region_code__startswith=district.code[:6], status=Elder.Status.ACTIVE)
        .filter(~Exists(Assessment.objects.filter(elder=OuterRef("pk"))))
        .order_by("pk").values_list("pk", "id_number_hash", "birth_date", "categories_text", "region_code")
    )
    made = history = due = 0
    levels = [0] * 5
    assessed: list[int] = []
    batch: list[Assessment] = []
    for pk, key, birth, categories, region_code in candidates.iterator(chunk_size=5000):
        disabled = ",disabled," in categories
        severe = ",severely_disabled," in categories
        age = _age(birth, today)
        share = (SHARE_DISABLED if disabled else SHARE_SEVERELY_DISABLED if severe
                 else SHARE_70_PLUS if age >= 70 else SHARE_60S)
        if not _chosen(key, share):
            continue
        a = _assessment(rng, pk, region_code, disabled or severe, today, _agency(district))
        batch.append(a)
        assessed.append(pk)
        made += 1
        levels[a.final_level] += 1
        due += a.valid_until <= today + dt.timedelta(days=30)
        if rng.random() < SHARE_HISTORY:
            batch.append(_legacy(rng, pk, region_code, a.final_level))
            history += 1
        if len(batch) >= BATCH:
            Assessment.objects.bulk_create(batch)
            batch = []
    if batch:
        Assessment.objects.bulk_create(batch)
    # 失能 and 失智 of the assessed follow their assessment (in bulk, a few queries per 2,000).
    actions.refresh_elder_categories(assessed)
    if not made:
        return ""
    record(None, AuditEntry.Action.IMPORT, verb="demo.seed", region_code=district.code,
           note=_("%(made)d synthetic capability assessments, %(history)d imported MZ/T 039-2013 results")
           % {"made": made, "history": history})
    shares = ", ".join(f"{level}: {100 * n / made:.0f}%" for level, n in enumerate(levels))
    return _(
        "%(n)d signed assessments (final levels %(shares)s); %(due)d due within 30 days or expired; "
        "%(history)d imported MZ/T 039-2013 results"
    ) % {"n": made, "shares": shares, "due": due, "history": history}


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    """The `elder` account's own record gets an assessment by `worker_a` (moderate loss,
    signed 11 months ago, so due soon) and an MZ/T 039-2013 result as history; one other
    elder of worker_a's community is asked to be re-assessed. Does nothing done already, nor
    in the second district (no `elder` account there)."""
    if "elder" not in accounts:
        return ""
    worker = accounts["worker_a"]
    elder = Elder.objects.filter(user=accounts["elder"]).first()
    if elder is None or Assessment.objects.filter(elder=elder).exists():
        return ""
    today = timezone.localdate()
    actions.import_legacy_assessment(elder, by=worker, assessed_on=dt.date(2021, 6, 15), level=1,
                                     note="演示数据：MZ/T 039-2013 历史评估结果")
    total = 58  # moderate loss, 46–65
    actions.record_assessment(
        elder, by=worker, reason=Assessment.Reason.FIRST,
        assessed_on=actions.add_months(today, -11) - dt.timedelta(days=10),
        place="家中", assessor_1=f"万丽（{AGENCY}）", assessor_2=f"熊伟（{AGENCY}）",
        informant="王芳", informant_relation="女儿", answers=_answers(random.Random(f"elder:{elder.pk}"), total),
        diagnoses=["I10", "M19.9"], risk_events_30d={"fall": 1},
    )
    other = (
        Elder.objects.filter(community=elder.community, status=Elder.Status.ACTIVE,
                             categories_text__contains=",disabled,")
        .exclude(pk=elder.pk).order_by("pk").first()
    )
    if other is not None and not ReassessmentRequest.objects.filter(elder=other, fulfilled_by__isnull=True).exists():
        actions.request_reassessment(other, by=worker, reason="近期跌倒致髋部骨折，出院回家")
    return _("%(name)s: an assessment due soon and an MZ/T 039-2013 result as history") % {"name": elder.name}
