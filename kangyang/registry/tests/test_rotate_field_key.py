import pytest
from django.core.management import call_command

from kangyang.lib import crypto
from kangyang.registry.actions import reveal_elder
from kangyang.registry.models import Elder
from kangyang.registry.queries import elders_for


def test_rotation_re_encrypts_and_search_still_finds_by_phone_and_last_four(settings, worker_a, elder_in_a, family):
    old_key = settings.FIELD_KEYS[0]
    settings.FIELD_KEYS = [crypto.new_field_key(), old_key]
    call_command("rotate_field_key")
    elder = Elder.objects.get(pk=elder_in_a.pk)
    assert crypto.is_current(elder.id_number_encrypted)
    assert all(crypto.is_current(c.phone_encrypted) for c in elder.contacts.all())
    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]  # the old key is gone
    assert reveal_elder(elder, by=worker_a, reason="轮换后核对") == {
        "id_number": "360103194503120026", "phone": "13807911234", "birth_date": elder.birth_date}
    assert list(elders_for(worker_a, q="13807911234")) == [elder]
    assert list(elders_for(worker_a, q="0026")) == [elder]  # the tail hash is rekeyed too


def test_rotation_needs_two_keys(settings, db):
    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]
    with pytest.raises(SystemExit):
        call_command("rotate_field_key")
