"""The health app's demo, contracts topic (kangyang/health/demo.py calls it): per subdistrict a
community health centre, a couple of hospitals per district, a family-doctor team per community
(a doctor, a nurse, a public-health worker), the service packages, contracts for about 78% of the
65+ and some younger elders (a few ending within 30 days, a few ended early, some renewals of last
year's), the registry's health summary in step with them, and the health centres' resident
counts. Bulk inserts: a district of thousands of elders takes a second or two."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kangyang.health.actions.contracts import default_end, sign_contract, sync_health_record
from kangyang.health.models import (
    Condition, Contract, MedicalInstitution, ResidentCount, ServicePackage, Team, TeamMember,
)
from kangyang.health.models.contracts import valid_on

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ["敏", "伟", "芳", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英",
         "建华", "海燕", "志刚", "晓梅", "文静", "国庆", "红梅", "建军", "丽萍", "春燕", "卫东"]
PACKAGES = [
    ("basic", "基础包", ServicePackage.Kind.BASIC, Decimal("0"),
     "健康档案、健康教育、预防接种、常见病诊疗、预约转诊"),
    ("elder", "老年人包", ServicePackage.Kind.ELDER, Decimal("0"),
     "每年一次健康体检与评估、中医药健康管理、用药指导"),
    ("chronic", "慢病包", ServicePackage.Kind.CHRONIC, Decimal("30"),
     "高血压、2型糖尿病每年四次随访、血压血糖监测、长处方"),
    ("personalised", "个性化包", ServicePackage.Kind.PERSONALISED, Decimal("120"),
     "上门服务、家庭病床评估、康复指导"),
]
CONTRACTED = {True: 0.78, False: 0.3}  # 65+, younger
END_REASONS = ["搬离辖区", "去世", "更换签约团队", "本人申请解约"]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def packages() -> dict[str, ServicePackage]:
    out = {}
    for code, name, kind, fee, services in PACKAGES:
        out[code] = ServicePackage.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "fee_yuan": fee, "services": services})[0]
    return out


def seed(*, district, rng, elders: int) -> str:
    from kangyang.regions.models import Region
    from kangyang.registry.models import Elder, HealthRecord

    today = timezone.localdate()
    prefix = district.code[:6]
    if Team.objects.filter(area_code__startswith=prefix).exists():
        return ""
    pkgs = packages()
    subdistricts = list(Region.objects.filter(code__startswith=prefix, level=Region.Level.SUBDISTRICT).order_by("code"))
    communities = list(Region.objects.filter(code__startswith=prefix, level=Region.Level.COMMUNITY).order_by("code"))
    centres = {}
    for sub in subdistricts:
        centres[sub.code[:9]] = MedicalInstitution.objects.get_or_create(
            name=f"{district.name}{sub.name}社区卫生服务中心",
            defaults={"kind": MedicalInstitution.Kind.HEALTH_CENTRE, "region_code": sub.code,
                      "phone": f"0791-8{rng.randrange(1000000, 9999999)}"})[0]
    stem = district.name.removesuffix("区").removesuffix("县")
    for name, level in ((f"{stem}人民医院", MedicalInstitution.Level.SECONDARY),
                        (f"赣江{stem}中心医院", MedicalInstitution.Level.TERTIARY)):
        MedicalInstitution.objects.get_or_create(name=name, defaults={
            "kind": MedicalInstitution.Kind.HOSPITAL, "level": level, "region_code": district.code,
            "record_url": "https://his.example/ehr/{ehr}"})
    teams = Team.objects.bulk_create([
        Team(name=f"{c.name}家庭医生团队", institution=centres[c.code[:9]], area_code=c.code)
        for c in communities if c.code[:9] in centres])
    members = []
    for team in teams:
        members += [TeamMember(team=team, function=TeamMember.Function.DOCTOR, name=_name(rng), lead=True),
                    TeamMember(team=team, function=TeamMember.Function.NURSE, name=_name(rng)),
                    TeamMember(team=team, function=TeamMember.Function.PUBLIC_HEALTH, name=_name(rng))]
    TeamMember.objects.bulk_create(members)
    by_area = {t.area_code: t for t in teams}

    chronic = set(Condition.objects.filter(elder__region_code__startswith=prefix).exclude(programme="")
                  .values_list("elder_id", flat=True))
    sixty_five = today.replace(year=today.year - 65) if not (today.month == 2 and today.day == 29) \
        else dt.date(today.year - 65, 2, 28)
    rows = list(Elder.objects.filter(region_code__startswith=prefix, status=Elder.Status.ACTIVE)
                .values_list("pk", "region_code", "birth_date").order_by("pk"))
    previous, current = [], []
    for pk, region_code, birth in rows:
        team = by_area.get(region_code)
        if team is None or rng.random() >= CONTRACTED[birth <= sixty_five]:
            continue
        package = pkgs["chronic"] if pk in chronic else pkgs["elder"] if birth <= sixty_five else pkgs["basic"]
        if rng.random() < 0.05:
            package = pkgs["personalised"]
        starts = today - dt.timedelta(days=rng.randrange(365))
        contract = Contract(elder_id=pk, team=team, package=package, signed_on=starts - dt.timedelta(days=rng.randrange(15)),
                            starts_on=starts, ends_on=default_end(starts))
        if rng.random() < 0.04:
            contract.ended_on = min(today, starts + dt.timedelta(days=rng.randrange(1, 200)))
            contract.end_reason = rng.choice(END_REASONS)
        if rng.random() < 0.4:  # last year's, renewed by this one
            old_start = starts.replace(year=starts.year - 1) if not (starts.month == 2 and starts.day == 29) \
                else dt.date(starts.year - 1, 2, 28)
            old = Contract(elder_id=pk, team=team, package=package, signed_on=old_start, starts_on=old_start,
                           ends_on=starts - dt.timedelta(days=1))
            previous.append(old)
            contract._old = old
        current.append(contract)
    Contract.objects.bulk_create(previous, batch_size=2000)
    for contract in current:
        if hasattr(contract, "_old"):
            contract.renewed_from = contract._old
    Contract.objects.bulk_create(current, batch_size=2000)

    # The registry's summary, in step with the contracts in force today.
    leads = {m.team_id: m.name for m in TeamMember.objects.filter(team__in=teams, lead=True)}
    in_force = {c.elder_id: c for c in current
                if c.starts_on <= today <= c.ends_on and (c.ended_on is None or c.ended_on > today)}
    records = {h.elder_id: h for h in HealthRecord.objects.filter(elder__region_code__startswith=prefix)}
    changed, new = [], []
    everyone = Elder.objects.filter(region_code__startswith=prefix).values_list("pk", "region_code").order_by("pk")
    for pk, region_code in everyone:
        c = in_force.get(pk)
        values = (True, f"{leads[c.team_id]}（{c.team.institution.name}）", c.signed_on) if c else (False, "", None)
        h = records.get(pk)
        if h is None:
            if c:
                new.append(HealthRecord(elder_id=pk, region_code=region_code, family_doctor_contract=values[0],
                                        family_doctor=values[1], contract_signed_on=values[2]))
            continue
        h.family_doctor_contract, h.family_doctor, h.contract_signed_on = values
        changed.append(h)
    HealthRecord.objects.bulk_update(changed, ["family_doctor_contract", "family_doctor", "contract_signed_on"],
                                     batch_size=2000)
    HealthRecord.objects.bulk_create(new, batch_size=2000)

    counts = []
    for c in communities:
        residents = rng.randrange(3000, 12000)
        for as_of, share in ((today - dt.timedelta(days=365), 0.5), (today.replace(day=1), 0.54)):
            counts.append(ResidentCount(region=c, as_of=as_of, residents=residents,
                                        contracted=int(residents * min(1.0, rng.gauss(share, 0.05)))))
    ResidentCount.objects.bulk_create(counts, ignore_conflicts=True)
    ending = sum(1 for c in in_force.values() if c.ends_on <= today + dt.timedelta(days=30))
    return (f"{len(centres)} health centres, {len(teams)} family-doctor teams, {len(current) + len(previous)} "
            f"contracts ({len(in_force)} in force, {ending} ending within 30 days)")


def seed_accounts(*, accounts, district, rng) -> str:
    """The `doctor` account leads the team serving the `elder` account's community; `elder` has
    a contract in force with it."""
    from kangyang.registry.models import Elder

    doctor, user = accounts.get("doctor"), accounts.get("elder")
    if doctor is None or user is None:
        return ""
    elder = Elder.objects.filter(user=user).first()
    if elder is None:
        return ""
    team = Team.objects.filter(area_code=elder.region_code, active=True).first()
    if team is None:
        return ""
    if not team.members.filter(user=doctor).exists():
        team.members.filter(function=TeamMember.Function.DOCTOR, lead=True, user__isnull=True).update(
            lead=False, function=TeamMember.Function.DOCTOR)
        TeamMember.objects.create(team=team, function=TeamMember.Function.DOCTOR, lead=True, user=doctor,
                                  name=doctor.full_name or doctor.username)
    today = timezone.localdate()
    if not Contract.objects.filter(valid_on(today), elder=elder, team=team).exists():
        # Demo data only: clear her seeded contracts, then sign about three months ago (in force,
        # not yet due for renewal).
        Contract.objects.filter(elder=elder).update(renewed_from=None)
        Contract.objects.filter(elder=elder).delete()
        sign_contract(elder=elder, team=team, package=packages()["chronic"],
                      signed_on=today - dt.timedelta(days=90))
    sync_health_record(elder)
    lead = team.lead_doctor()
    return f"{doctor.username} leads {team.name} ({lead.name if lead else ''}), {user.username} contracted"
