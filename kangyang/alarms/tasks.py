"""Background work of the alarm centre. Thin: load by id, tell someone.

Escalation itself is not a task: it runs in the `escalate` loop (CONVENTIONS.md), and only
the telling is queued: whom to tell is decided in alarms/notifications.py, and the messages
go out through kangyang/notify (SMS, e-mail, app push, with the delivery log). The door-visit
notice still only writes to the log.
"""

import logging

from django_tasks import task

log = logging.getLogger("kangyang.alarms.notify")


@task()
def tell_escalation(alarm_id: int, tier: int) -> None:
    """Tell the next tier (second operator group, community worker and family; then the duty
    officer) that an alarm waits. Ids only; no personal data in the log."""
    from kangyang.alarms import notifications
    from kangyang.alarms.models import Alarm

    log.warning("alarm %d escalated to tier %d", alarm_id, tier)
    alarm = Alarm.objects.select_related("elder").filter(pk=alarm_id).first()
    if alarm is not None:
        notifications.tell_escalation(alarm, tier)


@task()
def tell_family_at_raise(alarm_ids: list[int]) -> None:
    """Tell the family bound in the app of newly raised alarms (issue 14). Ids only."""
    from kangyang.alarms import notifications
    from kangyang.alarms.models import Alarm

    for alarm in Alarm.objects.select_related("elder").filter(pk__in=alarm_ids, elder__isnull=False).order_by("pk"):
        notifications.tell_family_at_raise(alarm)


@task()
def tell_worker_of_door_visit(task_id: int) -> None:
    """Tell the community worker that a door visit is needed."""
    log.warning("door visit requested: task %d", task_id)
