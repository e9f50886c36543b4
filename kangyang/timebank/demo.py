"""The time bank's demo: the `volunteer` account (万晓东, community A) and a handful of
volunteers of that community with two months of history — hours deposited for care visits
(those the visits demo recorded by them, if any) and for activities their organiser confirmed,
services redeemed by the retired volunteers, a transfer to the `volunteer`'s mother and a
donation — the daily digests of the days that are over, and a ledger that verifies.
"""

import datetime as dt
import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.lib import crypto
from kangyang.registry.models import Elder
from kangyang.timebank import actions, queries
from kangyang.timebank.models import Account, Activity, Entry

R = User.Role
# The other volunteers of community A: name, username, birth year (the retired ones redeem).
VOLUNTEERS = [
    ("李秀英", "tb_volunteer_2", 1961),
    ("王建华", "tb_volunteer_3", 1958),
    ("陈静", "tb_volunteer_4", 1992),
    ("周国庆", "tb_volunteer_5", 1956),
    ("赵敏", "tb_volunteer_6", 1985),
]
ACTIVITIES = ["重阳节敬老活动", "社区义诊协助", "老年人智能手机课堂", "助老理发", "独居老人家居清洁日", "端午包粽子送温暖"]
DAYS = 60


def _phone(rng: random.Random) -> str:
    return f"139{rng.randrange(10**8):08d}"


@transaction.atomic
def seed_demo_accounts(*, accounts: dict, district, rng: random.Random) -> str:
    volunteer, worker = accounts.get("volunteer"), accounts.get("worker_a")
    if volunteer is None or worker is None or volunteer.region_id is None:
        return ""  # the second district: no volunteer there
    if Account.objects.filter(user=volunteer).exists():
        return ""
    community = volunteer.region
    people = [actions.open_volunteer_account(
        volunteer, real_name=volunteer.full_name or "万晓东", birth_date=dt.date(1990, 6, 18), phone=_phone(rng),
        by=worker)]
    for name, username, year in VOLUNTEERS:
        user = User.objects.filter(username=username).first() or User.objects.create(
            username=username, password=make_password(None), role=R.VOLUNTEER, region=community, full_name=name)
        people.append(actions.open_volunteer_account(
            user, real_name=name, birth_date=dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
            phone=_phone(rng), by=worker))

    # The ledger's history is written in order, back-dated, only into an empty ledger (so that
    # sequence numbers and times rise together; a later run adds nothing).
    backdate = not Entry.objects.exists()
    now = timezone.now()
    start = now - dt.timedelta(days=DAYS)

    def at(day: int, hour: int) -> dt.datetime | None:
        return (start + dt.timedelta(days=day, hours=hour - start.hour)) if backdate else None

    events = []  # (when, callable)
    # Care visits the visits demo recorded by these volunteers, if any.
    from kangyang.visits.models import CareVisit

    visits = list(CareVisit.objects.filter(scope.region_filter(worker), visitor__in=[p.user for p in people],
                                           status=CareVisit.Status.DONE,
                                           ended_at__isnull=False, started_at__gte=start,
                                           ended_at__lt=now - dt.timedelta(days=4)).order_by("started_at")[:40])
    for visit in visits:
        events.append((visit.ended_at + dt.timedelta(hours=2),
                       lambda when, v=visit: actions.deposit_for_care_visit(v, by=worker, now=when)))
    # Activities, every ten days or so; the volunteers who came.
    for n, title in enumerate(ACTIVITIES):
        begins = timezone.localtime(start + dt.timedelta(days=5 + n * 9)).replace(hour=9, minute=0, second=0,
                                                                                  microsecond=0)
        activity = Activity.objects.create(title=title, region_code=community.code, organiser=worker,
                                           starts_at=begins, ends_at=begins + dt.timedelta(hours=rng.choice((2, 3, 4))),
                                           place="社区活动中心")
        for account in people:
            if account.user_id == volunteer.pk or rng.random() < 0.7:
                minutes = rng.choice((60, 90, 120, 120, 180))
                minutes = min(minutes, actions.quarter_hours(activity.ends_at - activity.starts_at))
                attendance = actions.confirm_attendance(activity, account=account, by=worker, minutes=minutes)
                events.append((activity.ends_at + dt.timedelta(hours=rng.randint(1, 20)),
                               lambda when, a=attendance: actions.deposit_for_attendance(a, by=worker, now=when)))
    events.sort(key=lambda e: e[0])
    for when, deposit in events:
        deposit(when if backdate else None)

    # The retired volunteers spend hours on services of the catalogue.
    from kangyang.services.models import ServiceItem

    items = list(ServiceItem.objects.filter(active=True, duration_minutes__lte=120).order_by("position", "code")[:6])
    redeemed = 0
    for n, account in enumerate(people):
        account.refresh_from_db()
        if items and account.age() >= 60 and account.balance_minutes:
            item = rng.choice(items)
            if account.balance_minutes >= item.duration_minutes:
                actions.redeem(account, item=item, by=account.user, now=at(DAYS - 3 + n % 2, 10))
                redeemed += 1

    # The `volunteer`'s mother lives in the community: he transfers her three hours, and donates one
    # to an elder living alone he has visited (if the visits demo recorded one).
    from kangyang.registry.actions import add_contact

    own = people[0]
    own.refresh_from_db()
    mother = (Elder.objects.filter(region_code=community.code, status=Elder.Status.ACTIVE, sex=Elder.Sex.FEMALE,
                                   user__isnull=True).exclude(contacts__user__isnull=False).order_by("pk").first())
    transferred = 0
    if mother is not None and own.balance_minutes >= 180:
        if not actions.is_family_of(own, mother):
            add_contact(mother, by=worker, name=own.real_name, relation="son", phone=crypto.decrypt(own.phone_encrypted))
        actions.transfer_to_family(own, to_elder=mother, minutes=180, by=volunteer, memo="给妈妈",
                                   now=at(DAYS - 2, 20))
        transferred = 1
    helped = (Elder.objects.filter(care_visits__visitor=volunteer, care_visits__status="done",
                                   status=Elder.Status.ACTIVE).exclude(categories_text="").distinct().first())
    own.refresh_from_db()
    if helped is not None and own.balance_minutes >= 60:
        actions.donate(own, to_elder=helped, minutes=60, by=volunteer, now=at(DAYS - 1, 9))

    published = actions.publish_due_digests()
    result = queries.verify()
    said = _("%(people)d volunteers, %(entries)d ledger entries (%(deposits)d deposits, %(redemptions)d "
             "redemptions, %(transfers)d transfers), %(digests)d daily digests") % {
        "people": len(people), "entries": Entry.objects.count(), "deposits": len(events), "redemptions": redeemed,
        "transfers": transferred, "digests": published}
    return "; ".join([said, _("the ledger verifies") if result.ok else _("THE LEDGER DOES NOT VERIFY")])
