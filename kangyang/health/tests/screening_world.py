"""Fixtures of the screening tests: a family-doctor team for community A with a contract for its
elder, another team (community B) with its elder, their doctors, and a hospital."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.health.models import Contract, MedicalInstitution, ServicePackage, Team, TeamMember


def _doctor(username):
    from kangyang.accounts.models import User

    return User.objects.create_user(username=username, password="kangyang-demo", role=User.Role.DOCTOR,
                                    full_name=username)


def _team(name, area_code, centre, user, elder, package):
    team = Team.objects.create(name=name, institution=centre, area_code=area_code)
    TeamMember.objects.create(team=team, function=TeamMember.Function.DOCTOR, name=user.username, user=user, lead=True)
    today = timezone.localdate()
    Contract.objects.create(elder=elder, team=team, package=package, signed_on=today - dt.timedelta(days=30),
                            starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=335))
    return team


@pytest.fixture
def hospital(district):
    return MedicalInstitution.objects.create(name="西湖区人民医院", kind=MedicalInstitution.Kind.HOSPITAL,
                                             level=MedicalInstitution.Level.SECONDARY, region_code=district.code)


@pytest.fixture
def teams(elder_in_a, elder_in_b, community_a, community_b):
    centre = MedicalInstitution.objects.create(name="南浦街道社区卫生服务中心", kind=MedicalInstitution.Kind.HEALTH_CENTRE,
                                               region_code=community_a.parent.code)
    package = ServicePackage.objects.create(code="basic", name="基础包", kind=ServicePackage.Kind.BASIC)
    doctor_a, doctor_b = _doctor("doctor_a"), _doctor("doctor_b")
    team_a = _team("桃花团队", community_a.code, centre, doctor_a, elder_in_a, package)
    team_b = _team("朝阳团队", community_b.code, centre, doctor_b, elder_in_b, package)
    return {"doctor_a": doctor_a, "doctor_b": doctor_b, "team_a": team_a, "team_b": team_b, "centre": centre}


@pytest.fixture
def doctor_a(teams):
    return teams["doctor_a"]


@pytest.fixture
def doctor_b(teams):
    return teams["doctor_b"]


MINI_COG_POSITIVE = {"recall": "1", "clock": "0"}
MINI_COG_NEGATIVE = {"recall": "3", "clock": "2"}
