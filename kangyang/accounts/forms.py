from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class OtpForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"), min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class SecondFactorForm(forms.Form):
    """The second step of signing in: the app's code, or one of the recovery codes."""

    token = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"), min_length=6, max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class AccountForm(forms.Form):
    """A staff account: who, which role, which area or organisation. The choices offered are
    those the signed-in manager may give (scope.py); the action checks them again."""

    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Role"))
    region = forms.ModelChoiceField(
        label=_("Area"), queryset=None, required=False,
        help_text=_("For bureau admins, subdistrict officers, community workers, hotline operators, "
                    "inspectors and volunteers."))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, required=False,
        help_text=_("For provider managers and caregivers."))
    password = forms.CharField(
        label=_("Password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have a temporary password made, shown once, to be changed at "
                    "the first sign-in."))
    must_change_password = forms.BooleanField(
        label=_("Must change this password at the first sign-in"), required=False, initial=True)

    def __init__(self, *args, by, account=None, **kwargs):
        from kangyang.accounts import queries, scope
        from kangyang.accounts.models import User

        super().__init__(*args, **kwargs)
        roles = scope.assignable_roles(by)
        self.fields["role"].choices = [(r, User.Role(r).label) for r in roles]
        self.fields["region"].queryset = queries.assignable_regions(by)
        self.fields["region"].label_from_instance = lambda r: f"{r.code} {r.name}"
        self.fields["organisation"].queryset = queries.assignable_organisations(by)
        if by.role == User.Role.PROVIDER_MANAGER:  # her own organisation, the only choice
            self.fields["organisation"].initial = by.organisation_id
            self.fields["organisation"].empty_label = None
        if not any(r in scope.AREA_ACCOUNT_ROLES for r in roles):
            del self.fields["region"]
        if not any(r in scope.ORGANISATION_ACCOUNT_ROLES for r in roles):
            del self.fields["organisation"]
        if account is not None:  # the username and password are not edited here
            del self.fields["username"], self.fields["password"], self.fields["must_change_password"]


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Username or name"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(label=_("State"), required=False, choices=[
        ("", _("all")), ("yes", _("active")), ("no", _("deactivated"))])

    def __init__(self, *args, by, **kwargs):
        from kangyang.accounts import scope
        from kangyang.accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("all"))] + [
            (r, User.Role(r).label) for r in scope.assignable_roles(by)]


class StaffImportForm(forms.Form):
    file = forms.FileField(label=_("Sheet (.xlsx)"))
