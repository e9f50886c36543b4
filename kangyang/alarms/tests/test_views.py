"""The operator console, the hotline page and the event stream, through the test client."""

import datetime as dt
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient
from django.utils import timezone

from kangyang.alarms import actions, views
from kangyang.alarms.models import Alarm, AlarmEvent, WorkerTask
from kangyang.audit.models import AuditEntry
from kangyang.lib import coords
from kangyang.registry.actions import add_contact, save_health_record, update_elder

CONSOLE = "/alarms/console/"
HOTLINE = "/alarms/hotline/"
HTMX = {"HTTP_HX_REQUEST": "true"}
# Message texts are asserted in English, whatever the zh-Hans catalogue holds.
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LAT, LNG = 28.6601, 115.8902  # WGS-84, where the pendant was


def url(alarm, verb: str = "") -> str:
    return f"/alarms/{alarm.pk}/{verb + '/' if verb else ''}"


@pytest.fixture
def operator_2(tree):
    """A second operator of the same alarm centre (the whole district)."""
    from kangyang.accounts.models import User

    return User.objects.create_user(
        username="operator_2", password="kangyang-demo", role="hotline_operator", region=tree,
        full_name="王接警",
    )


@pytest.fixture
def pendant_a(worker_a, elder_in_a):
    return actions.register_device(
        by=worker_a, device_id="PA-0001", kind="sos_pendant", vendor="康为", model="KY-P1", elder=elder_in_a,
    )


@pytest.fixture
def pendant_b(worker_b, elder_in_b):
    return actions.register_device(
        by=worker_b, device_id="PB-0001", kind="sos_pendant", vendor="康为", model="KY-P1", elder=elder_in_b,
    )


@pytest.fixture
def contacts_a(elder_in_a, worker_a):
    """Two contacts, added out of order: the card lists them in call order."""
    second = add_contact(elder_in_a, by=worker_a, name="王强", relation="son", phone="13600000002", priority=2)
    first = add_contact(elder_in_a, by=worker_a, name="王芳", relation="daughter", phone="13600000001",
                        priority=1, is_guardian=True)
    return first, second


@pytest.fixture
def alarm_a(pendant_a):
    """An SOS from the pendant of elder_in_a (community A)."""
    alarm, _created = actions.raise_alarm(
        source="device", type="sos", device=pendant_a, msg_id="m-1", lat=LAT, lng=LNG, battery=80,
    )
    return alarm


@pytest.fixture
def alarm_b(pendant_b):
    alarm, _created = actions.raise_alarm(source="device", type="fall", device=pendant_b, msg_id="m-1")
    return alarm


def ack(client, alarm, **extra):
    return client.post(url(alarm, "acknowledge"), **HTMX, **EN, **extra)


# -- the console and who sees it ---------------------------------------------------------------
def test_operator_sees_open_alarms_on_the_console_waiting_ones_first(client, operator, alarm_a, alarm_b):
    actions.acknowledge_alarm(alarm_a, by=operator)
    client.force_login(operator)
    page = client.get(CONSOLE).text
    assert page.index(f'data-alarm-id="{alarm_b.pk}"') < page.index(f'data-alarm-id="{alarm_a.pk}"')
    assert "李建国" in page and "张桂兰" in page
    assert 'src="/static/js/alarms.js"' in page
    assert "/alarms/console/stream/?after=" in page


def test_resolved_alarms_leave_the_queue(client, operator, alarm_a):
    actions.acknowledge_alarm(alarm_a, by=operator)
    actions.resolve_alarm(alarm_a, by=operator, outcome="false_alarm")
    client.force_login(operator)
    assert f'data-alarm-id="{alarm_a.pk}"' not in client.get("/alarms/console/queue/").text


def test_worker_sees_only_their_community_alarms(client, worker_a, alarm_a, alarm_b):
    client.force_login(worker_a)
    queue = client.get("/alarms/console/queue/").text
    assert f'data-alarm-id="{alarm_a.pk}"' in queue
    assert f'data-alarm-id="{alarm_b.pk}"' not in queue and "李建国" not in queue


