"""What the worker does for care visits by itself (kangyang/ops/housekeeping.py runs these):

* daily: derive the tiers again (`refresh_profiles`: the registry and the assessments change),
  then the running month's plan (`make_monthly_plan`: on the 1st it makes the month; on the
  other days it adds only the elders who became due since — idempotent). A fresh installation
  with no tier at all gets the default policy first (`ensure_default_tiers`); a bureau that
  edited or removed tiers keeps its own.
* hourly: visits due after yesterday's and today's alarms (`visits_due_after_alarms`), then the
  overdue reminders (`remind_overdue`, which first settles the dues by the visits recorded).
"""

import datetime as dt

from django.utils import timezone

from kangyang.visits.actions.plans import make_monthly_plan, month_start, remind_overdue
from kangyang.visits.actions.tiers import ensure_default_tiers, refresh_profiles, visits_due_after_alarms
from kangyang.visits.models import Tier


def daily_visit_chores(*, now: dt.datetime | None = None) -> int:
    """Returns how many plan lines were added."""
    now = now or timezone.now()
    if not Tier.objects.exists():
        ensure_default_tiers()
    refresh_profiles(today=timezone.localdate(now))
    return make_monthly_plan(month_start(timezone.localdate(now)), now=now).created


def hourly_visit_chores(*, now: dt.datetime | None = None) -> int:
    """Returns how many visitors were reminded."""
    now = now or timezone.now()
    visits_due_after_alarms(now=now)
    return remind_overdue(now=now)
