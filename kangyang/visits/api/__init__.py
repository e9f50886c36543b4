"""/api/v1/visits: care visits over HTTP, one module per topic (visitrec: records.py — record a
visit, read one, open and close follow-ups; the plans add the list, GET /api/v1/visits)."""

from kangyang.visits.api.records import router

__all__ = ["router"]
