"""Allowances of the demo district (hook: kangyang/ops/demo.py).

Only `seed_demo_accounts`: policies are made by the bureau admin and rolls reviewed by
people, so this runs once the demo accounts exist. It adds, unless done already:

* four policies of the district in force since January of last year: longevity, care and
  service allowances with example amounts, labelled 示例金额 (constants.EXAMPLE_*), and the
  nationwide consumption voucher preset;
* approved applications for the elders the policies pay, and survival certifications, a
  few overdue (seed_applications_and_certifications);
* last month's rolls of every policy, generated, approved community → subdistrict →
  district and paid out (cash through one bank batch per policy, with a return file of two
  failures, one corrected: seed_bank_batches; vouchers credited). `worker_a`, `worker_b`,
  `subdistrict` and `admin` approve what is theirs. The other communities and
  subdistricts have no demo account, so a synthetic reviewer each (`reviewer-<code>`, who
  cannot sign in) approves theirs: each approval still goes through the action and the
  audit log;
* two deaths in worker_a's community reported late (dated before last month, recorded
  after it was paid), so the overpayment list has something to recover;
* this month's rolls, generated and left in draft for the demo accounts to review, a few
  applications on public notice, one with an objection answered (seed_notices), and a
  survival photo the `family` account sent for her mother, waiting for `worker_a`'s review
  (seed_survival_photo);
* last month's longevity batch made once with the wrong layout and cancelled before it was
  remade and paid, so the batch list shows a cancelled batch with its reason.

In the second district (kangyang/ops/demo.py) `accounts` holds only its bureau admin: the
same policies and rolls, every community and subdistrict approving through a synthetic
reviewer, and no late deaths (they are `worker_a`'s).
"""

import datetime as dt
import random
import struct
import zlib

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import User
from kangyang.regions.models import Region
from kangyang.registry.actions import set_elder_status
from kangyang.registry.models import Elder
from kangyang.allowances import actions, constants
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import CASH_KINDS, Application, PaymentLine, PaymentRoll, Policy, SurvivalCheck

R = User.Role
S = PaymentRoll.Status
EXAMPLE_NOTE = "示例金额：演示用，不是任何地方的实际标准。"
PRESET_NOTE = "全国养老服务消费补贴预设（中度及以上失能）：请以民政部、财政部最新通知核对。"
LATE_DEATHS = 2


def _policies(admin: User, district: Region, since: dt.date) -> list[Policy]:
    existing = list(Policy.objects.filter(region=district).order_by("pk"))
    if existing:
        return existing
    examples = [
        (Policy.Kind.LONGEVITY, "高龄津贴（示例金额）", constants.EXAMPLE_LONGEVITY_BANDS),
        (Policy.Kind.CARE, "护理补贴（示例金额）", constants.EXAMPLE_CARE_BANDS),
        (Policy.Kind.SERVICE, "服务补贴（示例金额）", constants.EXAMPLE_SERVICE_BANDS),
    ]
    policies = [
        actions.create_policy(by=admin, kind=kind, name=name, region=district, effective_from=since, bands=bands,
                              is_example=True, note=EXAMPLE_NOTE)
        for kind, name, bands in examples
    ]
    policies.append(actions.create_policy(
        by=admin, kind=Policy.Kind.CONSUMPTION_VOUCHER, name="养老服务消费补贴", region=district,
        effective_from=since, note=PRESET_NOTE, **constants.CONSUMPTION_VOUCHER_PRESET,
    ))
    return policies


def _reviewers(accounts: dict, district: Region):
    """A function: (role, region) → the user who approves that step for the region."""
    known = {
        (role, accounts[name].region_id): accounts[name]
        for role, name in ((R.COMMUNITY_WORKER, "worker_a"), (R.COMMUNITY_WORKER, "worker_b"),
                           (R.SUBDISTRICT_OFFICER, "subdistrict"))
        if name in accounts
    }

    def reviewer(role: str, region: Region) -> User:
        if (role, region.pk) not in known:
            user = User.objects.filter(username=f"reviewer-{region.code}").first()
            if user is None:
                user = User(username=f"reviewer-{region.code}", role=role, region=region,
                            full_name=f"{region.name}审核员（演示）")
                user.set_unusable_password()
                user.save()
            known[(role, region.pk)] = user
        return known[(role, region.pk)]

    return reviewer


