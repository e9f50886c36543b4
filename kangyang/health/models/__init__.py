"""Health services (健康服务), split by topic: the structured health record (records), medical
institutions, family-doctor teams and contracts (contracts), the yearly check-up of the 65+
(checkups), follow-up rules and hypertension/diabetes follow-ups (followups), readings from home
devices and the health alerts they raise (readings), and cognitive screening, referrals and home
sickbeds (screening).

Kangyang is not a clinical record system: it keeps what elder care needs and links to the
hospital's system (`registry.HealthRecord.ehr_number`). Who may read any of it is in
kangyang/accounts/scope/health.py."""

from kangyang.health.models.records import *  # noqa: F401,F403
from kangyang.health.models.contracts import *  # noqa: F401,F403
from kangyang.health.models.checkups import *  # noqa: F401,F403
from kangyang.health.models.followups import *  # noqa: F401,F403
from kangyang.health.models.readings import *  # noqa: F401,F403
from kangyang.health.models.screening import *  # noqa: F401,F403
