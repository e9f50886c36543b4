"""/api/v1/institutions (filled in by its topic)."""

from ninja import Router

router = Router(tags=["institutions"])
