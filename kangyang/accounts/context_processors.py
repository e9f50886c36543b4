from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope

# (module, URL name, label) in the order of the navigation bar.
NAVIGATION = [
    ("indicators", "indicators:dashboard", _("Indicators")),
    ("registry", "registry:list", _("Elders")),
    ("assessment", "assessment:due", _("Assessments due")),
    ("allowances", "allowances:rolls", _("Allowances")),
    ("alarms", "alarms:console", _("Alarms")),
    ("care_calls", "care_calls:list", _("Care calls")),
    ("wall", "indicators:wall", _("Wall display")),
    ("services", "services:index", _("Home services")),
    ("route", "services:route", _("Today's route")),
    ("visits", "visits:plan", _("Care visits")),
    ("timebank", "timebank:confirm", _("Time bank")),
    ("institutions", "institutions:list", _("Institutions")),
    ("health", "health:index", _("Health")),
    ("regions", "regions:list", _("Regions")),
    ("organisations", "organisations:list", _("Organisations")),
    ("audit", "audit:list", _("Audit log")),
    ("notify", "notify:log", _("Messages sent")),
]


def navigation(request) -> dict:
    """The modules the signed-in user works with, and which one the page belongs to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "can_manage_accounts": False}
    items = []
    for module, url_name, label in NAVIGATION:
        if scope.can_open(user, module):
            url = reverse(url_name)
            prefix = "/" + url.strip("/").split("/")[0] + "/"
            items.append({"url": url, "label": label, "current": request.path.startswith(prefix)})
    # The rule for the header's "Accounts" link is scope's, not the template's.
    return {"nav": items, "can_manage_accounts": scope.can_manage_accounts(user)}


def demo_mode(request) -> dict:
    """Whether to show the demo banner: on every page of a database `kangyang demo` seeded."""
    from kangyang.accounts.queries import is_demo_database

    return {"demo_mode": is_demo_database()}
