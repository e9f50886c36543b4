"""Forms of the random-inspection pages (input validation only; the rules are the actions')."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.accounts.models import Organisation, User
from kangyang.institutions.models import Answer, Hazard, Inspection, Institution, InspectorPool

DATE = forms.DateInput(attrs={"type": "date"})


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name of the pool"), max_length=200)


class MemberForm(forms.Form):
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=User.objects.none())

    def __init__(self, *args, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors if inspectors is not None else User.objects.none()


class ConflictForm(forms.Form):
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=User.objects.none())
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, inspectors=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors if inspectors is not None else User.objects.none()
        self.fields["organisation"].queryset = organisations if organisations is not None else Organisation.objects.none()


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name of the plan"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kinds = forms.MultipleChoiceField(label=_("Kinds of institution (none: every kind)"), required=False,
                                      choices=Institution.Kind.choices, widget=forms.CheckboxSelectMultiple)
    pool = forms.ModelChoiceField(label=_("Inspector pool"), queryset=InspectorPool.objects.none())
    target_count = forms.IntegerField(label=_("Institutions to draw"), min_value=1, max_value=100_000)
    inspectors_per_target = forms.IntegerField(label=_("Inspectors per institution"), min_value=1, max_value=10,
                                               initial=2)
    due_by = forms.DateField(label=_("Inspect by"), widget=DATE)

    def __init__(self, *args, pools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = pools if pools is not None else InspectorPool.objects.none()


class DrawForm(forms.Form):
    seed = forms.CharField(label=_("Seed (empty: a random one)"), max_length=64, required=False)


class AdhocForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    inspectors = forms.ModelMultipleChoiceField(label=_("Inspectors"), queryset=User.objects.none())
    due_by = forms.DateField(label=_("Inspect by"), widget=DATE, required=False)
    on_site = forms.BooleanField(label=_("On site"), required=False, initial=True)

    def __init__(self, *args, institutions=None, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions if institutions is not None else Institution.objects.none()
        self.fields["inspectors"].queryset = inspectors if inspectors is not None else User.objects.none()


class AnswerForm(forms.Form):
    item = forms.CharField(widget=forms.HiddenInput, max_length=40)
    result = forms.ChoiceField(label=_("Result"), choices=Answer.Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    photo = forms.ImageField(label=_("Photo"), required=False, widget=forms.ClearableFileInput(
        attrs={"accept": "image/*", "capture": "environment"}))
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=[("", "—"), *Hazard.Severity.choices])
    responsible_person = forms.CharField(label=_("Person responsible"), required=False, max_length=100)
    deadline = forms.DateField(label=_("Put right by"), required=False, widget=DATE)
    evidence_required = forms.CharField(label=_("Evidence required"), required=False, max_length=2000)


class FinishForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Inspection.Outcome.choices)
    summary = forms.CharField(label=_("Summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
