"""`{% load allowances %}`: an elder's allowances on the registry's elder page, and band words."""

from django import template
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.allowances import eligibility as rules, queries

register = template.Library()
RECENT_PAYMENTS = 12


@register.filter
def band_words(band) -> str:
    """A policy band's conditions in words, e.g. "aged 80–89, minimum living allowance"."""
    return rules.band_words(band)


@register.inclusion_tag("allowances/_elder_section.html", takes_context=True)
def elder_allowances(context, elder):
    """What each policy gives the elder this month and why, recent payments and voucher
    balances. Empty for a viewer whose business allowances are not; the elder page has
    loaded the elder through the registry's gate already."""
    request = context["request"]
    user = request.user
    if not queries.can_see_elder_allowances(user, elder):
        return {"show": False}
    today = timezone.localdate()
    return {
        "show": True,
        "elder": elder,
        "month": rules.month_start(today),
        "entitlements": rules.explain_eligibility(elder, on=today),
        "payments": list(queries.payments_for(user, elder=elder)[:RECENT_PAYMENTS]),
        "balances": queries.voucher_balances(elder),
        "account": getattr(elder, "payee_account", None),
        "can_edit_account": queries.can_edit_payee_account(user, elder),
        "applications": [] if scope.is_personal(user) else list(queries.applications_of(user, elder)[:10]),
        "can_apply": scope.records_allowance_cases_of(user, elder.region_code),
    }
