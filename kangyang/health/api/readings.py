"""/api/v1/health: the readings topic."""

from ninja import Router

router = Router(tags=["health"])