@pytest.mark.parametrize("verb", ["", "acknowledge", "act", "note", "resolve", "reveal"])
def test_worker_b_gets_404_for_an_alarm_of_worker_a_elder(client, worker_b, worker_a, alarm_a, verb):
    client.force_login(worker_a)  # the same alarm is there for its own community's worker
    assert client.get(url(alarm_a), **HTMX).status_code == 200
    client.force_login(worker_b)
    method = client.get if verb == "" else client.post
    response = method(url(alarm_a, verb), {"kind": "called_elder", "note": "x", "outcome": "test", "reason": "xx"}, **HTMX)
    assert response.status_code == 404
    assert "张桂兰" not in response.text


@pytest.mark.parametrize("persona", ["provider", "caregiver", "volunteer", "inspector", "elder", "family"])
def test_people_without_an_area_cannot_open_the_console_or_reports(client, request, persona, alarm_a):
    client.force_login(request.getfixturevalue(persona))
    for path in (CONSOLE, "/alarms/console/queue/", "/alarms/console/stream/", "/alarms/reports/", HOTLINE):
        assert client.get(path).status_code == 403, path
    assert client.get(url(alarm_a), **HTMX).status_code in (403, 404)


def test_the_console_asks_for_a_sign_in(client):
    response = client.get(CONSOLE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_nav_links_the_console_for_alarm_staff_only(client, operator, worker_a, provider):
    for user, shown in ((operator, True), (worker_a, True), (provider, False)):
        client.force_login(user)
        assert ('href="/alarms/console/"' in client.get("/regions/").text) is shown, user


# -- the card ----------------------------------------------------------------------------------
def test_the_card_shows_what_the_operator_needs(client, operator, alarm_a, contacts_a, elder_in_a, worker_a):
    save_health_record(elder_in_a, by=worker_a, chronic_conditions="高血压、糖尿病", allergies="青霉素")
    update_elder(elder_in_a, by=worker_a, door_access_notes="钥匙在302邻居王阿姨处")
    older, _ = actions.raise_alarm(source="device", type="fall", device=alarm_a.device, msg_id="m-0",
                                   now=timezone.now() - dt.timedelta(days=3))
    client.force_login(operator)
    card = client.get(url(alarm_a), **HTMX, **EN).text
    assert "张桂兰" in card and f"{elder_in_a.age()} years old" in card
    assert "桃花小区3栋2单元101" in card and "桃花社区" in card
    # the map links carry the converted coordinates: GCJ-02 for AMap, BD-09 for Baidu
    g_lng, g_lat = coords.wgs84_to_gcj02(LNG, LAT)
    b_lng, b_lat = coords.wgs84_to_bd09(LNG, LAT)
    assert f"position={g_lng:.6f}%2C{g_lat:.6f}" in card
    assert f"location={b_lat:.6f}%2C{b_lng:.6f}" in card
    # phones masked; the full ones only after a reveal
    assert "138****1234" in card and "13807911234" not in card
    assert "136****0001" in card and "13600000001" not in card
    assert card.index("王芳") < card.index("王强")  # call order
    assert "高血压、糖尿病" in card and "青霉素" in card
    assert "钥匙在302邻居王阿姨处" in card
    assert "not assessed" in card
    assert "fall · raised" in card.split("Recent alarms")[1]  # the earlier alarm
    assert older.pk != alarm_a.pk


def test_the_card_shows_the_capability_level(client, operator, alarm_a, elder_in_a):
    from kangyang.assessment.models import Assessment
    from kangyang.assessment.standard import STANDARD

    today = timezone.localdate()
    Assessment.objects.create(  # a signed assessment, as sign_assessment leaves it
        elder=elder_in_a, region_code=elder_in_a.region_code, standard=STANDARD, status="signed",
        assessed_on=today, final_level=2, preliminary_level=2, valid_until=today + dt.timedelta(days=300),
    )
    client.force_login(operator)
    card = client.get(url(alarm_a), **HTMX, **EN).text
    assert 'class="level level-2"' in card and "moderate loss" in card


def test_the_card_without_health_rights_hides_conditions(client, operator, alarm_a, elder_in_a, worker_a, subdistrict):
    """The health summary is for staff whose area covers the elder: the operator's district does."""
    save_health_record(elder_in_a, by=worker_a, chronic_conditions="高血压")
    client.force_login(operator)
    assert "高血压" in client.get(url(alarm_a), **HTMX).text


def test_an_elder_who_moved_away_is_not_shown_with_the_old_devices_alarm(
    client, admin, worker_a, alarm_a, elder_in_a, community_b
):
    """The pendant's alarms stay with community A; the elder's record now belongs to B."""
    from kangyang.registry.actions import update_elder

    update_elder(elder_in_a, by=admin, community=community_b, compound=None)
    client.force_login(worker_a)
    queue = client.get("/alarms/console/queue/").text
    assert f'data-alarm-id="{alarm_a.pk}"' in queue and "张桂兰" not in queue
    card = client.get(url(alarm_a), **HTMX, **EN).text
    assert "outside your area" in card and "张桂兰" not in card and "13807911234" not in card


def test_a_plain_request_for_an_alarm_opens_the_console_on_it(client, operator, alarm_a):
    client.force_login(operator)
    response = client.get(url(alarm_a))
    assert response.status_code == 302 and response["Location"] == f"{CONSOLE}?alarm={alarm_a.pk}"
    page = client.get(response["Location"]).text
    assert f'data-card-alarm-id="{alarm_a.pk}"' in page


# -- acknowledge: one operator only --------------------------------------------------------------
def test_operator_acknowledges_an_alarm(client, operator, alarm_a):
    client.force_login(operator)
    response = ack(client, alarm_a)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "alarms-changed"
    assert "You took this alarm" in response.text
    alarm_a.refresh_from_db()
    assert alarm_a.status == "acknowledged" and alarm_a.acknowledged_by == operator
    assert 'data-action="called_elder-yes"' in response.text  # the action buttons are there now


def test_second_operator_is_told_who_took_the_alarm(client, operator, operator_2, alarm_a):
    client.force_login(operator)
    assert ack(client, alarm_a).status_code == 200
    client.force_login(operator_2)
    response = ack(client, alarm_a)
    assert "This alarm has already been taken by operator." in response.text
    assert 'class="refusal"' in response.text
    assert "Taken by operator at" in response.text
    assert "data-action=" not in response.text  # no action buttons for the one who lost
    alarm_a.refresh_from_db()
    assert alarm_a.acknowledged_by == operator
    assert alarm_a.events.filter(kind="acknowledged").count() == 1


def test_a_plain_post_that_loses_the_race_says_so_on_the_console(client, operator, operator_2, alarm_a):
    actions.acknowledge_alarm(alarm_a, by=operator)
    client.force_login(operator_2)
    response = client.post(url(alarm_a, "acknowledge"), follow=True, **EN)
    assert "This alarm has already been taken by operator." in response.text
    assert "Taken by operator at" in response.text


def test_the_queue_shows_who_took_an_alarm(client, operator, operator_2, alarm_a):
    actions.acknowledge_alarm(alarm_a, by=operator)
    client.force_login(operator_2)
    queue = client.get("/alarms/console/queue/", **EN).text
    row = queue[queue.index(f'data-alarm-id="{alarm_a.pk}"'):]
    assert "taken by operator at" in row.split("</li>")[0]
    assert "data-acknowledge" not in row.split("</li>")[0]


def test_community_worker_may_follow_but_not_acknowledge(client, worker_a, alarm_a):
    client.force_login(worker_a)
    card = client.get(url(alarm_a), **HTMX, **EN).text
    assert "Waiting for the alarm centre" in card and "data-acknowledge" not in card
    assert ack(client, alarm_a).status_code == 403
    alarm_a.refresh_from_db()
    assert alarm_a.status == "raised"


# -- actions, notes, resolve --------------------------------------------------------------------
def test_operator_actions_are_recorded_in_the_timeline(client, operator, alarm_a, contacts_a):
    first, second = contacts_a
    client.force_login(operator)
    ack(client, alarm_a)
    posts = [
        {"kind": "called_elder", "reached": "no"},
        {"kind": "called_contact", "contact": first.pk, "reached": "no"},
        {"kind": "called_contact", "contact": second.pk, "reached": "yes"},
        {"kind": "sent_worker"},
        {"kind": "called_120"},
    ]
    for data in posts:
        response = client.post(url(alarm_a, "act"), data, **HTMX, **EN)
        assert response.status_code == 200 and "Recorded:" in response.text, response.text
    note = client.post(url(alarm_a, "note"), {"note": "儿子十分钟后到"}, **HTMX, **EN)
    assert "The note is added." in note.text
    events = list(alarm_a.events.order_by("at", "id").values_list("kind", "contact", "reached", "by"))
    assert events == [
        ("raised", None, None, None),
        ("acknowledged", None, None, operator.pk),
        ("called_elder", None, False, operator.pk),
        ("called_contact", first.pk, False, operator.pk),
        ("called_contact", second.pk, True, operator.pk),
        ("sent_worker", None, None, operator.pk),
        ("called_120", None, None, operator.pk),
        ("note", None, None, operator.pk),
    ]
    timeline = note.text.split("Timeline")[1]
    assert "王芳" in timeline and "王强" in timeline and "儿子十分钟后到" in timeline


def test_an_action_before_acknowledging_is_refused(client, operator, alarm_a):
    client.force_login(operator)
    response = client.post(url(alarm_a, "act"), {"kind": "called_120"}, **HTMX, **EN)
    assert "Acknowledge the alarm first." in response.text
    assert not alarm_a.events.filter(kind="called_120").exists()


def test_a_contact_of_another_elder_is_refused(client, operator, alarm_a, elder_in_b, worker_b):
    stranger = add_contact(elder_in_b, by=worker_b, name="陌生人", relation="son", phone="13600000009")
    client.force_login(operator)
    ack(client, alarm_a)
    response = client.post(url(alarm_a, "act"), {"kind": "called_contact", "contact": stranger.pk}, **HTMX, **EN)
    assert "Choose one of the elder&#x27;s contacts." in response.text
    assert not alarm_a.events.filter(kind="called_contact").exists()


def test_the_second_operator_cannot_act_on_an_alarm_taken_by_the_first(client, operator, operator_2, alarm_a):
    actions.acknowledge_alarm(alarm_a, by=operator)
    client.force_login(operator_2)
    card = client.get(url(alarm_a), **HTMX, **EN).text
    assert "data-action=" not in card and "Resolve the alarm" not in card


def test_operator_resolves_with_an_outcome(client, operator, alarm_a):
    client.force_login(operator)
    ack(client, alarm_a)
    missing = client.post(url(alarm_a, "resolve"), {"outcome": ""}, **HTMX, **EN)
    assert "This field is required." in missing.text
    response = client.post(url(alarm_a, "resolve"), {"outcome": "real_emergency", "note": "送医"}, **HTMX, **EN)
    assert "The alarm is resolved: real emergency." in response.text
    assert response["HX-Trigger"] == "alarms-changed"
    alarm_a.refresh_from_db()
    assert alarm_a.status == "resolved" and alarm_a.outcome == "real_emergency" and alarm_a.resolved_by == operator
    again = client.post(url(alarm_a, "resolve"), {"outcome": "test"}, **HTMX, **EN)
    assert "already been resolved" in again.text


def test_no_answer_sends_the_worker_to_the_door(client, operator, alarm_a):
    client.force_login(operator)
    ack(client, alarm_a)
    client.post(url(alarm_a, "resolve"), {"outcome": "no_answer"}, **HTMX)
    assert WorkerTask.objects.filter(alarm=alarm_a, kind="door_visit").count() == 1


def test_operator_reveals_the_phones_with_a_reason_and_it_is_audited(client, operator, alarm_a, contacts_a):
    client.force_login(operator)
    refused = client.post(url(alarm_a, "reveal"), {"reason": ""}, **HTMX, **EN)
    assert "13807911234" not in refused.text
    response = client.post(url(alarm_a, "reveal"), {"reason": "回拨"}, **HTMX, **EN)
    assert 'href="tel:13807911234"' in response.text
    assert "13600000001" in response.text and "13600000002" in response.text
    notes = set(AuditEntry.objects.filter(action="view_full").values_list("verb", "note"))
    assert notes == {("elder.reveal", f"alarm {alarm_a.pk}: 回拨"), ("elder.reveal_contacts", f"alarm {alarm_a.pk}: 回拨")}


# -- the event stream ------------------------------------------------------------------------------
def test_the_stream_answers_with_the_alarms_changed_since_the_cursor(client, operator, pendant_a):
    before = views._stamp(timezone.now() - dt.timedelta(seconds=1))
    alarm, _ = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="s-1")
    client.force_login(operator)
    response = client.get("/alarms/console/stream/", {"after": before})
    assert response["Content-Type"].startswith("text/event-stream")
    body = response.text
    assert "retry: 1000" in body and "event: alarms" in body and f'"ids": [{alarm.pk}]' in body
    last_id = re.search(r"^id: (\d+)$", body, re.M).group(1)
    # the browser comes back with the last id: nothing new since
    again = client.get("/alarms/console/stream/", {"after": before}, HTTP_LAST_EVENT_ID=last_id)
    assert "event:" not in again.text
    # an acknowledgement is a change too
    actions.acknowledge_alarm(alarm, by=operator)
    third = client.get("/alarms/console/stream/", HTTP_LAST_EVENT_ID=last_id)
    assert f'"ids": [{alarm.pk}]' in third.text


