"""Care visits' indicator for the dashboard: the monthly visit rate of vulnerable elders
(特殊困难老年人月探访率), the plans' `vulnerable_monthly_visit_rate` (target 100%:
plan-targets.yaml, Xihu 2025 and Nanchang's 14th five-year plan).

The rule is written in queries/rate.py (and README "Care visits: the monthly visit rate"). The
records behind the number are elders: the denominator lists the elders due a visit in the month,
the numerator those visited; the unvisited ones are the difference (the rate page lists them).
Region: where the elder actually lives (`Elder.region_code`).
"""

from django.utils.translation import gettext_lazy as _

from kangyang.indicators.registry import PERCENT, Indicator
from kangyang.visits.queries import rate

VISIT_RATE = Indicator(
    code="vulnerable_monthly_visit_rate", name=_("monthly visit rate of vulnerable elders"), unit=PERCENT,
    group="visits",
    numerator=rate.denominator, numerator_where=rate.numerator_where,
    numerator_text=_("elders due a visit who had at least one care visit done in the month (for a quarterly tier: "
                     "in the quarter up to the month's end) of a mode their tier counts — for the high-risk and key "
                     "tiers a home visit or one through a neighbour or relative, for the general tier also a phone or "
                     "video call"),
    denominator=rate.denominator,
    denominator_text=_("vulnerable elders with a visit tier due a visit in the month: registered before it ends, not "
                       "deceased or moved out before it starts (quarterly tier: in their month of the quarter)"),
    as_of_text=_("the calendar month in Asia/Shanghai (up to now while it runs; a year: its last month), in the "
                 "community where the elder actually lives"),
)

INDICATORS = [VISIT_RATE]
