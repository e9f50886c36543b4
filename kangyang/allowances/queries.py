"""Reads of allowances, and who may do what with them. Views, API and exports start here.

Who may
* see rolls, runs and the recovery list: staff who work with allowances (bureau admin,
  subdistrict officer, community worker), for their area (models.allowance_filter);
* see an elder's eligibility, payments and voucher balance: those staff for elders of
  their area, and the elder and their family (the elder loaded through the registry's
  gate first, so anyone else already got a 404);
* approve a roll: the step's reviewer (community worker → subdistrict officer → bureau
  admin) whose area covers the roll's community;
* edit policies, pay out (bank file, voucher credit): the bureau admin of the policy's area.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Max, OuterRef
from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.regions import codes
from kangyang.registry.models import Elder
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import (
    VOUCHER_KINDS, Application, Objection, SurvivalCheck, PausedPayment, PaymentLine, PaymentRoll, PayoutBatch, Policy, PolicyVersion, Recovery,
    RollRun, VoucherBalance, allowance_filter,
)

R = User.Role
S = PaymentRoll.Status
ZERO = Decimal("0.00")

# status → (next status, the role that approves this step)
APPROVAL_STEPS = {
    S.DRAFT: (S.COMMUNITY_APPROVED, R.COMMUNITY_WORKER),
    S.COMMUNITY_APPROVED: (S.SUBDISTRICT_APPROVED, R.SUBDISTRICT_OFFICER),
    S.SUBDISTRICT_APPROVED: (S.DISTRICT_APPROVED, R.BUREAU_ADMIN),
}


# -- who may ---------------------------------------------------------------------------------
def works_with_allowances(user) -> bool:
    """Staff whose role works with allowances, attached to an area of the region tree."""
    return scope.allowance_role(user) and scope.area_prefix(user) is not None


def can_generate(user, region_code: str) -> bool:
    return works_with_allowances(user) and scope.in_area(user, region_code)


def can_manage_policies(user, region_code: str) -> bool:
    """Policies are the bureau's: its admin, for regions of their area."""
    return scope.bureau_admin_of(user, region_code)


def can_pay_out(user, roll: PaymentRoll) -> bool:
    """The bank file (full ID numbers) and voucher credits: the bureau admin only."""
    return scope.bureau_admin_of(user, roll.region_code)


def can_pay_out_in(user, region_code: str) -> bool:
    """Bank batches (their files hold full ID numbers), paid records and return files: the
    bureau admin of the area."""
    return scope.bureau_admin_of(user, region_code)


def can_correct_payment(user, line: PaymentLine) -> bool:
    """A payment the bank returned is corrected by staff who may change the payee's
    account: the community worker, subdistrict officer or bureau admin of the elder's area."""
    return can_edit_payee_account(user, line.elder) and scope.in_area(user, line.region_code)


def approval_step(user, roll: PaymentRoll) -> str | None:
    """The status `user` may move the roll to now, or None."""
    step = APPROVAL_STEPS.get(roll.status)
    if step is None or not user.is_authenticated:
        return None
    next_status, role = step
    return next_status if user.role == role and scope.in_area(user, roll.region_code) else None


def can_return(user, roll: PaymentRoll) -> bool:
    """A reviewer of the roll's area may send an approved, unpaid roll back to draft."""
    return (
        roll.status in (S.COMMUNITY_APPROVED, S.SUBDISTRICT_APPROVED, S.DISTRICT_APPROVED)
        and user.is_authenticated and user.role in scope.ALLOWANCE_ROLES
        and scope.in_area(user, roll.region_code)
    )


def can_see_elder_allowances(user, elder: Elder) -> bool:
    """For an elder already loaded through registry.queries.get_elder_for(user, ...)."""
    if scope.is_personal(user):
        return True
    return works_with_allowances(user) and scope.in_area(user, elder.region_code)


def can_edit_payee_account(user, elder: Elder) -> bool:
    return user.role in scope.ALLOWANCE_ROLES and scope.can_edit(user, elder.region_code)


# -- policies --------------------------------------------------------------------------------
def policies_for(user):
    return Policy.objects.visible_to(user).select_related("region")


def get_policy_for(user, policy_id: int) -> Policy:
    return get_object_or_404(policies_for(user), pk=policy_id)


def versions_of(policy: Policy):
    return policy.versions.prefetch_related("bands").select_related("created_by").order_by("-effective_from")


def current_version(policy: Policy, *, on: dt.date) -> PolicyVersion | None:
    return rules.version_in_force(policy, rules.month_start(on))