def test_the_stream_never_mentions_alarms_out_of_scope(client, worker_b, pendant_a):
    before = views._stamp(timezone.now() - dt.timedelta(seconds=1))
    actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="s-1")
    client.force_login(worker_b)
    assert "event:" not in client.get("/alarms/console/stream/", {"after": before}).text


def test_the_async_stream_yields_an_event_for_a_new_alarm(operator, worker_b, pendant_a):
    start = timezone.now()

    async def first_events():
        seen = {}
        for user in (operator, worker_b):
            events = views.alarm_events(user, cursor=start, lifetime=2, poll=0.02)
            assert (await anext(events)).startswith("retry:")
            if user is operator:
                alarm, _ = await sync_to_async(actions.raise_alarm)(
                    source="device", type="sos", device=pendant_a, msg_id="s-2")
            chunks = [chunk async for chunk in events if not chunk.startswith(":")]
            seen[user.username] = chunks
        return alarm, seen

    alarm, seen = async_to_sync(first_events)()
    assert len(seen["operator"]) == 1  # one event for the one change, not one per poll
    assert "event: alarms" in seen["operator"][0] and f'"ids": [{alarm.pk}]' in seen["operator"][0]
    assert seen["worker_b"] == []


def test_the_stream_streams_under_asgi(operator, pendant_a):
    async def read():
        client = AsyncClient()
        await client.aforce_login(operator)
        response = await client.get("/alarms/console/stream/")
        assert response.streaming and response["Content-Type"].startswith("text/event-stream")
        chunks = aiter(response.streaming_content)
        assert (await anext(chunks)).decode().startswith("retry:")
        alarm, _ = await sync_to_async(actions.raise_alarm)(
            source="device", type="sos", device=pendant_a, msg_id="s-3")
        chunk = (await anext(chunks)).decode()
        while chunk.startswith(":"):
            chunk = (await anext(chunks)).decode()
        return alarm, chunk

    alarm, chunk = async_to_sync(read)()
    assert f'"ids": [{alarm.pk}]' in chunk


