"""The demo's care calls (issue 15 §4): the hotline operator's list is believable from the
first sign-in — a past week of calls recorded by the operator (mostly well, some no answer
tried again, a few asking for help, which made home visits due), one unanswered call whose
retry is due now, several calls due now, and every other elder living alone scheduled as the
worker would (first calls spread over the interval).

`seed_calls(district=…, rng=…)` is the hook; the lead wires it into visits' demo hooks (after
the accounts exist: the calls are the operator's). Done once per district: a district with
care calls already is left as it is."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.notify.models import Delivery
from kangyang.regions.models import Region
from kangyang.registry.models import Elder
from kangyang.visits.actions import calls as actions
from kangyang.visits.models import CareCall

O = CareCall.Outcome
HISTORY_ELDERS = 40
DUE_NOW = 8
# What a week of calls found, as weights: most elders are well.
OUTCOMES = [(O.WELL, 80), (O.NO_ANSWER, 14), (O.NEEDS_HELP, 6)]
NOTES = {
    O.WELL: ["身体挺好，刚买菜回来", "血压正常，按时吃药", "精神不错，孩子周末回来", "", ""],
    O.NEEDS_HELP: ["腿疼下不了楼，想请人送饭", "家里水管漏水，需要维修", "药快吃完了，想请社区医生上门"],
    O.NO_ANSWER: ["无人接听", "占线", ""],
}


def _operator_for(district: Region) -> User | None:
    for user in User.objects.filter(role=User.Role.HOTLINE_OPERATOR, is_active=True).select_related("region"):
        if scope.makes_care_calls_of(user, district.code):
            return user
    return None


def _day_time(rng: random.Random, now: dt.datetime, days_ago: int) -> dt.datetime:
    local = timezone.localtime(now - dt.timedelta(days=days_ago))
    return local.replace(hour=rng.randint(9, 16), minute=rng.randint(0, 59), second=0, microsecond=0)


def _pick(rng: random.Random, weights) -> str:
    return rng.choices([o for o, _w in weights], weights=[w for _o, w in weights])[0]


@transaction.atomic
def seed_calls(*, district: Region, rng: random.Random, operator: User | None = None,
               now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    prefix = district.code[:6]
    if CareCall.objects.filter(region_code__startswith=prefix).exists():
        return ""
    operator = operator or _operator_for(district)
    if operator is None:
        return ""
    alone = list(Elder.objects.filter(actions.living_alone(), status=Elder.Status.ACTIVE,
                                      region_code__startswith=prefix).order_by("pk").values_list("pk", flat=True))
    if not alone:
        return ""
    chosen = rng.sample(alone, min(len(alone), HISTORY_ELDERS + DUE_NOW + 1))
    history, due_now, retry = chosen[:HISTORY_ELDERS], chosen[HISTORY_ELDERS:-1], chosen[-1:]
    elders = Elder.objects.in_bulk(chosen)
    recorded = 0

    def record(call: CareCall, outcome: str, at: dt.datetime) -> CareCall:
        nonlocal recorded
        recorded += 1
        return actions.record_outcome(call, by=operator, outcome=outcome, note=rng.choice(NOTES[outcome]) or (
            "需要帮助" if outcome == O.NEEDS_HELP else ""), now=at)

    # A past week: each elder called once on a day of the last seven; an unanswered call is
    # tried again after the retry delay until someone answers (or the retries run out).
    for elder_id in history:
        elder = elders[elder_id]
        at = _day_time(rng, now, rng.randint(1, 7))
        call = CareCall.objects.create(elder=elder, region_code=elder.region_code, scheduled_for=at)
        outcome = _pick(rng, OUTCOMES)
        while True:
            call = record(call, outcome, at + dt.timedelta(minutes=rng.randint(1, 20)))
            if outcome != O.NO_ANSWER:
                break
            retry_call = CareCall.objects.filter(elder=elder, outcome=O.PENDING).first()
            if retry_call is None:
                break  # the retries ran out: a home visit is due
            call, at = retry_call, retry_call.scheduled_for
            outcome = _pick(rng, [(O.WELL, 70), (O.NO_ANSWER, 30)])
    # One unanswered a little over the retry delay ago: its retry is due now.
    for elder_id in retry:
        elder = elders[elder_id]
        at = now - actions.retry_after() - dt.timedelta(minutes=25)
        first = CareCall.objects.create(elder=elder, region_code=elder.region_code, scheduled_for=at)
        record(first, O.NO_ANSWER, at + dt.timedelta(minutes=2))
    # Calls due now, the oldest a few hours ago.
    CareCall.objects.bulk_create([
        CareCall(elder_id=e, region_code=elders[e].region_code,
                 scheduled_for=now - dt.timedelta(minutes=rng.randint(5, 240)))
        for e in due_now
    ])
    # The demo's messages were "sent" by the console when they were made.
    Delivery.objects.filter(key__startswith="care_call:", status=Delivery.Status.QUEUED,
                            region_code__startswith=prefix).update(
        status=Delivery.Status.SENT, attempts=1, sent_at=now, next_attempt_at=None, provider_id="console-demo")
    # Everyone else living alone: as the worker schedules them.
    scheduled = actions.schedule_care_calls(now, region_prefix=prefix)
    return _("%(recorded)d care calls recorded in the past week, %(due)d due now, %(scheduled)d scheduled") % {
        "recorded": recorded, "due": len(due_now) + len(retry), "scheduled": scheduled,
    }
