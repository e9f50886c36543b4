"""A small world for the alerts' and readings' tests: two family-doctor teams (A serving community
A, with a contract with community A's elder; B serving community B, with community B's elder),
their doctors, and helpers to store readings and read the notifications queued."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from kangyang.accounts.models import User
from kangyang.health.models import Contract, MedicalInstitution, Reading, ServicePackage, Team, TeamMember
from kangyang.notify.models import Delivery


@dataclasses.dataclass
class World:
    elder_a: object
    elder_b: object
    team_a: Team
    team_b: Team
    doctor_a: User
    nurse_a: User
    doctor_b: User
    worker_a: User
    worker_b: User
    officer_1: User
    officer_2: User
    admin: User
    operator: User
    provider: User
    caregiver: User
    family: User


def _account(username, role, region=None):
    return User.objects.create_user(username=username, password="kangyang-demo", role=role, region=region,
                                    full_name=username, email=f"{username}@example.org")


def make_team(name, area, elder, *members):
    centre, _ = MedicalInstitution.objects.get_or_create(name="西湖区社区卫生服务中心",
                                                         defaults={"kind": "health_centre", "region_code": area.code})
    team = Team.objects.create(name=name, institution=centre, area_code=area.code)
    for i, user in enumerate(members):
        TeamMember.objects.create(team=team, function="doctor" if i == 0 else "nurse", name=user.username, user=user,
                                  lead=i == 0)
    package, _ = ServicePackage.objects.get_or_create(code="basic", defaults={"name": "基础包", "kind": "basic"})
    today = timezone.localdate()
    Contract.objects.create(elder=elder, team=team, package=package, signed_on=today - dt.timedelta(days=30),
                            starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=335))
    return team


@pytest.fixture
def world(elder_in_a, elder_in_b, community_a, community_b, subdistrict_1, subdistrict_2, district, worker_a, worker_b,
          subdistrict, admin, operator, provider, caregiver, family):
    User.objects.filter(pk__in=[u.pk for u in (worker_a, worker_b, subdistrict, admin, operator, family)]).update(
        email="staff@example.org")
    doctor_a, nurse_a, doctor_b = (_account("doctor_a", "doctor"), _account("nurse_a", "doctor"),
                                   _account("doctor_b", "doctor"))
    team_a = make_team("桃花团队", community_a, elder_in_a, doctor_a, nurse_a)
    team_b = make_team("朝阳团队", community_b, elder_in_b, doctor_b)
    officer_2 = _account("officer_2", "subdistrict_officer", subdistrict_2)
    for user in (worker_a, worker_b, subdistrict, admin, operator, family):
        user.refresh_from_db()
    return World(elder_in_a, elder_in_b, team_a, team_b, doctor_a, nurse_a, doctor_b, worker_a, worker_b,
                 subdistrict, officer_2, admin, operator, provider, caregiver, family)


def store(elder, *, kind="blood_pressure", classification="urgent", at=None, **values):
    at = at or timezone.now()
    if kind == "blood_pressure":
        values.setdefault("systolic", 186)
        values.setdefault("diastolic", 112)
    return Reading.objects.create(elder=elder, kind=kind, measured_at=at, received_at=at,
                                  classification=classification, rule=f"{kind}.{classification}", **values)


def told(alert_pk, step="raise") -> set[int]:
    """The accounts a step of the alert was sent to (by the keys' `:user:<id>` convention)."""
    prefix = f"health_alert:{alert_pk}:{step}:user:"
    return {int(k.rsplit(":", 1)[1]) for k in Delivery.objects.filter(key__startswith=prefix)
            .values_list("key", flat=True)}
