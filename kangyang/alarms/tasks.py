"""Background work of the alarm centre. Thin: load by id, tell someone.

There is no outbound messaging app yet (SMS, voice call, app push: `notify`, SYSTEM.md), so
these tasks write the notice to the log, where an operator's log shipper or a later
`notify` transport picks it up. Escalation itself is not a task: it runs in the
`escalate` loop (CONVENTIONS.md), and only the telling is queued.
"""

import logging

from django_tasks import task

log = logging.getLogger("kangyang.alarms.notify")


@task()
def tell_escalation(alarm_id: int, tier: int) -> None:
    """Tell the next tier (second operator group, then the duty officer) that an alarm
    waits. Ids only; no personal data in the log."""
    log.warning("alarm %d escalated to tier %d", alarm_id, tier)


@task()
def tell_worker_of_door_visit(task_id: int) -> None:
    """Tell the community worker that a door visit is needed."""
    log.warning("door visit requested: task %d", task_id)
