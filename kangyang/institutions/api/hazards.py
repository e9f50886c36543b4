"""/api/v1/hazards (filled in by its topic)."""

from ninja import Router

router = Router(tags=["hazards"])
