"""Import files at rest: encrypted with the field key, readable by the platform's user only,
decrypted transparently; every download of a rejected-row file is audited."""

import io
import os
import stat

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.lib.crypto import new_field_key
from kangyang.registry import imports
from kangyang.registry.models import ImportJob
from kangyang.registry.tests.test_imports import BAD, GOOD, ID_1, rejected_rows, xlsx

SHEET = GOOD + [row for row, _reason in BAD]
REJECTED_ID = BAD[0][0][1]  # a full ID number (wrong check character) that lands in the error file


@pytest.fixture
def job(worker_a, community_b):
    with translation.override("en"):
        return imports.start_import(by=worker_a, uploaded_file=xlsx(SHEET))


def _raw(field) -> bytes:
    with open(field.path, "rb") as f:
        return f.read()


def test_the_uploaded_sheet_and_the_error_file_are_encrypted_on_disk(job):
    assert job.status == ImportJob.Status.DONE and job.error_count == len(BAD)
    for field, number in ((job.source, ID_1), (job.error_file, REJECTED_ID)):
        raw = _raw(field)
        assert crypto.is_encrypted_bytes(raw)
        assert not raw.startswith(b"PK")  # not a zip (an .xlsx) in clear
        with field.open("rb") as f:
            plain = f.read()
        assert plain.startswith(b"PK")
        values = {str(v) for row in load_workbook(io.BytesIO(plain)).worksheets[0].iter_rows(values_only=True)
                  for v in row}
        assert number in values


def test_import_files_are_readable_by_the_owner_only(job):
    for field in (job.source, job.error_file):
        assert stat.S_IMODE(os.stat(field.path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(field.path)).st_mode) == 0o700


def test_a_file_stored_in_clear_before_encryption_is_still_read(worker_a, settings):
    job = ImportJob.objects.create(created_by=worker_a, filename="old.xlsx", status="done")
    legacy = "imports/legacy-errors.xlsx"
    path = os.path.join(settings.MEDIA_ROOT, legacy)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"PK plain bytes from 0.3")
    job.error_file.name = legacy
    job.save()
    with job.error_file.open("rb") as f:
        assert f.read() == b"PK plain bytes from 0.3"


def test_files_are_read_after_a_key_rotation_and_reencrypted_by_rotate_field_key(worker_a, settings):
    job = ImportJob.objects.create(created_by=worker_a, filename="x.xlsx", status="done")
    job.error_file.save("e.xlsx", ContentFile(b"rows with ID numbers"), save=True)
    old_key = settings.FIELD_KEYS[0]
    settings.FIELD_KEYS = [new_field_key(), old_key]
    with job.error_file.open("rb") as f:
        assert f.read() == b"rows with ID numbers"
    assert not crypto.is_current_bytes(_raw(job.error_file))

    out = io.StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "re-encrypted 1 import files" in out.getvalue()
    assert crypto.is_current_bytes(_raw(job.error_file))
    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]  # the old key dropped
    job.error_file.close()
    with default_storage.open(job.error_file.name) as f:
        assert f.read() == b"rows with ID numbers"


def test_a_file_under_an_unknown_key_is_refused(worker_a, settings):
    job = ImportJob.objects.create(created_by=worker_a, filename="x.xlsx", status="done")
    job.error_file.save("e.xlsx", ContentFile(b"rows"), save=True)
    settings.FIELD_KEYS = [new_field_key()]
    with pytest.raises(crypto.FieldKeyError):
        default_storage.open(job.error_file.name)


def test_downloading_the_rejected_rows_is_audited(client, job, worker_a):
    client.force_login(worker_a)
    before = AuditEntry.objects.filter(verb="elder.import_errors.download").count()
    response = client.get(f"/registry/imports/{job.pk}/errors/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK")  # decrypted for the user
    assert int(response["Content-Length"]) == len(body)
    entry = AuditEntry.objects.filter(verb="elder.import_errors.download").get()
    assert before == 0
    assert (entry.actor, entry.action, entry.target_type, entry.target_id) == (
        worker_a, AuditEntry.Action.EXPORT, "registry.importjob", str(job.pk))
    assert entry.changes == {"rows": len(BAD)}
    assert REJECTED_ID not in str(entry.changes) + entry.note


def test_a_refused_download_writes_no_audit_entry(client, job, worker_b):
    client.force_login(worker_b)
    assert client.get(f"/registry/imports/{job.pk}/errors/").status_code == 404
    assert not AuditEntry.objects.filter(verb="elder.import_errors.download").exists()


def test_rejected_rows_still_read_back_through_the_field(job):
    assert len(rejected_rows(job)) == len(BAD)
