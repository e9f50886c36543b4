import datetime as dt

from django.db.models import Q
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.audit.models import AuditEntry
from kangyang.lib.renamed_apps import former_model_labels


def audit_entries_for(user, *, username: str = "", action: str = "", target: str = "",
                      ip: str | None = None, since: dt.date | None = None, until: dt.date | None = None):
    """Audit entries of the user's area (and events tied to no region, such as sign-ins)."""
    if not scope.can_read_audit(user):
        return AuditEntry.objects.none()
    qs = AuditEntry.objects.filter(scope.region_filter(user) | Q(region_code=""))
    if username:
        qs = qs.filter(actor_username=username.strip())
    if action:
        qs = qs.filter(action=action)
    if target:
        kind, _sep, pk = target.strip().partition(":")
        # Entries written before an app was renamed keep its old label (append-only log).
        kinds = [kind, *former_model_labels(kind.lower())]
        qs = qs.filter(target_type__in=kinds, **({"target_id": pk} if pk else {}))
    if ip:
        qs = qs.filter(ip=ip)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz))
    if until:
        qs = qs.filter(at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs
