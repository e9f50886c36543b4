"""What the database keeps of an ID number, search by its last four characters, and the
dates of death or moving out (issue 10).

A dump without the field key must not give an ID number back: no plain column of any
table may hold the number, its mask, or its last four characters (sequence and check),
which with the plain birth date and region code would be the whole number.
"""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models

from kangyang.lib import crypto, residentid
from kangyang.registry.actions import create_elder, set_elder_status
from kangyang.registry.models import Elder
from kangyang.registry.queries import elders_for
from kangyang.registry.tests.test_imports import GOOD, upload
from kangyang.registry.tests.test_no_rebuild import (  # noqa: F401  (fixtures)
    alarm_a, alarm_b, carer, catalogue, generate, home_provider, last_month, longevity, meal, now,
    pendant_a, pendant_b, sign_new, this_month, tomorrow, world,
)

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def plain_values():
    """(table.column, text) of every text or JSON column of every row of every table."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model.objects.values_list(*(f.attname for f in fields)).iterator():
            for field, value in zip(fields, row):
                if value not in (None, "", [], {}):
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    yield f"{model._meta.db_table}.{field.column}", text


# Columns that hold a row's database id as text (the audit log's target): a four-digit id
# may equal a tail by chance (PostgreSQL's sequences run on across tests), which is no leak.
ROW_ID_COLUMNS = {"audit_auditentry.target_id"}


def leaks(numbers: list[str]) -> list[str]:
    found = []
    for column, text in plain_values():
        for number in numbers:
            tail = number[-4:]
            if (
                number in text                              # the number itself
                # a mask: the address code, the eight birth-date digits starred, the tail (a phone's
                # mask, 139****1234, stars four: its last four may equal a tail by chance)
                or re.search(r"\*{8,}" + re.escape(tail), text)
                or number[6:] in text                       # birth date, sequence and check
                or (text.strip().upper() == tail and not (column in ROW_ID_COLUMNS and text.isdigit()))  # the tail alone
            ):
                found.append(f"{column} holds a part of {number[:6]}…")
    return found


def test_no_plain_column_holds_an_id_number_or_its_last_four(world, worker_a, community_b, django_capture_on_commit_callbacks):
    """After elders came in through the action (the personas, and every other app's records
    about them: world) and an import."""
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(worker_a, GOOD)
    job.refresh_from_db()
    assert job.created_count == len(GOOD)

    numbers = [e._id_number() for e in Elder.objects.all()]
    assert len(numbers) == len(GOOD) + 2
    assert not leaks(numbers)
    # and the test would see one: a plain mask or tail, as the registry once kept
    first = Elder.objects.order_by("pk").first()
    Elder.objects.filter(pk=first.pk).update(address=f"{numbers[0][:6]}********{numbers[0][-4:]}")
    assert leaks(numbers) == ["registry_elder.address holds a part of 360103…"]
    Elder.objects.filter(pk=first.pk).update(address=numbers[0][-4:])
    assert leaks(numbers)


def test_no_plain_column_holds_an_id_number_or_its_last_four_after_seeding(db):
    call_command("seed", "--elders", "150", "--seed", "11", stdout=StringIO())
    numbers = [e._id_number() for e in Elder.objects.all()]
    assert len(numbers) == 150
    assert not leaks(numbers)


def test_the_tail_hash_is_keyed_and_not_the_lookup_hash(settings, elder_in_a):
    assert elder_in_a.id_last4_hash == crypto.tail_hash("0026") != crypto.lookup_hash("0026")
    settings.FIELD_KEYS = [crypto.new_field_key()]
    assert crypto.tail_hash("0026") != elder_in_a.id_last4_hash  # without the key, nothing to test against


# -- search by the last four characters ----------------------------------------------------
@pytest.fixture
def twin_tails(worker_a, worker_b, community_a, community_b):
    """Two more elders whose ID numbers end like elder_in_a's (…0026), one in A and one in B."""
    same = [n for n in (residentid.make("360103", dt.date(1950, 1, d), s) for d in range(1, 29) for s in range(2, 999, 10))
            if n.endswith("0026")]
    in_a = create_elder(by=worker_a, name="周玉兰", id_number=same[0], community=community_a)
    in_b = create_elder(by=worker_b, name="吴秀珍", id_number=same[1], community=community_b)
    return in_a, in_b


def test_search_by_the_last_four_finds_the_elders_in_scope_only(worker_a, worker_b, admin, elder_in_a, elder_in_b, twin_tails):
    in_a, in_b = twin_tails
    assert set(elders_for(worker_a, q="0026")) == {elder_in_a, in_a}
    assert set(elders_for(worker_b, q="0026")) == {in_b}
    assert set(elders_for(admin, q="0026")) == {elder_in_a, in_a, in_b}
    assert set(elders_for(admin, q="0019")) == {elder_in_b}
    assert set(elders_for(admin, q="0019x")) == set()


