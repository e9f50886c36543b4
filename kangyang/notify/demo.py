"""Demo data of notifications (demo hook: kangyang/ops/demo.py): how the demo accounts are
told. The numbers are made up (139 0791 00xx); the console transport only logs them, masked.
The delivery log's rows come from the apps that send (alarms: the escalated alarms of its
history, alarms/notifications.py), after this has run: notify comes before them."""

import datetime as dt
import random

from django.utils.translation import gettext as _

from kangyang.notify.actions import save_preference
from kangyang.notify.models import Preference

# username → (made-up phone, quiet hours or None). Alarms ignore quiet hours.
DEMO_PREFERENCES = {
    "admin": ("13907910001", None),
    "operator": ("13907910002", None),
    "subdistrict": ("13907910003", (dt.time(22), dt.time(7))),
    "worker_a": ("13907910004", (dt.time(22), dt.time(7))),
    "worker_b": ("13907910005", (dt.time(22), dt.time(7))),
    "provider": ("13907910006", (dt.time(21), dt.time(8))),
    "caregiver": ("13907910007", (dt.time(21), dt.time(7))),
    "family": ("13607915555", (dt.time(22), dt.time(7))),
}


def seed_demo_accounts(*, accounts: dict, district, rng: random.Random) -> str:
    """A phone for messages, SMS on, and quiet hours for the demo accounts that have none."""
    added = 0
    for username, (phone, quiet) in DEMO_PREFERENCES.items():
        user = accounts.get(username)
        if user is None or Preference.objects.filter(user=user).exists():
            continue
        save_preference(user, by=user, phone=phone, sms=True,
                        quiet_from=quiet[0] if quiet else None, quiet_until=quiet[1] if quiet else None)
        added += 1
    return _("%(n)d accounts with a phone for messages (SMS through the console)") % {"n": added} if added else ""