def latest_closed_month(policy: Policy) -> dt.date | None:
    """The last month with a roll past draft: a new version must start after it."""
    return (
        PaymentRoll.objects.filter(policy=policy).exclude(status=S.DRAFT)
        .order_by("-month").values_list("month", flat=True).first()
    )


# -- rolls -----------------------------------------------------------------------------------
def rolls_for(user, *, month: dt.date | None = None, policy: int | None = None, status: str = "",
              region: str = ""):
    qs = PaymentRoll.objects.visible_to(user).select_related("policy", "region")
    if month:
        qs = qs.filter(month=rules.month_start(month))
    if policy:
        qs = qs.filter(policy_id=policy)
    if status:
        qs = qs.filter(status=status) if status in S.values else qs.none()
    if region:
        try:
            qs = qs.filter(region_code__startswith=codes.prefix(region))
        except ValidationError:
            qs = qs.none()
    return qs


def get_roll_for(user, roll_id: int) -> PaymentRoll:
    """The only way views and API handlers load a roll. Outside scope → 404."""
    return get_object_or_404(
        PaymentRoll.objects.visible_to(user).select_related("policy", "version", "region", "region__parent"),
        pk=roll_id,
    )


def roll_lines(roll: PaymentRoll):
    return (
        roll.lines.select_related("elder", "band")
        .only("amount", "level", "means", "month", "region_code", "band__age_from", "band__age_to",
              "band__level_from", "band__level_to", "band__means", "band__amount", "elder__name",
              "elder__birth_date", "elder__id_number_encrypted", "elder__status", "elder__status_date",
              "elder__region_code", "roll_id", "elder_id", "band_id")
        .order_by("elder__name", "elder_id")
    )


def stopped_lines(roll: PaymentRoll):
    """Lines of elders who, since the roll was made, were recorded as dead or moved out
    before its month: to pay them would be an overpayment."""
    return roll.lines.filter(
        elder__status__in=[Elder.Status.DECEASED, Elder.Status.MOVED_OUT], elder__status_date__lt=F("month"),
    )


def runs_for(user, *, limit: int = 10):
    return RollRun.objects.visible_to(user).select_related("policy", "region")[:limit]


def runs_in_progress(roll: PaymentRoll) -> bool:
    """A generation of this roll's policy and month is queued or running over its community."""
    return any(
        roll.region_code.startswith(codes.prefix(code))
        for code in RollRun.objects.filter(
            policy=roll.policy_id, month=roll.month,
            status__in=[RollRun.Status.QUEUED, RollRun.Status.RUNNING],
        ).values_list("region_code", flat=True)
    )


def approvable_rolls_for(user, *, month: dt.date | None = None, policy: int | None = None):
    """Rolls waiting for this user's step of approval."""
    statuses = [status for status, (_next, role) in APPROVAL_STEPS.items() if role == user.role]
    return rolls_for(user, month=month, policy=policy).filter(status__in=statuses)


def roll_totals(rolls) -> dict:
    """Payees and money of a set of rolls (the list page's footer)."""
    count = total = 0
    for line_count, amount in rolls.values_list("line_count", "total"):
        count += line_count
        total += amount
    return {"lines": count, "total": Decimal(total).quantize(Decimal("0.01"))}


# -- payments of an elder ----------------------------------------------------------------------
def payments_for(user, *, elder: Elder | None = None, month: dt.date | None = None, policy: int | None = None):
    """Payment lines the user may see: of the elders they may see, and (for staff) in
    rolls of their area; newest month first."""
    qs = PaymentLine.objects.filter(scope.elder_filter(user, path="elder__"))
    if not scope.is_personal(user):
        qs = qs.filter(allowance_filter(user, field="roll__region_code"))
    if elder is not None:
        qs = qs.filter(elder=elder)
    if month:
        qs = qs.filter(month=rules.month_start(month))
    if policy:
        qs = qs.filter(policy_id=policy)
    return qs.select_related("elder", "band", "roll", "policy").order_by("-month", "policy_id", "id").distinct()


def voucher_balance(elder: Elder, *, kind: str = Policy.Kind.SERVICE) -> Decimal:
    """What the elder has left of a voucher allowance (the service allowance by default)."""
    if kind not in VOUCHER_KINDS:
        raise ValueError(f"not a voucher kind: {kind}")
    value = VoucherBalance.objects.filter(elder=elder, kind=kind).values_list("balance", flat=True).first()
    return value if value is not None else ZERO


def voucher_balances(elder: Elder) -> list[tuple[str, Decimal]]:
    found = dict(VoucherBalance.objects.filter(elder=elder).values_list("kind", "balance"))
    return [(Policy.Kind(k).label, found[k]) for k in VOUCHER_KINDS if k in found]


