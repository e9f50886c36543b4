"""Data: the keyed hash of each ID number's last four characters, from the decrypted number.

Runs before 0008 drops the plain mask and tail, in batches of BATCH rows by primary key.
Backwards it writes the plain mask and tail again (from the decrypted number), so that
0008 can be reversed onto a database that works with the previous code.
"""

from django.db import migrations

from kangyang.lib import crypto

BATCH = 2000


def _batches(Elder):
    last = 0
    while True:
        elders = list(
            Elder.objects.filter(pk__gt=last).order_by("pk").only("pk", "id_number_encrypted")[:BATCH]
        )
        if not elders:
            return
        yield elders
        last = elders[-1].pk


def fill_tail_hash(apps, schema_editor):
    Elder = apps.get_model("registry", "Elder")
    for elders in _batches(Elder):
        for elder in elders:
            elder.id_last4_hash = crypto.tail_hash(crypto.decrypt(elder.id_number_encrypted)[-4:])
        Elder.objects.bulk_update(elders, ["id_last4_hash"])


def fill_plain_mask(apps, schema_editor):
    Elder = apps.get_model("registry", "Elder")
    for elders in _batches(Elder):
        for elder in elders:
            number = crypto.decrypt(elder.id_number_encrypted)
            elder.id_number_masked = f"{number[:6]}{'*' * 8}{number[-4:]}"
            elder.id_last4 = number[-4:]
        Elder.objects.bulk_update(elders, ["id_number_masked", "id_last4"])


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0006_elder_id_last4_hash'),
    ]

    operations = [
        migrations.RunPython(fill_tail_hash, fill_plain_mask, elidable=True),
    ]
