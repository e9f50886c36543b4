"""Background work of home services. Thin: load by id, call the action that does the work."""

from django_tasks import task

from kangyang.services import actions
from kangyang.services.models import RoutePlanRun


@task()
def plan_day(run_id: int) -> None:
    """Plan a provider's day that a user asked for (actions.request_route_plan)."""
    actions.run_route_plan(RoutePlanRun.objects.select_related("provider", "requested_by").get(pk=run_id))
