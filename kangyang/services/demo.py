"""Home services of the demo district (hook: kangyang/ops/demo.py).

`seed_demo` (every `seed`, and `demo` once): the catalogue, six providers with their service
areas, example prices (示例金额, constants.CATALOGUE ± 10%), licences and hours, and their
caregivers with skills, levels, home bases and weekly shifts — scaled to the elders seeded.
One provider is blacklisted, so the board shows that it never receives orders.

`seed_demo_accounts` (once the demo accounts exist, after the allowances have credited the
elders' voucher balances): the `caregiver` account's profile, then — once — the orders,
made through the real actions with the clock set back (`now=`), so every share, debit,
event, flag and audit entry is exactly what the platform would have written:

* the last HISTORY_DAYS days and the last three of last month, each planned as routes
  (PyVRP) the evening before (the `provider` account's and the meal point's; the others
  dispatch order by order) and then delivered along them: check-in at the planned time near the home, check-out after the
  service (a few far, imprecise or short visits, flagged; most reviewed, the last days'
  still waiting), confirmed on the hotline's callback or left to confirm, a few cancelled
  or no-show, two low ratings with complaints;
* last month's statement issued for every provider that delivered in it;
* standing orders (lunch on weekdays from the meal point, cleaning on Fridays);
* today and tomorrow, planned; what was due before now is done or in progress; one order of
  tomorrow given by the manager to a caregiver off shift then, with the reason (a warning on
  the order); the `caregiver` account's day kept by the dispatch rules (never two visits at
  once, her phone list in time order);
* the `elder` account's own orders, placed by her daughter (`family`) in the app.

The shares are assumptions for synthetic data, not statistics: a few percent of the
district's elders use home services; most orders are meals and cleaning.

The demo city's second district (kangyang/ops/demo.py) has providers of its own
(SECOND_PROVIDERS) and, with only its bureau admin and a hotline operator as `accounts`,
the same history of orders, dispatched order by order, without the persona's.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import Licence, Organisation, User
from kangyang.accounts.organisations import add_licence, blacklist_organisation, register_organisation
from kangyang.lib import uscc
from kangyang.regions.models import Region
from kangyang.registry.models import Elder
from kangyang.services import actions, constants, planning, queries
from kangyang.services.actions import Fix
from kangyang.services.models import Caregiver, Order, Provider, ServiceItem, ServiceVisit, Skill
from kangyang.services.routing.day import schedule_route

S = Order.Status
HISTORY_DAYS = 5
PLAN_SECONDS = 0.5  # per provider and day, for the demo (production: KANGYANG_ROUTE_SECONDS)
MAIN_PROVIDER = "康乐居家养老服务有限公司"  # the `provider` account's (kangyang/ops/demo.py)
# Providers whose days are planned as routes; the others' orders are dispatched one by one.
PLANNING = {MAIN_PROVIDER, "南浦街道长者食堂"}

# (name, kind, seat subdistrict digits, served subdistrict digits ("" = the whole district),
#  item codes offered, caregivers per 1,000 elders (minimum 3), orders per day per 1,000)
PROVIDERS = [
    (MAIN_PROVIDER, Organisation.Kind.PROVIDER, "001", ["001", "002", "003"],
     ["meal", "cleaning", "bathing", "housekeeping", "mobility", "urgent", "escort", "health_check", "visit_care",
      "comfort", "errands"], 1.0, 2.0),
    ("颐家养老服务中心", Organisation.Kind.PROVIDER, "005", ["004", "005", "006", "007"],
     ["meal", "cleaning", "bathing", "housekeeping", "mobility", "urgent", "escort", "comfort", "errands"], 0.5, 0.6),
    ("福寿康居家服务有限公司", Organisation.Kind.PROVIDER, "008", ["008", "009", "010"],
     ["cleaning", "bathing", "housekeeping", "escort", "health_check", "comfort", "adaptation"], 0.4, 0.4),
    ("南浦街道长者食堂", Organisation.Kind.MEAL_POINT, "001", ["001"], ["meal"], 0.2, 0.5),
    ("西湖区社会福利院", Organisation.Kind.INSTITUTION, "007", [""],
     ["home_care_bed", "respite", "health_check", "aids_rental"], 0.2, 0.2),
    ("安心家政服务部", Organisation.Kind.PROVIDER, "002", ["002"], ["cleaning", "housekeeping"], 0.1, 0.0),
]
# The second district (Qingyunpu, 360104): one provider for the whole district and a meal point.
SECOND_PROVIDERS = [
    ("洪都颐养居家服务中心", Organisation.Kind.PROVIDER, "001", [""],
     ["meal", "cleaning", "bathing", "housekeeping", "escort", "health_check", "comfort", "errands"], 1.0, 2.0),
    ("京山街道长者食堂", Organisation.Kind.MEAL_POINT, "002", ["002"], ["meal"], 0.4, 0.8),
]
PROVIDERS_BY_DISTRICT = {"360104": SECOND_PROVIDERS}  # by 6-digit code; any other district: PROVIDERS
BLACKLISTED = "安心家政服务部"  # blacklisted on its organisation: no module contracts with it
EXPIRING_LICENCE = "福寿康居家服务有限公司"  # its elder-care filing lapses in 30 days (an alert)
BLACKLIST_REASON = "演示数据：2025年抽查发现虚报服务记录，列入黑名单。"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
GIVEN = ("秀英 桂英 秀兰 玉兰 桂兰 秀珍 丽华 红梅 春梅 桂芳 玉梅 淑珍 美华 晓红 丽萍 海燕 建华 国平 "
         "志强 卫东 建军 小平 春华 冬梅 雪梅 金花 凤英 爱华 兰英 丽娟").split()
# Skill shares among caregivers (assumptions): almost all deliver meals and clean; fewer bathe
# or nurse; home adaptation and assistive devices are specialists' work.
SKILL_SHARES = {
    Skill.MEALS: 0.7, Skill.CLEANING: 0.6, Skill.HOUSEKEEPING: 0.4, Skill.BATHING: 0.3, Skill.NURSING: 0.35,
    Skill.COMPANIONSHIP: 0.5, Skill.ESCORT: 0.3, Skill.MOBILITY: 0.3, Skill.REHABILITATION: 0.1,
    Skill.AIDS: 0.06, Skill.ADAPTATION: 0.06,
}
# Weekly patterns: (weekdays, from, until).
SHIFT_PATTERNS = [
    ("123456", dt.time(7), dt.time(15)), ("12345", dt.time(8), dt.time(17)),
    ("234567", dt.time(11), dt.time(20)), ("1234567", dt.time(8), dt.time(16)),
]
# What elders order, by item: relative weight and the hours its window may start.
ORDER_MIX = {
    "meal": (10, (11,)), "cleaning": (5, (8, 9, 10, 14, 15)), "bathing": (2, (9, 10, 15)),
    "housekeeping": (2, (9, 14)), "mobility": (1, (9, 15)), "escort": (1, (8, 13)),
    "health_check": (2, (8, 9, 16)), "visit_care": (2, (10, 15)), "comfort": (2, (10, 14, 16)),
    "errands": (1, (10, 14)), "home_care_bed": (3, (9, 14)), "respite": (1, (8, 13)),
    "aids_rental": (1, (10,)), "adaptation": (1, (9,)), "urgent": (0, ()),
}
SHARE_CANCELLED, SHARE_NO_SHOW, SHARE_FAR, SHARE_SHORT, SHARE_UNCONFIRMED = 0.04, 0.02, 0.04, 0.03, 0.15
REVIEW_AFTER_DAYS = 2  # flagged visits older than this were reviewed (accepted) already
# Beside the random ones, every tenth visit of a provider (the 2nd, 12th, …) is checked in far
# from home, so a small district has flagged visits too, reviewed and waiting (random draws
# alone left none in one run of 26 visits).
FAR_EVERY = 10


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _near(rng: random.Random, lat: float, lng: float, metres: float) -> tuple[float, float]:
    return lat + rng.uniform(-1, 1) * metres / 111_195, lng + rng.uniform(-1, 1) * metres / 97_600


def _catalogue() -> dict[str, ServiceItem]:
    for position, (code, name, category, unit, minutes, skill, payable, _price) in enumerate(constants.CATALOGUE):
        if not ServiceItem.objects.filter(code=code).exists():
            actions.add_service_item(by=None, code=code, name=name, category=category, unit=unit,
                                     duration_minutes=minutes, skill=skill, payable_by=payable, position=position)
    return {i.code: i for i in ServiceItem.objects.all()}


def _subdistrict(district: Region, digits: str) -> Region:
    return district.children.get(code=district.code[:6] + digits + "000")


def _caregivers(provider: Provider, *, count: int, skills_needed: set[str], centre, rng: random.Random) -> int:
    made = 0
    for i in range(count):
        skills = {s for s, share in SKILL_SHARES.items() if s in skills_needed and rng.random() < share}
        if not skills:
            skills = {rng.choice(sorted(skills_needed))}
        if i < len(skills_needed):  # every skill the provider sells has someone
            skills.add(sorted(skills_needed)[i])
        lat, lng = _near(rng, *centre, 2500)
        name = _name(rng)
        c = actions.add_caregiver(
            provider, by=None, name=name, skills=skills, level=rng.choice([5, 4, 4, 3, 3, 2]),
            certificate_number=f"S{rng.randrange(10**11, 10**12)}", phone=f"139{rng.randrange(10**7, 10**8)}",
            home_lat=round(lat, 6), home_lng=round(lng, 6), user=_account(provider, name), audit=False,
        )
        days, start, end = rng.choice(SHIFT_PATTERNS)
        actions.set_shifts(c, by=None, shifts={int(d): (start, end) for d in days}, audit=False)
        made += 1
    return made


def _account(provider: Provider, name: str) -> User:
    """The synthetic caregiver's sign-in for the caregiver app, which cannot sign in (no
    password): their steps go through the actions as theirs."""
    number = User.objects.filter(username__startswith=f"cg{provider.pk}-").count() + 1
    user = User(username=f"cg{provider.pk}-{number:04d}", role=User.Role.CAREGIVER,
                organisation_id=provider.organisation_id, full_name=name)
    user.set_unusable_password()
    user.save()
    return user


def seed_demo(*, district: Region, rng: random.Random, elders: int) -> str:
    """The catalogue, and the providers with their caregivers (once: a second `seed` adds
    caregivers to the providers that exist, in proportion to the elders it adds)."""
    items = _catalogue()
    thousands = max(1.0, elders / 1000)
    providers = caregivers = 0
    for name, kind, seat, served, codes, per_thousand, _orders in _providers_of(district):
        seat_region = _subdistrict(district, seat)
        organisation = _organisation(name, kind, seat_region, district)
        provider = Provider.objects.filter(organisation=organisation).first()
        areas = [district] if served == [""] else [_subdistrict(district, d) for d in served]
        if provider is None:
            lat, lng = _near(rng, seat_region.lat, seat_region.lng, 600)
            provider = actions.register_provider(
                by=None, organisation=organisation, areas=areas, licence_number=f"赣民养{rng.randrange(10**6, 10**7)}",
                licence_valid_until=dt.date(timezone.localdate().year + 2, 12, 31), phone=f"0791{rng.randrange(10**7, 10**8)}",
                address=f"{seat_region.name}{rng.randint(1, 300)}号", lat=round(lat, 6), lng=round(lng, 6),
                opens_at=dt.time(7), closes_at=dt.time(20) if kind != Organisation.Kind.INSTITUTION else dt.time(21),
            )
            for code in codes:
                price = constants.CATALOGUE[[c[0] for c in constants.CATALOGUE].index(code)][7]
                factor = Decimal(str(round(rng.uniform(0.9, 1.1), 2)))
                actions.set_price(provider, by=None, item=items[code], price=(price * factor).quantize(Decimal("1")))
            if name == BLACKLISTED and not organisation.is_barred():
                blacklist_organisation(organisation, by=None, reason=BLACKLIST_REASON)
            providers += 1
        skills = {items[c].skill for c in codes if items[c].skill}
        centre = (sum(a.lat for a in areas) / len(areas), sum(a.lng for a in areas) / len(areas))
        caregivers += _caregivers(provider, count=max(3, round(per_thousand * thousands)), skills_needed=skills,
                                  centre=centre, rng=rng)
    if district.code[:6] in PROVIDERS_BY_DISTRICT:
        return _("%(items)d catalogue items, %(providers)d providers, %(caregivers)d caregivers") % {
            "items": len(items), "providers": providers, "caregivers": caregivers}
    return _("%(items)d catalogue items, %(providers)d providers (one blacklisted), %(caregivers)d caregivers") % {
        "items": len(items), "providers": providers, "caregivers": caregivers}


def _providers_of(district: Region) -> list:
    return PROVIDERS_BY_DISTRICT.get(district.code[:6], PROVIDERS)


def _organisation(name: str, kind: str, seat: Region, district: Region) -> Organisation:
    """The provider's entry in the register of organisations: a constructed (never real)
    credit code, a contact, and its licences; one elder-care filing lapses within the
    alert window, so the register shows an expiry alert. Its own random numbers, drawn from
    the name, leave the demo's stream (and so the rest of the demo) as it was."""
    rng = random.Random(name)
    organisation = Organisation.objects.filter(name=name, kind=kind).first()
    code = uscc.synthetic(name, division=district.code[:6], authority="5" if kind == Organisation.Kind.INSTITUTION else "9",
                          kind="2" if kind == Organisation.Kind.INSTITUTION else "1")
    if organisation is None:
        organisation = register_organisation(
            by=None, name=name, kind=kind, region=seat, credit_code=code, address=f"{seat.name}{rng.randint(1, 300)}号",
            contact_person=rng.choice(["王", "李", "张", "刘", "陈"]) + rng.choice(["经理", "主任", "站长"]),
            contact_phone=f"139{rng.randrange(10**7, 10**8)}")
    elif not organisation.credit_code:  # made by the accounts' demo before this seed
        Organisation.objects.filter(pk=organisation.pk).update(credit_code=code)
        organisation.credit_code = code
    if not organisation.licences.exists():
        today = timezone.localdate()
        add_licence(organisation, by=None, kind=Licence.Kind.BUSINESS, number=code,
                    issued=dt.date(today.year - 3, 3, 1))
        expires = today + dt.timedelta(days=30) if name == EXPIRING_LICENCE else dt.date(today.year + 2, 12, 31)
        add_licence(organisation, by=None, kind=Licence.Kind.ELDER_CARE, number=f"赣民养{rng.randrange(10**6, 10**7)}",
                    issued=dt.date(today.year - 2, 6, 1), expires=expires)
    return organisation


