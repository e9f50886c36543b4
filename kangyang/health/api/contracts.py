"""/api/v1/health: the contracts topic."""

from ninja import Router

router = Router(tags=["health"])
