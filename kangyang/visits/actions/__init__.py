"""Every change to care visits, by topic; views, the API, the demo and the tests call these
functions, and nothing else saves these models. (visitrec: records and follow-ups; the plans
and care calls add their modules here.)"""

from kangyang.visits.actions.follow_ups import close_follow_up, open_follow_up
from kangyang.visits.actions.records import Fix, record_visit

__all__ = ["Fix", "close_follow_up", "open_follow_up", "record_visit"]
