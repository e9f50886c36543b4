"""Data: the keyed hash of each contact's phone, from the decrypted number (the app finds a
family account by its phone). Batches by primary key, as 0007 does for the ID tail."""

from django.db import migrations

from kangyang.lib import crypto

BATCH = 5000


def fill_phone_hash(apps, schema_editor):
    Contact = apps.get_model("registry", "Contact")
    last = 0
    while True:
        contacts = list(Contact.objects.filter(pk__gt=last).order_by("pk").only("pk", "phone_encrypted")[:BATCH])
        if not contacts:
            return
        last = contacts[-1].pk
        for contact in contacts:
            number = crypto.decrypt(contact.phone_encrypted) if contact.phone_encrypted else ""
            contact.phone_hash = crypto.lookup_hash(number) if number else ""
        Contact.objects.bulk_update(contacts, ["phone_hash"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0013_contact_phone_hash"),
    ]

    operations = [
        migrations.RunPython(fill_phone_hash, migrations.RunPython.noop, elidable=True),
    ]