# -- orders ----------------------------------------------------------------------------------
def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass(frozen=True)
class _Stop:
    order: Order
    caregiver: Caregiver
    start: dt.datetime
    arrival: dt.datetime


class _Day:
    """Places, plans and delivers one provider's orders of one day through the actions."""

    def __init__(self, provider: Provider, *, rng: random.Random, accounts: dict, clients: list[Elder],
                 items: dict[str, ServiceItem], plans: bool):
        self.provider, self.rng, self.accounts, self.clients, self.plans = provider, rng, accounts, clients, plans
        offered = set(provider.prices.filter(active=True).values_list("item__code", flat=True))
        self.mix = [(items[c], w, hours) for c, (w, hours) in ORDER_MIX.items() if c in offered and w]
        self.counts = {"orders": 0, "flagged": 0, "visits": 0}

    def _stops(self, day: dt.date):
        """The day's stops in time order: the plan's, or — for a provider that does not plan
        — each dispatched order at the start of its window."""
        plan = queries.plan_of(self.provider, day)
        if plan is not None:
            return plan.stops.select_related("order", "caregiver__user").order_by("start")
        orders = (queries.orders_of_day(self.provider, day).filter(caregiver__isnull=False)
                  .select_related("caregiver__user", "caregiver__provider", "elder__community").order_by("window_start", "pk"))
        by_caregiver: dict[int, list[Order]] = {}
        for o in orders:
            by_caregiver.setdefault(o.caregiver_id, []).append(o)
        stops = []
        for route in by_caregiver.values():  # in the order dispatch fitted them: by window
            caregiver = route[0].caregiver
            worker = planning.workers_on(day, [caregiver]).get(caregiver.pk)
            visits = [planning.visit_of(o, day, fixed=True) for o in route]
            if worker is None or None in visits:
                continue
            for o, t in zip(route, schedule_route(worker, visits, travel=planning.travel_model()).stops):
                stops.append(_Stop(o, caregiver, planning.at_seconds(day, t.start), planning.at_seconds(day, t.arrival)))
        return sorted(stops, key=lambda s: (s.start, s.order.pk))

    def place(self, day: dt.date, n: int, *, now: dt.datetime) -> list[Order]:
        orders = []
        weights = [w for _i, w, _h in self.mix]
        for _k in range(n):
            item, _w, hours = self.rng.choices(self.mix, weights=weights)[0]
            elder = self.rng.choice(self.clients)
            hour = self.rng.choice(hours)
            flexible = item.code != "meal" and self.rng.random() < 0.5
            start = _local(day, hour, self.rng.choice([0, 30]) if not flexible else 0)
            end = start + (dt.timedelta(hours=3) if flexible else constants.FIXED_WINDOW)
            quantity = self.rng.choice([1, 1, 2]) if item.unit == ServiceItem.Unit.HOUR else 1
            try:
                orders.append(actions.place_order(by=_orderer(self.accounts, elder), elder=elder, item=item,
                                                  quantity=quantity, window_start=start, window_end=end,
                                                  flexible=flexible, now=now, dispatch=not self.plans))
            except ValidationError:  # e.g. the provider is closed that weekday: no order
                pass
        self.counts["orders"] += len(orders)
        return orders

    def deliver(self, day: dt.date, *, until: dt.datetime, review_before: dt.datetime) -> None:
        """Caregivers follow the day's plan up to `until`: accept in the morning, set off, check
        in near the home at the planned start (or when they get there, if the previous visit ran
        long), check out after the service; then confirmation."""
        operator, rng, travel = self.accounts["operator"], self.rng, planning.travel_model()
        accepted_at = _local(day, 6, 45)
        free: dict[int, tuple[dt.datetime, tuple[float, float] | None]] = {}  # caregiver → (free at, where)
        stops = list(self._stops(day))
        # The day's orders in one query, not one per stop (a step changes only its own order).
        orders = Order.objects.select_related("elder__household", "elder__compound", "elder__community", "item").in_bulk(
            [stop.order.pk for stop in stops])
        for stop in stops:
            by = stop.caregiver.user
            order = orders[stop.order.pk]
            home = queries.home_of(order.elder) or planning.location_of(order)
            free_at, here = free.get(stop.caregiver.pk, (accepted_at, None))
            on_the_way = dt.timedelta(seconds=travel.seconds(here, home)) if here and home else dt.timedelta(minutes=10)
            checked_in = max(stop.start + dt.timedelta(minutes=rng.randint(-3, 6)), free_at + on_the_way)
            if checked_in > until:
                continue
            if order.status == S.DISPATCHED:
                order = actions.accept_order(order, by=by, now=accepted_at)
            u = rng.random()
            if u < SHARE_CANCELLED:
                actions.cancel_order(order, by=operator, reason="老人临时外出（演示数据）", now=max(accepted_at, stop.start - dt.timedelta(hours=1)))
                continue
            if u < SHARE_CANCELLED + SHARE_NO_SHOW:
                actions.report_no_show(order, by=by, party=Order.NoShowParty.ELDER, reason="敲门无人应答，电话未接（演示数据）",
                                       now=checked_in)
                free[stop.caregiver.pk] = (checked_in + dt.timedelta(minutes=10), home)
                continue
            far = rng.random() < SHARE_FAR or self.counts["visits"] % FAR_EVERY == 1
            self.counts["visits"] += 1
            point = _near(rng, *home, rng.uniform(700, 2500) if far else rng.uniform(5, 60))
            fix = Fix(point[0], point[1], accuracy_m=rng.choice([8, 12, 20, 35, 65]))
            order = actions.start_travel(order, by=by, now=max(accepted_at, checked_in - on_the_way))
            visit = actions.check_in(order, by=by, fix=fix, now=checked_in)
            minutes = order.planned_minutes * (rng.uniform(0.25, 0.45) if rng.random() < SHARE_SHORT else rng.uniform(0.95, 1.15))
            checked_out = checked_in + dt.timedelta(minutes=minutes)
            free[stop.caregiver.pk] = (checked_out, home)
            if checked_out > until:
                continue  # in progress now
            visit = actions.check_out(Order.objects.get(pk=order.pk), by=by, fix=fix, now=checked_out,
                                      notes=rng.choice(["", "", "老人状态良好", "已提醒按时服药", "饭菜已送到，老人满意"]))
            if visit.review == ServiceVisit.Review.PENDING:
                self.counts["flagged"] += 1
                if checked_out < review_before:
                    reviewer = self.accounts["provider" if self.provider.name == MAIN_PROVIDER else "admin"]
                    actions.review_service_visit(visit, by=reviewer, accept=True, note="已电话回访老人核实（演示数据）",
                                         now=checked_out + dt.timedelta(hours=20))
            if rng.random() > SHARE_UNCONFIRMED and checked_out + dt.timedelta(hours=3) < until:
                rating = rng.choices([5, 4, 3], weights=[7, 2, 1])[0]
                actions.confirm_order(Order.objects.get(pk=order.pk), by=operator, rating=rating,
                                      comment="电话回访：满意" if rating >= 4 else "",
                                      now=checked_out + dt.timedelta(hours=3))


