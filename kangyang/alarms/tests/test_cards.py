"""The alarms card of the app's home screen (issue 14): her recent calls for help and how
they were handled, in words; shown only while she has had one lately, to her and her family."""

import datetime as dt

from django.utils import timezone

from kangyang.alarms import actions
from kangyang.alarms.cards import RECENT_DAYS, alarms_card


def test_no_card_without_a_recent_alarm(elder, elder_in_a):
    assert alarms_card(elder, elder_in_a) is None
    long_ago = timezone.now() - dt.timedelta(days=RECENT_DAYS + 1)
    actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="old-1", now=long_ago)
    assert alarms_card(elder, elder_in_a) is None


def test_the_card_says_how_each_alarm_was_handled(elder, family, elder_in_a, operator):
    alarm, _ = actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="card-1")
    card = alarms_card(family, elder_in_a)
    assert [r["alarm"].pk for r in card["alarms"]] == [alarm.pk] and card["alarms"][0]["open"]
    alarm = actions.acknowledge_alarm(alarm, by=operator)
    row = alarms_card(elder, elder_in_a)["alarms"][0]
    assert timezone.localtime(alarm.acknowledged_at).strftime("%H:%M") in row["state"]
    actions.resolve_alarm(alarm, by=operator, outcome="false_alarm")
    row = alarms_card(elder, elder_in_a)["alarms"][0]
    assert not row["open"] and row["alarm"].status == "resolved"


def test_nobody_else_gets_her_card(elder_in_a, elder_in_b, worker_a, operator, elder):
    actions.raise_alarm(source="app", type="sos", elder=elder_in_a, msg_id="card-2")
    assert alarms_card(worker_a, elder_in_a) is None  # staff have the console, not this card
    assert alarms_card(operator, elder_in_a) is None
    assert alarms_card(elder, elder_in_b) is None
