"""/api/v1/allowances: an elder's eligibility and payment history, and the payment rolls.

Scope. An elder is loaded through registry.queries.get_elder_for, so an elder outside the
caller's view answers 404, as everywhere; an elder the caller sees but whose allowances are
not their business (the hotline operator) answers 403. Rolls are listed and loaded through
allowances.queries (`rolls_for`, `get_roll_for`): a roll outside the caller's area, or any
roll for a role that does not work with allowances, answers 404 and is never listed.

Money is a decimal string with two decimals ("50.00"), never a float.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kangyang.lib.pagination import Page
from kangyang.lib.schemas import Month, StrictDate, UtcDatetime
from kangyang.registry.queries import get_elder_for
from kangyang.allowances import eligibility as rules, queries
from kangyang.allowances.models import Means, PaymentLine, PaymentRoll, Policy

router = Router(tags=["allowances"])

CODE_PATTERN = r"^\d{12}$"
# Literals, not the TextChoices: inlined in the OpenAPI document, so that another app's
# `Status` never clashes with ours as a component name.
Kind = Literal[tuple(Policy.Kind.values)]  # type: ignore[valid-type]
RollStatus = Literal[tuple(PaymentRoll.Status.values)]  # type: ignore[valid-type]
MeansValue = Literal[tuple(Means.values)]  # type: ignore[valid-type]


# -- schemas ---------------------------------------------------------------------------------
class EntitlementOut(Schema):
    policy: int
    policy_name: str
    kind: Kind
    eligible: bool
    amount: Decimal = Field(..., description="Monthly amount in yuan; 0.00 when not eligible.")
    reasons: list[str]
    explanation: str
    example_amounts: bool = Field(..., description="The amounts are demonstration figures (示例金额).")


class EligibilityOut(Schema):
    elder: int
    month: dt.date = Field(..., description="The first day of the month judged.")
    entitlements: list[EntitlementOut]


class PaymentOut(Schema):
    id: int
    elder: int
    elder_name: str
    policy: int
    policy_name: str
    kind: Kind
    month: dt.date
    amount: Decimal
    level: int | None = Field(None, description="Capability level the rule was applied to.")
    means: MeansValue
    explanation: str
    roll: int
    roll_status: RollStatus

    @staticmethod
    def resolve_elder(obj: PaymentLine) -> int:
        return obj.elder_id

    @staticmethod
    def resolve_elder_name(obj: PaymentLine) -> str:
        return obj.elder.name

    @staticmethod
    def resolve_policy(obj: PaymentLine) -> int:
        return obj.policy_id

    @staticmethod
    def resolve_policy_name(obj: PaymentLine) -> str:
        return obj.policy.name

    @staticmethod
    def resolve_kind(obj: PaymentLine) -> str:
        return obj.policy.kind

    @staticmethod
    def resolve_explanation(obj: PaymentLine) -> str:
        return rules.line_explanation(obj)

    @staticmethod
    def resolve_roll(obj: PaymentLine) -> int:
        return obj.roll_id

    @staticmethod
    def resolve_roll_status(obj: PaymentLine) -> str:
        return obj.roll.status


class PaymentFilter(Schema):
    elder: int | None = Field(None, description="An elder's id: that elder's payment history.")
    month: Month | None = Field(None, description="Any day of the month.")
    policy: int | None = None


class RollOut(Schema):
    id: int
    policy: int
    policy_name: str
    kind: Kind
    community: str = Field(..., description="12-digit code of the roll's community.")
    community_name: str
    month: dt.date
    status: RollStatus
    payees: int
    total: Decimal
    generated_at: UtcDatetime | None
    community_approved_at: UtcDatetime | None
    subdistrict_approved_at: UtcDatetime | None
    district_approved_at: UtcDatetime | None
    paid_out_at: UtcDatetime | None

    @staticmethod
    def resolve_policy(obj: PaymentRoll) -> int:
        return obj.policy_id

    @staticmethod
    def resolve_policy_name(obj: PaymentRoll) -> str:
        return obj.policy.name

    @staticmethod
    def resolve_kind(obj: PaymentRoll) -> str:
        return obj.policy.kind

    @staticmethod
    def resolve_community(obj: PaymentRoll) -> str:
        return obj.region_code

    @staticmethod
    def resolve_community_name(obj: PaymentRoll) -> str:
        return obj.region.name

    @staticmethod
    def resolve_payees(obj: PaymentRoll) -> int:
        return obj.line_count

    @staticmethod
    def resolve_paid_out_at(obj: PaymentRoll) -> dt.datetime | None:
        return obj.exported_at


class RollFilter(Schema):
    month: Month | None = Field(None, description="Any day of the month.")
    policy: int | None = None
    status: RollStatus | None = None
    region: str | None = Field(
        None, pattern=CODE_PATTERN, description="A community, subdistrict or district code: rolls below it.",
    )


# -- helpers ---------------------------------------------------------------------------------
def _elder_for_allowances(user, elder_id: int):
    elder = get_elder_for(user, elder_id)
    if not queries.can_see_elder_allowances(user, elder):
        raise PermissionDenied
    return elder


# -- endpoints -------------------------------------------------------------------------------
@router.get("/eligibility/{elder_id}", response=EligibilityOut)
def eligibility(request, elder_id: int, on: StrictDate | None = None):
    """What each policy covering the elder gives in the month of `on` (default: this month),
    and why, or why not."""
    elder = _elder_for_allowances(request.auth, elder_id)
    day = on or timezone.localdate()
    entitlements = rules.explain_eligibility(elder, on=day)
    return {
        "elder": elder.pk, "month": rules.month_start(day),
        "entitlements": [
            {"policy": e.policy.pk, "policy_name": e.policy.name, "kind": e.policy.kind, "eligible": e.eligible,
             "amount": e.amount if e.eligible else 0, "reasons": [str(r) for r in e.reasons],
             "explanation": e.explanation,
             "example_amounts": e.version.is_example}
            for e in entitlements
        ],
    }


@router.get("/payments", response=list[PaymentOut])
@paginate(Page)
def payments(request, filters: Query[PaymentFilter]):
    """Payments (lines of payment rolls) the caller may see, newest month first; with
    `elder`, that elder's history (404 if the caller cannot see the elder)."""
    elder = _elder_for_allowances(request.auth, filters.elder) if filters.elder is not None else None
    return queries.payments_for(request.auth, elder=elder, month=filters.month, policy=filters.policy)


@router.get("/rolls", response=list[RollOut])
@paginate(Page)
def rolls(request, filters: Query[RollFilter]):
    """Payment rolls of the caller's area, newest month first."""
    return queries.rolls_for(
        request.auth, month=filters.month, policy=filters.policy, status=filters.status or "",
        region=filters.region or "",
    )


@router.get("/rolls/{roll_id}", response=RollOut)
def roll(request, roll_id: int):
    """One roll with its totals; outside the caller's area, 404."""
    return queries.get_roll_for(request.auth, roll_id)
