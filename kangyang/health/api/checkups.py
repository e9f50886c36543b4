"""/api/v1/health: the checkups topic."""

from ninja import Router

router = Router(tags=["health"])