def voucher_cover(elder: Elder, *, price: Decimal, setting: str, on: dt.date) -> Decimal:
    """How much of a price the elder-care consumption voucher pays: the version's share of
    the price for the setting ("home" service or "institution" care), rounded down to the
    fen, and never more than what is left of the voucher. Zero when none applies."""
    version = next(
        (v for v in rules.versions_in_force(region_code=elder.region_code, month=rules.month_start(on))
         if v.policy.kind == Policy.Kind.CONSUMPTION_VOUCHER),
        None,
    )
    if version is None:
        return ZERO
    share = version.home_service_share if setting == "home" else version.institution_share
    if not share:
        return ZERO
    covered = (Decimal(price) * share / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    return min(covered, voucher_balance(elder, kind=Policy.Kind.CONSUMPTION_VOUCHER))


# -- overpayments ----------------------------------------------------------------------------
def overpayments_for(user, *, outcome: str = "open"):
    """Payments already made (paid-out rolls) for a month after the elder died or moved
    out: to recover. `outcome` is "open" (nothing recorded yet), "settled", or "all"."""
    qs = (
        PaymentLine.objects.filter(allowance_filter(user, field="roll__region_code"))
        .filter(roll__status=S.EXPORTED)
        .filter(elder__status__in=[Elder.Status.DECEASED, Elder.Status.MOVED_OUT], elder__status_date__lt=F("month"))
        .annotate(settled=Exists(Recovery.objects.filter(line=OuterRef("pk"))))
        .select_related("elder", "policy", "roll", "roll__region")
        .order_by("elder__region_code", "elder__name", "elder_id", "month")
    )
    if outcome == "open":
        qs = qs.filter(settled=False)
    elif outcome == "settled":
        qs = qs.filter(settled=True)
    return qs


def get_overpayment_for(user, line_id: int) -> PaymentLine:
    return get_object_or_404(overpayments_for(user, outcome="all"), pk=line_id)


def overpayment_total(lines) -> Decimal:
    total = ZERO
    for amount in lines.values_list("amount", flat=True):
        total += amount
    return total



# -- bank batches and failed payments -------------------------------------------------------------
def batches_for(user):
    return PayoutBatch.objects.visible_to(user).select_related("policy", "region", "layout")


def get_batch_for(user, batch_id: int) -> PayoutBatch:
    """The only way views load a bank batch. Outside scope → 404."""
    return get_object_or_404(batches_for(user), pk=batch_id)


def batch_lines(batch: PayoutBatch):
    return (
        PaymentLine.objects.filter(roll__batch=batch).select_related("elder", "roll__region")
        .order_by("roll__region_code", "elder__name", "elder_id", "month")
    )


def held_payments_for(user, *, payout: str = PaymentLine.Payout.HELD):
    """Payments the bank returned (held), or corrected and waiting to be paid again."""
    return (
        PaymentLine.objects.filter(allowance_filter(user, field="roll__region_code"), payout=payout)
        .select_related("elder", "elder__payee_account", "policy", "roll", "roll__region", "roll__batch")
        .order_by("roll__region_code", "elder__name", "elder_id", "month")
    )


def get_held_payment_for(user, line_id: int) -> PaymentLine:
    return get_object_or_404(held_payments_for(user), pk=line_id)


def retry_of(line: PaymentLine) -> PaymentLine | None:
    """The back pay of a failed payment, once generated."""
    return PaymentLine.objects.filter(retry_of=line).select_related("roll").first()


def roll_pauses(roll: PaymentRoll):
    """Payments of the roll's month paused for want of a survival certification."""
    return PausedPayment.objects.filter(roll=roll).select_related("elder").order_by("elder__name", "elder_id")


def batchable_rolls(user, *, policy: Policy, month: dt.date):
    """District-approved rolls of the policy and month in the user's area, in no batch yet."""
    return rolls_for(user, month=month, policy=policy.pk).filter(status=S.DISTRICT_APPROVED, batch__isnull=True)


# -- applications, public notice, survival certification ---------------------------------------
def applications_for(user, *, status: str = ""):
    qs = Application.objects.visible_to(user).select_related("elder", "policy").prefetch_related("objections")
    if status:
        qs = qs.filter(status=status) if status in Application.Status.values else qs.none()
    return qs.order_by("region_code", "-applied_on", "-id")


def get_application_for(user, application_id: int) -> Application:
    return get_object_or_404(applications_for(user), pk=application_id)


def on_notice(user, *, community: str = "", on: dt.date):
    """Applications on public notice on the day, of the user's area (or one community)."""
    qs = applications_for(user, status=Application.Status.ON_NOTICE).filter(notice_from__lte=on, notice_until__gte=on)
    if community:
        qs = qs.filter(region_code__startswith=community)
    return qs.order_by("region_code", "notice_until", "elder__name")


@dataclass(frozen=True)
class SurvivalDue:
    elder: Elder
    last: dt.date | None
    due: dt.date
    overdue: bool


def survival_due_for(user, *, today: dt.date, within_days: int = 60) -> list[SurvivalDue]:
    """Elders of the user's area paid (or paused) in the last two months by a policy that
    needs survival certification, whose certification is overdue or due within
    `within_days`: the community worker's list of whom to see."""
    if not works_with_allowances(user):
        return []
    since = rules.previous_month(rules.month_start(today))
    policies = {p.pk: p for p in Policy.objects.filter(survival_months__gt=0)}
    if not policies:
        return []
    recent = set(
        PaymentLine.objects.filter(allowance_filter(user, field="roll__region_code"), month__gte=since,
                                   policy_id__in=policies).values_list("elder_id", "policy_id")
    ) | set(
        PausedPayment.objects.filter(allowance_filter(user, field="roll__region_code"), month__gte=since,
                                     policy_id__in=policies).values_list("elder_id", "policy_id")
    )
    elder_ids = {e for e, _p in recent}
    checks = dict(
        SurvivalCheck.objects.filter(elder_id__in=elder_ids, status=SurvivalCheck.Status.ACCEPTED)
        .values("elder_id").annotate(last=Max("checked_on")).values_list("elder_id", "last")
    )
    approvals = {
        (e, p): d for e, p, d in Application.objects.filter(elder_id__in=elder_ids, status=Application.Status.APPROVED)
        .values_list("elder_id", "policy_id", "decided_on")
    }
    due: dict[int, dt.date] = {}
    for elder_id, policy_id in recent:
        policy = policies[policy_id]
        base = max(d for d in (checks.get(elder_id), approvals.get((elder_id, policy_id)), policy.survival_since) if d)
        when = rules.months_before(rules.month_start(base), -policy.survival_months).replace(
            day=1) + (base - rules.month_start(base))
        due[elder_id] = min(due.get(elder_id, when), when)
    horizon = today + dt.timedelta(days=within_days)
    elders = Elder.objects.in_bulk([e for e, d in due.items() if d <= horizon])
    out = [SurvivalDue(elders[e], checks.get(e), d, d <= today) for e, d in due.items() if e in elders]
    return sorted(out, key=lambda s: (s.elder.region_code, s.due, s.elder.name))


def application_policies_for(user, elder: Elder):
    """Policies an application may be made for: paid on application, covering the elder's
    region, of the user's area."""
    covering = [p.pk for p in policies_for(user).filter(needs_application=True)
                if elder.region_code.startswith(codes.prefix(p.region_code))]
    return Policy.objects.filter(pk__in=covering).order_by("name", "pk")


def applications_of(user, elder: Elder):
    """The elder's applications, newest first (the elder's page)."""
    return applications_for(user).filter(elder=elder).order_by("-applied_on", "-id")


def get_objection_for(user, objection_id: int) -> Objection:
    return get_object_or_404(
        Objection.objects.filter(application__in=applications_for(user)).select_related("application"),
        pk=objection_id,
    )


def survival_photos_to_review(user):
    """Photos sent in the app and waiting for review, of the elders whose photos the user
    may see (scope.sees_survival_photo: the community worker of their area), oldest first."""
    if not scope.reviews_survival_photos(user):
        return SurvivalCheck.objects.none()
    return (
        SurvivalCheck.objects.visible_to(user).filter(status=SurvivalCheck.Status.SUBMITTED)
        .select_related("elder", "recorded_by").order_by("recorded_at", "pk")
    )


def get_survival_check_for(user, check_id: int) -> SurvivalCheck:
    """A survival certification of the user's area (404 outside it)."""
    return get_object_or_404(SurvivalCheck.objects.visible_to(user).select_related("elder"), pk=check_id)


# -- issue 14 (elder app): the elder's own allowances on her home screen --------------------------
def own_applications_of(user, elder: Elder, *, decided_shown: int = 2) -> list[Application]:
    """The elder's applications for her or her family (accounts.scope.is_own_elder): those
    still open, then the latest decided ones, newest first."""
    if not scope.is_own_elder(user, elder):
        return []
    mine = Application.objects.filter(elder=elder).select_related("policy").order_by("-applied_on", "-id")
    open_ = list(mine.filter(status__in=(Application.Status.SUBMITTED, Application.Status.ON_NOTICE)))
    decided = list(mine.filter(status__in=(Application.Status.APPROVED, Application.Status.REJECTED))[:decided_shown])
    return open_ + decided
