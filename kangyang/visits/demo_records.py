"""Demo data of visit records (issue 15): today's visits due for the demo `volunteer` and
`worker_a` (some overdue), a visit each already recorded today, and a few open follow-ups in
`worker_a`'s community. Called by the visits app's `seed_demo_accounts` once the month's plan
is made: the chosen elders' open lines of the plan become today's rounds (a line is made only
for an elder the plan has none open for). Does nothing in a district without these accounts."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.registry.models import Elder
from kangyang.services import queries as services_queries
from kangyang.visits.actions import Fix, open_follow_up, record_visit
from kangyang.visits.models import FollowUp, Tier, VisitDue

VOLUNTEER_STOPS = 4
WORKER_STOPS = 3
FOLLOW_UPS = [
    ("safety", "home_adaptation", "卫生间地面湿滑，没有扶手", "申请适老化改造：卫生间扶手和防滑垫"),
    ("health", "doctor_referral", "近一周头晕，血压偏高", "请家庭医生上门测血压、调整用药"),
    ("needs", "device_install", "独居，夜里起身不便", "安装一键呼叫和夜灯"),
]


def _fix_at(elder: Elder, rng: random.Random) -> Fix | None:
    home = services_queries.home_of(elder)
    if home is None:
        return None
    return Fix(lat=home[0] + rng.uniform(-0.0003, 0.0003), lng=home[1] + rng.uniform(-0.0003, 0.0003),
               accuracy_m=rng.choice([8, 12, 20, 35]))


@transaction.atomic
def seed_records(*, district, rng: random.Random, accounts: dict) -> str:
    volunteer, worker = accounts.get("volunteer"), accounts.get("worker_a")
    if volunteer is None or worker is None or worker.region_id is None:
        return ""
    if not worker.region.code.startswith(district.prefix) or FollowUp.objects.filter(opened_by=worker).exists():
        return ""  # another district's, or done already
    now = timezone.now()
    today = timezone.localdate(now)
    month = today.replace(day=1)
    end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time(20, 0)))
    tier = Tier.objects.order_by("rank").first()  # the policy's tiers come with the plans' demo
    community = worker.region.code
    vulnerable = (Elder.objects.filter(status=Elder.Status.ACTIVE).exclude(categories_text="")
                  .select_related("household", "compound", "community").order_by("pk"))
    still_due = vulnerable.filter(visits_due__month=month, visits_due__status=VisitDue.Status.OPEN).distinct()
    if still_due.filter(region_code=worker.region.code).exists():
        vulnerable = still_due
    # The worker visits in her own community; the volunteer there too, and in its subdistrict
    # when a small demo has few elders in the community.
    own = list(vulnerable.filter(region_code=community))
    rng.shuffle(own)
    nearby = list(vulnerable.filter(region_code__startswith=community[:9]).exclude(region_code=community)[:50])
    rng.shuffle(nearby)
    worker_stops = own[:WORKER_STOPS]
    volunteer_stops = (own[WORKER_STOPS:] + nearby)[:VOLUNTEER_STOPS]
    if not worker_stops or not volunteer_stops:
        return ""

    def due(elder, visitor, by):
        line = (VisitDue.objects.filter(elder=elder, month=month, reason=VisitDue.Reason.PLAN,
                                        status=VisitDue.Status.OPEN).order_by("due_by").first())
        if line is not None:
            line.proposed_visitor = line.visitor = visitor
            line.due_by = by
            line.save(update_fields=["proposed_visitor", "visitor", "due_by"])
            return line
        return VisitDue.objects.create(elder=elder, region_code=elder.region_code, tier=tier, month=month,
                                       reason=VisitDue.Reason.PLAN, due_by=by, proposed_visitor=visitor,
                                       visitor=visitor, created_at=timezone.make_aware(
                                           dt.datetime.combine(month, dt.time(8, 0))))

    visits = follow_ups = 0
    for i, elder in enumerate(volunteer_stops):
        # one overdue since yesterday, the rest due tonight
        due(elder, volunteer, end_of_day - dt.timedelta(days=1) if i == 0 and len(volunteer_stops) > 1 else end_of_day)
    for elder in worker_stops:
        due(elder, worker, end_of_day)
    # Already done today, with concerns found: the volunteer's last stop and the worker's, each
    # only when another stop is left to visit (a small demo: the follow-ups go to the other).
    started = max(now - dt.timedelta(minutes=90), timezone.make_aware(dt.datetime.combine(today, dt.time())))
    done = [(stops[-1], visitor) for stops, visitor in ((volunteer_stops, volunteer), (worker_stops, worker))
            if len(stops) > 1]
    done = [(elder, visitor, FOLLOW_UPS[i::len(done)]) for i, (elder, visitor) in enumerate(done)]
    for elder, visitor, concerns in done:
        findings = {"health": "ok", "mood": "ok", "living": "ok", "safety": "ok", "needs": "ok"}
        for item, _kind, note, _needed in concerns:
            findings[item] = {"state": "concern", "note": note}
        visit = record_visit(elder, by=visitor, mode="home", started_at=started,
                             ended_at=min(now, started + dt.timedelta(minutes=40)), fix=_fix_at(elder, rng),
                             findings=findings, notes="老人精神尚可，已叮嘱注意安全。", now=now)
        visits += 1
        for item, kind, _note, needed in concerns:
            open_follow_up(visit, by=visitor, kind=kind, finding=item, note=needed, now=now)
            follow_ups += 1
    n = len(volunteer_stops) + len(worker_stops)
    return _("%(due)d visits due today, %(done)d recorded, %(open)d follow-ups open") % {
        "due": n, "done": visits, "open": follow_ups}
