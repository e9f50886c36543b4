"""Forms of signing in to the app and of family bindings: input validation only (lengths,
shapes); the rules live in portal/sign_in.py and portal/binding.py. Django's CharField refuses
NUL characters in words; max_length bounds what is read."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.portal.models import Binding
from kangyang.registry.models import Contact


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code from the SMS"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), max_length=200, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _relations():
    return [("", "—")] + [(v, label) for v, label in Contact.Relation.choices]


class BindForm(forms.Form):
    """A family member asks to be bound to an elder: by her phone number and name, or by the
    code she shows in her app."""

    elder_phone = forms.CharField(label=_("The elder's phone number"), max_length=20, required=False,
                                  widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}))
    elder_name = forms.CharField(label=_("The elder's name"), max_length=50, required=False)
    code = forms.CharField(label=_("Or: the binding code the elder shows in her app"), max_length=12, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    relation = forms.ChoiceField(label=_("You are the elder's"), choices=_relations)
    family_name = forms.CharField(label=_("Your name"), max_length=50)
    family_phone = forms.CharField(
        label=_("Your phone number"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
        help_text=_("The elder and the community see it, to call you."))

    def clean(self):
        data = super().clean()
        if not data.get("code") and not (data.get("elder_phone") and data.get("elder_name")):
            raise forms.ValidationError(
                _("Enter the elder's phone number and name, or the binding code she shows you."), code="required")
        return data


class DecisionForm(forms.Form):
    """The elder answers a request in her app."""

    binding = forms.IntegerField(min_value=1, max_value=2 ** 31 - 1)
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])


class RemoveForm(forms.Form):
    family = forms.IntegerField(min_value=1, max_value=2 ** 31 - 1)


class ConsentForm(forms.Form):
    """The community worker records consent given outside the app (or a refusal)."""

    binding = forms.IntegerField(min_value=1, max_value=2 ** 31 - 1, widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        ("approve", _("Consent given: bind the account")), ("refuse", _("Refused: do not bind"))])
    consent_by = forms.ChoiceField(label=_("Who consented"), required=False, choices=[
        (v, label) for v, label in Binding.ConsentBy.choices])
    consent_how = forms.ChoiceField(label=_("How"), required=False, choices=[
        (v, label) for v, label in Binding.ConsentHow.choices if v != Binding.ConsentHow.APP])
    consent_at = forms.DateTimeField(label=_("When"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     help_text=_("Empty for now."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