# -- the hotline -----------------------------------------------------------------------------------
def test_the_callers_number_brings_up_the_elder_card(client, operator, elder_in_a, contacts_a):
    client.force_login(operator)
    response = client.get(HOTLINE, {"q": "138-0791-1234"}, **HTMX, **EN)
    assert "Raise an alarm for 张桂兰" in response.text
    assert "王芳" in response.text and "13807911234" not in response.text


def test_an_unknown_number_finds_nobody(client, operator, elder_in_a):
    client.force_login(operator)
    response = client.get(HOTLINE, {"q": "13900000000"}, **EN)
    assert "No elder in your area is registered with 13900000000." in response.text
    bad = client.get(HOTLINE, {"q": "12345"}, **EN)
    assert "is not a mobile number" in bad.text


def test_several_elders_on_one_number_are_listed_to_choose(client, operator, elder_in_a, worker_a, community_a):
    from kangyang.registry.actions import create_elder

    spouse = create_elder(by=worker_a, name="王德明", id_number="360103194401010010", community=community_a,
                          phone="13807911234", address="桃花小区3栋2单元101")
    client.force_login(operator)
    page = client.get(HOTLINE, {"q": "13807911234"}, **EN).text
    assert "2 elders are registered with this number" in page
    assert f"/alarms/hotline/elders/{spouse.pk}/" in page and "Raise an alarm for" not in page
    chosen = client.get(f"/alarms/hotline/elders/{spouse.pk}/", {"caller": "13807911234"}, **HTMX, **EN).text
    assert "Raise an alarm for 王德明" in chosen


