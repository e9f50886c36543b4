"""/api/v1/institutions, /api/v1/inspections and /api/v1/hazards: one router per resource (the
project's api.py mounts each), each in its topic module."""

from kangyang.institutions.api.hazards import router as hazards_router
from kangyang.institutions.api.inspections import router as inspections_router
from kangyang.institutions.api.register import router as institutions_router

__all__ = ["hazards_router", "inspections_router", "institutions_router"]
