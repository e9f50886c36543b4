"""The hotline during an SOS (issue 12): repeats on the console, click-to-call after the
audited reveal, the softphone hook. Through the test client."""

import datetime as dt

import pytest

from kangyang.alarms import actions
from kangyang.audit.models import AuditEntry
from kangyang.lib import phone as phones
from kangyang.registry.actions import add_contact

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ELDER_PHONE, DAUGHTER_PHONE = "13807911234", "13600000001"


@pytest.fixture
def daughter(elder_in_a, worker_a):
    return add_contact(elder_in_a, by=worker_a, name="王芳", relation="daughter", phone=DAUGHTER_PHONE, priority=1)


@pytest.fixture
def repeated(pendant_a, now):
    """An SOS pressed three times within the window: one alarm, two repeats."""
    alarm, _ = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="m-1", now=now)
    for i, minutes in enumerate((2, 5), start=2):
        actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id=f"m-{i}", battery=70,
                            now=now + dt.timedelta(minutes=minutes))
    alarm.refresh_from_db()
    return alarm


def test_the_queue_and_the_card_show_how_often_the_alarm_was_raised(client, operator, repeated):
    client.force_login(operator)
    queue = client.get("/alarms/console/queue/", **EN)
    assert 'data-repeats="2"' in queue.text and "raised 3 times" in queue.text
    card = client.get(f"/alarms/{repeated.pk}/", **HTMX, **EN)
    assert "raised 3 times" in card.text and card.text.count("data-repeat=") == 2
    assert card.text.count('class="event-repeated"') == 2  # each repeat in the timeline


def test_the_card_shows_no_full_number_and_no_tel_link_before_the_reveal(client, operator, repeated, daughter):
    client.force_login(operator)
    card = client.get(f"/alarms/{repeated.pk}/", **HTMX, **EN)
    assert ELDER_PHONE not in card.text and DAUGHTER_PHONE not in card.text
    assert "tel:" not in card.text


def test_the_reveal_gives_tel_links_for_the_elder_and_each_contact(client, operator, repeated, daughter, settings):
    settings.SOFTPHONE_URL = ""
    client.force_login(operator)
    response = client.post(f"/alarms/{repeated.pk}/reveal/", {"reason": "回拨"}, **HTMX, **EN)
    assert f'href="tel:{ELDER_PHONE}"' in response.text and f'href="tel:{DAUGHTER_PHONE}"' in response.text
    assert "softphone" not in response.text
    assert AuditEntry.objects.filter(verb="elder.reveal_contacts", actor=operator).count() == 1


@pytest.mark.parametrize(("template", "link", "web"), [
    ("sip:{number}@pbx.example", f"sip:{DAUGHTER_PHONE}@pbx.example", False),
    ("https://pbx.example/dial?to={number}&ext=801", f"https://pbx.example/dial?to={DAUGHTER_PHONE}&amp;ext=801", True),
])
def test_a_softphone_link_is_offered_beside_each_tel_link(client, operator, repeated, daughter, settings,
                                                          template, link, web):
    settings.SOFTPHONE_URL = template
    client.force_login(operator)
    response = client.post(f"/alarms/{repeated.pk}/reveal/", {"reason": "回拨"}, **HTMX, **EN)
    assert f'href="{link}"' in response.text
    assert ('target="_blank"' in response.text) is web


def test_dial_links_keep_only_digits_and_plus():
    links = phones.dial_links("0791-8888 1234", softphone="sip:{number}@pbx")
    assert links["tel"] == "tel:079188881234" and links["softphone"] == "sip:079188881234@pbx"
    assert phones.dial_links("+86 138 0791 1234")["tel"] == "tel:+8613807911234"


def test_the_console_arms_the_sound_by_default(client, operator):
    client.force_login(operator)
    page = client.get("/alarms/console/", **EN)
    assert 'id="alarm-sound"' in page.text and 'data-state="armed"' in page.text
    assert "Sound on from your first click on the page" in page.text
