"""Figures of the alarm centre. Each says where it comes from; each is a default."""

import datetime as dt

# Escalation tiers (issue 6 §5): not acknowledged within ALARM_ESCALATE_AFTER → the second
# operator group; still not acknowledged after as long again → the duty officer.
TIER_FIRST_LINE = 0
TIER_SECOND_GROUP = 1
TIER_DUTY_OFFICER = 2
MAX_TIER = TIER_DUTY_OFFICER

# Alarm-centre service standard quoted by issue 6 §7: ≥ 97.5% answered within 60 s,
# ≥ 99% within 180 s.
ANSWER_TARGET_SECONDS = 60
ANSWER_TARGET_SHARE = 97.5
ANSWER_LATE_SECONDS = 180
ANSWER_LATE_SHARE = 99.0

# Expected heartbeat interval by device model ("per model, e.g. 5 minutes", issue 6 §1).
# A model not listed here gets DEFAULT_HEARTBEAT; a device can override it.
DEFAULT_HEARTBEAT = dt.timedelta(minutes=5)
HEARTBEAT_BY_MODEL: dict[str, dt.timedelta] = {
    "KY-P1": dt.timedelta(minutes=5),  # SOS pendant
    "KY-W2": dt.timedelta(minutes=10),  # smart watch (battery saving)
    "KY-S1": dt.timedelta(minutes=30),  # smoke detector (NB-IoT)
    "KY-G1": dt.timedelta(minutes=30),  # gas detector (NB-IoT)
    "KY-M1": dt.timedelta(minutes=60),  # water meter
}

# Battery (percent) at or below which a device is "low" and a task goes to the worker.
LOW_BATTERY_PERCENT = 20

# A pendant is expected to send one test alarm a month (issue 6 §1).
TEST_ALARM_EVERY = dt.timedelta(days=31)

# Passive rule (issue 6 §3): no water use for this long by an elder living alone → a
# low-priority "check on" alarm.
NO_WATER_USE_AFTER = dt.timedelta(hours=12)

# Bad messages keep at most this much of the payload, for review.
BAD_PAYLOAD_KEEP = 2000

# The console and `kangyang broker_status` warn for this long after the broker's drop
# counter ($SYS/broker/publish/messages/dropped) went up: long enough for the next shift to see it.
BROKER_DROP_WARNING = dt.timedelta(hours=24)
# The ingester writes the broker's $SYS figures at most this often (a rising drop counter at once),
# and the status is stale when older than BROKER_STATUS_STALE.
BROKER_STATUS_EVERY = dt.timedelta(minutes=5)
BROKER_STATUS_STALE = dt.timedelta(minutes=15)
