"""Synthetic elders for `kangyang demo` and `kangyang seed` (demo hook: kangyang/ops/demo.py).

Every record is built by registry.actions.build_elder / build_contact /
build_household_member, the functions create_elder, add_contact and add_household_member use, so a seeded elder is stored exactly as one registered by
hand (encrypted, hashed and masked ID number and phone, pinyin initials, region code,
household), then bulk-inserted in batches. Per-elder audit entries are not written (as for
imports); one entry records the seeding itself.

The numbers below are assumptions for synthetic data, each noted where it is set. The age
structure is roughly that of China's 7th census (2020) for people aged 60+; vulnerability
shares, living arrangements and chronic conditions are plausible round figures, not
statistics of Xihu. Spouses and children (household members, with where each lives) are
recorded for elders with a child among their contacts or a marked family situation, and the
household categories (独居, 空巢, 孤寡) are derived from them as registry.categories does for
a worker's entry; the assessment demo then derives 失能 and 失智. Everything is drawn from the `rng` handed in, so a seed gives the same
district again on an empty database.

ID numbers: residentid.make() with the district's 6-digit code, the birth date and a
sequence number (odd for men, even for women) never used before with that code and birth
date in this database, so they are unique across a million elders and across runs: running
`seed` twice with the same seed adds new, distinct elders.
"""

import bisect
import datetime as dt
import hashlib
import itertools
import logging
import math
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, residentid
from kangyang.regions.models import Compound, Household, Region
from kangyang.registry import categories as derive
from kangyang.registry.actions import (
    add_contact,
    add_household_member,
    build_contact,
    build_elder,
    build_household_member,
    create_elder,
    override_category,
    save_health_record,
)
from kangyang.registry.models import Contact, Elder, HealthRecord, HouseholdMember

log = logging.getLogger(__name__)

C = Elder.Category
L = Elder.LivingArrangement
R = Contact.Relation
BATCH = 2000  # elders per transaction

# -- age and sex ---------------------------------------------------------------------------
# Share of each age band among people aged 60+ (7th census, 2020, roughly: 60–69 56%,
# 70–79 30%, 80–89 11%, 90+ 2–3%). Within a ten-year band each year of age is a little
# smaller than the one before; from 90 on each year is three quarters of the one before.
AGE_BANDS = [(60, 69, 0.55), (70, 79, 0.30), (80, 89, 0.12), (90, 104, 0.03)]
# Women's share by band, growing with age (7th census sex ratios, roughly 98, 91, 76, 56).
FEMALE_SHARE = [0.505, 0.525, 0.57, 0.64]


def _age_table() -> tuple[list[int], list[float]]:
    ages, weights = [], []
    for low, high, share in AGE_BANDS:
        n = high - low + 1
        w = [0.75**i for i in range(n)] if low >= 90 else [1.2 - 0.4 * i / (n - 1) for i in range(n)]
        ages += range(low, high + 1)
        weights += [share * x / sum(w) for x in w]
    return ages, list(itertools.accumulate(weights))


AGES, AGE_CUM = _age_table()


