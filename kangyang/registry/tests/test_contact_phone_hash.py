"""Contacts keep a keyed hash of their phone (the app finds a family account by its number):
made by add_contact, filled for existing rows by migration 0014, renewed by key rotation."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kangyang.lib import crypto

BEFORE = [("registry", "0012_contact_tell_of_alarms")]
AFTER = [("registry", "0014_fill_contact_phone_hash")]


def test_add_contact_stores_the_lookup_hash(family, elder_in_a):
    contact = elder_in_a.contacts.get(user=family)
    assert contact.phone_hash == crypto.lookup_hash("13607915555")


@pytest.mark.django_db(transaction=True)
def test_existing_contacts_get_the_hash_from_their_decrypted_phone():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Region = old.get_model("regions", "Region")
        Elder = old.get_model("registry", "Elder")
        Contact = old.get_model("registry", "Contact")
        community = Region.objects.create(code="360103001001", name="桃花社区", level="community")
        elder = Elder.objects.create(
            name="张桂兰", name_initials="zgl", sex="F", birth_date="1945-03-12", id_number_encrypted="x",
            id_number_hash="h", id_last4_hash="t", community=community, registered_community=community,
            region_code=community.code)
        contact = Contact.objects.create(elder=elder, region_code=community.code, name="王芳", relation="daughter",
                                         phone_encrypted=crypto.encrypt("13607915555"), phone_masked="136****5555")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("registry", "Contact")
    assert new.objects.get(pk=contact.pk).phone_hash == crypto.lookup_hash("13607915555")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
