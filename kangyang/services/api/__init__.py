"""/api/v1/providers, /api/v1/service-items and /api/v1/orders: home services over HTTP,
for the elder's and family's app, the hotline, community workers, provider managers and
the caregiver app. One module per topic (as in actions/): providers.py (providers, the
catalogue), orders.py, dispatch.py (dispatch and the caregiver's route), service_visits.py
(check-in and check-out); they add their operations to the three routers of _common.py,
which the project's api.py mounts.

Scope. Orders are loaded through services.queries (`orders_for`, `get_order_for`), by the
rule of models.service_filter: a provider manager sees their organisation's orders, a
caregiver their own, an elder or family member their elder's, area staff their area's.
Anything else is a 404 and never listed. Seeing an order is not enough to act on it: each
step is refused with 403 by its action unless the caller is the one who takes it (only the
assigned caregiver accepts, checks in and out; the ordering side cancels and confirms; the
provider's manager assigns). An elder named in a body is loaded with registry's
`get_elder_for` (404 outside scope); ordering, quoting and the menu then need someone who
may order for that elder (the elder, family, the hotline, the community worker), else 403.

References in a body. An item is named by id or code; an unknown one is a 422 on `item`. A
provider or caregiver named by id that does not exist is a 422 on that field; one that
exists but lies outside the caller's view is a 404, as every record outside scope is.

Conflicts. A step the order's status does not allow is 409 `wrong_status`; an order whose
price split changed since the quote (`expected_own_share`) is 409 `price_changed`.

Formats. Money is a decimal string in yuan with two decimals ("15.00"), never a float.
Datetimes are answered as the whole API answers them: RFC 3339 in UTC with "Z" (11:00 in
Nanchang is "2026-12-02T03:00:00Z"). A datetime sent may carry any offset ("+08:00" or "Z");
one sent without an offset is refused. A `day` is a local date (KANGYANG_TIME_ZONE), and a
time of day (opening hours, a standing order's window) is local time. Service visits carry
the distance from the elder's home and whether it was within the radius, never the location
sent.
"""

# Importing the topic modules adds their operations to the routers (the order below is the
# order of the operations in the OpenAPI document).
from kangyang.services.api import dispatch, orders, providers, service_visits  # noqa: F401
from kangyang.services.api._common import items_router, providers_router, router

__all__ = ["items_router", "providers_router", "router"]
