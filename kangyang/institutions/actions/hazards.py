"""Writes of hazards: opening one (from an inspection's finding or on its own), putting it
right, the re-check that closes it, and escalating overdue ones."""

import datetime as dt

from django.db import transaction

from kangyang.institutions.models import Hazard, Institution


@transaction.atomic
def open_hazard(*, institution: Institution, description: str, severity: str, responsible_person: str,
                deadline: dt.date, evidence_required: str = "", inspection=None, item: str = "", by=None) -> Hazard:
    """A hazard to be put right by `deadline` (the inspections' findings come through here)."""
    return Hazard.objects.create(
        institution=institution, region_code=institution.region_code, inspection=inspection, item=item,
        description=description, severity=severity, responsible_person=responsible_person, deadline=deadline,
        evidence_required=evidence_required, created_by=by)
