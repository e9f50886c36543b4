"""/api/v1/health: the followups topic."""

from ninja import Router

router = Router(tags=["health"])
