"""The elder and family app (/app/), by topic: one module per part of the app."""

from kangyang.portal.views.binding import bind, binding_requests, elder_family  # noqa: F401
from kangyang.portal.views.pages import home, survival  # noqa: F401
from kangyang.portal.views.shell import app_settings, elder_mode_switch, manifest, offline, service_worker  # noqa: F401
from kangyang.portal.views.notifications import notifications, push  # noqa: F401  (issue 14: appfamily)
from kangyang.portal.views.payments import pay_fake, pay_order, payment  # noqa: F401  (issue 14: appfamily)
from kangyang.portal.views.sos import sos, sos_status  # noqa: F401
from kangyang.portal.views.ordering import (  # noqa: F401
    order, order_cancel, order_complain, order_detail, order_rate, orders,
)
from kangyang.portal.views.route import route  # noqa: F401
from kangyang.portal.views.visits import follow_up_close, visit_record, visits  # noqa: F401  (issue 15: visitrec)
from kangyang.portal.views.sign_in import app_login, app_login_code, card, elder_card  # noqa: F401
from kangyang.portal.views.timebank import (  # noqa: F401  (issue 15: tbpages)
    timebank, timebank_give, timebank_register, timebank_spend, timebank_take,
)
from kangyang.portal.views.health import health, health_consent  # noqa: F401  (issue 17: records)
