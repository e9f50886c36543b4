"""Builders for the check-up tests: elders of a given age on a given day, a family-doctor team
with a doctor under contract with an elder, a check-up with the parts wanted."""

import datetime as dt
import itertools

from django.utils import timezone

from kangyang.health.models import CHECKUP_PARTS, Checkup, Contract, MedicalInstitution, ServicePackage, Team, TeamMember
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.registry.queries import _years_before

_seq = itertools.count(101, 2)


def elder_born(by, community, birth: dt.date, name="长者"):
    return create_elder(by=by, name=name, id_number=residentid.make("360103", birth, next(_seq) % 1000),
                        community=community, audit=False)


def elder_aged(by, community, years: int, *, on: dt.date | None = None, name="长者", days_younger: int = 0):
    """Exactly `years` old on `on` (born that day `years` years earlier), or younger by some days."""
    on = on or timezone.localdate()
    return elder_born(by, community, _years_before(on, years) + dt.timedelta(days=days_younger), name=name)


def checkup(elder, *, year=None, complete=True, examined_on=None, by=None):
    """A check-up straight into the table (the tests of the actions use the actions)."""
    examined_on = examined_on or timezone.localdate()
    parts = {p: True for p in CHECKUP_PARTS}
    if not complete:
        parts["ecg"] = False
    return Checkup.objects.create(elder=elder, year=year or examined_on.year, examined_on=examined_on,
                                  recorded_by=by, **parts)


def team_with_doctor(doctor, area, *, record_url="https://his.example/ehr/{ehr}"):
    institution = MedicalInstitution.objects.create(name=f"{area.name}卫生服务中心", kind="health_centre",
                                                    region_code=area.code, record_url=record_url)
    team = Team.objects.create(name=f"{area.name}一团队", institution=institution, area_code=area.code)
    TeamMember.objects.create(team=team, function="doctor", name=doctor.username, user=doctor, lead=True)
    return team


def contract(elder, team, *, today=None):
    today = today or timezone.localdate()
    package, _new = ServicePackage.objects.get_or_create(code="basic", defaults={"name": "基础包", "kind": "basic"})
    return Contract.objects.create(elder=elder, team=team, package=package, signed_on=today - dt.timedelta(days=30),
                                   starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=330))
