"""Forms of the operator console, the hotline page and the reports: input validation only.
The rules (who may, in which state) are in actions.py."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.alarms.models import Alarm, AlarmEvent, Device
from kangyang.lib import phone as phones

K = AlarmEvent.Kind


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ActionForm(forms.Form):
    """One of the operator's action buttons: the button's name/value carries the kind."""

    KINDS = [(k.value, k.label) for k in AlarmEvent.ACTIONS if k != K.NOTE]
    REACHED = [("", _("not said")), ("yes", _("answered")), ("no", _("no answer"))]

    kind = forms.ChoiceField(label=_("Action"), choices=KINDS)
    contact = forms.IntegerField(label=_("Contact"), required=False, widget=forms.HiddenInput)
    reached = forms.ChoiceField(label=_("Reached"), choices=REACHED, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, contacts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contacts = contacts  # the elder's contacts (a queryset), or None

    def clean_contact(self):
        contact_id = self.cleaned_data.get("contact")
        if contact_id is None:
            return None
        contact = self.contacts.filter(pk=contact_id).first() if self.contacts is not None else None
        if contact is None:
            raise ValidationError(_("Choose one of the elder's contacts."), code="invalid")
        return contact

    def clean_reached(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("reached") or "")


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("What happened, what was agreed")}),
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Alarm.Outcome.choices])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full numbers?"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. calling back for alarm 123")}),
    )


class CallerForm(forms.Form):
    """The caller's number as the operator reads it off the phone."""

    q = forms.CharField(
        label=_("Caller's number"), max_length=20, required=False,
        widget=forms.TextInput(attrs={
            "inputmode": "tel", "autocomplete": "off", "autofocus": True,
            "placeholder": _("e.g. 13807911234 or 0791-86543210"),
        }),
    )

    def clean_q(self) -> str:
        value = self.cleaned_data["q"].strip()
        if value:
            phones.normalise(value)  # a clear message for a mistyped number
        return value


class HotlineAlarmForm(forms.Form):
    """An alarm raised by the operator for a caller."""

    TYPES = [(t.value, t.label) for t in (
        Alarm.Type.SOS, Alarm.Type.FALL, Alarm.Type.SMOKE, Alarm.Type.GAS, Alarm.Type.WATER,
        Alarm.Type.OTHER,
    )]

    type = forms.ChoiceField(label=_("What happened"), choices=TYPES, initial=Alarm.Type.SOS)
    caller = forms.CharField(label=_("Caller's number"), max_length=20, required=False,
                             widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_caller(self) -> str:
        """The masked number, for the alarm (the full one is not stored with it)."""
        value = self.cleaned_data["caller"].strip()
        if not value:
            return ""
        try:
            return phones.mask(phones.normalise(value))
        except ValidationError:
            return ""


class ReportFilterForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )

    def month_start(self) -> dt.date:
        """The first day of the chosen month; this month when none or a bad one is given."""
        value = (self.data.get("month") or "").strip()
        try:
            year, month = (int(part) for part in value.split("-"))
            if 2000 <= year <= 2100:
                return dt.date(year, month, 1)
        except ValueError:
            pass
        return timezone.localdate().replace(day=1)


# -- the devices page (issue 12) ---------------------------------------------------------------
class DeviceFilterForm(forms.Form):
    STATES = [
        ("", _("all")), ("online", _("online")), ("offline", _("offline")), ("low_battery", _("low battery")),
        ("unbound", _("not bound")), ("retired", _("retired")),
    ]

    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("all kinds")), *Device.Kind.choices], required=False)
    q = forms.CharField(label=_("Device id"), max_length=64, required=False)


class DeviceRegisterForm(forms.Form):
    device_id = forms.CharField(label=_("Device id"), max_length=64,
                                help_text=_("The id in the device's MQTT topic: its serial number or IMEI."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Device.Kind.choices)
    vendor = forms.CharField(label=_("Vendor"), max_length=100, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    installed_on = forms.DateField(label=_("Installed on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    elder = forms.CharField(
        label=_("Elder"), max_length=20, required=False,
        help_text=_("Her 18-character ID number or her number on the platform; leave empty to keep "
                    "the device in stock in your area."),
    )


class BindForm(forms.Form):
    elder = forms.CharField(label=_("Elder"), max_length=20,
                            help_text=_("Her 18-character ID number or her number on the platform."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class UnbindForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=500,
                           help_text=_("Why the device is taken back (moved away, died, replaced…)."))


class DeviceImportForm(forms.Form):
    file = forms.FileField(label=_("Vendor's sheet (.xlsx or .csv)"))