def _orderer(accounts: dict, elder: Elder):
    """Who places a demo order for the elder: `worker_a` in her own community, else the hotline."""
    worker = accounts.get("worker_a")
    return worker if worker is not None and elder.region_code == worker.region.code else accounts["operator"]


def _clients(provider: Provider, rng: random.Random, *, n: int) -> list[Elder]:
    """Elders the provider serves: active, with a home, vulnerable; half of them among those
    with an allowance to spend (the service allowance or the consumption voucher), who are
    the platform's most frequent users."""
    codes = list(provider.areas.values_list("region_code", flat=True))
    q = Q()
    for code in codes:
        q |= Q(region_code__startswith=Region(code=code).prefix)
    elders = (Elder.objects.filter(q, status=Elder.Status.ACTIVE, household__isnull=False, user__isnull=True)
              .exclude(categories_text="").order_by("pk"))
    funded = list(elders.filter(voucher_balances__balance__gt=0).values_list("pk", flat=True).distinct()[:20000])
    chosen = set(rng.sample(funded, min(n // 2, len(funded))))
    pool = [pk for pk in elders.values_list("pk", flat=True)[:20000] if pk not in chosen]
    chosen |= set(rng.sample(pool, min(n - len(chosen), len(pool))))
    return list(Elder.objects.filter(pk__in=chosen).select_related("household", "compound", "community"))


def _persona_caregiver(accounts: dict, provider: Provider, rng: random.Random) -> Caregiver:
    user = accounts["caregiver"]
    c = Caregiver.objects.filter(user=user).first()
    if c is None:
        home = accounts["worker_a"].region
        lat, lng = _near(rng, home.lat, home.lng, 800)
        c = actions.add_caregiver(provider, by=None, name=user.full_name, skills=Skill.values, level=3,
                                  certificate_number="S360100012345", phone="13979100000", home_lat=round(lat, 6),
                                  home_lng=round(lng, 6), user=user)
        # Every day 7:00–20:00, so the demo has a route to show whatever day it is.
        actions.set_shifts(c, by=None, shifts={d: (dt.time(7), dt.time(20)) for d in range(1, 8)})
    return c


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    """The `caregiver` account's profile; then, once, the orders of the demo (module docstring).
    In the second district (no `caregiver` account), its orders only."""
    main = persona = None
    if "caregiver" in accounts:
        main = Provider.objects.filter(organisation__name=MAIN_PROVIDER).first()
        if main is None:
            return ""
        persona = _persona_caregiver(accounts, main, rng)
    if Order.objects.filter(region_code__startswith=district.code[:6]).exists():
        return ""
    items = {i.code: i for i in ServiceItem.objects.all()}
    now = timezone.now()
    today = timezone.localdate(now)
    elders = Elder.objects.filter(region_code__startswith=district.code[:6]).count()
    table = _providers_of(district)
    days = {today - dt.timedelta(days=i) for i in range(-1, HISTORY_DAYS + 1)}  # … today, tomorrow
    month_start = today.replace(day=1)
    days |= {month_start - dt.timedelta(days=i) for i in range(1, 4)}  # last month has a statement
    days = sorted(days)
    providers = {p.organisation.name: p for p in Provider.objects.receiving_orders().select_related("organisation")}
    providers = {name: providers[name] for name, *_rest in table if name in providers}  # the district's
    runs = []
    for name, _kind, _seat, _served, _codes, _per, per_day in table:
        if name in providers and per_day:
            clients = _clients(providers[name], rng, n=max(20, round(per_day * elders / 1000 * 3)))
            if clients:
                runs.append((_Day(providers[name], rng=rng, accounts=accounts, clients=clients, items=items,
                                  plans=name in PLANNING),
                             max(1, round(per_day * elders / 1000))))
    review_before = now - dt.timedelta(days=REVIEW_AFTER_DAYS)
    for day in days:
        evening_before = _local(day - dt.timedelta(days=1), 18)
        for run, per_day in runs:
            placed = run.place(day, per_day, now=min(evening_before, now))
            if run.provider == main and day >= today:
                placed += _persona_day(accounts, caregiver=persona, items=items, day=day, now=min(evening_before, now))
            if run.provider == main and day == today + dt.timedelta(days=1):
                _override_one(placed, accounts=accounts, persona=persona, items=items, now=min(evening_before, now))
            if placed and run.plans:  # a small day needs a fraction of the time
                actions.plan_routes(run.provider, day=day, seconds=min(PLAN_SECONDS, 0.05 + 0.01 * len(placed)))
            if day <= today:
                run.deliver(day, until=now if day == today else _local(day, 23, 59), review_before=review_before)
    settled = _settle_last_month(providers.values(), accounts=accounts, now=now)
    standing = _standing_orders(providers, accounts=accounts, rng=rng, items=items, today=today, elders=elders)
    mine = _persona_orders(accounts, items=items, caregiver=persona, today=today, now=now) if persona else 0
    total = sum(r.counts["orders"] for r, _n in runs)
    flagged = sum(r.counts["flagged"] for r, _n in runs)
    return _("%(orders)d orders over %(days)d days, %(flagged)d visits flagged, %(settled)d statements for last "
             "month, %(standing)d standing orders; %(mine)d orders for the elder account") % {
        "orders": total, "days": len(days), "flagged": flagged, "settled": settled, "standing": standing, "mine": mine}


def _settle_last_month(providers, *, accounts: dict, now: dt.datetime) -> int:
    from kangyang.allowances.eligibility import month_start, previous_month

    month = previous_month(month_start(timezone.localdate(now)))
    issued = 0
    for provider in providers:
        if actions.preview_settlement(provider, month=month).totals.count:
            by = accounts["provider"] if provider.name == MAIN_PROVIDER else accounts["admin"]
            actions.issue_settlement(provider, month=month, by=by, now=now)
            issued += 1
    return issued


def _standing_orders(providers: dict, *, accounts: dict, rng: random.Random, items: dict, today: dt.date,
                     elders: int) -> int:
    made = 0
    meal_point = providers.get("南浦街道长者食堂")
    main = providers.get(MAIN_PROVIDER)
    operator = accounts["operator"]
    plans, scale = [], elders / 20_000  # 8 and 4 standing orders for the default district
    if meal_point is not None:
        plans += [(meal_point, items["meal"], "12345", dt.time(11), dt.time(11, 30), e) for e in _clients(meal_point, rng, n=max(2, round(8 * scale)))]
    if main is not None:
        plans += [(main, items["cleaning"], "5", dt.time(9), dt.time(12), e) for e in _clients(main, rng, n=max(1, round(4 * scale)))]
    for provider, item, weekdays, start, end, elder in plans:
        actions.create_recurrence(by=operator, elder=elder, item=item, provider=provider, weekdays=weekdays,
                                  time_from=start, time_to=end, flexible=end.hour - start.hour > 1,
                                  starts_on=today - dt.timedelta(days=30), note="电话订餐，长期（演示数据）")
        made += 1
    return made


def _persona_day(accounts: dict, *, caregiver: Caregiver, items: dict, day: dt.date, now: dt.datetime) -> list[Order]:
    """A full day for the `caregiver` account: six orders of elders in `worker_a`'s community
    (placed by her) or, in a small district, also of its subdistrict (placed by the hotline),
    given to the caregiver and accepted, so that planning keeps them hers."""
    community = accounts["worker_a"].region
    schedule = [("health_check", 8), ("cleaning", 9), ("meal", 11), ("comfort", 14), ("bathing", 15), ("visit_care", 17)]
    candidates = Elder.objects.filter(status=Elder.Status.ACTIVE, household__isnull=False, user__isnull=True)
    elders = list(candidates.filter(region_code=community.code).order_by("pk")[:len(schedule)])
    if len(elders) < len(schedule) and community.parent is not None:
        elders += list(candidates.filter(region_code__startswith=community.parent.prefix).exclude(
            region_code=community.code).order_by("pk")[:len(schedule) - len(elders)])
    orders = []
    for elder, (code, hour) in zip(elders, schedule):
        if caregiver.skills and items[code].skill and items[code].skill not in caregiver.skills:
            continue
        try:
            order = actions.place_order(by=_orderer(accounts, elder), elder=elder, item=items[code],
                                        provider=caregiver.provider, window_start=_local(day, hour), now=now,
                                        dispatch=False)
        except ValidationError:
            continue
        try:  # by the dispatch rules: a visit her day cannot fit goes to someone else
            order = actions.assign_order(order, by=accounts["provider"], caregiver=caregiver, now=now)
        except ValidationError:
            continue
        orders.append(actions.accept_order(order, by=caregiver.user, now=now))
    return orders


def _override_one(placed: list[Order], *, accounts: dict, persona: Caregiver, items: dict, now: dt.datetime) -> Order | None:
    """One order of tomorrow given by the manager, against the rules, to a caregiver off
    shift then (the elder asked for her), so that the board, the order and the API show its
    warning. Not the `caregiver` account's: her day stays as the rules make it. When no new
    order of the day has such a caregiver, an early visit is ordered for one of its elders."""
    by = accounts["provider"]

    def override(order: Order) -> Order | None:
        for option in planning.options_for(order):
            if option.caregiver != persona and option.allowed and "off_shift" in option.fit.problems:
                return actions.assign_order(order, by=by, caregiver=option.caregiver, now=now,
                                            override_reason="老人指定熟悉的护理员上门，已与护理员确认加班（演示数据）")
        return None

    mine = [o for o in placed if queries.manages(by, o.provider_id)]  # the menu may choose another provider
    for order in mine:
        order.refresh_from_db()
        if order.status == S.CREATED and (done := override(order)) is not None:
            return done
    for order in mine:
        day = timezone.localdate(order.window_start)
        for code, hour in (("health_check", 7), ("health_check", 18), ("cleaning", 8)):
            try:
                extra = actions.place_order(by=_orderer(accounts, order.elder), elder=order.elder, item=items[code],
                                            provider=order.provider, window_start=_local(day, hour), now=now,
                                            dispatch=False)
            except ValidationError:
                continue
            if (done := override(extra)) is not None:
                return done
            actions.dispatch_order(extra, now=now)
        return None
    return None


def _persona_orders(accounts: dict, *, items: dict, caregiver: Caregiver, today: dt.date, now: dt.datetime) -> int:
    """The `elder` account's orders, placed by her daughter in the app: a bath delivered and
    rated three days ago, lunch tomorrow, and cleaning the day after — with the caregiver;
    and today's (_persona_app_day): lunch on the way, a visit to confirm and rate."""
    elder = Elder.objects.filter(user=accounts["elder"]).first()
    if elder is None:
        return 0
    family, placed = accounts["family"], 0
    past = today - dt.timedelta(days=3)
    # After her last visit of that day, with time to get there (the history gave her a day already).
    start, end = queries.day_bounds(past)
    last = (ServiceVisit.objects.filter(caregiver=caregiver, checked_in_at__gte=start, checked_in_at__lt=end)
            .order_by("-checked_in_at").values_list("checked_out_at", flat=True).first())
    begin = _local(past, 15)
    if last is not None:
        begin = max(begin, (last + dt.timedelta(minutes=40)).replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1))
    begin = min(begin, _local(past, 18, 30))
    bath = actions.place_order(by=family, elder=elder, item=items["bathing"], provider=caregiver.provider,
                               window_start=begin, note="水温别太高",
                               now=_local(past - dt.timedelta(days=1), 19), dispatch=False)
    try:
        bath = actions.assign_order(bath, by=accounts["provider"], caregiver=caregiver, now=_local(past, 7))
    except ValidationError:
        # Her day was full already (a district seeded far beyond the demo's size): the family
        # asked for her, so the manager overrides, and the order keeps its warning.
        bath = actions.assign_order(bath, by=accounts["provider"], caregiver=caregiver, now=_local(past, 7),
                                    override_reason=_("The family asked for this caregiver."))
    bath = actions.accept_order(bath, by=caregiver.user, now=_local(past, 7, 5))
    home = queries.home_of(elder)
    if home is not None:
        fix = Fix(home[0] + 0.0002, home[1], accuracy_m=15)
        actions.check_in(bath, by=caregiver.user, fix=fix, now=begin + dt.timedelta(minutes=2))
        actions.check_out(Order.objects.get(pk=bath.pk), by=caregiver.user, fix=fix, notes="洗浴顺利，已涂润肤霜",
                          now=begin + dt.timedelta(minutes=65))
        actions.confirm_order(Order.objects.get(pk=bath.pk), by=family, rating=5, comment="护理员很细心",
                              now=begin + dt.timedelta(hours=3))
    placed += 1
    for offset, code, hour in ((1, "meal", 11), (2, "cleaning", 9)):
        day = today + dt.timedelta(days=offset)
        order = actions.place_order(by=family, elder=elder, item=items[code], provider=caregiver.provider,
                                    window_start=_local(day, hour), now=now, dispatch=False)
        try:
            actions.assign_order(order, by=accounts["provider"], caregiver=caregiver, now=now)
        except ValidationError:  # her day is full then: someone else takes it
            actions.dispatch_order(order, now=now)
        placed += 1
    placed += _persona_app_day(accounts, elder=elder, items=items, caregiver=caregiver, today=today, now=now)
    return placed


def _give_to(order: Order, caregiver: Caregiver, *, now: dt.datetime) -> Order:
    """Dispatched by the rules to another caregiver of the provider: the `caregiver` account's
    own day (her route on the phone) stays as _persona_day planned it."""
    return actions.dispatch_order(order, exclude=(caregiver.pk,), now=now)


def _persona_app_day(accounts: dict, *, elder: Elder, items: dict, caregiver: Caregiver, today: dt.date,
                     now: dt.datetime) -> int:
    """What the `elder` account's app shows today (issue 14): lunch with a caregiver on the
    way now, and a visit done earlier (today from 10:40, else yesterday) waiting for her to
    confirm and rate it. Ordered by her daughter in the app; delivered by other caregivers of
    the provider, so that the `caregiver` account's route is the one _persona_day made (a demo
    seeded when nobody is on shift shows lunch still waiting for a caregiver)."""
    family, placed = accounts["family"], 0
    home = queries.home_of(elder)
    done_day = today if timezone.localtime(now).time() >= dt.time(10, 40) else today - dt.timedelta(days=1)
    visit = actions.place_order(by=family, elder=elder, item=items["visit_care"], provider=caregiver.provider,
                                window_start=_local(done_day, 10), now=_local(done_day - dt.timedelta(days=1), 19),
                                dispatch=False)
    visit = _give_to(visit, caregiver, now=_local(done_day, 7))
    placed += 1
    if visit.caregiver is not None and visit.caregiver.user is not None and home is not None:
        by = visit.caregiver.user
        fix = Fix(home[0] + 0.0001, home[1], accuracy_m=12)
        if visit.status == Order.Status.DISPATCHED:
            visit = actions.accept_order(visit, by=by, now=_local(done_day, 7, 30))
        actions.check_in(visit, by=by, fix=fix, now=_local(done_day, 10, 5))
        actions.check_out(Order.objects.get(pk=visit.pk), by=by, fix=fix, notes="陪老人聊天，血压正常",
                          now=_local(done_day, 10, 35))
    # Lunch now: the window began ten minutes ago; the caregiver set off five minutes ago.
    start = (now - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    end = min(start + dt.timedelta(hours=1), _local(timezone.localdate(start), 23, 59))
    ordered = start - dt.timedelta(hours=2)
    lunch = None
    for urgent in (False, True):  # the provider closed at this hour: lunch is sent as urgent help
        try:
            lunch = actions.place_order(by=family, elder=elder, item=items["meal"], provider=caregiver.provider,
                                        window_start=start, window_end=end, flexible=True, urgent=urgent,
                                        now=ordered, dispatch=False)
            break
        except ValidationError:
            continue
    if lunch is None:
        return placed
    lunch = _give_to(lunch, caregiver, now=ordered + dt.timedelta(minutes=5))
    placed += 1
    if lunch.caregiver is not None and lunch.caregiver.user is not None:
        by = lunch.caregiver.user
        if lunch.status == Order.Status.DISPATCHED:
            lunch = actions.accept_order(lunch, by=by, now=ordered + dt.timedelta(minutes=10))
        actions.start_travel(lunch, by=by, now=now - dt.timedelta(minutes=5))
    return placed


def demo_processes() -> list[list[str]]:
    """The home-services loop for `kangyang demo`: standing orders, missing check-outs and
    the evening planning of the next day (as `kangyang` sub-commands)."""
    return [["orders", "sweep"]]
