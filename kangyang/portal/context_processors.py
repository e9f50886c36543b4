"""What every page of the app shell (templates/portal/app_base.html) needs: elder mode, the
read-aloud speed, the bottom navigation and the hotline."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from kangyang.portal import elder_mode

# (URL name, fallback path, label) of the bottom navigation. A part of the app that is not
# built yet (my orders) still gets its place: its plain path answers once it exists.
BOTTOM_NAV = [
    ("portal:home", "/app/", _("Home")),
    ("portal:orders", "/app/orders/", _("My orders")),
    ("portal:settings", "/app/settings/", _("Settings")),
]


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def app_shell(request) -> dict:
    user = getattr(request, "user", None)
    nav = []
    if user is not None and user.is_authenticated:
        for name, fallback, label in BOTTOM_NAV:
            url = _url(name, fallback)
            current = request.path == url if url == "/app/" else request.path.startswith(url)
            nav.append({"url": url, "label": label, "current": current})
    rate = elder_mode.speech_rate(request)
    return {
        "elder_mode": elder_mode.is_on(request),
        "speech_rate": elder_mode.RATES[rate],
        "app_nav": nav,
        "hotline": settings.HOTLINE,
    }
