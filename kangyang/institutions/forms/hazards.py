"""Forms of the hazards' pages: the lists' filters, reporting a hazard put right, the re-check."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models import Hazard
from kangyang.institutions.queries.hazards import LISTS

LIST_LABELS = {
    "hazards": _("Hazard list"),  # 隐患清单
    "rectification": _("Rectification list"),  # 整改清单
    "responsibility": _("Responsibility list"),  # 责任清单
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one field (checked by the action: type and size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp",
                                                             "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class HazardFilterForm(forms.Form):
    list = forms.ChoiceField(label=_("List"), required=False, choices=[(k, LIST_LABELS[k]) for k in LISTS])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("all")), *Hazard.Status.choices])
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", _("all")), *Hazard.Severity.choices])
    overdue = forms.ChoiceField(label=_("Overdue"), required=False,
                                choices=[("", _("all")), ("yes", _("overdue only")), ("no", _("not overdue"))])
    institution = forms.IntegerField(label=_("Institution"), required=False, min_value=1, max_value=2**31 - 1,
                                     widget=forms.HiddenInput)


class RectifyForm(forms.Form):
    text = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos after putting right"), required=False)


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(label=_("Result of the re-check"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("put right: close the hazard")),
                                             ("no", _("not put right: back to open"))],
                                    widget=forms.RadioSelect)
    note = forms.CharField(label=_("Re-check note"), max_length=4000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("New deadline (if not put right)"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    photos = PhotosField(label=_("Photos at the re-check"), required=False,
                         help_text=_("Closing a hazard needs at least one photo taken at the re-check."))
