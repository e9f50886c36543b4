"""Building family-doctor teams and contracts in tests (the health tests and the indicators' own)."""

import datetime as dt

from django.utils import timezone

from kangyang.health.actions import contracts as actions
from kangyang.health.models import Contract, MedicalInstitution, ServicePackage, Team, TeamMember


def centre(area_code: str, name: str = "") -> MedicalInstitution:
    name = name or f"测试{area_code}社区卫生服务中心"
    return MedicalInstitution.objects.get_or_create(
        name=name, defaults={"kind": MedicalInstitution.Kind.HEALTH_CENTRE, "region_code": area_code})[0]


def team(area_code: str, *, name: str = "", doctor: str = "王医生", user=None) -> Team:
    made = Team.objects.create(name=name or f"{area_code}团队", institution=centre(area_code), area_code=area_code)
    TeamMember.objects.create(team=made, function=TeamMember.Function.DOCTOR, name=doctor, user=user, lead=True)
    TeamMember.objects.create(team=made, function=TeamMember.Function.NURSE, name="李护士")
    return made


def package() -> ServicePackage:
    return ServicePackage.objects.get_or_create(code="basic", defaults={"name": "基础包", "kind": "basic"})[0]


def contract_for(elder, *, on: dt.date | None = None, with_team: Team | None = None, **extra) -> Contract:
    """A year's contract from `on` (today) with a team serving the elder's community (made if not given)."""
    with_team = with_team or Team.objects.filter(area_code=elder.region_code).first() or team(elder.region_code)
    return actions.sign_contract(elder=elder, team=with_team, package=package(),
                                 signed_on=on or timezone.localdate(), **extra)
