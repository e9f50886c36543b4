"""Demo data of the institutions' register topic (kangyang/institutions/demo.py calls it): a few
dozen institutions and facilities per district (Xihu about 30, Qingyunpu about 10), some of each
kind, public and private, run by organisations of the register; coordinates in the district's
communities; floor areas and beds, a few deliberately short of the standards (a subdistrict
centre with 36 beds, a day-care centre of 180 m², an embedded home of 600 m²); fees, staffing,
drills; prepaid funds (one or two above the flag); an insurance about to lapse; residents drawn
from the district's registry elders (those the registry says live in an institution first, then
the 75+; the 特困 ones in centralised care in the township homes), occupancy 50–90% as far as
the district's elders allow; some wishes for centralised care.

Deterministic from `rng`; a second call adds further institutions (with new names) and admits
only elders not living anywhere yet.
"""

import datetime as dt
import random
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import Organisation
from kangyang.accounts.organisations import register_organisation
from kangyang.institutions.models import (
    CentralisedCareWish, Drill, Fee, Institution, Resident, Staffing,
)
from kangyang.lib import uscc
from kangyang.regions.models import Region
from kangyang.registry.models import Elder

K = Institution.Kind
O = Organisation.Kind

# Kinds per district: (kind, how many in Xihu, how many in a small district).
PLAN = [
    (K.CARE_HOME, 7, 2), (K.TOWNSHIP_HOME, 2, 1), (K.SUBDISTRICT_CENTRE, 5, 1), (K.EMBEDDED_HOME, 5, 1),
    (K.DAY_CARE_CENTRE, 5, 2), (K.MEAL_POINT, 4, 1), (K.RURAL_HOME, 1, 1), (K.HOME_CARE_BEDS, 2, 1),
]
SMALL_DISTRICTS = {"360104"}  # Qingyunpu: a third of Xihu's facilities
BRANDS = ["洪城", "豫章", "滕王阁", "赣江", "绳金塔", "百花洲", "象湖", "八一", "梅岭", "朝阳洲", "桃花", "抚河", "西山", "青云"]
HOME_WORDS = ["颐养院", "康养中心", "老年公寓", "福寿园", "颐年居", "安养院"]
# (beds, nursing share, floor area m² per bed) ranges by kind, for ordinary cases.
BEDS = {
    K.CARE_HOME: (80, 220, 0.55, 0.8, 30), K.TOWNSHIP_HOME: (40, 90, 0.5, 0.65, 28),
    K.SUBDISTRICT_CENTRE: (40, 70, 0.8, 0.95, 30), K.EMBEDDED_HOME: (25, 45, 0.6, 0.85, 32),
    K.DAY_CARE_CENTRE: (0, 8, 0.0, 0.0, 0), K.MEAL_POINT: (0, 0, 0.0, 0.0, 0), K.RURAL_HOME: (10, 20, 0.0, 0.3, 25),
    K.HOME_CARE_BEDS: (30, 60, 0.0, 0.0, 0),
}
FEES = {
    K.CARE_HOME: [("自理床位费", Fee.Unit.MONTH, 1800, 3200), ("护理型床位费", Fee.Unit.MONTH, 3200, 5600),
                  ("餐费", Fee.Unit.MONTH, 600, 900), ("一次性评估费", Fee.Unit.ONCE, 100, 300)],
    K.TOWNSHIP_HOME: [("社会寄养床位费", Fee.Unit.MONTH, 1200, 1800), ("餐费", Fee.Unit.MONTH, 450, 600)],
    K.SUBDISTRICT_CENTRE: [("护理型床位费", Fee.Unit.MONTH, 2800, 4200), ("日托", Fee.Unit.DAY, 40, 80)],
    K.EMBEDDED_HOME: [("护理型床位费", Fee.Unit.MONTH, 3000, 4800), ("短期托养", Fee.Unit.DAY, 120, 200)],
    K.DAY_CARE_CENTRE: [("日间照料", Fee.Unit.DAY, 30, 60), ("助浴", Fee.Unit.TIME, 30, 50)],
    K.MEAL_POINT: [("午餐", Fee.Unit.MEAL, 8, 15), ("晚餐", Fee.Unit.MEAL, 8, 12)],
    K.RURAL_HOME: [("餐费", Fee.Unit.MONTH, 300, 450)],
    K.HOME_CARE_BEDS: [("家庭养老床位服务", Fee.Unit.MONTH, 600, 1200), ("上门护理", Fee.Unit.TIME, 60, 120)],
}
SERVICES = {
    K.CARE_HOME: ["生活照料", "医疗护理", "康复训练", "精神慰藉", "失智照护"],
    K.TOWNSHIP_HOME: ["特困供养", "生活照料", "医疗护理"],
    K.SUBDISTRICT_CENTRE: ["全托", "日托", "上门服务", "助餐", "康复"],
    K.EMBEDDED_HOME: ["全托", "短期托养", "康复训练"],
    K.DAY_CARE_CENTRE: ["日间照料", "助餐", "文娱活动", "助浴"],
    K.MEAL_POINT: ["助餐", "送餐上门"],
    K.RURAL_HOME: ["互助养老", "助餐"],
    K.HOME_CARE_BEDS: ["家庭养老床位", "上门护理", "远程看护"],
}
PARTNERS = ["南昌市第一医院", "西湖区人民医院", "江西省人民医院", "南昌大学第二附属医院", "青云谱区人民医院", "社区卫生服务中心"]
RESIDENT_KINDS = {K.CARE_HOME, K.TOWNSHIP_HOME, K.SUBDISTRICT_CENTRE, K.EMBEDDED_HOME, K.RURAL_HOME, K.HOME_CARE_BEDS}