def _review_and_pay(roll: PaymentRoll, *, reviewer, admin: User) -> None:
    community = roll.region
    actions.approve_payment_roll(roll, by=reviewer(R.COMMUNITY_WORKER, community), note="演示数据")
    actions.approve_payment_roll(roll, by=reviewer(R.SUBDISTRICT_OFFICER, community.parent), note="演示数据")
    roll = actions.approve_payment_roll(roll, by=admin, note="演示数据")
    if roll.policy.kind not in CASH_KINDS:  # cash goes through one bank batch (seed_bank_batches)
        actions.credit_voucher_roll(roll, by=admin)


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    admin = accounts["admin"]
    this_month = rules.month_start(timezone.localdate())
    last_month = rules.previous_month(this_month)
    policies = _policies(admin, district, since=dt.date(this_month.year - 1, 1, 1))
    done = []

    done.append(seed_applications_and_certifications(
        policies, accounts=accounts, district=district, month=last_month, rng=rng))
    if not PaymentRoll.objects.filter(policy__in=policies, month=last_month).exists():
        reviewer = _reviewers(accounts, district)
        for policy in policies:
            actions.generate_payment_rolls(policy=policy, month=last_month, region=district)
        rolls = PaymentRoll.objects.filter(policy__in=policies, month=last_month).select_related(
            "policy", "region", "region__parent").order_by("policy_id", "region_code")
        for roll in rolls:
            _review_and_pay(roll, reviewer=reviewer, admin=admin)
        batches = seed_bank_batches(policies, accounts=accounts, district=district, month=last_month)
        paid = rolls.filter(status=S.EXPORTED)
        done.append(_("%(month)s: %(n)d rolls paid out, %(lines)d payments, ¥%(total)s") % {
            "month": last_month.strftime("%Y-%m"), "n": paid.count(),
            "lines": sum(r.line_count for r in paid), "total": rules.money(sum((r.total for r in paid), 0))})
        done.append(batches)
        if "worker_a" in accounts:
            done.append(_late_deaths(accounts["worker_a"], last_month=last_month, rng=rng))

    if not PaymentRoll.objects.filter(policy__in=policies, month=this_month).exists():
        for policy in policies:
            actions.generate_payment_rolls(policy=policy, month=this_month, region=district)
        drafts = PaymentRoll.objects.filter(policy__in=policies, month=this_month)
        done.append(_("%(month)s: %(n)d draft rolls to review") % {
            "month": this_month.strftime("%Y-%m"), "n": drafts.count()})
        if "worker_a" in accounts:
            done.append(seed_notices(policies, worker=accounts["worker_a"], rng=rng))
    if "family" in accounts:
        done.append(seed_survival_photo(family=accounts["family"]))
    return "; ".join(d for d in done if d)


def _late_deaths(worker: User, *, last_month: dt.date, rng: random.Random) -> str:
    """Deaths before last month, recorded only now: last month's payment is an overpayment."""
    paid = list(
        PaymentLine.objects.filter(month=last_month, region_code=worker.region.code, elder__user__isnull=True,
                                   elder__status=Elder.Status.ACTIVE)
        .order_by("elder_id").values_list("elder_id", flat=True).distinct()[:50]
    )
    chosen = rng.sample(paid, min(LATE_DEATHS, len(paid)))
    for elder in Elder.objects.filter(pk__in=chosen):
        day = rules.previous_month(last_month) + dt.timedelta(days=rng.randint(0, 20))
        set_elder_status(elder, by=worker, status=Elder.Status.DECEASED, on=day,
                         note="演示数据：家属迟报死亡，上月补贴已发放，列入待追回")
    return _("%(n)d deaths reported late, listed for recovery") % {"n": len(chosen)} if chosen else ""


# -- applications, public notice, survival certification, bank batches (issue 12) ------------------
PAUSED = 3  # elders of worker_a's community whose survival certification is overdue
ON_NOTICE = 3


def _entitled_without_application(policy: Policy, *, month: dt.date, district: Region) -> list[int]:
    """Elder ids the policy would pay in the month if no application were needed."""
    from django.db import connection

    version = rules.version_in_force(policy, month)
    version.policy = policy
    policy.needs_application = False  # in memory only: who is entitled by the rules
    try:
        sql, params = rules.eligible_rows_sql(version, prefix=district.prefix, month=month)
    finally:
        policy.needs_application = True
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT y.elder_id FROM ({sql}) y ORDER BY y.elder_id", params)
        return [row[0] for row in cursor.fetchall()]


