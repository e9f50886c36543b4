"""The health app's actions, one module per topic (see kangyang/health/models), and the one audit
of a read of health data that every topic's pages and API write."""

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry


def audit_read(user, target=None, *, verb: str, note: str = "", region_code: str = "",
               changes: dict | None = None) -> None:
    """A staff member read health data (an elder's, or a list): one audit entry, in the elder's area
    (or the reader's, for a list). The elder's and her family's own reads are not audited
    (scope.health_read_is_audited)."""
    if not scope.health_read_is_audited(user):
        return
    region_code = region_code or getattr(target, "region_code", "") or (
        user.region.code if getattr(user, "region_id", None) else "")
    record(user, AuditEntry.Action.VIEW_FULL, target, verb=verb, note=note, region_code=region_code,
           changes=changes)
