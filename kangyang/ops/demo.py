"""The synthetic districts and the demo accounts, for `kangyang demo` and `kangyang seed`.

The demo city is Nanchang (南昌市) with two districts: Xihu (西湖区), which `seed` grows for
the scale tests, and a smaller second one, Qingyunpu (青云谱区, an eighth of Xihu's elders),
which `demo` seeds beside it so the city bureau (`city`) has two districts to compare and
each district's accounts have another district they must never see.

Each app brings its own demo data through an optional module `<app>/demo.py` with either or
both of:

* ``seed_demo(*, district, rng, elders) -> str``: add synthetic data of that app to the
  district (a Region, a district of the city), scaled to `elders`. Called by `seed` every time
  and by `demo` once, on an empty district, in INSTALLED_APPS order (so regions before
  registry, registry before the apps that hang on elders). Calling it again must add data,
  never break on what an earlier call made.
* ``seed_demo_accounts(*, accounts, district, rng) -> str``: attach that app's data to the
  demo accounts of CONTRACTS.md (`accounts` maps username → User), e.g. the `elder`
  account's own record. Called by `demo` after the accounts exist, on every run, so it
  must do nothing that is done already. It is called once more for the second district,
  with `accounts` holding only that district's `admin` (its bureau admin, `admin2`) and
  `operator` (a hotline operator of that district who cannot sign in): a hook does there
  what needs no other account (the allowance policies and rolls, the orders, the alarm
  history), and leaves the persona records (`elder`, `family`, …) to Xihu.

* ``seed_demo_finished(*, districts) -> str``: once more after every district's
  `seed_demo_accounts`, with the districts seeded (Regions), when all the demo's records exist:
  for what reads across them all (the indicators' monthly snapshots of the whole city). Called
  by `demo` on every run, so it must do nothing that is done already.

* ``demo_processes() -> list[list[str]]``: further long-running processes the demo
  supervises beside the web server and the worker, each as the arguments of a `kangyang`
  sub-command (``["ingest"]``); `demo` runs them with its own interpreter, so no app needs
  to import ops (the alarms app: the embedded MQTT broker when none answers at MQTT_URL,
  the ingester, the escalation loop).

Each hook gets its own random stream, derived from the seed and the app label, so adding an
app does not change what the others draw. A returned text is printed after the app's label.
"""

import importlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from kangyang.accounts.models import Organisation, User
from kangyang.lib import uscc
from kangyang.regions.models import Region
from kangyang.registry.models import Elder

# Nanchang (南昌市), GB/T 2260 code 3601, its Xihu district (西湖区), 360103, and its Qingyunpu
# district (青云谱区), 360104 (national statistical division codes; see regions/demo.py for
# what below the district is real).
CITY_CODE = "360100000000"
CITY_NAME = "南昌市"
DISTRICT_CODE = "360103000000"
DISTRICT_NAME = "西湖区"
DISTRICT_CENTRE = (28.66, 115.89)
SECOND_DISTRICT_CODE = "360104000000"
SECOND_DISTRICT_NAME = "青云谱区"
SECOND_DISTRICT_CENTRE = (28.62, 115.92)
SECOND_DISTRICT_SHARE = 8  # one elder in the second district for every eight of Xihu's (2,500 by default)
DEMO_ELDERS = 20_000
DEMO_SEED = 2020
DEMO_PASSWORD = "kangyang-demo"
PROVIDER_NAME = "康乐居家养老服务有限公司"

R = User.Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str
    place: str  # city, district, district_2, subdistrict_1, community_a, community_b, provider, or "" (none)


