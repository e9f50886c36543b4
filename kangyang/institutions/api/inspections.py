"""/api/v1/inspections (filled in by its topic)."""

from ninja import Router

router = Router(tags=["inspections"])
