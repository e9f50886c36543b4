"""Every change to allowances. Views, API, tasks, the demo and the benchmark call these.

Policies are versioned by month: a new version supersedes the previous one from its
first month, and may not start in a month whose roll is already past draft, so what a
reviewed roll was computed from never changes. Rolls are generated per community with
one INSERT … SELECT per policy over the whole region (eligibility.eligible_rows_sql),
reviewed community → subdistrict → district, then paid out: cash through a bank batch
(actions/payouts.py), vouchers as credits to the elders' balances.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, DecimalField, Exists, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.regions import codes
from kangyang.regions.models import Region
from kangyang.registry.models import Elder
from kangyang.allowances import eligibility as rules, queries
from kangyang.allowances.models import (
    CASH_KINDS, MONEY, VOUCHER_KINDS, Means, PausedPayment, PayeeAccount, PaymentLine, PaymentRoll, Policy,
    PolicyBand, PolicyVersion, Recovery, RollRun, VoucherBalance, VoucherEntry,
)

log = logging.getLogger(__name__)
S = PaymentRoll.Status
ZERO = Decimal("0.00")
FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")
BAND_FIELDS = ("age_from", "age_to", "level_from", "level_to", "means", "amount")


def invalid(field: str, message: str, code: str) -> ValidationError:
    """A refusal put on one field, keeping its code (the API's error format shows it)."""
    return ValidationError({field: ValidationError(message, code=code)})


# -- money -----------------------------------------------------------------------------------
def to_money(value, *, field: str = "amount") -> Decimal:
    """A positive amount in yuan with at most two decimals, as Decimal; never a float."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise invalid(field, _("Enter an amount in yuan, e.g. 50.00."), "amount") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(FEN):
        raise ValidationError(
            {field: _("Enter an amount above zero, to the fen (two decimals at most).")}, code="amount"
        )
    return amount.quantize(FEN)


# -- policies --------------------------------------------------------------------------------
def check_bands(kind: str, bands: list[dict]) -> list[dict]:
    """Normalise and check a version's bands: sane ranges, amounts to the fen, what the
    kind needs (an age for longevity, a capability level for care and the consumption
    voucher), and no two bands that could both apply to one elder."""
    if not bands:
        raise ValidationError(_("Add at least one rule."), code="no_bands")
    out = []
    for index, raw in enumerate(bands, start=1):
        band = {key: raw.get(key) for key in BAND_FIELDS}
        for key in ("age_from", "age_to", "level_from", "level_to"):
            band[key] = None if band[key] in (None, "") else int(band[key])
        band["means"] = band["means"] or ""
        words = {"n": index}
        if band["means"] not in ("", *Means.values):
            raise ValidationError(_("Rule %(n)d: unknown means.") % words, code="band")
        try:
            band["amount"] = to_money(band["amount"] if band["amount"] is not None else "")
        except ValidationError:
            raise ValidationError(
                _("Rule %(n)d: enter a monthly amount above zero, to the fen.") % words, code="amount"
            ) from None
        if any(band[k] is not None and not 0 <= band[k] <= 150 for k in ("age_from", "age_to")):
            raise ValidationError(_("Rule %(n)d: an age is between 0 and 150.") % words, code="band")
        if any(band[k] is not None and not 0 <= band[k] <= 4 for k in ("level_from", "level_to")):
            raise ValidationError(_("Rule %(n)d: a capability level is 0 to 4.") % words, code="band")
        for low, high in (("age_from", "age_to"), ("level_from", "level_to")):
            if band[low] is not None and band[high] is not None and band[low] > band[high]:
                raise ValidationError(_("Rule %(n)d: the range is upside down.") % words, code="band")
        if kind == Policy.Kind.LONGEVITY and band["age_from"] is None:
            raise ValidationError(_("Rule %(n)d: a longevity allowance rule needs an age from.") % words, code="band")
        if kind in (Policy.Kind.CARE, Policy.Kind.CONSUMPTION_VOUCHER) and band["level_from"] is None \
                and band["level_to"] is None:
            raise ValidationError(_("Rule %(n)d: this allowance needs a capability level.") % words, code="band")
        out.append(band)
    for i, a in enumerate(out):
        for j in range(i + 1, len(out)):
            if _overlap(a, out[j]):
                raise ValidationError(
                    _("Rules %(a)d and %(b)d overlap: one elder could match both.") % {"a": i + 1, "b": j + 1},
                    code="band_overlap",
                )
    return out


def _overlap(a: dict, b: dict) -> bool:
    def meets(lo1, hi1, lo2, hi2, lowest, highest) -> bool:
        lo1, hi1 = lowest if lo1 is None else lo1, highest if hi1 is None else hi1
        lo2, hi2 = lowest if lo2 is None else lo2, highest if hi2 is None else hi2
        return max(lo1, lo2) <= min(hi1, hi2)

    ages = meets(a["age_from"], a["age_to"], b["age_from"], b["age_to"], 0, 999)
    # A band without a level condition applies at every level (and without an assessment).
    levels = meets(a["level_from"], a["level_to"], b["level_from"], b["level_to"], 0, 4)
    means = not a["means"] or not b["means"] or a["means"] == b["means"]
    return ages and levels and means


def _check_month(day: dt.date, field: str) -> dt.date:
    if day.day != 1:
        raise invalid(field, _("A version starts on the first day of a month."), "not_month_start")
    return day


def _check_shares(kind: str, home_service_share, institution_share) -> tuple[int | None, int | None]:
    if kind != Policy.Kind.CONSUMPTION_VOUCHER:
        return None, None
    shares = []
    for field, value in (("home_service_share", home_service_share), ("institution_share", institution_share)):
        if value in (None, ""):
            raise invalid(field, _("Enter the share of the price the voucher pays."), "share")
        value = int(value)
        if not 0 < value <= 100:
            raise invalid(field, _("A share is a percentage from 1 to 100."), "share")
        shares.append(value)
    return shares[0], shares[1]


def _create_version(policy: Policy, *, by, effective_from: dt.date, effective_to: dt.date | None,
                    bands: list[dict], home_service_share, institution_share, carries_over: bool,
                    is_example: bool, note: str) -> PolicyVersion:
    if effective_to is not None and effective_to < effective_from:
        raise invalid("effective_to", _("The end comes before the start."), "dates")
    home, institution = _check_shares(policy.kind, home_service_share, institution_share)
    version = PolicyVersion.objects.create(
        policy=policy, effective_from=effective_from, effective_to=effective_to,
        home_service_share=home, institution_share=institution,
        carries_over=carries_over if policy.pays_vouchers else True,
        is_example=is_example, note=note.strip(), created_by=by,
    )
    PolicyBand.objects.bulk_create(
        PolicyBand(version=version, position=i, **band) for i, band in enumerate(bands)
    )
    return version


def _version_changes(version: PolicyVersion, bands: list[dict]) -> dict:
    return {
        "effective_from": version.effective_from.isoformat(),
        "effective_to": version.effective_to.isoformat() if version.effective_to else None,
        "bands": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in b.items()} for b in bands],
        "home_service_share": version.home_service_share, "institution_share": version.institution_share,
        "carries_over": version.carries_over, "is_example": version.is_example,
    }


@transaction.atomic
def create_policy(
    *, by, kind: str, name: str, region: Region, effective_from: dt.date, bands: list[dict],
    effective_to: dt.date | None = None, home_service_share: int | None = None,
    institution_share: int | None = None, carries_over: bool = True, is_example: bool = False,
    note: str = "", needs_application: bool = True, notice_days: int = 7, survival_months: int = 12,
    bank_layout=None,
) -> Policy:
    """A new allowance policy with its first version. The bureau admin's, for their area.
    It pays on approved applications (after public notice) unless granted without one
    (免申即享), and while a survival certification is on record (0 months: not needed)."""
    if not queries.can_manage_policies(by, region.code):
        raise PermissionDenied
    if kind not in Policy.Kind.values:
        raise invalid("kind", _("Unknown kind of allowance."), "kind")
    name = name.strip()
    if not name:
        raise invalid("name", _("Enter the policy's name."), "name")
    if Policy.objects.filter(region=region, kind=kind, name=name).exists():
        raise invalid("name", _("This region has a policy of this name already."), "duplicate")
    _check_month(effective_from, "effective_from")
    bands = check_bands(kind, bands)
    if not 1 <= int(notice_days) <= 90:
        raise invalid("notice_days", _("A public notice lasts 1 to 90 days."), "notice_days")
    if not 0 <= int(survival_months) <= 60:
        raise invalid("survival_months", _("The period is 0 to 60 months."), "survival_months")
    policy = Policy.objects.create(
        kind=kind, name=name, region=region, region_code=region.code, created_by=by,
        needs_application=needs_application, notice_days=notice_days, survival_months=survival_months,
        bank_layout=bank_layout,
    )
    version = _create_version(
        policy, by=by, effective_from=effective_from, effective_to=effective_to, bands=bands,
        home_service_share=home_service_share, institution_share=institution_share,
        carries_over=carries_over, is_example=is_example, note=note,
    )
    record(by, AuditEntry.Action.CREATE, policy, verb="policy.create",
           changes={"kind": kind, "name": name, "needs_application": needs_application, "notice_days": notice_days,
                    "survival_months": survival_months, **_version_changes(version, bands)})
    return policy


@transaction.atomic
def add_policy_version(
    policy: Policy, *, by, effective_from: dt.date, bands: list[dict],
    effective_to: dt.date | None = None, home_service_share: int | None = None,
    institution_share: int | None = None, carries_over: bool = True, is_example: bool = False,
    note: str = "",
) -> PolicyVersion:
    """New rules from a month on. The previous version ends the day before. A version never
    changes once made, and a new one may not start in or before a month whose roll is
    already past draft: what was reviewed or paid stays explained by the rules it used."""
    if not queries.can_manage_policies(by, policy.region_code):
        raise PermissionDenied
    Policy.objects.select_for_update().filter(pk=policy.pk).first()  # one new version at a time
    _check_month(effective_from, "effective_from")
    latest = policy.versions.order_by("-effective_from").first()
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {"effective_from": ValidationError(_("Start after the latest version (%(month)s).") % {
                "month": latest.effective_from.strftime("%Y-%m")}, code="not_after_latest")},
        )
    closed = queries.latest_closed_month(policy)
    if closed is not None and effective_from <= closed:
        raise ValidationError(
            {"effective_from": ValidationError(
                _("The roll of %(month)s is already under review or paid; start the new version after it.")
                % {"month": closed.strftime("%Y-%m")}, code="month_closed")},
        )
    bands = check_bands(policy.kind, bands)
    # The versions still open on the new start end the day before it. Their rules stay.
    policy.versions.filter(effective_from__lt=effective_from).exclude(
        effective_to__lt=effective_from
    ).update(effective_to=effective_from - dt.timedelta(days=1))
    version = _create_version(
        policy, by=by, effective_from=effective_from, effective_to=effective_to, bands=bands,
        home_service_share=home_service_share, institution_share=institution_share,
        carries_over=carries_over, is_example=is_example, note=note,
    )
    record(by, AuditEntry.Action.CHANGE, policy, verb="policy.version", changes=_version_changes(version, bands))
    return version


# -- rolls: generation -----------------------------------------------------------------------
@dataclass(frozen=True)
class Generated:
    rolls: int  # draft rolls (re)generated, with at least one line
    skipped: int  # rolls past draft, left as they are
    lines: int
    total: Decimal


@transaction.atomic
def request_payment_rolls(*, by, policy: Policy, month: dt.date, region: Region) -> RollRun:
    """Ask for the month's rolls of a policy for a region (every community below it); they
    are generated in the background (tasks.generate_payment_rolls)."""
    from kangyang.allowances import tasks

    month = rules.month_start(month)
    if not queries.can_generate(by, region.code):
        raise PermissionDenied
    if not region.code.startswith(codes.prefix(policy.region_code)):
        raise invalid("region", _("The policy does not apply to this region."), "region")
    latest = rules.next_month(rules.month_start(timezone.localdate()))
    if month > latest:
        raise ValidationError(
            {"month": ValidationError(_("Rolls can be made up to next month (%(month)s).") % {
                "month": latest.strftime("%Y-%m")}, code="month")},
        )
    if rules.version_in_force(policy, month) is None:
        raise ValidationError({"month": ValidationError(_("The policy is not in force in %(month)s.") % {
            "month": month.strftime("%Y-%m")}, code="not_in_force")})
    run = RollRun.objects.create(
        policy=policy, month=month, region=region, region_code=region.code, requested_by=by,
    )
    record(by, AuditEntry.Action.CREATE, run, verb="payment_roll.generate",
           changes={"policy": policy.pk, "month": month.isoformat(), "region": region.code})
    transaction.on_commit(partial(tasks.generate_payment_rolls.enqueue, run.pk))
    return run


def run_roll_generation(run: RollRun) -> RollRun:
    """Do a requested generation (the background task). A run is claimed once: a second
    worker, or a second call, finds it taken and does nothing."""
    claimed = RollRun.objects.filter(pk=run.pk, status=RollRun.Status.QUEUED).update(status=RollRun.Status.RUNNING)
    if not claimed:
        run.refresh_from_db()
        return run
    try:
        result = generate_payment_rolls(policy=run.policy, month=run.month, region=run.region)
    except (ValidationError, DatabaseError) as e:
        log.exception("roll generation %s failed", run.pk)
        message = "; ".join(e.messages) if isinstance(e, ValidationError) else str(e)
        RollRun.objects.filter(pk=run.pk).update(
            status=RollRun.Status.FAILED, finished_at=timezone.now(), message=message[:2000],
        )
    else:
        RollRun.objects.filter(pk=run.pk).update(
            status=RollRun.Status.DONE, finished_at=timezone.now(), rolls=result.rolls,
            skipped=result.skipped, lines=result.lines, total=result.total,
        )
        _tell_reviewers(
            PaymentRoll.objects.filter(policy=run.policy, month=run.month, status=S.DRAFT, line_count__gt=0,
                                       region_code__startswith=codes.prefix(run.region_code))
        )
    run.refresh_from_db()
    return run


@transaction.atomic
def generate_payment_rolls(*, policy: Policy, month: dt.date, region: Region) -> Generated:
    """(Re)generate the draft rolls of a policy for a month, one per community below
    `region`, in one transaction and without loading elders into Python.

    Generating again gives the same lines and totals, unless the registry or the
    assessments changed in between. A roll past draft is never touched. An elder already
    paid by this policy for this month in another roll (e.g. before moving community) is
    left out here, and the database refuses a second line anyway. Drafts left without a
    line are deleted. Called by the background task (the request is audited there), the
    demo and the benchmark; the caller checks permissions."""
    month = rules.month_start(month)
    version = rules.version_in_force(policy, month)
    if version is None:
        raise ValidationError(_("The policy is not in force in %(month)s.") % {"month": month.strftime("%Y-%m")},
                              code="not_in_force")
    prefix = codes.prefix(region.code)
    if not region.code.startswith(codes.prefix(policy.region_code)):
        raise ValidationError(_("The policy does not apply to this region."), code="region")
    communities = Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=prefix)
    PaymentRoll.objects.bulk_create(
        [PaymentRoll(policy=policy, version=version, region=c, region_code=c.code, month=month)
         for c in communities.only("pk", "code")],
        ignore_conflicts=True,
    )
    rolls = list(
        PaymentRoll.objects.select_for_update()
        .filter(policy=policy, month=month, region_code__startswith=prefix)
        .values_list("pk", "status")
    )
    drafts = [pk for pk, status in rolls if status == S.DRAFT]
    skipped = len(rolls) - len(drafts)
    if not drafts:
        return Generated(0, skipped, 0, ZERO)

    ids = ", ".join(str(int(pk)) for pk in drafts)
    q = connection.ops.quote_name
    line_table, roll_table = q(PaymentLine._meta.db_table), q(PaymentRoll._meta.db_table)
    pause_table, elder_table = q(PausedPayment._meta.db_table), q(Elder._meta.db_table)
    month_param = connection.ops.adapt_datefield_value(month)
    eligible_sql, eligible_params = rules.eligible_rows_sql(version, prefix=prefix, month=month)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {line_table} WHERE roll_id IN ({ids})")
        cursor.execute(f"DELETE FROM {pause_table} WHERE roll_id IN ({ids})")
        # The elders paid already (in other rolls) are read once, before the insert, into a
        # materialised CTE: an anti-join on the table being inserted into may be planned as
        # a rescan of that growing table for every row, which is quadratic.
        cursor.execute(
            f"WITH paid AS MATERIALIZED (SELECT elder_id FROM {line_table} WHERE policy_id = %s AND month = %s "
            f"AND kind <> 'retry') "
            f"INSERT INTO {line_table} (roll_id, policy_id, month, elder_id, region_code, band_id, amount, level, means) "
            f"SELECT r.id, %s, %s, y.elder_id, y.region_code, y.band_id, y.amount, y.level, y.means "
            f"FROM ({eligible_sql}) y JOIN {roll_table} r ON r.region_id = y.community_id "
            f"WHERE r.id IN ({ids}) AND y.certified = %s "
            f"AND NOT EXISTS (SELECT 1 FROM paid WHERE paid.elder_id = y.elder_id)",
            [policy.pk, month_param, policy.pk, month_param, *eligible_params, True],
        )
        # Entitled but without a survival certification on record: paused, not paid; paid
        # as back pay once one comes (_add_resumed_back_pay in a later month's roll).
        cursor.execute(
            f"INSERT INTO {pause_table} (roll_id, policy_id, month, elder_id, region_code, band_id, amount, level, means) "
            f"SELECT r.id, %s, %s, y.elder_id, y.region_code, y.band_id, y.amount, y.level, y.means "
            f"FROM ({eligible_sql}) y JOIN {roll_table} r ON r.region_id = y.community_id "
            f"WHERE r.id IN ({ids}) AND y.certified = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {line_table} l WHERE l.policy_id = %s AND l.month = %s "
            f"AND l.elder_id = y.elder_id AND l.kind <> 'retry') "
            f"AND NOT EXISTS (SELECT 1 FROM {pause_table} p WHERE p.policy_id = %s AND p.month = %s "
            f"AND p.elder_id = y.elder_id)",
            [policy.pk, month_param, *eligible_params, False, policy.pk, month_param, policy.pk, month_param],
        )
        # Back pay (补发) of failed payments corrected since: each into the roll of the elder's
        # community, in a month after the failed one's roll, and once (payment_line_retried_once).
        cursor.execute(
            f"INSERT INTO {line_table} (roll_id, policy_id, month, elder_id, region_code, band_id, amount, level, "
            f"means, kind, retry_of_id) "
            f"SELECT r.id, l.policy_id, l.month, l.elder_id, e.region_code, l.band_id, l.amount, l.level, l.means, "
            f"'retry', l.id FROM {line_table} l JOIN {roll_table} lr ON lr.id = l.roll_id "
            f"JOIN {elder_table} e ON e.id = l.elder_id JOIN {roll_table} r ON r.region_id = e.community_id "
            f"WHERE l.policy_id = %s AND l.payout = %s AND lr.month < %s AND r.id IN ({ids}) "
            f"AND NOT EXISTS (SELECT 1 FROM {line_table} x WHERE x.retry_of_id = l.id)",
            [policy.pk, PaymentLine.Payout.RELEASED, month_param],
        )
    _add_resumed_back_pay(policy=policy, month=month, drafts=drafts)
    lines = PaymentLine.objects.filter(roll=OuterRef("pk")).order_by().values("roll")
    PaymentRoll.objects.filter(pk__in=drafts).update(
        version=version, generated_at=timezone.now(),
        line_count=Coalesce(Subquery(lines.annotate(n=Count("pk")).values("n")), 0),
        total=Coalesce(
            Subquery(lines.annotate(s=Sum("amount")).values("s")), Value(ZERO),
            output_field=DecimalField(**MONEY),
        ),
    )
    # A draft with neither a payment nor a pause has nothing to review.
    PaymentRoll.objects.filter(pk__in=drafts, line_count=0).exclude(
        Exists(PausedPayment.objects.filter(roll=OuterRef("pk")))
    ).delete()
    kept = list(PaymentRoll.objects.filter(pk__in=drafts, line_count__gt=0).values_list("line_count", "total"))
    return Generated(
        rolls=len(kept), skipped=skipped, lines=sum(n for n, _t in kept),
        total=sum((t for _n, t in kept), ZERO),
    )


def _add_resumed_back_pay(*, policy: Policy, month: dt.date, drafts: list[int]) -> int:
    """Back pay of paused months (PausedPayment of an earlier month) for the elders whose
    survival is on record now, into this month's draft of their community. Once per elder,
    policy and month paid for: payment_line_once_per_month refuses a second, so the month
    can never be paid both as a monthly line and as back pay."""
    pauses = PausedPayment.objects.filter(policy=policy, month__lt=month).exclude(
        Exists(PaymentLine.objects.filter(policy=policy, elder=OuterRef("elder"), month=OuterRef("month"))
               .exclude(kind=PaymentLine.Kind.RETRY))
    )
    alive = rules.certified(policy, month)
    if alive is not None:
        pauses = pauses.filter(elder__in=Elder.objects.filter(alive))
    community_roll = dict(PaymentRoll.objects.filter(pk__in=drafts).values_list("region_id", "pk"))
    new = [
        PaymentLine(roll_id=community_roll[community], policy=policy, month=p.month, elder_id=p.elder_id,
                    region_code=p.region_code, band_id=p.band_id, amount=p.amount, level=p.level, means=p.means,
                    kind=PaymentLine.Kind.RESUMED)
        for p, community in ((p, p.elder.community_id) for p in pauses.select_related("elder").order_by("month", "pk"))
        if community in community_roll
    ]
    PaymentLine.objects.bulk_create(new)
    return len(new)


# -- rolls: review ---------------------------------------------------------------------------
def lines_total(roll: PaymentRoll) -> tuple[int, Decimal]:
    """Count and sum of the roll's lines, added up in Decimal (exact on every database)."""
    count, total = 0, ZERO
    for amount in roll.lines.values_list("amount", flat=True).iterator(chunk_size=5000):
        count += 1
        total += amount
    return count, total


def verify_roll(roll: PaymentRoll) -> None:
    """The stored total and count equal the sum of the lines, or ValidationError."""
    count, total = lines_total(roll)
    if count != roll.line_count or total != roll.total:
        raise ValidationError(
            _("The roll's total (%(stored)s, %(n)d payees) does not match its lines (%(sum)s, %(m)d "
              "payees); generate it again.") % {
                "stored": rules.money(roll.total), "n": roll.line_count, "sum": rules.money(total), "m": count},
            code="total_mismatch",
        )


STEP_FIELDS = {
    S.COMMUNITY_APPROVED: ("community_approved_by", "community_approved_at"),
    S.SUBDISTRICT_APPROVED: ("subdistrict_approved_by", "subdistrict_approved_at"),
    S.DISTRICT_APPROVED: ("district_approved_by", "district_approved_at"),
}


@transaction.atomic
def approve_payment_roll(roll: PaymentRoll, *, by, note: str = "") -> PaymentRoll:
    """One step of review: community worker, then subdistrict officer, then bureau admin,
    each of the roll's area. Refused out of order, by anyone else, while the roll is being
    generated, or when its total does not match its lines."""
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if roll.status not in queries.APPROVAL_STEPS:
        raise ValidationError(_("This roll is not waiting for approval."), code="conflict")
    next_status = queries.approval_step(by, roll)
    if next_status is None:
        raise PermissionDenied
    if roll.status == S.DRAFT and queries.runs_in_progress(roll):
        raise ValidationError(_("This roll is being generated; approve it when that is done."), code="conflict")
    verify_roll(roll)
    by_field, at_field = STEP_FIELDS[next_status]
    updated = PaymentRoll.objects.filter(pk=roll.pk, status=roll.status).update(
        status=next_status, **{by_field: by, at_field: timezone.now()}
    )
    if not updated:  # pragma: no cover - the row is locked above; kept for SQLite's sake
        raise ValidationError(_("Someone else changed this roll; reload it."), code="conflict")
    record(by, AuditEntry.Action.CHANGE, roll, verb="payment_roll.approve", note=note,
           changes={"status": [roll.status, next_status], "lines": roll.line_count, "total": str(roll.total)})
    roll.refresh_from_db()
    _tell_reviewers([roll])
    return roll


def _tell_reviewers(rolls) -> None:
    """The reviewers of the next step hear that rolls wait for them (notifications.py)."""
    from kangyang.allowances import notifications

    for roll in rolls:
        if roll.status in queries.APPROVAL_STEPS:
            notifications.tell_reviewers(roll)


@transaction.atomic
def return_payment_roll(roll: PaymentRoll, *, by, reason: str) -> PaymentRoll:
    """Send an approved roll that is not paid yet back to draft, with the reason; its
    approvals are cleared and it can be generated again."""
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    if roll.status == S.EXPORTED:
        raise ValidationError(_("This roll is paid out; it can no longer be returned."), code="conflict")
    if roll.status == S.DRAFT:
        raise ValidationError(_("This roll is a draft already."), code="conflict")
    if roll.batch_id is not None:
        raise ValidationError(_("This roll is in a bank batch already; it can no longer be returned."),
                              code="conflict")
    if not queries.can_return(by, roll):
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 2:
        raise invalid("reason", _("Say why the roll goes back."), "reason")
    cleared = {f: None for fields in STEP_FIELDS.values() for f in fields}
    PaymentRoll.objects.filter(pk=roll.pk).update(status=S.DRAFT, **cleared)
    record(by, AuditEntry.Action.CHANGE, roll, verb="payment_roll.return", note=reason,
           changes={"status": [roll.status, S.DRAFT]})
    roll.refresh_from_db()
    return roll


# -- rolls: paying out -----------------------------------------------------------------------
def _check_pay_out(roll: PaymentRoll, *, by, kinds) -> None:
    if not queries.can_pay_out(by, roll):
        raise PermissionDenied
    if roll.policy.kind not in kinds:
        raise ValidationError(_("This roll is not paid this way."), code="wrong_kind")
    if roll.status not in (S.DISTRICT_APPROVED, S.EXPORTED):
        raise ValidationError(_("The district has not approved this roll yet."), code="not_approved")


def _balance(elder_id: int, kind: str) -> VoucherBalance:
    balance, _created = VoucherBalance.objects.get_or_create(elder_id=elder_id, kind=kind)
    return balance


@transaction.atomic
def credit_voucher_roll(roll: PaymentRoll, *, by) -> PaymentRoll:
    """Pay out a voucher roll the district approved: each line becomes a credit to the
    elder's voucher balance, once. For a voucher whose credit does not carry over (the
    consumption voucher), what is left of the previous credit expires first."""
    roll = PaymentRoll.objects.select_for_update().get(pk=roll.pk)
    _check_pay_out(roll, by=by, kinds=VOUCHER_KINDS)
    if roll.status == S.EXPORTED:
        raise ValidationError(_("This roll is credited already."), code="conflict")
    verify_roll(roll)
    kind = roll.policy.kind
    now = timezone.now()
    for line in roll.lines.only("pk", "elder_id", "amount").iterator(chunk_size=2000):
        balance = VoucherBalance.objects.select_for_update().filter(pk=_balance(line.elder_id, kind).pk).get()
        entries = []
        if not roll.version.carries_over and balance.balance > 0:
            entries.append(VoucherEntry(balance=balance, type=VoucherEntry.Type.EXPIRE, amount=-balance.balance,
                                        balance_after=ZERO, reference=f"roll:{roll.pk}", created_by=by, created_at=now))
            balance.balance = ZERO
        balance.balance += line.amount
        entries.append(VoucherEntry(balance=balance, type=VoucherEntry.Type.CREDIT, amount=line.amount,
                                    balance_after=balance.balance, line_id=line.pk, reference=f"roll:{roll.pk}",
                                    created_by=by, created_at=now))
        VoucherEntry.objects.bulk_create(entries)
        VoucherBalance.objects.filter(pk=balance.pk).update(balance=balance.balance, updated_at=now)
    PaymentRoll.objects.filter(pk=roll.pk).update(status=S.EXPORTED, exported_by=by, exported_at=now)
    roll.lines.update(payout=PaymentLine.Payout.PAID)
    record(by, AuditEntry.Action.CHANGE, roll, verb="payment_roll.credit",
           changes={"status": [roll.status, S.EXPORTED], "lines": roll.line_count, "total": str(roll.total)})
    roll.refresh_from_db()
    return roll


@transaction.atomic
def debit_voucher(elder: Elder, *, amount: Decimal, by, reference: str,
                  kind: str = Policy.Kind.SERVICE) -> VoucherEntry:
    """Spend from an elder's voucher balance (the service allowance by default), e.g. for a
    home-service order named by `reference`. The balance never goes below zero: a debit
    larger than it is refused. The same reference twice is one debit (a retried call
    returns the first entry)."""
    if kind not in VOUCHER_KINDS:
        raise invalid("kind", _("This allowance has no voucher balance."), "kind")
    amount = to_money(amount)
    reference = reference.strip()
    if not reference:
        raise invalid("reference", _("Name what the voucher pays for."), "reference")
    balance = VoucherBalance.objects.filter(elder=elder, kind=kind).first()
    if balance is not None:
        earlier = balance.entries.filter(type=VoucherEntry.Type.DEBIT, reference=reference).first()
        if earlier is not None:
            if earlier.amount != -amount:
                raise ValidationError(_("This reference was debited with another amount."), code="conflict")
            return earlier
    # A conditional UPDATE: two debits at once cannot both spend the last yuan.
    taken = VoucherBalance.objects.filter(elder=elder, kind=kind, balance__gte=amount).update(
        balance=F("balance") - amount, updated_at=timezone.now()
    )
    if not taken:
        left = balance.balance if balance is not None else ZERO
        raise ValidationError(
            _("The voucher balance (¥%(balance)s) does not cover ¥%(amount)s.") % {
                "balance": rules.money(left), "amount": rules.money(amount)},
            code="insufficient",
        )
    balance = VoucherBalance.objects.get(elder=elder, kind=kind)
    try:
        with transaction.atomic():
            entry = VoucherEntry.objects.create(
                balance=balance, type=VoucherEntry.Type.DEBIT, amount=-amount, balance_after=balance.balance,
                reference=reference, created_by=by,
            )
    except IntegrityError:  # the same reference, debited a moment ago by another call
        raise ValidationError(_("This reference was debited already."), code="conflict") from None
    record(by, AuditEntry.Action.CHANGE, entry, verb="voucher.debit", region_code=elder.region_code,
           changes={"elder": elder.pk, "kind": kind, "amount": str(amount), "reference": reference,
                    "balance": str(balance.balance)})
    return entry


@transaction.atomic
def refund_voucher(elder: Elder, *, by, reference: str, kind: str = Policy.Kind.SERVICE) -> VoucherEntry | None:
    """Give back what the debit named by `reference` took (a cancelled home-service order), to
    the balance it came from. Once: a second call returns the first refund. None when there
    is no such debit."""
    balance = VoucherBalance.objects.select_for_update().filter(elder=elder, kind=kind).first()
    if balance is None:
        return None
    debit = balance.entries.filter(type=VoucherEntry.Type.DEBIT, reference=reference).first()
    if debit is None:
        return None
    earlier = balance.entries.filter(type=VoucherEntry.Type.REFUND, reference=reference).first()
    if earlier is not None:
        return earlier
    amount = -debit.amount
    balance.balance += amount
    VoucherBalance.objects.filter(pk=balance.pk).update(balance=F("balance") + amount, updated_at=timezone.now())
    entry = VoucherEntry.objects.create(
        balance=balance, type=VoucherEntry.Type.REFUND, amount=amount, balance_after=balance.balance,
        reference=reference, created_by=by if by is not None and by.is_authenticated else None,
    )
    record(by, AuditEntry.Action.CHANGE, entry, verb="voucher.refund", region_code=elder.region_code,
           changes={"elder": elder.pk, "kind": kind, "amount": str(amount), "reference": reference,
                    "balance": str(balance.balance)})
    return entry


# -- overpayments ----------------------------------------------------------------------------
@transaction.atomic
def settle_overpayment(line: PaymentLine, *, by, outcome: str, note: str = "") -> Recovery:
    """Record that an overpayment was recovered or waived (with a reason). Once."""
    if outcome not in Recovery.Outcome.values:
        raise invalid("outcome", _("Choose recovered or waived."), "outcome")
    if not queries.overpayments_for(by, outcome="all").filter(pk=line.pk).exists():
        raise PermissionDenied
    if outcome == Recovery.Outcome.WAIVED and len(note.strip()) < 2:
        raise invalid("note", _("Say why the overpayment is waived."), "note")
    if Recovery.objects.filter(line=line).exists():
        raise ValidationError(_("This overpayment is settled already."), code="conflict")
    recovery = Recovery.objects.create(
        line=line, region_code=line.region_code, outcome=outcome, note=note.strip(), recorded_by=by,
    )
    record(by, AuditEntry.Action.CHANGE, recovery, verb="payment.recovery",
           changes={"elder": line.elder_id, "line": line.pk, "month": line.month.isoformat(),
                    "amount": str(line.amount), "outcome": outcome},
           note=note.strip())
    return recovery


# -- payee accounts --------------------------------------------------------------------------
def _mask_account(number: str) -> str:
    return f"{'*' * max(len(number) - 4, 4)}{number[-4:]}"


@transaction.atomic
def set_payee_account(elder: Elder, *, by, holder_name: str, bank_name: str, account_number: str) -> PayeeAccount:
    """The bank account cash allowances go to. The number is stored encrypted; the audit
    log records that it changed, not its value."""
    if not queries.can_edit_payee_account(by, elder):
        raise PermissionDenied
    number = "".join(account_number.split())
    errors = {}
    if not number.isdigit() or not 8 <= len(number) <= 30:
        errors["account_number"] = _("An account number has 8 to 30 digits.")
    if not holder_name.strip():
        errors["holder_name"] = _("Enter the account holder's name.")
    if not bank_name.strip():
        errors["bank_name"] = _("Enter the bank.")
    if errors:
        raise ValidationError(errors, code="invalid")
    account = PayeeAccount.objects.filter(elder=elder).first() or PayeeAccount(elder=elder)
    account.holder_name, account.bank_name = holder_name.strip(), bank_name.strip()
    account.account_encrypted = crypto.encrypt(number)
    account.account_masked = _mask_account(number)
    account.updated_by = by
    account.save()
    # On the account, not the elder: the registry's history of the record lists elder fields.
    record(by, AuditEntry.Action.CHANGE, account, verb="elder.payee_account", region_code=elder.region_code,
           changes={"elder": elder.pk, "account_number": "changed", "bank_name": account.bank_name})
    return account
