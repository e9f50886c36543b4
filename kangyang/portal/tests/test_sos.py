"""SOS in the app (issue 14 §2): the elder's press raises an alarm through the alarms app's own
action (source app, type sos, her home or the phone's location), once per press however often
the page is sent; the operator's console has it; the page that follows tells its state in
words; her family sees it but cannot press her SOS; hostile values never stop a call for help."""

import re

import pytest

from kangyang.alarms import actions as alarm_actions
from kangyang.alarms.models import Alarm
from kangyang.alarms.queries import open_alarms_for
from kangyang.registry.actions import add_contact
from kangyang.accounts.models import User

SOS = "/app/sos/"


def press(client, msg_id="app-0123456789abcdef", **extra):
    return client.post(SOS, {"msg_id": msg_id, **extra})


def test_the_elder_home_screen_starts_with_the_sos_button_and_the_confirm_page_has_one_button(client, elder):
    client.force_login(elder)
    home = client.get("/app/").content.decode()
    assert f'href="{SOS}"' in home and "data-sos-hold" in home and "js/sos.js" in home
    assert home.index("data-sos-hold") < home.index('data-card="')  # SOS first, then the cards
    page = client.get(SOS).content.decode()
    form = re.search(r'<form[^>]*data-sos-form[^>]*>(.*?)</form>', page, re.S).group(1)
    assert form.count('type="submit"') == 1  # one confirm step, never more
    assert re.search(r'name="msg_id" value="app-[0-9a-f]{32}"', form)
    assert 'href="tel:12349"' in page  # the hotline when the phone is offline


def test_a_press_raises_an_app_sos_at_her_home_and_the_page_follows_it(client, elder, elder_in_a):
    client.force_login(elder)
    r = press(client)
    alarm = Alarm.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/app/sos/{alarm.pk}/"
    assert (alarm.elder, alarm.source, alarm.type, alarm.status, alarm.raised_by, alarm.msg_id) == (
        elder_in_a, "app", "sos", "raised", elder, "app-0123456789abcdef")
    home = elder_in_a.compound
    assert (alarm.lat, alarm.lng) == (home.lat, home.lng)  # no location from the phone: her home
    page = client.get(r["Location"]).content.decode()
    assert f'data-alarm="{alarm.pk}"' in page and 'data-status="raised"' in page
    assert 'hx-trigger="every 5s"' in page  # refreshes itself until handled


def test_the_phone_s_location_is_used_when_the_browser_gives_it(client, elder):
    client.force_login(elder)
    press(client, lat="28.661234", lng="115.891234")
    alarm = Alarm.objects.get()
    assert (alarm.lat, alarm.lng) == (28.661234, 115.891234)


def test_the_same_press_twice_is_one_alarm_and_a_second_press_soon_after_is_a_repeat(client, elder):
    client.force_login(elder)
    first, again = press(client), press(client)
    assert Alarm.objects.count() == 1 and first["Location"] == again["Location"]
    assert Alarm.objects.get().repeat_count == 0
    other = press(client, msg_id="app-fedcba9876543210")  # pressed again within the merge window
    assert Alarm.objects.count() == 1 and other["Location"] == first["Location"]
    assert Alarm.objects.get().repeat_count == 1


def test_the_operator_console_has_it_and_the_elder_reads_how_it_is_handled(client, elder, operator, elder_in_a):
    client.force_login(elder)
    press(client)
    alarm = Alarm.objects.get()
    assert alarm in open_alarms_for(operator)
    client.force_login(operator)
    assert f'data-alarm-id="{alarm.pk}"' in client.get("/alarms/console/").content.decode()
    alarm = alarm_actions.acknowledge_alarm(alarm, by=operator)
    client.force_login(elder)
    state = client.get(f"/app/sos/{alarm.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="acknowledged"' in state and "<html" not in state
    from django.utils import timezone

    assert timezone.localtime(alarm.acknowledged_at).strftime("%H:%M") in state
    alarm_actions.resolve_alarm(alarm, by=operator, outcome="false_alarm")
    state = client.get(f"/app/sos/{alarm.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="resolved"' in state and "hx-trigger" not in state  # handled: polling stops


def test_family_sees_the_alarm_on_her_home_screen_but_cannot_press_the_elder_s_sos(client, elder, family):
    client.force_login(elder)
    press(client)
    alarm = Alarm.objects.get()
    client.force_login(family)
    home = client.get("/app/").content.decode()
    assert f'data-alarm="{alarm.pk}"' in home and "data-sos-hold" not in home and f'href="{SOS}"' not in home
    assert client.get(f"/app/sos/{alarm.pk}/").status_code == 200
    assert client.get(SOS).status_code == 403
    assert press(client, msg_id="app-family-press-1").status_code == 403
    assert Alarm.objects.count() == 1


def test_nobody_else_sees_her_alarm_or_presses_an_sos(client, elder, elder_in_b, worker_b, worker_a, community_a):
    client.force_login(elder)
    press(client)
    alarm = Alarm.objects.get()
    stranger = User.objects.create_user("stranger", password="kangyang-demo", role="family")
    add_contact(elder_in_b, by=worker_b, name="李四", relation="son", phone="13607917777", user=stranger)
    client.force_login(stranger)
    assert client.get(f"/app/sos/{alarm.pk}/").status_code == 404
    assert f'data-alarm="{alarm.pk}"' not in client.get("/app/").content.decode()
    client.force_login(worker_a)  # staff have no SOS of their own
    assert client.get(SOS).status_code == 403
    unlinked = User.objects.create_user("unlinked", password="kangyang-demo", role="elder", region=community_a)
    client.force_login(unlinked)  # an elder account without a record: the hotline, not an SOS
    home = client.get("/app/").content.decode()
    assert "data-sos-hold" not in home and 'href="tel:12349"' in home
    assert press(client).status_code == 403 and Alarm.objects.count() == 1


@pytest.mark.parametrize("extra", [
    {"msg_id": "app-<script>"},
    {"msg_id": "x" * 5000},
    {"lat": "nan", "lng": "inf"},
    {"lat": "1e999", "lng": "-1e999"},
    {"lat": "abc", "lng": "115.89"},
    {"lat": "91", "lng": "181"},
])
def test_hostile_values_never_stop_the_call_for_help(client, elder, elder_in_a, extra):
    client.force_login(elder)
    r = client.post(SOS, extra)
    alarm = Alarm.objects.get()
    assert r.status_code == 302 and alarm.elder == elder_in_a
    assert (alarm.lat, alarm.lng) == (elder_in_a.compound.lat, elder_in_a.compound.lng)
    assert re.fullmatch(r"app-[0-9a-f]{32}", alarm.msg_id)


def test_the_hotline_number_is_a_setting(client, elder, settings):
    settings.HOTLINE = "0791-12349"
    client.force_login(elder)
    assert 'href="tel:0791-12349"' in client.get(SOS).content.decode()


def test_a_nul_byte_is_refused_by_the_site_s_guard_not_a_server_error(client, elder):
    client.force_login(elder)
    r = client.post(SOS, {"msg_id": "app-\x00\x00\x00\x00\x00\x00"})
    assert r.status_code == 400 and not Alarm.objects.exists()
    assert press(client).status_code == 302  # the next, ordinary press goes through
