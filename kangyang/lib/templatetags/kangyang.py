"""`{% load kangyang %}`: how every page writes money and rates.

    {{ roll.total|yuan }}                 ¥2,306,550.00
    {{ row.share_target|percent:target }} 98.97% against 99, never "99.0%"
"""

from django import template

from kangyang.lib import numbers

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """An amount of yuan with thousands separators and two decimals: ¥2,306,550.00
    (-¥12.50 for a negative one); "—" for none."""
    return numbers.yuan(amount)


@register.filter
def money(amount) -> str:
    """The number of `yuan` without the sign, for sentences whose words hold the ¥:
    2,306,550.00."""
    return numbers.yuan(amount).replace("¥", "", 1)


@register.filter
def percent(rate, target=None) -> str:
    """A rate already in percent (0–100) with one decimal and a % sign; given the target it is
    measured against, with as many decimals as it takes to stay on the same side of it."""
    return numbers.percent(rate, target)


@register.simple_tag(takes_context=True)
def came_from(context) -> str:
    """The page of this site the reader came from (its Referer), for a "back" link on an
    error page; empty when there is none or it is another site's."""
    from django.utils.http import url_has_allowed_host_and_scheme

    request = context.get("request")
    referer = request.META.get("HTTP_REFERER", "") if request is not None else ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure(),
    ) and referer != request.build_absolute_uri():
        return referer
    return ""