def test_operator_raises_an_alarm_for_the_caller_and_takes_it(client, operator, elder_in_a):
    client.force_login(operator)
    response = client.post(f"/alarms/hotline/elders/{elder_in_a.pk}/raise/",
                           {"type": "fall", "caller": "13807911234", "note": "摔倒在卫生间"})
    alarm = Alarm.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{CONSOLE}?alarm={alarm.pk}"
    assert (alarm.source, alarm.type, alarm.elder, alarm.caller_masked) == ("hotline", "fall", elder_in_a, "138****1234")
    assert alarm.status == "acknowledged" and alarm.acknowledged_by == operator and alarm.raised_by == operator
    assert list(alarm.events.values_list("kind", flat=True)) == ["raised", "acknowledged"]


def test_the_hotline_raise_by_htmx_redirects_to_the_console(client, operator, elder_in_a):
    client.force_login(operator)
    response = client.post(f"/alarms/hotline/elders/{elder_in_a.pk}/raise/", {"type": "sos"}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"].startswith(f"{CONSOLE}?alarm=")


def test_community_worker_cannot_use_the_hotline(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    assert client.get(HOTLINE).status_code == 403
    assert client.post(f"/alarms/hotline/elders/{elder_in_a.pk}/raise/", {"type": "sos"}).status_code == 403
    assert not Alarm.objects.exists()


def test_hotline_elder_pages_are_404_out_of_scope(client, worker_b, elder_in_a):
    client.force_login(worker_b)
    for path in ("", "raise/", "reveal/"):
        method = client.get if not path else client.post
        assert method(f"/alarms/hotline/elders/{elder_in_a.pk}/{path}", {"type": "sos", "reason": "xx"}).status_code == 404


def test_hotline_reveal_is_audited(client, operator, elder_in_a):
    client.force_login(operator)
    response = client.post(f"/alarms/hotline/elders/{elder_in_a.pk}/reveal/", {"reason": "核实来电"}, **HTMX)
    assert "13807911234" in response.text
    assert AuditEntry.objects.filter(action="view_full", verb="elder.reveal", note="核实来电").exists()


def test_a_plain_reveal_shows_the_numbers_on_a_page_of_their_own(client, operator, alarm_a):
    client.force_login(operator)
    response = client.post(url(alarm_a, "reveal"), {"reason": "回拨"}, **EN)
    assert response.status_code == 200 and "13807911234" in response.text
    assert "Back to the alarm" in response.text


def test_the_console_ignores_an_alarm_out_of_scope_in_its_address(client, worker_b, alarm_a):
    client.force_login(worker_b)
    page = client.get(CONSOLE, {"alarm": alarm_a.pk}).text
    assert "张桂兰" not in page and "data-card-alarm-id" not in page


def test_a_hotline_alarm_of_an_unknown_type_is_refused(client, operator, elder_in_a):
    client.force_login(operator)
    response = client.post(f"/alarms/hotline/elders/{elder_in_a.pk}/raise/", {"type": "meteor"}, **EN)
    assert response.status_code == 200 and "Select a valid choice." in response.text
    assert not Alarm.objects.exists()


def test_the_console_is_in_chinese_by_default(client, operator, alarm_a):
    client.force_login(operator)
    page = client.get(CONSOLE).text
    assert '<html lang="zh-hans">' in page
    assert "接警" in page  # "Acknowledge"


__all__ = ["AlarmEvent"]
