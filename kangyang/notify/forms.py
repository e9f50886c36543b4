from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kangyang.lib import phone as phones
from kangyang.notify.messages import AUDIENCES
from kangyang.notify.models import Channel, Delivery, Kind


class PreferenceForm(forms.Form):
    phone = forms.CharField(label=_("Mobile for SMS"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}),
                            help_text=_("Leave blank to keep the number on file; it is shown masked."))
    email = forms.EmailField(label=_("E-mail"), required=False)
    sms = forms.BooleanField(label=_("By SMS"), required=False)
    by_email = forms.BooleanField(label=_("By e-mail"), required=False)
    push = forms.BooleanField(label=_("By app push"), required=False,
                              help_text=_("Only after the app on your phone has been allowed to notify you."))
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)
    quiet_from = forms.TimeField(label=_("Quiet from"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_until = forms.TimeField(label=_("Quiet until"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}),
                                  help_text=_("No messages in these hours, except alarms."))

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        return phones.normalise(value) if value else ""

    def clean(self):
        data = super().clean()
        if bool(data.get("quiet_from")) != bool(data.get("quiet_until")):
            raise forms.ValidationError(_("Give both ends of the quiet hours, or neither."), code="quiet")
        return data


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("all")), *Delivery.Status.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("all")), *Channel.choices])
    kind = forms.ChoiceField(label=_("About"), required=False, choices=[("", _("all")), *Kind.choices])
    audience = forms.ChoiceField(label=_("Recipient"), required=False,
                                 choices=[("", _("all")), *AUDIENCES.items()])
