"""The indicators' history for `kangyang demo` (demo hook: kangyang/ops/demo.py): the monthly
snapshots of the past twelve months, the past year, and the running month and year, so that
the trend charts have a history on the first day.

Each snapshot is computed for real (actions.take_snapshot) over the demo's records as they
stand for that period: the registry's seeded elders carry the date they were put on the
register (registry/demo.py, registered_at), the deceased their date of death, the alarms, the
orders and the assessments their own dates. A figure whose records the demo does not date
back (30 days of alarms, a few weeks of orders) is honestly small or nil in the months before;
nothing is made up.

The hook runs once every district's own hooks are done (`seed_demo_finished`), so the orders
and the alarm history of both districts exist by then; the whole tree is computed once (the
city's figures are the sum of both districts'). An audit entry per district says it is done,
so a later `kangyang demo` keeps the history (and the worker keeps the running month); a
district seeded later (a demo database made before there was a second one) has none, and the
history is computed again with it.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.indicators.actions import take_snapshot
from kangyang.indicators.registry import Period
from kangyang.regions.models import Region

VERB = "demo.indicator_history"
MONTHS_BACK = 12


def history_periods(today: dt.date) -> list[Period]:
    """The past MONTHS_BACK months oldest first, the past year, then the running month and year."""
    months = []
    year, month = today.year, today.month
    for _n in range(MONTHS_BACK):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(Period(year, month))
    return [*reversed(months), Period(today.year - 1), Period(today.year, today.month), Period(today.year)]


def seed_demo_finished(*, districts: list[Region]) -> str:
    waiting = [d for d in districts if not AuditEntry.objects.filter(verb=VERB, region_code=d.code).exists()]
    if not waiting:
        return ""
    periods = history_periods(timezone.localdate())
    figures = sum(take_snapshot(period) for period in periods)
    for district in waiting:
        record(None, AuditEntry.Action.CREATE, verb=VERB, region_code=district.code,
               changes={"periods": len(periods), "figures": figures})
    return _("%(figures)d indicator figures for %(periods)d periods (the past 12 months, last year, this month and this year)") % {
        "figures": figures, "periods": len(periods)}
