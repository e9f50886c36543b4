"""The visit policy, plans and a history of care visits for `kangyang demo` and `kangyang seed`
(demo hooks: kangyang/ops/demo.py).

`seed_demo`: the default tiers, and every vulnerable elder's profile (tier derived from the
registry and the assessments).

`seed_demo_accounts`: once the accounts exist — a visitor for every community (`worker_a` and
`volunteer` in community A, `worker_b` in B, and a synthetic community worker who cannot sign in
in each other community), three pairings of `volunteer` in community A, last month's and this
month's plans, and the visits made: about nine in ten elders due were visited last month, and
this month as many of those whose visit fell on a day already past — by their plan's visitor,
mostly at home, some by phone (which the high-risk and key tiers do not count: the rate shows
them as not visited), so the rate reads a believable 85–95%, not 100%. The dues are then settled
by those visits. Then today's rounds of `volunteer` and `worker_a` (demo_records.py) and the
hotline operator's care calls (demo_calls.py). Done once per district: a district that has visits already is left as it is.
Shares are assumptions for synthetic data, not statistics.
"""

import datetime as dt
import random

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import User
from kangyang.regions.models import Region
from kangyang.visits import actions
from kangyang.visits.actions.plans import local, month_end, month_start, visitors_of
from kangyang.visits.demo_calls import seed_calls
from kangyang.visits.demo_records import seed_records
from kangyang.visits.models import CareVisit, Finding, Pairing, VisitDue, VisitProfile

SHARE_VISITED = 0.9  # of the elders due a visit, those visited (last month)
SHARE_PHONE = 0.08  # of the visits, those made by phone
SHARE_PROXY = 0.05  # through a neighbour or relative


def seed_demo(*, district: Region, rng: random.Random, elders: int) -> str:
    actions.ensure_default_tiers()
    actions.refresh_profiles(region_code=district.prefix)
    counts = dict(VisitProfile.objects.filter(region_code__startswith=district.prefix, tier__isnull=False)
                  .values_list("tier__name").annotate(n=Count("pk")))
    return _("%(n)d vulnerable elders with a visit tier (%(tiers)s)") % {
        "n": sum(counts.values()), "tiers": ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))}


def _community_visitors(district: Region, accounts: dict) -> None:
    """A community worker for each community that has none (synthetic, no password)."""
    staffed = set(User.objects.filter(role=User.Role.COMMUNITY_WORKER, region__code__startswith=district.prefix)
                  .values_list("region_id", flat=True))
    for community in Region.objects.filter(code__startswith=district.prefix, level=Region.Level.COMMUNITY):
        if community.pk in staffed:
            continue
        user = User(username=f"visitor-{community.code}", role=User.Role.COMMUNITY_WORKER, region=community,
                    full_name=f"{community.name}探访员（演示）")
        user.set_unusable_password()
        user.save()


def _when(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A daytime moment (8:00–18:00 local) between start and end."""
    span = max(1, int((end - start).total_seconds()))
    moment = timezone.localtime(start + dt.timedelta(seconds=rng.randrange(span)))
    return moment.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))


def _visits(lines: list[VisitDue], *, rng: random.Random, now: dt.datetime,
            fallback: dict[str, int]) -> list[CareVisit]:
    """A visit for about SHARE_VISITED of these plan lines (a weekly elder's each week), in the
    line's window up to now, by the line's visitor."""
    visits = []
    for line in lines:
        if rng.random() > SHARE_VISITED:
            continue
        start = line.created_at
        end = min(line.due_by, now)
        if end <= start:
            continue
        when = _when(rng, start, end)
        if when >= now or when < start:
            continue
        draw = rng.random()
        mode = "phone" if draw < SHARE_PHONE else "proxy" if draw < SHARE_PHONE + SHARE_PROXY else "home"
        visitor = line.visitor_id or fallback.get(line.region_code)
        if visitor is None:
            continue
        visits.append(CareVisit(
            elder_id=line.elder_id, region_code=line.region_code, visitor_id=visitor, mode=mode, started_at=when,
            ended_at=when + dt.timedelta(minutes=rng.randint(15, 50)),
            distance_m=rng.randint(3, 40) if mode == "home" else None, location_ok=True if mode == "home" else None,
            findings={k: {"state": "ok", "note": ""} for k in Finding.values},
            notes="", recorded_at=when + dt.timedelta(minutes=55)))
    return visits


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    if CareVisit.objects.filter(region_code__startswith=district.prefix).exists():
        return ""
    actions.ensure_default_tiers()
    actions.refresh_profiles(region_code=district.prefix)
    _community_visitors(district, accounts)
    volunteer = accounts.get("volunteer")
    if volunteer is not None and volunteer.region_id and volunteer.region.code.startswith(district.prefix):
        paired = (VisitProfile.objects.filter(region_code=volunteer.region.code, tier__isnull=False)
                  .exclude(elder__pairings__isnull=False).select_related("elder").order_by("elder_id")[:3])
        started = timezone.localdate() - dt.timedelta(days=120)
        for profile in paired:
            Pairing.objects.create(elder=profile.elder, region_code=profile.region_code, helper=volunteer,
                                   kind=Pairing.Kind.VOLUNTEER, started_on=started, created_by=accounts.get("worker_a"))
    now = timezone.now()
    this_month = month_start(timezone.localdate())
    last_month = month_start(this_month - dt.timedelta(days=1))
    actions.make_monthly_plan(last_month, region_code=district.prefix, now=local(last_month))
    actions.make_monthly_plan(this_month, region_code=district.prefix, now=local(this_month))
    fallback = {}
    for code in VisitProfile.objects.filter(region_code__startswith=district.prefix).values_list(
            "region_code", flat=True).distinct():
        first = visitors_of(code).first()
        if first is not None:
            fallback[code] = first.pk
    made = 0
    for month in (last_month, this_month):
        lines = list(VisitDue.objects.filter(region_code__startswith=district.prefix, month=month,
                                             reason=VisitDue.Reason.PLAN).order_by("elder_id", "due_by"))
        visits = _visits(lines, rng=rng, now=now, fallback=fallback)
        CareVisit.objects.bulk_create(visits, batch_size=2000)
        made += len(visits)
    actions.settle_open_dues(now=now, region_code=district.prefix)
    end = month_end(last_month)
    said = _("%(n)d care visits in %(last)s and this month; plans made up to %(end)s and for this month") % {
        "n": made, "last": last_month.strftime("%Y-%m"), "end": end.isoformat()}
    # Today's rounds of the demo's visitors (demo_records.py) and the operator's care calls
    # (demo_calls.py), on top of the plan.
    rounds = seed_records(district=district, rng=rng, accounts=accounts)
    calls = seed_calls(district=district, rng=rng)
    return "; ".join(text for text in (said, rounds, calls) if text)
