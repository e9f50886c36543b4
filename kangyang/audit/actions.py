"""Writing the audit log. Every other app calls record(); nothing else writes here."""

from django.db import models

from kangyang.audit.context import client_ip
from kangyang.audit.models import AuditEntry


def record(
    by, action: str, target: models.Model | None = None, *,
    verb: str = "", note: str = "", changes: dict | None = None, region_code: str = "",
) -> AuditEntry:
    """Append one entry. `verb` names the event ("elder.reveal"); defaults to the action."""
    return AuditEntry.objects.create(
        actor=by if by is not None and by.is_authenticated else None,
        actor_username=getattr(by, "username", "") or "",
        action=action,
        verb=verb or action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        region_code=region_code or getattr(target, "region_code", "") or "",
        ip=client_ip.get(),
        note=note,
        changes=changes or {},
    )