def test_search_by_the_last_four_with_an_x_ignores_case(worker_a, community_a):
    number = next(n for s in range(1, 999, 2) if (n := residentid.make("360103", dt.date(1944, 4, 4), s)).endswith("X"))
    elder = create_elder(by=worker_a, name="胡志强", id_number=number, community=community_a)
    assert list(elders_for(worker_a, q=number[-4:].lower())) == [elder]


def test_the_list_page_and_the_api_find_by_the_last_four(client, api_token, worker_a, elder_in_a, elder_in_b):
    client.force_login(worker_a)
    page = client.get("/registry/elders/", {"q": "0026"}).text
    assert elder_in_a.name in page and "360103********0026" in page and elder_in_b.name not in page
    r = client.get("/api/v1/elders", {"q": "0026"}, **api_token(worker_a))
    assert [e["name"] for e in r.json()["items"]] == [elder_in_a.name]
    assert client.get("/api/v1/elders", {"q": "0019"}, **api_token(worker_a)).json()["items"] == []


# -- dates of death or moving out ------------------------------------------------------------
@pytest.mark.parametrize("on, code", [
    (dt.date(1945, 3, 11), "before_birth"),  # the day before elder_in_a was born
    (dt.date(1970, 1, 1), None),             # what a `0` once became: before birth only for the young
    (dt.date.today() + dt.timedelta(days=2), "future"),
])
def test_a_death_date_before_birth_or_in_the_future_is_refused(worker_a, elder_in_a, on, code):
    if code is None:  # 1970 is after 1945: a possible date for her, so accepted
        assert set_elder_status(elder_in_a, by=worker_a, status="deceased", on=on).status_date == on
        return
    with pytest.raises(ValidationError) as e:
        set_elder_status(elder_in_a, by=worker_a, status="deceased", on=on)
    assert [err.code for err in e.value.error_dict["status_date"]] == [code]
    elder_in_a.refresh_from_db()
    assert (elder_in_a.status, elder_in_a.status_date) == ("active", None)


def test_the_date_of_the_birth_itself_is_accepted(worker_a, elder_in_a):
    assert set_elder_status(elder_in_a, by=worker_a, status="moved_out", on=elder_in_a.birth_date).status == "moved_out"


def test_the_epoch_is_refused_for_an_elder_born_after_it(worker_a, community_a):
    young = create_elder(by=worker_a, name="年轻人", id_number=residentid.make("360103", dt.date(1975, 6, 1), 12),
                         community=community_a)
    with pytest.raises(ValidationError):
        set_elder_status(young, by=worker_a, status="deceased", on=dt.date(1970, 1, 1))


def test_the_api_refuses_a_death_before_birth_field_by_field_in_the_request_language(client, api_token, worker_a, elder_in_a):
    url = f"/api/v1/elders/{elder_in_a.pk}/status"
    body = json.dumps({"status": "deceased", "date": "1900-01-01"})
    r = client.post(url, body, content_type="application/json", **api_token(worker_a), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    # on `status_date`, as the API's other refusals of this date (test_api.py)
    assert r.json()["error"]["fields"] == {"status_date": ["The date cannot be before the elder's birth."]}
    zh = client.post(url, body, content_type="application/json", **api_token(worker_a))
    assert zh.status_code == 422 and list(zh.json()["error"]["fields"]) == ["status_date"]
    elder_in_a.refresh_from_db()
    assert elder_in_a.status == "active"


def test_the_page_refuses_a_death_before_birth_on_its_field(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{elder_in_a.pk}/status/", {"status": "deceased", "status_date": "1945-01-01"},
                    HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "The date cannot be before the elder&#x27;s birth." in r.text
    elder_in_a.refresh_from_db()
    assert elder_in_a.status == "active"


# -- the migration (registry 0006–0008) ----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_search_by_the_last_four_both_ways(worker_a, elder_in_a, elder_in_b):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = ("registry", "0005_elder_door_access_notes"), ("registry", "0008_remove_elder_plain_id_mask_and_tail")

    MigrationExecutor(connection).migrate([before])  # back: the plain mask and tail, filled again
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_masked, id_last4 FROM registry_elder ORDER BY id")
        assert cursor.fetchall() == [("360103********0026", "0026"), ("360103********0019", "0019")]

    # Forward through `after` (the hash from the decrypted numbers) to the latest migrations,
    # which the models below expect
    # (every app: going back also unapplied the migrations of other apps that depend on registry's)
    executor = MigrationExecutor(connection)
    latest = [node for node in executor.loader.graph.leaf_nodes() if node[0] == "registry"]
    assert after in executor.loader.graph.forwards_plan(latest[0])
    executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, "registry_elder")}
    assert "id_last4_hash" in columns and not {"id_number_masked", "id_last4"} & columns
    assert list(elders_for(worker_a, q="0026")) == [Elder.objects.get(pk=elder_in_a.pk)]
    assert Elder.objects.get(pk=elder_in_b.pk).id_last4_hash == crypto.tail_hash("0019")