def band_of(age: int) -> int:
    return min(3, max(0, (age - 60) // 10))


# -- living arrangement --------------------------------------------------------------------
# Target shares by band of: alone, with spouse only, with children, with others, in an
# institution. Alone + spouse (the empty-nest elders, 空巢) come to about 45%, alone to 12%.
ARRANGEMENTS = [L.ALONE, L.SPOUSE, L.CHILDREN, L.OTHERS, L.INSTITUTION]
ARRANGEMENT_SHARES = [
    [0.08, 0.37, 0.525, 0.02, 0.005],
    [0.13, 0.33, 0.51, 0.02, 0.01],
    [0.22, 0.22, 0.51, 0.02, 0.03],
    [0.28, 0.10, 0.53, 0.03, 0.06],
]
# An elder living with a spouse often has that spouse registered too (when 60+): the pair
# shares a household. The first of a pair is drawn with the spouse weight lowered so that
# the shares above hold for all elders: s' = s / (1 + q - s q), others × (1 + s' q).
SPOUSE_REGISTERED = 0.7


def _arrangement_weights() -> list[list[float]]:
    q, out = SPOUSE_REGISTERED, []
    for shares in ARRANGEMENT_SHARES:
        s = shares[1] / (1 + q - shares[1] * q)
        out.append([s if a == L.SPOUSE else w * (1 + s * q) for a, w in zip(ARRANGEMENTS, shares)])
    return out


ARRANGEMENT_WEIGHTS = _arrangement_weights()

# -- vulnerability (assumptions; overall shares in brackets) -------------------------------
LEFT_BEHIND_OF_EMPTY_NEST = 0.066  # children working away from Nanchang (≈ 3%)
DISABLED_BY_BAND = [0.025, 0.06, 0.15, 0.30]  # loss of capability, 失能 (≈ 6%)
DISABLED_IN_INSTITUTION = 0.5
SEVERELY_DISABLED = (0.012, 0.15)  # 重残, without / with 失能 (≈ 2%)
BEREAVED_OF_EMPTY_NEST = 0.024  # parents of a one-child family who lost it, aged ≤ 81 (≈ 1%)
EXTREME_POVERTY = {L.ALONE: 0.03, L.INSTITUTION: 0.10}  # 特困 (≈ 0.5%)
LOW_INCOME = 0.04  # 低保 (≈ 4%)
DECEASED_BY_BAND = [0.005, 0.015, 0.04, 0.10]  # died within the last 18 months
MOVED_OUT = 0.005

# -- household members (assumptions) --------------------------------------------------------
# The spouse of an elder not living with one: widowed (recorded as deceased) this often.
WIDOWED = {L.ALONE: 0.85, L.CHILDREN: 0.45, L.OTHERS: 0.5, L.INSTITUTION: 0.6}
# Where a child who does not live with the elder lives; with LEFT_BEHIND, away from Nanchang.
CHILD_RESIDENCE = {"same_community": 0.2, "same_city": 0.5, "elsewhere": 0.25, "abroad": 0.05}
M = HouseholdMember

# -- contact details -----------------------------------------------------------------------
PHONE_BY_BAND = [0.85, 0.65, 0.40, 0.25]  # has a phone of their own (≈ 70%)
LANDLINE_BY_BAND = [0.08, 0.08, 0.30, 0.30]  # of those, a landline rather than a mobile
# Mobile prefixes of the three carriers (1[3-9]x).
MOBILE_PREFIXES = [
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "178", "182", "183", "184", "187", "188", "198", "130", "131", "132", "155", "156", "166",
    "175", "176", "185", "186", "133", "153", "173", "177", "180", "181", "189", "199",
]

# -- health (assumptions, rounded after published prevalence of diagnosed disease among
# Chinese people aged 60+; by band 60s, 70s, 80s, 90+) ------------------------------------
CONDITIONS = [
    ("高血压", (0.42, 0.52, 0.56, 0.55)),
    ("糖尿病", (0.16, 0.20, 0.19, 0.14)),
    ("冠心病", (0.07, 0.12, 0.16, 0.17)),
    ("高脂血症", (0.12, 0.13, 0.11, 0.08)),
    ("慢阻肺", (0.05, 0.08, 0.11, 0.12)),
    ("骨关节炎", (0.10, 0.15, 0.20, 0.22)),
    ("脑卒中后遗症", (0.02, 0.04, 0.07, 0.08)),
    ("白内障", (0.04, 0.10, 0.18, 0.22)),
    ("慢性胃炎", (0.06, 0.06, 0.05, 0.04)),
    ("阿尔茨海默病", (0.01, 0.04, 0.12, 0.25)),
    ("帕金森病", (0.005, 0.01, 0.02, 0.02)),
]
DISABLED_EXTRA = {"脑卒中后遗症": 0.15, "阿尔茨海默病": 0.15}
ALLERGIES = ["青霉素", "磺胺类药物", "头孢类药物", "海鲜", "花粉"]
# Family-doctor contracts and yearly check-ups of people 65+: the Xihu plan's 2023 figures
# (spec/plan-targets.yaml: 76% and 72%); lower below 65 (assumption).
FAMILY_DOCTOR = (0.40, 0.76)
CHECKUP = (0.35, 0.72)

# -- names ---------------------------------------------------------------------------------
# Surnames with weights roughly after the national 2020 surname ranking (per mille), with
# surnames common in Jiangxi (熊 万 涂 邹 龚 喻 曾 饶 聂) raised (assumption).
SURNAMES = {
    "王": 66, "李": 68, "张": 55, "刘": 70, "陈": 55, "杨": 28, "黄": 30, "赵": 15, "吴": 25,
    "周": 18, "徐": 20, "孙": 10, "马": 8, "朱": 14, "胡": 22, "郭": 9, "何": 10, "高": 9,
    "林": 8, "罗": 16, "郑": 8, "梁": 6, "谢": 9, "宋": 6, "唐": 7, "许": 7, "韩": 5, "冯": 5,
    "邓": 12, "曹": 6, "彭": 10, "曾": 11, "肖": 12, "田": 4, "董": 4, "袁": 6, "潘": 5,
    "于": 3, "蒋": 5, "蔡": 5, "余": 10, "杜": 4, "叶": 6, "程": 6, "苏": 4, "魏": 5, "吕": 3,
    "丁": 4, "任": 3, "沈": 3, "熊": 18, "万": 12, "涂": 9, "邹": 9, "龚": 7, "喻": 5, "饶": 5,
    "聂": 5, "钟": 7, "付": 6, "黎": 4, "江": 5, "汪": 5, "傅": 4, "雷": 4, "章": 4, "欧阳": 2,
}
SURNAME_LIST = list(SURNAMES)
SURNAME_CUM = list(itertools.accumulate(SURNAMES.values()))

# Given names typical of people born 1920–1945, 1946–1958 and 1959–1966.
GIVEN = {
    ("F", 0): "桂兰 秀英 玉兰 凤英 淑珍 秀兰 桂英 玉珍 桂香 翠英 冬梅 春兰 金凤 素珍 玉梅 月英 凤兰 "
              "桂珍 秀珍 兰英 菊英 金莲 荷花 招娣 秀芝 玉莲 淑英 细妹 满英 银花",
    ("F", 1): "秀珍 桂芳 丽华 秀芳 玉华 春华 美华 建华 淑华 秀云 凤娇 小英 腊梅 红英 素芳 金花 "
              "爱华 玉芳 丽珍 冬英 文英 秀梅 桂花 国英 新华 淑芬 月娥 美兰",
    ("F", 2): "红梅 丽华 建英 小红 丽娟 红霞 美玲 卫红 丽萍 玉梅 春梅 秀梅 小平 爱萍 红 丽 萍 华 "
              "英 芳 霞 敏 燕 玲 莉 琴",
    ("M", 0): "德明 福生 金根 长生 水生 永福 有才 德胜 福林 树林 根生 顺发 炳华 文华 家骏 国栋 "
              "宗林 春生 发根 贵生 光明 学文 细毛 金水 德华 茂林 荣生 寿松",
    ("M", 1): "建国 国华 建华 建平 国庆 国强 志强 爱国 援朝 抗美 跃进 和平 卫国 新民 志明 国平 "
              "建新 振华 家明 立新 金生 解放 胜利 福田 光荣 新华 建设",
    ("M", 2): "卫东 红兵 建军 卫星 向阳 跃华 东升 建明 学军 永红 向东 晓东 小平 卫平 建民 伟 军 "
              "勇 平 斌 明 强 华 辉 刚 林",
}
GIVEN = {k: v.split() for k, v in GIVEN.items()}
# Their children's generation (born 1960s–1990s), for contacts.
CHILD_GIVEN = {
    "F": "芳 丽 敏 静 艳 娟 霞 燕 红 玲 丽娟 晓燕 海燕 秀丽 丽萍 小芳 文静 婷 琳 慧 春燕 丽丽".split(),
    "M": "伟 强 磊 军 勇 杰 涛 明 超 斌 刚 辉 鹏 华 晓明 建华 志刚 海涛 文斌 俊 志勇 小军".split(),
}


def _era(birth_year: int) -> int:
    return 0 if birth_year <= 1945 else 1 if birth_year <= 1958 else 2


def _surname(rng: random.Random) -> str:
    return SURNAME_LIST[bisect.bisect(SURNAME_CUM, rng.random() * SURNAME_CUM[-1])]


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


# When each synthetic elder was put on the register. The district took its register over from
# the old ageing-work system (老龄信息系统) this long before the seeding; an elder who turned 60
# since was registered within two months of the birthday, and nobody after their death or move.
# So a period before the seeding counts the elders who were on the register then (the
# indicators' monthly history, kangyang/indicators/demo.py), as with a real register, instead
# of none (and no one who died 500 days ago was "registered today").
REGISTER_TAKEN_OVER_YEARS = 3


def registered_at(p: "_Person", today: dt.date) -> dt.datetime:
    """The moment `p` was put on the register, drawn from the ID number (not from the random
    stream, so the elders themselves stay as the seed draws them)."""
    draw = int.from_bytes(hashlib.sha256(p.id_number.encode()).digest()[:4], "big")
    day = max(_years_before(today, REGISTER_TAKEN_OVER_YEARS),
              _years_before(p.birth, -60) + dt.timedelta(days=draw % 60))
    if p.status_date is not None:
        day = min(day, p.status_date - dt.timedelta(days=1))
    at = dt.datetime.combine(min(day, today), dt.time(9), tzinfo=timezone.get_current_timezone())
    return min(at + dt.timedelta(minutes=draw // 60 % 480), timezone.now())


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# -- places --------------------------------------------------------------------------------
class _Place:
    """A compound, with a made-up layout (buildings × units × floors × rooms) and the next
    flat to hand out. Flats are handed out in a scrambled but fixed order, continuing after
    the compound's existing households, so two runs do not pick the same flats."""

    def __init__(self, compound: Compound, existing_households: int):
        self.compound = compound
        self.next = existing_households
        layout = random.Random(f"layout:{compound.region_code}:{compound.name}")
        households = max(1, compound.household_count)
        if households < 700:  # old walk-up blocks
            floors, rooms, units = layout.choice((6, 7)), 2, layout.randint(2, 4)
        else:  # high-rise
            floors, rooms, units = layout.choice((18, 24, 26, 33)), layout.choice((2, 3, 4)), layout.randint(1, 3)
        self.per_floor, self.per_unit = rooms, floors * rooms
        self.per_building = units * floors * rooms
        self.capacity = math.ceil(households / self.per_building) * self.per_building
        self.step = int(self.capacity * 0.618) | 1
        while math.gcd(self.step, self.capacity) != 1:
            self.step += 1
        self.offset = layout.randrange(self.capacity)

    def next_address(self) -> str:
        k, self.next = self.next, self.next + 1
        # A permutation of the compound's flats, then new buildings beyond them if needed.
        i = (k * self.step + self.offset) % self.capacity if k < self.capacity else k
        building, i = divmod(i, self.per_building)
        unit, i = divmod(i, self.per_unit)
        floor, room = divmod(i, self.per_floor)
        return f"{self.compound.name}{building + 1}栋{unit + 1}单元{floor + 1}{room + 1:02d}室"


@dataclass
class _Person:
    name: str
    sex: str
    birth: dt.date
    age: int
    arrangement: str
    categories: list[str] = field(default_factory=list)
    id_number: str = ""
    phone: str = ""
    status: str = Elder.Status.ACTIVE
    status_date: dt.date | None = None
    contacts: list[tuple[str, str, str, bool]] = field(default_factory=list)
    health: dict = field(default_factory=dict)


class _Synthesizer:
    """Draws households of elders and writes them in batches."""

    def __init__(self, district: Region, rng: random.Random):
        self.rng = rng
        self.today = timezone.localdate()
        self.code6 = district.code[:6]
        compounds = list(
            Compound.objects.filter(region_code__startswith=self.code6)
            .select_related("community__parent").order_by("region_code", "name")
        )
        counts = dict(
            Household.objects.filter(compound__in=compounds).values_list("compound")
            .annotate(n=Count("id")).values_list("compound", "n")
        )
        self.places = [_Place(c, counts.get(c.pk, 0)) for c in compounds]
        self.place_cum = list(itertools.accumulate(max(1, c.household_count) for c in compounds))
        # (birth date ordinal × 1000 + sequence) of every ID number this run issues; those
        # registered before are known only by their keyed hash (no plain part of an ID number
        # is stored), kept as 64-bit prefixes, and a candidate is hashed to test against them.
        self.used: set[int] = set()
        self.registered = {
            int(digest[:16], 16)
            for digest in Elder.objects.values_list("id_number_hash", flat=True).iterator(chunk_size=10000)
        }
        self.doctors: dict[int, list[str]] = {}
        self.stats: dict[str, int] = {}
        self._kin_rng = random.Random(f"kin:{self.code6}:{len(self.registered)}")

    # - drawing ----------------------------------------------------------------------------
    def _birth_for_age(self, age: int) -> dt.date:
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def _free(self, birth: dt.date, seq: int) -> bool:
        if birth.toordinal() * 1000 + seq in self.used:
            return False
        if not self.registered:
            return True
        digest = crypto.lookup_hash(residentid.make(self.code6, birth, seq))
        return int(digest[:16], 16) not in self.registered

    def _id_number(self, person: _Person) -> None:
        """A sequence number unused with this birth date; if all 500 of the sex are taken,
        a day earlier (never younger, so never under 60)."""
        rng, parity = self.rng, 1 if person.sex == "M" else 0
        while True:
            base = person.birth.toordinal() * 1000
            for _attempt in range(20):
                # Men 1, 3 … 999; women 2, 4 … 998.
                seq = rng.randrange(0, 500) * 2 + 1 if parity else rng.randrange(1, 500) * 2
                if self._free(person.birth, seq):
                    break
            else:
                free = [s for s in range(2 - parity, 1000, 2) if self._free(person.birth, s)]
                if not free:
                    person.birth -= dt.timedelta(days=1)
                    continue
                seq = free[0]
            self.used.add(base + seq)
            person.id_number = residentid.make(self.code6, person.birth, seq)
            return

    def _person(self, *, age: int, sex: str, arrangement: str) -> _Person:
        birth = self._birth_for_age(age)
        name = _surname(self.rng) + self.rng.choice(GIVEN[(sex, _era(birth.year))])
        return _Person(name=name, sex=sex, birth=birth, age=age, arrangement=arrangement)

    def _vulnerability(self, p: _Person, *, shared: list[str] | None = None) -> None:
        rng, band = self.rng, band_of(p.age)
        cats = []
        if p.arrangement in (L.ALONE, L.SPOUSE):
            cats.append(C.EMPTY_NEST)  # 空巢: no child lives with them
        if p.arrangement == L.ALONE:
            cats.append(C.ALONE)
        if shared is None:  # the first of a household; a spouse shares these below
            if C.EMPTY_NEST in cats and rng.random() < LEFT_BEHIND_OF_EMPTY_NEST:
                cats.append(C.LEFT_BEHIND)
            if C.EMPTY_NEST in cats and p.age <= 81 and rng.random() < BEREAVED_OF_EMPTY_NEST:
                cats.append(C.BEREAVED)
            if rng.random() < EXTREME_POVERTY.get(p.arrangement, 0):
                cats.append(C.EXTREME_POVERTY)
            elif rng.random() < LOW_INCOME:
                cats.append(C.LOW_INCOME)
        else:
            cats += [c for c in shared if c in (C.LEFT_BEHIND, C.BEREAVED, C.LOW_INCOME)]
        disabled = DISABLED_IN_INSTITUTION if p.arrangement == L.INSTITUTION else DISABLED_BY_BAND[band]
        if rng.random() < disabled:
            cats.append(C.DISABLED)
        if rng.random() < SEVERELY_DISABLED[C.DISABLED in cats]:
            cats.append(C.SEVERELY_DISABLED)
        p.categories = cats

    def _status_and_phone(self, p: _Person) -> None:
        rng, band = self.rng, band_of(p.age)
        if rng.random() < DECEASED_BY_BAND[band]:
            p.status, p.status_date = Elder.Status.DECEASED, self.today - dt.timedelta(days=rng.randint(1, 540))
        elif rng.random() < MOVED_OUT:
            p.status, p.status_date = Elder.Status.MOVED_OUT, self.today - dt.timedelta(days=rng.randint(1, 540))
        if rng.random() < PHONE_BY_BAND[band]:
            if rng.random() < LANDLINE_BY_BAND[band]:
                p.phone = f"07918{rng.randrange(10**7):07d}"  # Nanchang: 0791 + 8 digits
            else:
                p.phone = _mobile(rng)

    def _contacts(self, p: _Person, children_surname: str) -> list[tuple[str, str, str, bool]]:
        rng = self.rng
        guardian = rng.random() < (0.7 if (C.DISABLED in p.categories or p.age >= 80) else 0.2)
        if C.BEREAVED in p.categories or C.EXTREME_POVERTY in p.categories:
            if rng.random() >= 0.7:
                return []
            relation = rng.choice([R.RELATIVE, R.NEIGHBOUR, R.OTHER])
            sex = rng.choice("MF")
            return [(_surname(rng) + rng.choice(CHILD_GIVEN[sex]), relation, _mobile(rng), guardian)]
        if rng.random() >= 0.9:
            return []
        out = []
        for i in range(2 if rng.random() < 0.45 else 1):
            r = rng.random()
            if r < 0.89:
                relation = R.SON if rng.random() < 0.5 else R.DAUGHTER
                sex, surname = ("M" if relation == R.SON else "F"), children_surname
            else:
                relation = R.RELATIVE if r < 0.96 else R.NEIGHBOUR
                sex, surname = rng.choice("MF"), _surname(rng)
            out.append((surname + rng.choice(CHILD_GIVEN[sex]), relation, _mobile(rng), guardian and i == 0))
        return out

    def _doctor(self, place: _Place) -> str:
        community = place.compound.community
        names = self.doctors.get(community.pk)
        if names is None:
            centre = f"{community.parent.name if community.parent else community.name}社区卫生服务中心"
            names = self.doctors[community.pk] = [
                f"{_surname(self.rng)}{self.rng.choice(CHILD_GIVEN[self.rng.choice('MF')])}（{centre}）"
                for _i in range(2)
            ]
        return self.rng.choice(names)

    def _health(self, p: _Person, place: _Place) -> None:
        rng, band = self.rng, band_of(p.age)
        disabled = C.DISABLED in p.categories
        conditions = [
            name for name, by_band in CONDITIONS
            if rng.random() < by_band[band] + (DISABLED_EXTRA.get(name, 0) if disabled else 0)
        ]
        h: dict = {"chronic_conditions": "、".join(conditions)}
        if rng.random() < 0.06:
            h["allergies"] = rng.choice(ALLERGIES)
        if rng.random() < FAMILY_DOCTOR[p.age >= 65]:
            h.update(family_doctor_contract=True, family_doctor=self._doctor(place),
                     contract_signed_on=self.today - dt.timedelta(days=rng.randrange(365)))
        if rng.random() < CHECKUP[p.age >= 65]:
            h["last_checkup_on"] = self.today - dt.timedelta(days=rng.randrange(365))
        elif rng.random() < 0.5:
            h["last_checkup_on"] = self.today - dt.timedelta(days=rng.randrange(365, 3 * 365))
        p.health = h

    def household(self, room: int) -> tuple[_Place, str, list[_Person]]:
        """One household of one elder, or two (a couple) when `room` allows."""
        rng = self.rng
        place = self.places[bisect.bisect(self.place_cum, rng.random() * self.place_cum[-1])]
        age = AGES[bisect.bisect(AGE_CUM, rng.random() * AGE_CUM[-1])]
        band = band_of(age)
        sex = "F" if rng.random() < FEMALE_SHARE[band] else "M"
        arrangement = rng.choices(ARRANGEMENTS, weights=ARRANGEMENT_WEIGHTS[band])[0]
        first = self._person(age=age, sex=sex, arrangement=arrangement)
        people = [first]
        if arrangement == L.SPOUSE and room > 1 and rng.random() < SPOUSE_REGISTERED:
            # Husbands are on average two to three years older than their wives.
            gap = round(rng.gauss(2.5, 2.5))
            spouse_age = min(104, age - gap if sex == "M" else age + gap)
            if spouse_age >= 60:
                other = "F" if sex == "M" else "M"
                people.append(self._person(age=spouse_age, sex=other, arrangement=L.SPOUSE))
        # Children take the father's surname; a woman registered alone had a husband too.
        husband = next((p for p in people if p.sex == "M"), None)
        children_surname = _surname_of(husband.name) if husband else _surname(rng)
        self._vulnerability(first)
        contacts = self._contacts(first, children_surname)
        for p in people[1:]:
            self._vulnerability(p, shared=first.categories)
        for p in people:
            self._status_and_phone(p)
            self._id_number(p)
            p.contacts = contacts  # a couple lists the same children
            self._health(p, place)
        return place, place.next_address(), people

    # - writing ----------------------------------------------------------------------------
    def write(self, households: list[tuple[_Place, str, list[_Person]]]) -> int:
        with transaction.atomic():
            keys = {(place.compound.community_id, address) for place, address, _p in households}
            found = {
                (h.community_id, h.address): h
                for h in Household.objects.filter(
                    community_id__in={k[0] for k in keys}, address__in=[k[1] for k in keys])
            }
            new = {}
            for place, address, _people in households:
                key = (place.compound.community_id, address)
                if key not in found and key not in new:
                    c = place.compound
                    new[key] = Household(community_id=c.community_id, compound=c, region_code=c.region_code,
                                         address=address, lat=c.lat, lng=c.lng)
            Household.objects.bulk_create(new.values(), batch_size=1000)
            found.update(new)

            elders, people, kin = [], [], []
            for place, address, persons in households:
                c = place.compound
                for p in persons:
                    elder = build_elder(
                        name=p.name, rid=residentid.parse(p.id_number, today=self.today),
                        community=c.community, phone=p.phone, compound=c, address=address,
                        household=found[(c.community_id, address)], living_arrangement=p.arrangement,
                        categories=p.categories,
                    )
                    elder.status, elder.status_date = p.status, p.status_date
                    elder.created_at = registered_at(p, self.today)
                    members = self._members(p, couple=len(persons) > 1)
                    if members is not None:  # the household is recorded: derive from it
                        elder.household_recorded_on = self.today
                        elder.derived_categories = {**elder.derived_categories, **derive.from_household(
                            arrangement=p.arrangement, members=members, recorded=True)}
                        derive.apply(elder)
                    p.categories = elder.categories
                    elders.append(elder)
                    people.append(p)
                    kin.append(members or [])
            Elder.objects.bulk_create(elders, batch_size=1000)
            HouseholdMember.objects.bulk_create([
                build_household_member(elder, relation=relation, alive=alive, residence=residence)
                for elder, members in zip(elders, kin) for relation, alive, residence in members
            ], batch_size=1000)
            contacts, health = [], []
            for elder, p in zip(elders, people):
                contacts += [
                    build_contact(elder, name=name, relation=relation, phone=phone,
                                  is_guardian=guardian, priority=i, tell_of_alarms=guardian)
                    for i, (name, relation, phone, guardian) in enumerate(p.contacts, start=1)
                ]
                health.append(HealthRecord(elder=elder, region_code=elder.region_code, **p.health))
                self._count(p)
            Contact.objects.bulk_create(contacts, batch_size=1000)
            HealthRecord.objects.bulk_create(health, batch_size=1000)
            self.stats["contacts"] = self.stats.get("contacts", 0) + len(contacts)
        return len(elders)

    def _members(self, p: _Person, *, couple: bool) -> list[tuple[str, bool, str]] | None:
        """Spouse and children as (relation, alive, residence); None when the household is
        not recorded (no contact tells the worker about the family, and nothing marks it).
        Drawn from a stream of its own, so that the elders drawn before stay the same."""
        rng = self._kin_rng
        children = [r for _n, r, _p, _g in p.contacts if r in (R.SON, R.DAUGHTER)]
        marked = C.BEREAVED in p.categories or C.EXTREME_POVERTY in p.categories
        if not children and not marked:
            return None
        members = []
        if p.arrangement == L.SPOUSE or couple:
            members.append((M.Relation.SPOUSE, True, M.Residence.WITH_ELDER))
        elif rng.random() < WIDOWED.get(p.arrangement, 0):
            members.append((M.Relation.SPOUSE, False, ""))
        if C.BEREAVED in p.categories:
            members.append((M.Relation.CHILD, False, ""))  # the one child, lost
        places, weights = list(CHILD_RESIDENCE), list(CHILD_RESIDENCE.values())
        for i, _relation in enumerate(children):
            if p.arrangement == L.CHILDREN and i == 0:
                residence = M.Residence.WITH_ELDER
            elif C.LEFT_BEHIND in p.categories:
                residence = rng.choice([M.Residence.ELSEWHERE, M.Residence.ABROAD])
            else:
                residence = rng.choices(places, weights=weights)[0]
            members.append((M.Relation.CHILD, True, residence))
        return members

    def _count(self, p: _Person) -> None:
        s = self.stats
        for key in [f"band{band_of(p.age)}", *p.categories, f"arr:{p.arrangement}", f"status:{p.status}"]:
            s[key] = s.get(key, 0) + 1
        s["female"] = s.get("female", 0) + (p.sex == "F")
        s["phone"] = s.get("phone", 0) + bool(p.phone)
        s["chronic"] = s.get("chronic", 0) + bool(p.health.get("chronic_conditions"))


def _surname_of(name: str) -> str:
    return name[:2] if name[:2] in SURNAMES else name[:1]


def seed_demo(*, district: Region, rng: random.Random, elders: int) -> str:
    """Add `elders` synthetic elders to the district's compounds (see the module docstring)."""
    if elders <= 0:
        return ""
    synth = _Synthesizer(district, rng)
    if not synth.places:
        return _("No compounds in %(district)s: no elders added.") % {"district": district.name}
    made = 0
    while made < elders:
        batch, size = [], 0
        while size < min(BATCH, elders - made):
            household = synth.household(min(BATCH, elders - made) - size)
            batch.append(household)
            size += len(household[2])
        made += synth.write(batch)
        if made % 50_000 < BATCH or made == elders:
            log.info("seeded %d of %d elders", made, elders)
    record(None, AuditEntry.Action.IMPORT, verb="demo.seed", region_code=district.code,
           note=_("%(made)d synthetic elders") % {"made": made})
    return _summary(synth.stats, made)


def _summary(s: dict[str, int], n: int) -> str:
    def pct(key: str) -> str:
        return f"{100 * s.get(key, 0) / n:.1f}%"

    return _(
        "%(n)d elders (aged 60–69 %(b0)s, 70–79 %(b1)s, 80–89 %(b2)s, 90+ %(b3)s; women %(female)s); "
        "empty-nest %(empty)s, living alone %(alone)s, disabled %(disabled)s, severely disabled "
        "%(severe)s, minimum living allowance %(low)s, extreme poverty %(poor)s, bereaved one-child "
        "family %(bereaved)s, left-behind %(left)s; with a phone %(phone)s, with a chronic condition "
        "%(chronic)s; deceased %(deceased)s, moved out %(moved)s; %(contacts)d contacts; without family "
        "%(without)s"
    ) % {
        "n": n, "b0": pct("band0"), "b1": pct("band1"), "b2": pct("band2"), "b3": pct("band3"),
        "female": pct("female"), "empty": pct(C.EMPTY_NEST), "alone": pct(C.ALONE),
        "disabled": pct(C.DISABLED), "severe": pct(C.SEVERELY_DISABLED), "low": pct(C.LOW_INCOME),
        "poor": pct(C.EXTREME_POVERTY), "bereaved": pct(C.BEREAVED), "left": pct(C.LEFT_BEHIND),
        "phone": pct("phone"), "chronic": pct("chronic"), "deceased": pct("status:deceased"),
        "moved": pct("status:moved_out"), "contacts": s.get("contacts", 0),
        "without": pct(C.WITHOUT_FAMILY),
    }


# -- the demo accounts' own records ----------------------------------------------------------
DEMO_ELDER = {"birth": dt.date(1945, 3, 12), "phone": "13807911234", "address": "3栋2单元101室"}
DEMO_DAUGHTER_PHONE = "13607915555"


def _free_id_number(code6: str, birth: dt.date, sex: str) -> str:
    for seq in range(1 if sex == "M" else 2, 1000, 2):
        number = residentid.make(code6, birth, seq)
        if not Elder.objects.filter(id_number_hash=crypto.lookup_hash(number)).exists():
            return number
    raise RuntimeError("no free ID number")  # 500 people of one sex born that day: not in a demo


def seed_demo_accounts(*, accounts: dict, district: Region, rng: random.Random) -> str:
    """The `elder` account's own record, in `worker_a`'s community (lives alone, empty-nest),
    and `family` as her daughter and guardian. Does nothing that is done already, nor in the
    second district (no `elder` account there)."""
    if "elder" not in accounts:
        return ""
    user, family, worker = accounts["elder"], accounts["family"], accounts["worker_a"]
    elder = Elder.objects.filter(user=user).first()
    if elder is None:
        community = worker.region
        compound = community.compounds.order_by("name").first()
        elder = create_elder(
            by=worker, name=user.full_name or user.username, community=community,
            id_number=_free_id_number(district.code[:6], DEMO_ELDER["birth"], Elder.Sex.FEMALE),
            phone=DEMO_ELDER["phone"], compound=compound,
            address=f"{compound.name}{DEMO_ELDER['address']}" if compound else "",
            living_arrangement=L.ALONE, categories=[C.EMPTY_NEST, C.ALONE],
        )
        elder.user = user
        elder.save(update_fields=["user", "updated_at"])
        today = timezone.localdate()
        save_health_record(
            elder, by=worker, chronic_conditions="高血压、骨关节炎", family_doctor_contract=True,
            family_doctor=f"刘敏（{community.parent.name}社区卫生服务中心）",
            contract_signed_on=today - dt.timedelta(days=90), last_checkup_on=today - dt.timedelta(days=120),
        )
    if not elder.contacts.filter(user=family).exists():
        add_contact(elder, by=worker, name=family.full_name or family.username, relation=R.DAUGHTER,
                    phone=DEMO_DAUGHTER_PHONE, is_guardian=True, user=family, priority=1, tell_of_alarms=True)
    if elder.household_recorded_on is None:
        # Widowed; her daughter lives across town: 独居 and 空巢, with the reasons shown.
        add_household_member(elder, by=worker, relation=M.Relation.SPOUSE, alive=False, name="王德明")
        add_household_member(elder, by=worker, relation=M.Relation.CHILD, name=family.full_name,
                             residence=M.Residence.SAME_CITY)
    _demo_overrides(worker, elder)
    return _("%(elder)s (%(code)s), with her daughter %(family)s as guardian") % {
        "elder": elder.name, "code": elder.id_number_masked, "family": family.full_name}


def _demo_overrides(worker, own: Elder) -> None:
    """Two corrections by `worker_a` where the data are behind: a neighbour of the `elder`
    whose son has moved back in (not 独居 whatever the record says), and one diagnosed with
    dementia since the last assessment (失智 before the re-assessment). Done once."""
    neighbours = (
        Elder.objects.filter(community=own.community, status=Elder.Status.ACTIVE)
        .exclude(pk=own.pk).order_by("pk")
    )
    if neighbours.exclude(category_overrides={}).exists():
        return
    alone = neighbours.filter(categories_text__contains=f",{C.ALONE},").first()
    if alone is not None:
        override_category(alone, by=worker, category=C.ALONE, value=False,
                          reason="儿子已于上月搬回同住，户籍信息待更新")
    other = neighbours.exclude(categories_text__contains=f",{C.COGNITIVELY_IMPAIRED},").exclude(
        pk=getattr(alone, "pk", None)).first()
    if other is not None:
        override_category(other, by=worker, category=C.COGNITIVELY_IMPAIRED, value=True,
                          reason="省人民医院诊断阿尔茨海默病（F00），待重新评估")