# CONTRACTS.md "Demo accounts", in its order. The places mirror the personas of conftest.py.
DEMO_ACCOUNTS = [
    DemoAccount("city", R.BUREAU_ADMIN, "罗建平", "city"),  # the city bureau: every district
    DemoAccount("admin", R.BUREAU_ADMIN, "刘卫民", "district"),
    DemoAccount("admin2", R.BUREAU_ADMIN, "邓国华", "district_2"),  # the second district's bureau
    DemoAccount("subdistrict", R.SUBDISTRICT_OFFICER, "陈红", "subdistrict_1"),
    DemoAccount("worker_a", R.COMMUNITY_WORKER, "李娟", "community_a"),
    DemoAccount("worker_b", R.COMMUNITY_WORKER, "黄志强", "community_b"),
    DemoAccount("operator", R.HOTLINE_OPERATOR, "周敏", "district"),
    DemoAccount("provider", R.PROVIDER_MANAGER, "吴建华", "provider"),
    DemoAccount("caregiver", R.CAREGIVER, "熊秀梅", "provider"),
    DemoAccount("volunteer", R.VOLUNTEER, "万晓东", "community_a"),
    DemoAccount("elder", R.ELDER, "张桂兰", "community_a"),
    DemoAccount("family", R.FAMILY, "王芳", ""),
    DemoAccount("inspector", R.INSPECTOR, "徐建国", "district"),
    # Extends CONTRACTS.md's list (issue 17): a family doctor of the team that serves `elder`'s community.
    DemoAccount("doctor", R.DOCTOR, "刘敏", "subdistrict_1"),
]


def demo_hooks(name: str) -> Iterator[tuple[str, Callable]]:
    """(app label, function) for every Kangyang app whose demo module defines `name`."""
    for config in apps.get_app_configs():  # INSTALLED_APPS order
        if not config.name.startswith("kangyang."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.demo":
                raise  # the module exists but imports something missing
            continue
        if hook := getattr(module, name, None):
            yield config.label, hook


def _district(code: str, name: str, centre: tuple[float, float]) -> Region:
    """A district of the demo city, under it (a district seeded before the city existed is
    attached to it)."""
    city, _created = Region.objects.get_or_create(
        code=CITY_CODE, defaults={"name": CITY_NAME, "level": Region.Level.CITY}
    )
    district, _created = Region.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": Region.Level.DISTRICT, "parent": city, "lat": centre[0], "lng": centre[1]},
    )
    if district.parent_id is None:
        district.parent = city
        district.save(update_fields=["parent"])
    return district


def get_district() -> Region:
    """The synthetic district (Xihu), under its city."""
    return _district(DISTRICT_CODE, DISTRICT_NAME, DISTRICT_CENTRE)


def get_second_district() -> Region:
    """The demo city's smaller second district (Qingyunpu), under the city."""
    return _district(SECOND_DISTRICT_CODE, SECOND_DISTRICT_NAME, SECOND_DISTRICT_CENTRE)


def elder_count(code: str = DISTRICT_CODE) -> int:
    """Elders of a district (Xihu by default)."""
    return Elder.objects.filter(region_code__startswith=code[:6]).count()


def _stream(seed: int, district: Region, label: str) -> random.Random:
    # Xihu keeps the streams it had before there was a second district.
    return random.Random(f"{seed}:{label}" if district.code == DISTRICT_CODE else f"{seed}:{district.code[:6]}:{label}")


def _seed(district: Region, *, elders: int, seed: int) -> list[tuple[str, str]]:
    messages = []
    for label, hook in demo_hooks("seed_demo"):
        text = hook(district=district, rng=_stream(seed, district, label), elders=elders)
        if text:
            messages.append((label, text))
    return messages


def seed_district(*, elders: int, seed: int) -> tuple[Region, list[tuple[str, str]]]:
    """Run every app's `seed_demo` on the synthetic district; (district, [(label, text)])."""
    district = get_district()
    return district, _seed(district, elders=elders, seed=seed)