def seed_applications_and_certifications(policies, *, accounts: dict, district: Region, month: dt.date,
                                         rng: random.Random) -> str:
    """The demo's elders who receive allowances are treated as approved: each has an
    application approved before the policy's first demo month (recorded at the counter by
    their community's worker), as a real bureau that starts using Kangyang would record
    (a database upgraded from an earlier version gets the same through migration 0005).
    Every one of them has a survival certification from the last eleven months, but for
    PAUSED elders of worker_a's community whose last one is 14 months old: their payments
    pause. Survival certification is required since the policies began."""
    if Application.objects.filter(policy__in=policies).exists():
        return ""
    admin, worker = accounts["admin"], accounts.get("worker_a")  # the second district has no worker_a
    first = min(p.versions.order_by("effective_from").first().effective_from for p in policies)
    decided = first - dt.timedelta(days=20)
    Policy.objects.filter(pk__in=[p.pk for p in policies]).update(survival_since=first)
    for policy in policies:  # the rolls are generated from these objects
        policy.survival_since = first
    regions = dict(Elder.objects.filter(region_code__startswith=district.prefix).values_list("pk", "region_code"))
    recipients: set[int] = set()
    for policy in policies:
        ids = _entitled_without_application(policy, month=month, district=district)
        recipients.update(ids)
        Application.objects.bulk_create(
            Application(elder_id=e, policy=policy, region_code=regions[e], applicant=Application.Applicant.ELDER,
                        applicant_name="本人", channel=Application.Channel.COUNTER, applied_on=decided,
                        status=Application.Status.APPROVED, notice_from=decided, notice_until=decided,
                        decided_on=decided, decided_by=admin, created_by=admin)
            for e in ids
        )
    ordered = sorted(recipients)
    in_a = [e for e in ordered if worker and regions[e] == worker.region.code]
    overdue = set(rng.sample(in_a, min(PAUSED, len(in_a))))
    today = timezone.localdate()
    methods = list(SurvivalCheck.Method.values)
    checks = []
    for elder_id in ordered:
        if elder_id in overdue:
            day = rules.months_before(rules.month_start(today), 14) + dt.timedelta(days=rng.randint(0, 20))
        else:
            day = today - dt.timedelta(days=rng.randint(40, 330))
        checks.append(SurvivalCheck(
            elder_id=elder_id, region_code=regions[elder_id], method=rng.choice(methods), checked_on=day,
            evidence="演示数据：见到本人", recorded_by=worker or admin, reviewed_by=worker or admin,
            reviewed_at=timezone.now(),
        ))
    SurvivalCheck.objects.bulk_create(checks, batch_size=2000)
    return _("%(n)d recipients approved and certified; %(paused)d overdue for survival certification") % {
        "n": len(ordered), "paused": len(overdue)}


