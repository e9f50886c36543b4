"""{% share_state order user as share %}: what an order's pay button shows (queries.share_state)."""

from django import template

from kangyang.payments import queries

register = template.Library()


@register.simple_tag
def share_state(order, user):
    return queries.share_state(order, user)
