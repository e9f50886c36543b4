"""Whom allowances tell, and what; notify sends (issue 12 §2: payment rolls).

When rolls are ready for a step of review (generated: the community worker; approved by the
community: the subdistrict officer; by the subdistrict: the bureau admin), each reviewer of
that step whose area holds one of them hears once per policy, month and step, not once per
community roll (a district has a hundred)."""

from django.contrib.auth import get_user_model

from kangyang.accounts import scope
from kangyang.notify import actions as notify
from kangyang.notify import queries as notify_queries
from kangyang.notify.models import Kind
from kangyang.allowances import queries
from kangyang.allowances.models import PaymentRoll

AUDIENCE = "reviewer"


def reviewers_of(roll: PaymentRoll):
    """The active users who approve the roll's next step."""
    step = queries.APPROVAL_STEPS.get(roll.status)
    if step is None:
        return []
    _next, role = step
    users = get_user_model().objects.filter(role=role, is_active=True, region__isnull=False).select_related("region")
    return [u for u in users if scope.in_area(u, roll.region_code)]


def tell_reviewers(roll: PaymentRoll) -> int:
    """Tell the reviewers of the roll's next step that it is ready (template roll.ready)."""
    sent = 0
    for user in reviewers_of(roll):
        area = user.region.name if user.region_id else roll.region.name
        recipient = notify_queries.recipient_for(user, audience=AUDIENCE)
        if not any(recipient.address(channel)[0] for channel in recipient.channels):
            continue  # nowhere to reach them (e.g. the demo's synthetic reviewers): no message to log
        sent += len(notify.notify(
            recipient, template="roll.ready", kind=Kind.ROLL, region_code=user.region.code,
            context={"roll": f"{roll.policy.name}（{area}）", "month": roll.month.strftime("%Y-%m")},
            key=f"roll.ready:{roll.policy_id}:{roll.month:%Y%m}:{roll.status}:{user.pk}",
        ))
    return sent