def seed_bank_batches(policies, *, accounts: dict, district: Region, month: dt.date) -> str:
    """Each cash policy's month paid through one bank batch; the longevity allowance's bank
    return file has two failures in worker_a's community, one corrected since (paid again
    as back pay in this month's roll), the other still held."""
    admin, worker = accounts["admin"], accounts.get("worker_a")
    today = timezone.localdate()
    made = []
    for policy in policies:
        if policy.kind not in CASH_KINDS or not PaymentRoll.objects.filter(
                policy=policy, month=month, status=S.DISTRICT_APPROVED, batch__isnull=True).exists():
            continue
        batch = actions.prepare_payout_batch(by=admin, policy=policy, month=month, region=district)
        if policy.kind == Policy.Kind.LONGEVITY and worker is not None:
            # Made once with the wrong layout and cancelled before the bank had it: its rolls
            # went into the batch made again just after.
            actions.cancel_payout_batch(batch, by=admin, reason="演示数据：选错了银行代发格式，作废后重新生成")
            batch = actions.prepare_payout_batch(by=admin, policy=policy, month=month, region=district)
        batch = actions.record_batch_paid(batch, by=admin, bank_reference=f"演示代发-{month:%Y%m}-{policy.pk:03d}",
                                          paid_on=today)
        made.append(batch)
    longevity = next((b for b in made if b.policy.kind == Policy.Kind.LONGEVITY), None)
    if longevity is None or worker is None:  # the return file's failures are worker_a's
        return ""
    paid = PaymentLine.objects.filter(roll__batch=longevity, elder__user__isnull=True).select_related("elder")
    lines = list(paid.filter(region_code=worker.region.code).order_by("elder_id")[:2])
    lines += list(paid.exclude(pk__in=[line.pk for line in lines]).order_by("region_code", "elder_id")[:2 - len(lines)])
    if len(lines) < 2:
        return ""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["身份证号", "金额", "状态", "失败原因"])
    writer.writerow([lines[0].elder._id_number(), f"{lines[0].amount:.2f}", "失败", "账户已销户"])
    writer.writerow([lines[1].elder._id_number(), f"{lines[1].amount:.2f}", "失败", "户名与账号不符"])
    actions.import_bank_return(longevity, by=admin, data=out.getvalue().encode("utf-8-sig"),
                               filename=f"回盘-{month:%Y%m}.csv")
    actions.correct_failed_payment(
        PaymentLine.objects.get(pk=lines[0].pk), by=worker if lines[0].region_code == worker.region.code else admin, note="演示数据：家属提供新开社保卡账户",
        holder_name=lines[0].elder.name, bank_name="中国邮政储蓄银行", account_number="6217994200001357",
    )
    return _("%(n)d bank batches paid; a return file with two failed payments, one corrected") % {"n": len(made)}


def seed_notices(policies, *, worker: User, rng: random.Random) -> str:
    """A few applications of worker_a's community on public notice (one with an objection,
    answered) and one submitted, for the longevity allowance by elders close to 80."""
    policy = next((p for p in policies if p.kind == Policy.Kind.LONGEVITY), None)
    if policy is None or Application.objects.filter(policy=policy, status__in=[
            Application.Status.SUBMITTED, Application.Status.ON_NOTICE]).exists():
        return ""
    today = timezone.localdate()
    candidates = list(
        Elder.objects.filter(region_code=worker.region.code, status=Elder.Status.ACTIVE, user__isnull=True,
                             birth_date__gt=rules.years_before(today, 80),
                             birth_date__lte=rules.years_before(today, 76))
        .exclude(allowance_applications__policy=policy).order_by("pk")[:50]
    )
    chosen = rng.sample(candidates, min(ON_NOTICE + 1, len(candidates)))
    for index, elder in enumerate(chosen):
        application = actions.submit_application(
            elder, by=worker, policy=policy, applicant=rng.choice(list(Application.Applicant.values)),
            applicant_name=elder.name if index % 2 == 0 else "家属", channel=Application.Channel.COUNTER,
            applied_on=today - dt.timedelta(days=3),
        )
        if index == len(chosen) - 1:
            continue  # submitted, waiting to be put on notice
        application = actions.publish_notice(application, by=worker, start=today - dt.timedelta(days=index + 1))
        if index == 0:
            objection = actions.record_objection(application, by=worker, received_on=today,
                                                 content="演示数据：邻居反映老人常住外地", objector="")
            actions.answer_objection(objection, by=worker, finding="演示数据：经入户核实，老人常住本社区")
    return _("%(n)d applications on public notice") % {"n": max(len(chosen) - 1, 0)}


def _demo_png(width: int = 96, height: int = 128) -> bytes:
    """A plain picture standing in for a photo (a soft vertical gradient), written as a PNG
    without an imaging library."""
    rows = b"".join(
        b"\x00" + bytes((236 - y // 4, 214 - y // 5, 196 - y // 6)) * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def seed_survival_photo(*, family: User) -> str:
    """The `family` account's mother sends her survival photo through her daughter's app; it
    waits on worker_a's survival list for review. Once."""
    elder = Elder.objects.visible_to(family).order_by("pk").first()
    if elder is None or SurvivalCheck.objects.filter(elder=elder, method=SurvivalCheck.Method.PHOTO,
                                                     status=SurvivalCheck.Status.SUBMITTED).exists():
        return ""
    actions.record_survival_check(elder, by=family, method=SurvivalCheck.Method.PHOTO,
                                  checked_on=timezone.localdate(), evidence="演示数据：女儿在家中为母亲拍摄",
                                  photo=ContentFile(_demo_png(), name="photo.png"))
    return _("a survival photo of %(name)s waiting for review") % {"name": elder.name}
