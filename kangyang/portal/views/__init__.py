"""The elder and family app (/app/), by topic: one module per part of the app."""

from kangyang.portal.views.pages import home, survival  # noqa: F401
from kangyang.portal.views.route import route  # noqa: F401
