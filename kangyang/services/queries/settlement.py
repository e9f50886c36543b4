"""Reads of monthly settlements and who manages them."""

from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.services.models import Provider, Settlement
from kangyang.services.queries.providers import manages


def can_manage_settlement(user, provider: Provider) -> bool:
    """Statements are issued by the provider's manager or by bureau staff of its area."""
    return manages(user, provider.pk) or scope.bureau_of(user, provider.region_code)


def get_settlement_for(user, settlement_id: int) -> Settlement:
    return get_object_or_404(Settlement.objects.visible_to(user).select_related("provider__organisation"), pk=settlement_id)


def settlements_of(user, provider: Provider):
    return Settlement.objects.visible_to(user).filter(provider=provider).order_by("-month")
