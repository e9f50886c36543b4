"""The alarms app's audit codes in words (kangyang/audit/labels.py)."""

from django.utils.translation import gettext_lazy as _

VERBS = {
    "alarm.raise": _("raised an alarm"),
    "alarm.acknowledge": _("acknowledged an alarm"),
    "alarm.action": _("recorded an action on an alarm"),
    "alarm.resolve": _("resolved an alarm"),
    "alarm_task.complete": _("completed an alarm task"),
    "elder.reveal_contacts": _("viewed an elder's contacts in full"),
    "device.register": _("registered a device"),
    "device.credentials": _("issued new device credentials"),
    "device.retire": _("retired a device"),
    "device.bind": _("bound a device to an elder"),
    "device.unbind": _("unbound a device from its elder"),
    "device.import": _("imported devices from a sheet"),
    "alarm.repeat": _("raised an alarm again"),
}
