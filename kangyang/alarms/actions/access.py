"""Who may do what with alarms and devices (the rules; the queries apply them).
The role sets (ALARM_HANDLER_ROLES, DEVICE_EDITOR_ROLES) are accounts/scope.py's."""

from kangyang.accounts import scope


def can_handle(user, region_code: str) -> bool:
    """Acknowledge, act on and resolve alarms of this region: operators and the bureau
    admin whose area covers it."""
    return scope.handles_alarms_of(user, region_code)


def can_note(user, region_code: str) -> bool:
    """Add a note to an alarm's timeline: the handlers, and the community worker and
    subdistrict officer of the area (who are sent to the door)."""
    return can_handle(user, region_code) or scope.can_edit(user, region_code)


def can_edit_devices(user, region_code: str) -> bool:
    return scope.edits_devices_of(user, region_code)
