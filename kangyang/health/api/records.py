"""/api/v1/health: the records topic, an elder's health record.

GET /records/{elder_id} gives her coded conditions, medications, disabilities, allergies, the
health record number and the contract in force; POST /records/{elder_id}/conditions (ICD-10) and
DELETE /records/conditions/{condition_id}, POST /records/{elder_id}/medications for her
family-doctor team (403 for other readers). An elder whose health data the caller may not read is
404; every staff read is audited (scope.health_read_is_audited)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from kangyang.health.actions import records as actions
from kangyang.health.models import Condition
from kangyang.health.queries import records as queries
from kangyang.lib.schemas import StrictDate

router = Router(tags=["health"])


class ConditionOut(Schema):
    id: int
    code: str
    name: str
    programme: str
    programme_label: str
    diagnosed_on: dt.date | None

    @staticmethod
    def resolve_programme_label(obj) -> str:
        return str(obj.get_programme_display()) if obj.programme else ""


class MedicationOut(Schema):
    id: int
    name: str
    dose: str
    frequency: str
    started_on: dt.date | None
    stopped_on: dt.date | None


class DisabilityOut(Schema):
    kind: str
    kind_label: str
    grade: int | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())


class ContractSummaryOut(Schema):
    id: int
    team: str
    health_centre: str
    health_centre_phone: str
    doctor: str
    starts_on: dt.date
    ends_on: dt.date


class RecordOut(Schema):
    elder: int
    conditions: list[ConditionOut]
    medications: list[MedicationOut]
    disabilities: list[DisabilityOut]
    allergies: str
    ehr_number: str
    ehr_opened_on: dt.date | None
    alerts_to_family: bool
    contract: ContractSummaryOut | None


def _record(request, elder) -> dict:
    data = queries.record_for(request.auth, elder)
    health, contract = data["health"], data["contract"]
    return {
        "elder": elder.pk,
        "conditions": data["conditions"], "medications": data["medications"],
        "disabilities": data["disabilities"],
        "allergies": health.allergies if health else "",
        "ehr_number": health.ehr_number if health else "",
        "ehr_opened_on": health.ehr_opened_on if health else None,
        "alerts_to_family": bool(health and health.alerts_to_family),
        "contract": {
            "id": contract.pk, "team": contract.team.name, "health_centre": contract.team.institution.name,
            "health_centre_phone": contract.team.institution.phone,
            "doctor": data["doctor"].name if data["doctor"] else "",
            "starts_on": contract.starts_on, "ends_on": contract.ends_on,
        } if contract else None,
    }


@router.get("/records/{elder_id}", response=RecordOut, summary="An elder's health record")
def get_record(request, elder_id: int):
    elder = queries.elder_for(request.auth, elder_id)
    actions.audit_health_read(request.auth, elder, via="api")
    return _record(request, elder)


class ConditionIn(Schema):
    # Required, but checked by the action (after the elder is found), so that an elder outside the
    # caller's scope is 404 whatever the body.
    code: str = Field("", max_length=16,
                      description="Required. ICD-10, e.g. I10 (hypertension), E11 (type 2 diabetes).")
    name: str = Field("", max_length=100, description="Taken from the code for the common ones when empty.")
    diagnosed_on: StrictDate | None = None


@router.post("/records/{elder_id}/conditions", response={201: ConditionOut}, summary="Add a chronic condition")
def add_condition(request, payload: ConditionIn, elder_id: int):
    elder = queries.elder_for(request.auth, elder_id)
    return Status(201, actions.add_condition(elder, by=request.auth, **payload.dict()))


@router.delete("/records/conditions/{condition_id}", response={204: None},
               summary="Remove a chronic condition recorded in error")
def remove_condition(request, condition_id: int):
    """404 for a condition of an elder outside the caller's scope."""
    condition = get_object_or_404(Condition.objects.visible_to(request.auth).select_related("elder"), pk=condition_id)
    actions.remove_condition(condition, by=request.auth)
    return Status(204, None)


class MedicationIn(Schema):
    name: str = Field(..., max_length=100)
    dose: str = Field("", max_length=50)
    frequency: str = Field("", max_length=50)
    started_on: StrictDate | None = None


@router.post("/records/{elder_id}/medications", response={201: MedicationOut}, summary="Add a medicine")
def add_medication(request, payload: MedicationIn, elder_id: int):
    elder = queries.elder_for(request.auth, elder_id)
    return Status(201, actions.add_medication(elder, by=request.auth, **payload.dict()))