def seed_city(*, elders: int, seed: int) -> tuple[Region, list[tuple[str, str]]]:
    """Seed each district of the demo city that has no elders yet: Xihu with `elders`, the
    second district with an eighth of that (a demo database made before there was a second
    district gets it on the next run); (Xihu, [(label, text)]), the second district's labels
    prefixed with its name."""
    district, second = get_district(), get_second_district()
    messages = []
    if not elder_count(district.code):
        messages += _seed(district, elders=elders, seed=seed)
    if not elder_count(second.code):
        extra = _seed(second, elders=max(0, elders // SECOND_DISTRICT_SHARE), seed=seed)
        messages += [(f"{second.name} {label}", text) for label, text in extra]
    return district, messages


def create_demo_accounts(district: Region, *, seed: int = DEMO_SEED) -> tuple[dict[str, User], list[tuple[str, str]]]:
    """The accounts of CONTRACTS.md with the demo password, flagged as demo accounts (they
    sign in without a second factor only in a database `kangyang demo` marked), then every
    app's `seed_demo_accounts`. An account that exists already is kept as it is."""
    subdistricts = list(district.children.filter(level=Region.Level.SUBDISTRICT).order_by("code")[:2])
    if len(subdistricts) < 2:
        raise ValueError("the demo district needs two subdistricts; seed it first")
    communities = [s.children.filter(level=Region.Level.COMMUNITY).order_by("code").first() for s in subdistricts]
    provider, _created = Organisation.objects.get_or_create(
        name=PROVIDER_NAME, kind=Organisation.Kind.PROVIDER,
        defaults={"region": subdistricts[0], "credit_code": uscc.synthetic(PROVIDER_NAME, division=district.code[:6])},
    )
    second = get_second_district()
    places = {
        "city": {"region": district.parent}, "district": {"region": district}, "district_2": {"region": second},
        "subdistrict_1": {"region": subdistricts[0]},
        "community_a": {"region": communities[0]}, "community_b": {"region": communities[1]},
        "provider": {"organisation": provider}, "": {},
    }
    accounts = {}
    for a in DEMO_ACCOUNTS:
        user = User.objects.filter(username=a.username).first()
        if user is None:
            user = User.objects.create_user(
                username=a.username, password=DEMO_PASSWORD, role=a.role, full_name=a.full_name,
                is_demo_account=True, **places[a.place],
            )
        elif not user.is_demo_account and not user.is_superuser and user.check_password(DEMO_PASSWORD):
            # Made by a demo before accounts were flagged: still the demo's, by its password.
            user.is_demo_account = True
            user.save(update_fields=["is_demo_account"])
        accounts[a.username] = user
    messages = []
    runs = [(accounts, district, "", f"{seed}:")]
    if elder_count(second.code):  # seeded: its bureau's policies, orders and alarm history
        staff = {"admin": accounts["admin2"], "operator": _synthetic_staff(R.HOTLINE_OPERATOR, second, title="热线坐席")}
        runs.append((staff, second, f"{second.name} ", f"{seed}:{second.code[:6]}:"))
    for hook_accounts, hook_district, prefix, stream in runs:
        for label, hook in demo_hooks("seed_demo_accounts"):
            # One transaction per hook: a caller outside one (bench/elder_list.py) would
            # otherwise commit every step of every demo order and payment roll on its own.
            with transaction.atomic():
                text = hook(accounts=hook_accounts, district=hook_district,
                            rng=random.Random(f"{stream}{label}:accounts"))
            if text:
                messages.append((f"{prefix}{label}", text))
    for label, hook in demo_hooks("seed_demo_finished"):
        with transaction.atomic():
            text = hook(districts=[hook_district for _a, hook_district, _p, _s in runs])
        if text:
            messages.append((label, text))
    return accounts, messages


def _synthetic_staff(role: str, region: Region, *, title: str) -> User:
    """A member of staff of the area with no demo account, who cannot sign in (no password):
    the demo's steps in that area still go through the actions and the audit log as theirs."""
    user = User.objects.filter(username=f"{role}-{region.code}").first()
    if user is None:
        user = User(username=f"{role}-{region.code}", role=role, region=region,
                    full_name=f"{region.name}{title}（演示）")
        user.set_unusable_password()
        user.save()
    return user


def describe_account(user: User) -> str:
    """Role and where the account works, e.g. 社区工作者 · 孺子路社区 (南浦街道)."""
    where = ""
    if user.region_id:
        region = user.region
        where = region.name if region.parent is None else _("%(region)s (%(parent)s)") % {
            "region": region.name, "parent": region.parent.name}
    if user.organisation_id:
        where = user.organisation.name
    role = User.Role(user.role).label if user.role in User.Role.values else user.role
    return f"{role} · {where}" if where else str(role)
