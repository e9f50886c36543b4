"""Every change to alarms, devices and the community worker's tasks.

The ingester, the escalation loop, the console, the API, the demo and the tests all call
these functions; nobody else saves these models. Two rules hold the alarm centre together
(SYSTEM.md: "no alarm is lost or handled twice"):

* the same (device, msg_id) twice is one alarm: a unique constraint, and a get-or-create
  that treats losing the race as finding the existing row;
* a change of status is a conditional UPDATE (`… WHERE status = 'raised'`), so two
  operators, or the operator and the escalation loop, never both take the same step.

Every action that changes an alarm also sets `updated_at`, which the console polls.
Functions take `now=` so tests control the clock; it defaults to timezone.now().

By topic: `raising` (alarms come in), `handling` (acknowledge, act, resolve, escalate; the
worker's tasks; the contacts' full numbers), `devices` (registration, credentials,
heartbeats and the periodic device checks), `bad_messages` (refused device messages) and
`access` (who may do what). Everything is re-exported here, so `actions.raise_alarm` works
as before.
"""

from kangyang.alarms.actions.access import can_edit_devices, can_handle, can_note
from kangyang.alarms.actions.bad_messages import bad_message, store_bad_message
from kangyang.alarms.actions.devices import (
    DEVICE_ID_PATTERN, TESTED_KINDS, Beat, apply_no_water_rule, bind_device, check_devices, flag_low_batteries,
    flag_missing_test_alarms, heartbeat_interval_for, issue_device_credentials,
    issue_missing_credentials, mark_offline_devices, mqtt_username_for, record_broker_status,
    record_heartbeat, record_heartbeats, register_device, retire_device, unbind_device,
)
from kangyang.alarms.actions.handling import (
    acknowledge_alarm, complete_task, escalate_overdue, record_alarm_action, request_door_visit,
    resolve_alarm, reveal_contact_phones,
)
from kangyang.alarms.actions.raising import (
    MERGED_SOURCES, PRIORITY_BY_TYPE, DeviceAlarm, DeviceRef, Raised, open_alarm_to_merge, raise_alarm,
    raise_device_alarms,
)

__all__ = [
    "DEVICE_ID_PATTERN", "MERGED_SOURCES", "PRIORITY_BY_TYPE", "Raised", "TESTED_KINDS", "Beat", "DeviceAlarm", "DeviceRef",
    "acknowledge_alarm", "apply_no_water_rule", "bad_message", "can_edit_devices", "can_handle",
    "bind_device", "can_note", "check_devices", "complete_task", "escalate_overdue", "flag_low_batteries",
    "flag_missing_test_alarms", "heartbeat_interval_for", "issue_device_credentials",
    "issue_missing_credentials", "mark_offline_devices", "mqtt_username_for", "open_alarm_to_merge", "raise_alarm",
    "raise_device_alarms", "record_alarm_action", "record_broker_status", "record_heartbeat",
    "record_heartbeats", "register_device", "request_door_visit", "resolve_alarm", "retire_device",
    "reveal_contact_phones", "store_bad_message", "unbind_device",
]
