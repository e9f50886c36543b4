"""Allowances of the demo district (hook: kangyang/ops/demo.py).

Only `seed_demo_accounts`: policies are made by the bureau admin and rolls reviewed by
people, so this runs once the demo accounts exist. It adds, unless done already:

* four policies of the district in force since January of last year: longevity, care and
  service allowances with example amounts, labelled 示例金额 (constants.EXAMPLE_*), and the
  nationwide consumption voucher preset;
* last month's rolls of every policy, generated, approved community → subdistrict →
  district and paid out (bank file made, vouchers credited). `worker_a`, `worker_b`,
  `subdistrict` and `admin` approve what is theirs. The other communities and
  subdistricts have no demo account, so a synthetic reviewer each (`reviewer-<code>`, who
  cannot sign in) approves theirs: each approval still goes through the action and the
  audit log;
* two deaths in worker_a's community reported late (dated before last month, recorded
  after it was paid), so the overpayment list has something to recover;
* this month's rolls, generated and left in draft for the demo accounts to review.

In the second district (kangyang/ops/demo.py) `accounts` holds only its bureau admin: the
same policies and rolls, every community and subdistrict approving through a synthetic
reviewer, and no late deaths (they are `worker_a`'s).
"""

import datetime as dt
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import User
from kangyang.regions.models import Region
from kangyang.registry.actions import set_elder_status
from kangyang.registry.models import Elder
from kangyang.allowances import actions, constants
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import CASH_KINDS, PaymentLine, PaymentRoll, Policy

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
    if roll.policy.kind in CASH_KINDS:
        actions.export_bank_file(roll, by=admin)  # the file itself is not kept
    else:
        actions.credit_voucher_roll(roll, by=admin)


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    admin = accounts["admin"]
    this_month = rules.month_start(timezone.localdate())
    last_month = rules.previous_month(this_month)
    policies = _policies(admin, district, since=dt.date(this_month.year - 1, 1, 1))
    done = []

    if not PaymentRoll.objects.filter(policy__in=policies, month=last_month).exists():
        reviewer = _reviewers(accounts, district)
        for policy in policies:
            actions.generate_payment_rolls(policy=policy, month=last_month, region=district)
        rolls = PaymentRoll.objects.filter(policy__in=policies, month=last_month).select_related(
            "policy", "region", "region__parent").order_by("policy_id", "region_code")
        for roll in rolls:
            _review_and_pay(roll, reviewer=reviewer, admin=admin)
        paid = rolls.filter(status=S.EXPORTED)
        done.append(_("%(month)s: %(n)d rolls paid out, %(lines)d payments, ¥%(total)s") % {
            "month": last_month.strftime("%Y-%m"), "n": paid.count(),
            "lines": sum(r.line_count for r in paid), "total": rules.money(sum((r.total for r in paid), 0))})
        if "worker_a" in accounts:
            done.append(_late_deaths(accounts["worker_a"], last_month=last_month, rng=rng))

    if not PaymentRoll.objects.filter(policy__in=policies, month=this_month).exists():
        for policy in policies:
            actions.generate_payment_rolls(policy=policy, month=this_month, region=district)
        drafts = PaymentRoll.objects.filter(policy__in=policies, month=this_month)
        done.append(_("%(month)s: %(n)d draft rolls to review") % {
            "month": this_month.strftime("%Y-%m"), "n": drafts.count()})
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
