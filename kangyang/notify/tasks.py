"""Background work of notifications. Thin: load by id, make the attempt."""

from django_tasks import task

from kangyang.notify.models import Delivery


@task()
def send_delivery(delivery_id: int) -> None:
    """One attempt at a queued delivery (actions.deliver); a retry enqueues the next."""
    from kangyang.notify import actions

    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is not None:
        actions.deliver(delivery)
