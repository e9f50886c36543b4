"""/api/v1/health: the screening topic."""

from ninja import Router

router = Router(tags=["health"])
