"""The institutions' tabs: whether the signed-in user gets the subsidies tab (scope's rule)."""

from django import template

from kangyang.accounts import scope

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_subsidies(context) -> bool:
    request = context.get("request")
    return bool(request is not None and scope.sees_subsidies(request.user))
