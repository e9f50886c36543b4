"""Adding a batch of checked rows: their households and elders, and the job's progress,
committed together."""

from django.db import IntegrityError, transaction

from kangyang.regions.models import Household
from kangyang.registry import actions
from kangyang.registry.imports.rows import _Row
from kangyang.registry.models import Elder, HealthRecord, ImportJob

COUNTS = ["processed_rows", "created_count", "existing_count", "error_count"]


def _households(rows: list[_Row]) -> dict[tuple[int, str], Household]:
    """The household of each (community, address), created where missing: what
    registry.actions._place does with get_or_create, in two queries a batch. One created
    meanwhile by someone else raises IntegrityError, and _commit tries the batch again."""
    wanted: dict[tuple[int, str], _Row] = {}
    for row in rows:
        if row.address:
            wanted.setdefault((row.community.pk, row.address), row)
    if not wanted:
        return {}
    found = Household.objects.filter(
        community_id__in={c for c, _a in wanted}, address__in={a for _c, a in wanted}
    ).only("id", "community_id", "address")
    households = {(h.community_id, h.address): h for h in found if (h.community_id, h.address) in wanted}
    created = Household.objects.bulk_create([
        Household(
            community=r.community, region_code=r.community.code, address=r.address,
            compound=r.compound, lat=r.compound.lat if r.compound else None,
            lng=r.compound.lng if r.compound else None,
        )
        for key, r in wanted.items() if key not in households
    ])
    households.update({(h.community_id, h.address): h for h in created})
    return households


def _new_elder(row: _Row, *, household: Household | None) -> Elder:
    return actions.build_elder(
        name=row.name, rid=row.rid, community=row.community, phone=row.phone,
        compound=row.compound, address=row.address, household=household,
        living_arrangement=row.living_arrangement, categories=row.categories,
    )


def _add(rows: list[_Row]) -> tuple[int, int]:
    """Add the rows not yet registered; (added, already registered). Call inside a transaction."""
    if not rows:
        return 0, 0
    existing = set(
        Elder.objects.filter(id_number_hash__in=[r.id_hash for r in rows]).values_list("id_number_hash", flat=True)
    )
    new = [r for r in rows if r.id_hash not in existing]
    households = _households(new)
    elders = Elder.objects.bulk_create(
        [_new_elder(r, household=households.get((r.community.pk, r.address))) for r in new]
    )
    # By id, not elder=e: that would also cache the record on the elder, a reference cycle
    # per row for the garbage collector to find.
    HealthRecord.objects.bulk_create(
        [HealthRecord(elder_id=e.pk, region_code=e.region_code) for e in elders]
    )
    return len(elders), len(rows) - len(elders)


def _commit(job: ImportJob, rows: list[_Row], *, processed: int, errors: int) -> None:
    """One batch: its elders and the job's progress, committed together."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                added, existing = _add(rows)
                job.processed_rows += processed
                job.created_count += added
                job.existing_count += existing
                job.error_count += errors
                job.total_rows = max(job.total_rows, job.processed_rows)  # an estimate ran short
                job.save(update_fields=[*COUNTS, "total_rows"])
            return
        except IntegrityError:
            # An ID number of this batch was registered by someone else between our look-up
            # and the insert; the batch was rolled back, so look again.
            job.refresh_from_db(fields=[*COUNTS, "total_rows"])
            if attempt == 2:
                raise
