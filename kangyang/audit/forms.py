from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.audit.models import AuditEntry


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("any"))] + list(AuditEntry.Action.choices))
    # type:id (registry.elder:42), as the record links of the log fill it in.
    target = forms.CharField(label=_("Record"), required=False)
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
