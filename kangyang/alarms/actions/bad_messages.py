"""Device messages the ingester refused, kept for review."""

import datetime as dt

from django.utils import timezone

from kangyang.alarms import constants
from kangyang.alarms.models import BadMessage


def bad_message(*, topic: str, payload: bytes, reason: str, detail: str = "", device_id: str = "",
                now: dt.datetime | None = None) -> BadMessage:
    """An unsaved BadMessage: the payload truncated and decoded, and NUL characters (which
    PostgreSQL text refuses) shown as U+FFFD."""
    def clean(text: str, length: int) -> str:
        return text[:length].replace("\x00", "\ufffd")

    return BadMessage(
        topic=clean(topic, 200), device_id=clean(device_id, 64),
        payload=clean(payload[: constants.BAD_PAYLOAD_KEEP].decode("utf-8", errors="replace"), constants.BAD_PAYLOAD_KEEP),
        payload_size=len(payload), reason=reason, detail=clean(detail, 500),
        received_at=now or timezone.now(),
    )


def store_bad_message(**fields) -> BadMessage:
    """Keep a refused device message for review (see bad_message)."""
    message = bad_message(**fields)
    message.save()
    return message
