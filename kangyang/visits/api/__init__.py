"""/api/v1/visits: care visits over HTTP. One module per topic adds its operations to the one
`router` below, which the project's api.py mounts: plans.py (the list of care visits, the plan's
lines, the visit rate), records.py (record a visit, read one, open and close follow-ups). A topic module imports `router` from here; its operations are listed in
the order the modules are imported (literal paths such as /due before a /{id} of a later one)."""

from ninja import Router

router = Router(tags=["visits"])

# Importing the topic modules adds their operations to the router.
from kangyang.visits.api import plans, records  # noqa: E402,F401

__all__ = ["router"]
