"""Health alerts: raised by urgent readings (actions/readings.py calls `raise_alerts` inside the
ingestion's transaction), acknowledged, escalated when nobody does, closed with an outcome."""

import datetime as dt

from kangyang.health.models import HealthAlert, Reading


def raise_alerts(readings: list[Reading], *, now: dt.datetime) -> list[HealthAlert]:
    """One alert per urgent reading (stored readings, with pk), for the elder's team and community.
    Called inside the caller's transaction; notifications go out after it commits."""
    alerts = [HealthAlert(elder_id=r.elder_id, region_code=r.elder.region_code if hasattr(r, "elder") else "",
                          reading=r, rule=r.rule, raised_at=now)
              for r in readings if r.classification == "urgent"]
    return HealthAlert.objects.bulk_create(alerts)
