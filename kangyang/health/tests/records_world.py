"""Shared by the records tests and the leak test: a family-doctor team of a health centre with a
doctor's account, and a contract in force with an elder; a health record with something in
every part, so that a leak would show."""

import datetime as dt

from django.utils import timezone



def team_with_doctor(username: str, *, area_code: str, centre: str):
    from kangyang.accounts.models import User
    from kangyang.health.models import MedicalInstitution, Team, TeamMember

    institution, _ = MedicalInstitution.objects.get_or_create(
        name=centre, defaults={"kind": MedicalInstitution.Kind.HEALTH_CENTRE, "region_code": area_code,
                               "phone": "0791-88886666"})
    team = Team.objects.create(name=f"{username}团队", institution=institution, area_code=area_code)
    user = User.objects.create_user(username=username, password="kangyang-demo", role="doctor", full_name=username)
    TeamMember.objects.create(team=team, function="doctor", name=f"{username}医生", user=user, lead=True)
    return team, user


def contract(elder, team):
    from kangyang.health.models import Contract, ServicePackage

    package, _ = ServicePackage.objects.get_or_create(code="basic", defaults={"name": "基础包", "kind": "basic"})
    today = timezone.localdate()
    return Contract.objects.create(elder=elder, team=team, package=package, signed_on=today - dt.timedelta(days=30),
                                   starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=335))


def marks(elder) -> list[str]:
    """What would betray this elder's health record (full_record writes them)."""
    return [f"青霉素过敏{elder.pk}号", f"EHR-{elder.pk:04d}", f"苯磺酸氨氯地平片{elder.pk}号", f"高血压{elder.pk}号"]


def full_record(elder):
    """Something in every part of the record (written straight, not through the actions), each
    part marked with the elder's pk (`marks`)."""
    from kangyang.health.models import Condition, Disability, Medication, Reading
    from kangyang.registry.models import HealthRecord

    allergy, ehr, medicine, condition = marks(elder)
    Condition.objects.create(elder=elder, code="I10", name=condition, programme="hypertension")
    Medication.objects.create(elder=elder, name=medicine, dose="5mg")
    Disability.objects.create(elder=elder, kind="physical", grade=2)
    HealthRecord.objects.update_or_create(elder=elder, defaults={
        "region_code": elder.region_code, "allergies": allergy, "ehr_number": ehr})
    Reading.objects.create(elder=elder, kind="blood_pressure", systolic=152, diastolic=91,
                           measured_at=timezone.now() - dt.timedelta(hours=2), classification="uncontrolled")
