"""/api/v1/health: the records topic."""

from ninja import Router

router = Router(tags=["health"])
