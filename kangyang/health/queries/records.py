"""Reads of the health app's records topic: an elder's health record (coded conditions,
medications, disabilities, and the registry's allergies, record number and consent), the
contract in force, and what the elder and her family see of their own health (the app's "My
health"). Every read goes through `visible_to` (scope.health_filter); the staff pages and API
audit their reads (actions.records.audit_health_read)."""

from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.health.models import Checkup, Condition, Contract, Disability, Medication, Reading
from kangyang.health.models.readings import ReadingKind
from kangyang.registry.models import Elder, HealthRecord
from kangyang.health.queries.readings import value_text

LAST_CHECKUPS = 3


def elder_for(user, elder_id: int) -> Elder:
    """The elder whose health data the user may read; 404 for any other (never 403, which would
    say she exists)."""
    elder = Elder.objects.filter(scope.health_filter(user), pk=elder_id).first()
    if elder is None:
        raise Http404
    return elder


def contract_in_force(user, elder: Elder):
    """The elder's contract in force today (team, its health centre, package), or None."""
    return (Contract.objects.visible_to(user).valid_on().filter(elder=elder)
            .select_related("team__institution", "package").order_by("-starts_on", "-pk").first())




def elder_section(user, elder):
    """The records part of an elder's health page (/health/elders/<id>/), already allowed to the user
    (scope.reads_health): a dict for health/elder/_records.html, or None when there is nothing to show."""
    health = HealthRecord.objects.filter(elder=elder).first()
    return {
        "elder": elder,
        "health": health,
        "conditions": list(Condition.objects.visible_to(user).filter(elder=elder)),
        "medications": list(Medication.objects.visible_to(user).filter(elder=elder)),
        "disabilities": list(Disability.objects.visible_to(user).filter(elder=elder)),
        "can_edit_conditions": scope.edits_conditions(user, elder),
        "can_edit_medications": scope.edits_medications(user, elder),
        "can_edit_disabilities": scope.edits_disabilities(user, elder),
        "can_edit_allergies": scope.edits_allergies(user, elder),
        "can_set_consent": scope.sets_alerts_consent(user, elder),
    }


def record_for(user, elder: Elder) -> dict:
    """The API's health record: elder_section's data with the contract in force."""
    section = elder_section(user, elder)
    contract = contract_in_force(user, elder)
    section["contract"] = contract
    section["doctor"] = contract.team.lead_doctor() if contract else None
    return section


def has_health_record(user, elder: Elder) -> bool:
    """Whether health services know anything of her: a coded condition or a contract in force."""
    return (Condition.objects.visible_to(user).filter(elder=elder).exists()
            or contract_in_force(user, elder) is not None)


# -- the elder's and family's own page ("My health" in the app) ------------------------------
@dataclass
class LatestReading:
    kind: str
    label: str
    reading: Reading
    values: str  # the figures with their units, e.g. "150/85 mmHg"


@dataclass
class MyHealth:
    elder: Elder
    readings: list[LatestReading] = field(default_factory=list)
    checkups: list = field(default_factory=list)
    contract: Contract | None = None
    doctor: object = None
    conditions: list = field(default_factory=list)
    medications: list = field(default_factory=list)
    alerts_to_family: bool = False
    can_set_consent: bool = False




def latest_readings(user, elder: Elder) -> list[LatestReading]:
    """The newest reading of each kind the elder has, in the kinds' order."""
    readings = Reading.objects.visible_to(user).filter(elder=elder)
    latest = []
    for kind, label in ReadingKind.choices:
        reading = readings.filter(kind=kind).order_by("-measured_at", "-pk").first()
        if reading is not None:
            latest.append(LatestReading(kind=kind, label=str(label), reading=reading, values=value_text(reading)))
    return latest


def my_health(user) -> list[MyHealth]:
    """For the elder (herself) or a family member (each elder who lists her as a contact): the
    latest readings by kind, the last check-ups, the contract in force, the conditions and
    medicines, and the consent to tell the family of health alerts."""
    if not scope.has_own_page(user):
        return []
    pages = []
    today = timezone.localdate()
    for elder in Elder.objects.filter(scope.health_filter(user)).order_by("name", "pk"):
        contract = contract_in_force(user, elder)
        health = HealthRecord.objects.filter(elder=elder).first()
        pages.append(MyHealth(
            elder=elder,
            readings=latest_readings(user, elder),
            checkups=list(Checkup.objects.visible_to(user).filter(elder=elder, examined_on__lte=today)
                          .order_by("-examined_on", "-pk")[:LAST_CHECKUPS]),
            contract=contract,
            doctor=contract.team.lead_doctor() if contract else None,
            conditions=list(Condition.objects.visible_to(user).filter(elder=elder)),
            medications=list(Medication.objects.visible_to(user).filter(elder=elder, stopped_on__isnull=True)),
            alerts_to_family=bool(health and health.alerts_to_family),
            can_set_consent=user.role == scope.R.ELDER and scope.sets_alerts_consent(user, elder),
        ))
    return pages
