"""`{% load portal_access %}`: the app on the registry's elder page: the elder's card (print,
revoke) and the family accounts that see her, with the requests waiting for consent."""

from django import template

from kangyang.accounts import scope
from kangyang.portal import binding as bindings
from kangyang.portal.auth_forms import ConsentForm
from kangyang.portal.models import ElderCard

register = template.Library()


@register.inclusion_tag("portal/_elder_access.html", takes_context=True)
def elder_app_access(context, elder):
    """Empty for a viewer who neither prints cards nor records consent for the elder (the
    elder page has loaded the elder through the registry's gate already)."""
    user = context["request"].user
    prints = scope.prints_cards_of(user, elder.region_code)
    consents = scope.consents_bindings_of(user, elder.region_code)
    if not (prints or consents):
        return {"show": False}
    pending = list(bindings.pending_for_elder(elder))
    return {
        "show": True, "elder": elder, "prints": prints, "consents": consents,
        "card": ElderCard.objects.filter(elder=elder, revoked_at__isnull=True).select_related("printed_by").first(),
        "pending": [(b, ConsentForm(initial={"binding": b.pk}, auto_id=f"consent-{b.pk}-%s")) for b in pending],
        "bound": bindings.bound_families(elder),
        "history": list(bindings.history_of(elder)),
        "csrf_token": context.get("csrf_token"), "request": context["request"],
    }
