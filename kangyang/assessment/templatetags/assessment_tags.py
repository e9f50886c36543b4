"""`{% elder_assessment elder %}`: the elder's current capability level, for the registry's
elder page (which does not import this app's views)."""

from django import template
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.assessment import queries, report
from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import STANDARD

register = template.Library()


@register.inclusion_tag("assessment/_elder_card.html", takes_context=True)
def elder_assessment(context, elder):
    user = context["request"].user
    today = timezone.localdate()
    current = queries.current_assessment(elder, on=today)
    latest = current or (
        Assessment.objects.signed().filter(elder=elder, standard=STANDARD).order_by("-assessed_on", "-id").first()
    )
    return {
        "elder": elder, "current": current, "latest": latest, "today": today,
        "level": report.level_info(latest.final_level) if latest else None,
        "open_request": queries.open_request_for(elder),
        "can_assess": scope.can_edit(user, elder.region_code),
        "show_en": report.show_english(),
    }
