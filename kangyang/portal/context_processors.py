"""What every page of the app shell (templates/portal/app_base.html) needs: elder mode, the
read-aloud speed, the bottom navigation and the hotline."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.portal import elder_mode

# The bottom navigation, by who signed in: (URL name, label). Elders and family members have
# their home screen, orders and messages; a caregiver her route; everyone the settings.
PERSONAL_NAV = [
    ("portal:home", _("Home")),
    ("portal:orders", _("My orders")),
    ("portal:notifications", _("Messages")),
    ("portal:settings", _("Settings")),
]
CAREGIVER_NAV = [
    ("portal:route", _("Today's route")),
    ("portal:settings", _("Settings")),
]
# Community workers: their visits of the day (issue 15), and the staff pages.
VISITOR_NAV = [
    ("portal:visits", _("Today's visits")),
    ("home", _("Home")),
    ("portal:settings", _("Settings")),
]
# A volunteer: her visits of the day and her time bank (issue 15).
VOLUNTEER_NAV = [
    ("portal:visits", _("Today's visits")),
    ("portal:timebank", _("Time bank")),
    ("portal:settings", _("Settings")),
]
OTHER_NAV = [
    ("home", _("Home")),
    ("portal:settings", _("Settings")),
]


def nav_for(user) -> list[tuple[str, str]]:
    if scope.has_own_page(user):
        return PERSONAL_NAV
    if scope.uses_caregiver_route(user):
        return CAREGIVER_NAV
    if scope.uses_timebank_app(user):
        return VOLUNTEER_NAV
    if scope.uses_visitor_board(user):
        return VISITOR_NAV
    return OTHER_NAV


def app_shell(request) -> dict:
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        for name, label in nav_for(user):
            url = reverse(name)
            current = request.path == url if url in ("/", "/app/") else request.path.startswith(url)
            nav.append({"url": url, "label": label, "current": current})
    rate = elder_mode.speech_rate(request)
    return {
        "elder_mode": elder_mode.is_on(request),
        "speech_rate": elder_mode.RATES[rate],
        "app_nav": nav,
        "hotline": settings.HOTLINE,
    }