def _short(name: str) -> str:
    for suffix in ("街道", "社区", "镇", "乡", "区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _where(community: Region, rng: random.Random) -> tuple[float, float]:
    lat, lng = community.lat, community.lng
    if lat is None or lng is None:
        compound = community.compounds.exclude(lat__isnull=True).order_by("pk").first()
        lat, lng = (compound.lat, compound.lng) if compound else (28.66, 115.88)
    return round(lat + rng.uniform(-1, 1) * 300 / 111_195, 6), round(lng + rng.uniform(-1, 1) * 300 / 97_600, 6)


def _organisation(name: str, kind: str, seat: Region, district: Region) -> Organisation:
    found = Organisation.objects.filter(name=name).first()
    if found is not None:
        return found
    code = uscc.synthetic(name, division=district.code[:6], authority="5" if kind == O.INSTITUTION else "9",
                          kind="2" if kind == O.INSTITUTION else "1")
    if Organisation.objects.filter(credit_code=code).exists():
        code = ""
    rng = random.Random(name)
    return register_organisation(by=None, name=name, kind=kind, region=seat, credit_code=code,
                                 address=f"{seat.name}{rng.randint(1, 300)}号",
                                 contact_person=rng.choice("王李张刘陈") + rng.choice(["院长", "主任", "经理"]),
                                 contact_phone=f"139{rng.randrange(10**7, 10**8)}")


def _unique(name: str, used: set[str]) -> str:
    if name not in used:
        used.add(name)
        return name
    n = 2
    while f"{name}（{n}部）" in used:
        n += 1
    used.add(f"{name}（{n}部）")
    return f"{name}（{n}部）"


def seed(*, district, rng, elders: int) -> str:
    today = timezone.localdate()
    prefix = district.prefix
    subdistricts = list(Region.objects.filter(level=Region.Level.SUBDISTRICT, code__startswith=prefix).order_by("code"))
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY, code__startswith=prefix).order_by("code"))
    if not communities:
        return ""
    small = district.code[:6] in SMALL_DISTRICTS
    used = set(Institution.objects.filter(region_code__startswith=prefix).values_list("name", flat=True))
    d_short = _short(district.name)
    welfare = _organisation(f"{district.name}社会福利院", O.INSTITUTION, subdistricts[0] if subdistricts else district, district)
    meal_orgs = list(Organisation.objects.filter(kind=O.MEAL_POINT, region__code__startswith=prefix).order_by("pk"))
    providers = list(Organisation.objects.filter(kind=O.PROVIDER, region__code__startswith=prefix, blacklisted_at__isnull=True)
                     .order_by("pk"))
    made: list[Institution] = []
    counter = 0
    flagged_funds = 0
    for kind, big_n, small_n in PLAN:
        for i in range(small_n if small else big_n):
            counter += 1
            community = communities[rng.randrange(len(communities))]
            sub = next((s for s in subdistricts if community.code.startswith(s.prefix)), community.parent)
            public = kind in (K.TOWNSHIP_HOME, K.SUBDISTRICT_CENTRE, K.RURAL_HOME) or (
                kind in (K.DAY_CARE_CENTRE, K.EMBEDDED_HOME) and rng.random() < 0.6)
            brand = BRANDS[rng.randrange(len(BRANDS))]
            if kind == K.CARE_HOME:
                name = f"南昌{brand}{HOME_WORDS[rng.randrange(len(HOME_WORDS))]}"
            elif kind == K.TOWNSHIP_HOME:
                name = f"{d_short}{_short(sub.name)}敬老院"
            elif kind == K.SUBDISTRICT_CENTRE:
                name = f"{_short(sub.name)}街道综合养老服务中心"
            elif kind == K.EMBEDDED_HOME:
                name = f"{_short(community.name)}嵌入式养老院"
            elif kind == K.DAY_CARE_CENTRE:
                name = f"{_short(community.name)}社区日间照料中心"
            elif kind == K.MEAL_POINT:
                name = f"{_short(community.name)}社区长者食堂"
            elif kind == K.RURAL_HOME:
                name = f"{_short(community.name)}颐养之家"
            else:
                name = f"{brand}家庭养老床位服务中心"
            name = _unique(name, used)
            # who runs it
            if kind == K.MEAL_POINT and meal_orgs and i < len(meal_orgs):
                organisation = meal_orgs[i]
            elif kind == K.HOME_CARE_BEDS and providers:
                organisation = providers[i % len(providers)]
            elif public and kind in (K.TOWNSHIP_HOME, K.RURAL_HOME):
                organisation = welfare
            elif kind == K.MEAL_POINT:
                organisation = _organisation(name, O.MEAL_POINT, sub, district)
            elif kind == K.HOME_CARE_BEDS:
                organisation = _organisation(f"{name}有限公司", O.PROVIDER, sub, district)
            else:
                organisation = _organisation(f"南昌{brand}养老服务有限公司" if not public else f"{name}运营中心",
                                             O.INSTITUTION, sub, district)
            lo, hi, n_lo, n_hi, per_bed = BEDS[kind]
            beds = rng.randint(lo, hi) if hi else 0
            nursing = int(beds * rng.uniform(n_lo, n_hi))
            area = Decimal(max(beds * per_bed, 0) + rng.randint(100, 400)) if kind != K.HOME_CARE_BEDS else None
            # deliberate shortfalls of the standards (issue 16 §3)
            if kind == K.SUBDISTRICT_CENTRE and i == 0:
                beds, nursing = 36, 27  # below 40 beds and below 80% nursing
            if kind == K.DAY_CARE_CENTRE and i == 0:
                area = Decimal(180)
            elif kind == K.DAY_CARE_CENTRE:
                area = Decimal(rng.randint(220, 600))
            if kind == K.EMBEDDED_HOME and i == 0 and not small:
                area = Decimal(600)
            elif kind == K.EMBEDDED_HOME:
                area = Decimal(rng.randint(800, 1600))
            if kind == K.MEAL_POINT:
                area = Decimal(rng.randint(80, 200))
            opened = today - dt.timedelta(days=rng.randint(400, 4000))
            medical = (Institution.Medical.IN_HOUSE if kind == K.CARE_HOME and rng.random() < 0.5
                       else Institution.Medical.AGREEMENT if kind in RESIDENT_KINDS and rng.random() < 0.8
                       else Institution.Medical.NONE)
            lat, lng = _where(community, rng)
            institution = Institution(
                organisation=organisation, name=name, kind=kind,
                ownership=Institution.Ownership.PUBLIC if public else Institution.Ownership.PRIVATE,
                operating_model=(rng.choice([Institution.OperatingModel.PUBLIC_RUN, Institution.OperatingModel.PUBLIC_PRIVATE])
                                 if public else rng.choice([Institution.OperatingModel.PRIVATE_RUN,
                                                            Institution.OperatingModel.PRIVATE_AIDED])),
                construction=rng.choice(list(Institution.Construction.values)),
                community=community, region_code=community.code, complete_community=rng.random() < 0.3,
                address=f"{community.name}{rng.randint(1, 200)}号", lat=lat, lng=lng,
                phone=f"0791-8{rng.randrange(10**6, 10**7)}", opened_on=opened,
                filing_number=f"赣民养备{district.code[:6]}{rng.randrange(10**5, 10**6)}" if kind in RESIDENT_KINDS else "",
                filed_on=opened + dt.timedelta(days=rng.randint(10, 60)) if kind in RESIDENT_KINDS else None,
                floor_area_m2=area, beds_total=beds, beds_nursing=nursing, medical=medical,
                medical_partner=rng.choice(PARTNERS) if medical == Institution.Medical.AGREEMENT else "",
                medical_agreement_until=(today + dt.timedelta(days=rng.randint(60, 700))
                                         if medical == Institution.Medical.AGREEMENT else None),
                fire_safety_accepted_on=(None if counter % 9 == 4 else opened - dt.timedelta(days=rng.randint(10, 90))),
                liability_insurance_until=today + dt.timedelta(days=rng.randint(60, 360)),
                emergency_plan_updated_on=today - dt.timedelta(days=rng.randint(10, 400)),
                services=SERVICES[kind], description="",
            )
            if counter == 3:  # an insurance about to lapse: the register's flag and the daily warning
                institution.liability_insurance_until = today + dt.timedelta(days=12)
            if kind == K.CARE_HOME and flagged_funds < (1 if small else 2) and not public:
                flagged_funds += 1
                institution.prepaid_balance = Decimal(settings.KANGYANG_PREPAID_FLAG_YUAN + rng.randint(50_000, 400_000))
                institution.deposits_held = Decimal(rng.randint(20_000, 80_000))
            elif kind in RESIDENT_KINDS:
                institution.prepaid_balance = Decimal(rng.randint(0, 200_000))
                institution.deposits_held = Decimal(rng.randint(0, 100_000))
            institution.funds_reported_on = today - dt.timedelta(days=rng.randint(5, 60))
            institution.save()
            made.append(institution)
            for item, unit, p_lo, p_hi in FEES[kind]:
                Fee.objects.create(institution=institution, item=item, unit=unit, price=Decimal(rng.randint(p_lo, p_hi)))
            staff = {Staffing.Qualification.MANAGER: 1}
            if beds:
                staff[Staffing.Qualification.CAREGIVER_CERTIFIED] = max(1, beds // rng.randint(4, 7))
                staff[Staffing.Qualification.CAREGIVER] = max(0, beds // rng.randint(10, 20))
                staff[Staffing.Qualification.NURSE] = max(0, nursing // rng.randint(15, 30))
            if medical == Institution.Medical.IN_HOUSE:
                staff[Staffing.Qualification.DOCTOR] = rng.randint(1, 3)
            if kind in (K.DAY_CARE_CENTRE, K.SUBDISTRICT_CENTRE):
                staff[Staffing.Qualification.SOCIAL_WORKER] = rng.randint(1, 3)
            Staffing.objects.bulk_create([Staffing(institution=institution, qualification=q, count=n)
                                          for q, n in staff.items() if n])
            for d in range(rng.randint(0, 3) if kind not in (K.MEAL_POINT,) else 1):
                held = today - dt.timedelta(days=rng.randint(10, 360))
                Drill.objects.create(institution=institution, kind=Drill.Kind.FIRE if d == 0 else rng.choice(Drill.Kind.values),
                                     held_on=held, participants=max(5, beds // 2 + rng.randint(0, 10)),
                                     record="演示数据：演练按预案进行，疏散用时符合要求。")
    admitted = _residents(made, prefix=prefix, rng=rng, today=today)
    wishes = _wishes(prefix=prefix, rng=rng, today=today)
    by_kind = {}
    for i in made:
        by_kind[i.get_kind_display()] = by_kind.get(i.get_kind_display(), 0) + 1
    return _("%(n)d institutions and facilities (%(kinds)s), %(residents)d residents, %(wishes)d wishes for "
             "centralised care") % {"n": len(made), "kinds": ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())),
                                    "residents": admitted, "wishes": wishes}


def _residents(made: list[Institution], *, prefix: str, rng: random.Random, today: dt.date) -> int:
    """Admit elders of the district who live nowhere yet: the 特困 ones to the township homes
    first (centralised care), then those the registry says live in an institution, then the 75+."""
    living = Resident.objects.filter(left_on__isnull=True).values("elder_id")
    pool = (Elder.objects.filter(region_code__startswith=prefix, status=Elder.Status.ACTIVE)
            .exclude(pk__in=living).order_by("pk"))
    cutoff = dt.date(today.year - 75, today.month, min(today.day, 28))
    poor = list(pool.filter(categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},")
                .values_list("pk", "birth_date", flat=False))
    inside = list(pool.filter(living_arrangement=Elder.LivingArrangement.INSTITUTION)
                  .exclude(categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},").values_list("pk", "birth_date"))
    older = list(pool.filter(birth_date__lte=cutoff).exclude(
        Q(living_arrangement=Elder.LivingArrangement.INSTITUTION)
        | Q(categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},")).values_list("pk", "birth_date"))
    rng.shuffle(poor)
    rng.shuffle(inside)
    rng.shuffle(older)
    stays = []
    homes = [i for i in made if i.kind in RESIDENT_KINDS and i.beds_total]
    # the township homes take the 特困 elders first
    homes.sort(key=lambda i: (i.kind != K.TOWNSHIP_HOME, i.pk))
    for home in homes:
        target = int(home.beds_total * rng.uniform(0.5, 0.9))
        if home.kind == K.TOWNSHIP_HOME:
            sources = [poor, inside, older]
        elif home.kind == K.HOME_CARE_BEDS:
            sources = [older]
        else:
            sources = [inside, older, poor]
        nursing_left = home.beds_nursing
        for _n in range(target):
            source = next((s for s in sources if s), None)
            if source is None:
                break
            pk, born = source.pop()
            admitted_on = max(home.opened_on or today, born + dt.timedelta(days=365 * 60),
                              today - dt.timedelta(days=rng.randint(1, 1500)))
            admitted_on = min(admitted_on, today)
            if home.kind == K.HOME_CARE_BEDS:
                bed = Resident.Bed.HOME
            elif nursing_left > 0 and rng.random() < 0.7:
                bed, nursing_left = Resident.Bed.NURSING, nursing_left - 1
            else:
                bed = Resident.Bed.GENERAL
            stays.append(Resident(institution=home, elder_id=pk, region_code=home.region_code, bed=bed,
                                  admitted_on=admitted_on, centralised_care=source is poor))
    # some who left already: a history of discharges and deaths is not drawn (the registry's
    # statuses stay as they are); the stays above are all open.
    Resident.objects.bulk_create(stays, batch_size=1000)
    return len(stays)


def _wishes(*, prefix: str, rng: random.Random, today: dt.date) -> int:
    """Some 特困 elders living at home wish centralised care (the denominator of the plans'
    有意愿入住的特困人员集中供养率)."""
    living = Resident.objects.filter(left_on__isnull=True).values("elder_id")
    candidates = list(Elder.objects.filter(region_code__startswith=prefix, status=Elder.Status.ACTIVE,
                                           categories_text__contains=f",{Elder.Category.EXTREME_POVERTY},")
                      .exclude(pk__in=living).exclude(centralised_care_wish__isnull=False)
                      .order_by("pk").values_list("pk", flat=True))
    chosen = [pk for pk in candidates if rng.random() < 0.3]
    CentralisedCareWish.objects.bulk_create([
        CentralisedCareWish(elder_id=pk, willing=rng.random() < 0.8, recorded_on=today - dt.timedelta(days=rng.randint(1, 300)))
        for pk in chosen])
    # the 特困 residents in centralised care wished it too (they are counted in the denominator)
    in_care = list(Resident.objects.filter(left_on__isnull=True, centralised_care=True, region_code__startswith=prefix)
                   .exclude(elder__centralised_care_wish__isnull=False).values_list("elder_id", "admitted_on"))
    CentralisedCareWish.objects.bulk_create([CentralisedCareWish(elder_id=pk, willing=True, recorded_on=on)
                                             for pk, on in in_care])
    return len(chosen) + len(in_care)
