"""/api/v1/health: one router for the resource (the project's api.py mounts it), with each topic's
routes in its own module under its own path."""

from ninja import Router

from kangyang.health.api import checkups, contracts, followups, readings, records, screening

router = Router(tags=["health"])
router.add_router("", records.router)
router.add_router("", contracts.router)
router.add_router("", checkups.router)
router.add_router("", followups.router)
router.add_router("", readings.router)
router.add_router("", screening.router)

__all__ = ["router"]
