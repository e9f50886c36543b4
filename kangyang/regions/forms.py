from django import forms
from django.utils.translation import gettext_lazy as _


class TreeImportForm(forms.Form):
    KIND_CHOICES = [("regions", _("regions (code, name)")), ("compounds", _("compounds (community code, name, households)"))]
    kind = forms.ChoiceField(label=_("What the file holds"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))
