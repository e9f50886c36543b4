"""Elder mode (长辈模式, shared/spec/elder-mode.md): whether a page is shown with large text,
large targets and read-aloud, and how fast the page is read aloud.

A signed-in person's choice is stored on their account (User.elder_mode; None means the role's
default: on for elders, off for everyone else), so it follows them to another phone. Signed-out
pages (the sign-in page) read a cookie, which the switch also sets, so that an elder who signed
out still sees the sign-in page in large print.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from kangyang.accounts.models import User

COOKIE = "kangyang_elder_mode"
RATE_COOKIE = "kangyang_speech_rate"
COOKIE_AGE = 365 * 24 * 3600

# Read-aloud speeds (SpeechSynthesisUtterance.rate), the first the default.
RATES = {"normal": 0.9, "slow": 0.7, "fast": 1.1}


def default_for(user) -> bool:
    """On for elders, off for everyone else (and for nobody signed in)."""
    return getattr(user, "role", None) == User.Role.ELDER


def of_user(user) -> bool:
    if user.elder_mode is None:
        return default_for(user)
    return user.elder_mode


def is_on(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return of_user(user)
    return request.COOKIES.get(COOKIE) == "1"


def speech_rate(request: HttpRequest) -> str:
    """The read-aloud speed's name (a key of RATES)."""
    rate = request.COOKIES.get(RATE_COOKIE, "")
    return rate if rate in RATES else next(iter(RATES))


def remember(response: HttpResponse, on: bool) -> None:
    """Keep the choice for the signed-out pages of this browser."""
    response.set_cookie(COOKIE, "1" if on else "0", max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=settings.SESSION_COOKIE_SECURE)


def remember_rate(response: HttpResponse, rate: str) -> None:
    response.set_cookie(RATE_COOKIE, rate, max_age=COOKIE_AGE, samesite="Lax", httponly=True,
                        secure=settings.SESSION_COOKIE_SECURE)
