"""The delivery log page (bureau admin and operators, by area) and the preferences page."""

import datetime as dt

import pytest
from django.utils import translation

from kangyang.lib import crypto
from kangyang.notify.actions import Recipient
from kangyang.notify.models import Kind, Preference

PHONE_A, PHONE_B = "13800138001", "13800138002"


@pytest.fixture
def log_rows(db, tree, send):
    """One message about community A, one about community B."""
    a = send(Recipient(phone=PHONE_A, audience="family"), template="alarm.family",
             context={"elder": "张桂兰", "type": "SOS", "time": "08:15"}, kind=Kind.ALARM, region_code="360103001001")
    b = send(Recipient(phone=PHONE_B, audience="second_group"), template="alarm.escalated",
             context={"alarm": "#9", "type": "SOS", "community": "朝阳社区", "minutes": 2}, kind=Kind.ALARM,
             region_code="360103002001")
    return a[0], b[0]


def test_the_bureau_admin_sees_the_log_of_the_district_masked(client, admin, log_rows):
    client.force_login(admin)
    with translation.override("en"):
        page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "138****8001" in page and "138****8002" in page
    assert PHONE_A not in page and PHONE_B not in page
    assert "张桂兰" not in page  # the body is not shown, only the template's title


def test_an_operator_sees_the_log_of_the_area_and_can_filter_it(client, operator, log_rows):
    client.force_login(operator)
    page = client.get("/notifications/", {"audience": "family"}).content.decode()
    assert "138****8001" in page and "138****8002" not in page


def test_an_admin_of_another_district_sees_none_of_it(client, log_rows):
    from kangyang.accounts.models import User
    from kangyang.regions.models import Region

    other = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    stranger = User.objects.create_user(username="admin2", password="x", role="bureau_admin", region=other)
    client.force_login(stranger)
    page = client.get("/notifications/").content.decode()
    assert "138****8001" not in page and "138****8002" not in page


@pytest.mark.parametrize("persona", ["worker_a", "subdistrict", "provider", "family"])
def test_other_roles_may_not_open_the_log(client, log_rows, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/notifications/").status_code == 403


def test_the_log_is_in_the_navigation_of_those_who_read_it(client, admin, worker_a):
    client.force_login(admin)
    assert 'href="/notifications/"' in client.get("/registry/elders/").content.decode()
    client.force_login(worker_a)
    assert 'href="/notifications/"' not in client.get("/registry/elders/").content.decode()


def test_anyone_sets_their_channels_and_quiet_hours(client, family):
    client.force_login(family)
    assert client.get("/notifications/mine/").status_code == 200
    r = client.post("/notifications/mine/", {"phone": "13607915555", "sms": "on", "language": "en",
                                             "quiet_from": "22:00", "quiet_until": "07:00"})
    assert r.status_code == 302
    pref = Preference.objects.get(user=family)
    assert crypto.decrypt(pref.phone_encrypted) == "13607915555" and pref.phone_masked == "136****5555"
    assert (pref.quiet_from, pref.quiet_until, pref.language) == (dt.time(22), dt.time(7), "en")
    # Saving again without a number keeps the one on file.
    client.post("/notifications/mine/", {"sms": "on", "language": "zh-hans"})
    assert crypto.decrypt(Preference.objects.get(user=family).phone_encrypted) == "13607915555"


def test_half_a_quiet_window_is_refused(client, family):
    client.force_login(family)
    with translation.override("en"):
        r = client.post("/notifications/mine/", {"sms": "on", "language": "en", "quiet_from": "22:00"},
                        HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "Give both ends of the quiet hours" in r.content.decode()
    assert not Preference.objects.filter(user=family).exists()

