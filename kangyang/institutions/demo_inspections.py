"""Demo data of the institutions' inspections topic (kangyang/institutions/demo.py calls it): a
published pool of synthetic inspectors (no password: they cannot sign in), a conflict of
interest, and two plans drawn through the real draw: last year's second half and this year.
Their inspections are done over the past twelve months (most institutions inspected on site
once this year, a few not yet, a few still to come), with the checklist answered, some problems
found (each a hazard through open_hazard, some past their deadline and still open: overdue),
and the results published.

`seed_accounts` puts the demo `inspector` into the pool and gives them two upcoming (ad-hoc)
inspections, once."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import User
from kangyang.institutions import inspections as rules
from kangyang.institutions.actions import inspections as actions
from kangyang.institutions.models import Answer, Hazard, Inspection, Institution, InspectorPool

INSPECTORS = ["刘建华", "陈静", "杨志强", "赵丽萍", "黄伟", "周敏", "吴海燕", "孙立新"]
# Problems an inspector finds, by item: (what was found, severity, who answers for it, evidence).
PROBLEMS = {
    "risk.choking": ("吞咽困难老人进餐无人看护", "major", "护理部主任", "进餐看护记录"),
    "risk.wrong_intake": ("药品未按人分装，无核对记录", "major", "护理部主任", "分药核对记录照片"),
    "risk.pressure_injury": ("卧床老人翻身记录不全", "minor", "护理组长", "翻身记录"),
    "risk.scalds": ("浴室热水无恒温装置", "major", "后勤主管", "恒温阀安装照片"),
    "risk.bed_fall": ("部分床位护栏损坏", "minor", "后勤主管", "更换后照片"),
    "risk.falls": ("卫生间无扶手、地面湿滑", "major", "院长", "扶手与防滑垫照片"),
    "risk.wandering": ("出入口无登记，门禁失效", "major", "院长", "门禁维修单"),
    "risk.activities": ("活动室无安全提示", "minor", "社工", "张贴照片"),
    "fire.exits": ("安全出口堆放杂物", "serious", "安全员", "清理后照片"),
    "fire.equipment": ("灭火器过期", "major", "安全员", "新灭火器照片"),
    "fire.electrics": ("走廊内为电动车充电", "serious", "安全员", "整改照片"),
    "food.samples": ("食品留样不足48小时", "minor", "食堂负责人", "留样记录"),
    "records.contracts": ("部分入住老人未签服务合同", "minor", "办公室主任", "合同清单"),
    "records.incidents": ("跌倒事件未记录上报", "major", "护理部主任", "事件记录"),
}
SUMMARY = {
    Inspection.Outcome.PASSED: "检查未发现问题，机构安全管理规范。",
    Inspection.Outcome.PROBLEMS: "发现问题已当场反馈，责令限期整改。",
    Inspection.Outcome.SERIOUS: "发现重大隐患，责令立即整改并跟踪复查。",
}


def _inspectors(district, rng) -> list[User]:
    users = []
    for n, name in enumerate(INSPECTORS):
        username = f"inspector-{district.code}-{n + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=User.Role.INSPECTOR, region=district, full_name=f"{name}（演示）")
            user.set_unusable_password()
            user.save()
        users.append(user)
    return users


def _pool(district, inspectors) -> InspectorPool:
    pool = InspectorPool.objects.filter(region_code=district.code, published_at__isnull=False).first()
    if pool is None:
        pool = actions.create_pool(by=None, name=f"{district.name}养老机构监督检查人员名录库", region=district)
    for user in inspectors:
        pool.inspectors.add(user)
    return actions.publish_pool(pool, by=None)


def _when(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _carry_out(inspection: Inspection, *, on: dt.date, rng, today: dt.date) -> tuple[int, int]:
    """The checklist answered on `on` (most items in order, a few problems), finished and
    published. Returns (problems found, hazards still open past their deadline)."""
    by = inspection.inspectors.first()
    Inspection.objects.filter(pk=inspection.pk).update(
        status=Inspection.Status.IN_PROGRESS, done_on=on,
        started_at=timezone.make_aware(dt.datetime.combine(on, dt.time(9, rng.randint(0, 59)))))
    inspection.refresh_from_db()
    found = rng.sample(sorted(PROBLEMS), k=rng.choice([0, 0, 1, 1, 2, 3]))
    not_applicable = {"food.licence", "food.storage", "food.samples"} if inspection.institution.kind in (
        Institution.Kind.HOME_CARE_BEDS,) else set()
    Answer.objects.bulk_create([
        Answer(inspection=inspection, item=code,
               result=Answer.Result.NOT_APPLICABLE if code in not_applicable else Answer.Result.OK)
        for code in rules.ITEMS if code not in found])
    overdue = 0
    for code in found:
        text, severity, person, evidence = PROBLEMS[code]
        deadline = on + dt.timedelta(days={"serious": 7, "major": 30, "minor": 60}[severity])
        actions.answer_item(inspection, by=by, item=code, result=Answer.Result.PROBLEM, note=text, severity=severity,
                            responsible_person=person, deadline=deadline, evidence_required=evidence)
        overdue += deadline < today
    Hazard.objects.filter(inspection=inspection).update(
        created_at=timezone.make_aware(dt.datetime.combine(on, dt.time(11, 0))))
    outcome = (Inspection.Outcome.SERIOUS if any(PROBLEMS[c][1] == "serious" for c in found)
               else Inspection.Outcome.PROBLEMS if found else Inspection.Outcome.PASSED)
    actions.finish_inspection(inspection, by=by, outcome=outcome, summary=SUMMARY[outcome], done_on=on)
    actions.publish_inspection(inspection, by=by)
    return len(found), overdue


@transaction.atomic
def seed(*, district, rng, elders: int) -> str:
    institutions = list(Institution.objects.filter(region_code__startswith=district.prefix).open().order_by("pk"))
    if not institutions:
        return ""
    today = timezone.localdate()
    inspectors = _inspectors(district, rng)
    pool = _pool(district, inspectors)
    # A conflict of interest: the first inspector once worked for the first institution's organisation.
    actions.declare_conflict(by=None, inspector=inspectors[0], organisation=institutions[0].organisation,
                             reason="曾在该机构任职（演示）")
    n = len(institutions)
    last_year, year = today.year - 1, today.year
    plans = []
    # Last year's second half: about half the institutions, done between July (or a year ago,
    # whichever is later) and the year's end.
    first = actions.create_plan(
        by=None, name=f"{last_year}年下半年{district.name}养老机构“双随机”抽查", region=district, year=last_year,
        pool=pool, target_count=max(1, n // 2), due_by=dt.date(last_year, 12, 31), inspectors_per_target=2)
    # This year's: every institution but a few; most done, a few still to come.
    not_yet = max(1, n // 10) if n > 3 else 0
    second = actions.create_plan(
        by=None, name=f"{year}年{district.name}养老机构“双随机”抽查", region=district, year=year, pool=pool,
        target_count=max(1, n - not_yet), due_by=dt.date(year, 12, 31), inspectors_per_target=2)
    done = problems = overdue = 0
    for plan, start, end in (
            (first, max(dt.date(last_year, 7, 1), today - dt.timedelta(days=365)), dt.date(last_year, 12, 31)),
            (second, dt.date(year, 1, 1), today)):
        plan = actions.draw_plan(plan, by=None, seed=f"{rng.getrandbits(64):016x}")
        plans.append(plan)
        inspections = list(plan.inspections.select_related("institution").order_by("pk"))
        pending = max(1, len(inspections) // 8) if plan is not first and len(inspections) > 2 else 0
        for inspection in inspections[:len(inspections) - pending]:
            found, late = _carry_out(inspection, on=_when(rng, start, end), rng=rng, today=today)
            done += 1
            problems += found
            overdue += late
        actions.publish_plan(plan, by=None)
    return _("%(plans)d inspection plans drawn, %(done)d inspections done, %(problems)d problems found "
             "(%(overdue)d past their deadline)") % {
        "plans": len(plans), "done": done, "problems": problems, "overdue": overdue}


@transaction.atomic
def seed_accounts(*, accounts: dict, district, rng) -> str:
    inspector = accounts.get("inspector")
    if inspector is None:
        return ""
    pool = InspectorPool.objects.filter(region_code=district.code, published_at__isnull=False).first()
    if pool is None:
        return ""
    pool.inspectors.add(inspector)
    upcoming = Inspection.objects.filter(inspectors=inspector, plan__isnull=True).exclude(status=Inspection.Status.DONE)
    if upcoming.count() >= 2:
        return ""
    today = timezone.localdate()
    year = today.year
    inspected = Inspection.objects.filter(on_site=True, status=Inspection.Status.DONE, done_on__year=year)
    candidates = list(Institution.objects.filter(region_code__startswith=district.prefix).open()
                      .exclude(organisation__in=inspector.conflicts.values("organisation"))
                      .exclude(pk__in=upcoming.values("institution_id")).order_by("pk"))
    seen = set(inspected.values_list("institution_id", flat=True))
    candidates.sort(key=lambda i: i.pk in seen)  # those not yet inspected this year first
    made = 0
    for institution, days in zip(candidates, (5, 19)):
        if upcoming.count() >= 2:
            break
        actions.create_inspection(by=None, institution=institution, inspectors=[inspector],
                                  due_by=today + dt.timedelta(days=days))
        made += 1
    return _("%(n)d upcoming inspections for the inspector") % {"n": made} if made else ""
