"""Background work of allowances. Thin: load by id, call the action that does the work."""

from django_tasks import task

from kangyang.allowances import actions
from kangyang.allowances.models import RollRun


@task()
def generate_payment_rolls(run_id: int) -> None:
    """Generate the rolls a user asked for (actions.request_payment_rolls)."""
    actions.run_roll_generation(RollRun.objects.select_related("policy", "region").get(pk=run_id))
