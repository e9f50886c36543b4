"""Forms of the elder's and family's own pages: input validation only; the rules live in the
owning app's actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kangyang.lib import images


class SurvivalPhotoForm(forms.Form):
    """A photo for the yearly survival certification (生存认证), sent by the elder or a family
    member for one of their elders."""

    elder = forms.TypedChoiceField(label=_("Whose certification"), coerce=int)
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(t for _e, t in images.TYPES.values())}),
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False,
                           help_text=_("For example: taken at home by her daughter today."))

    def __init__(self, *args, elders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"].choices = [(e.pk, e.name) for e in elders]
        # Worded when the form is made, in the reader's language.
        self.fields["photo"].help_text = _(
            "A clear photo of the elder's face, taken today with the phone's camera (at most %(mb)d MB)."
        ) % {"mb": images.MAX_PHOTO_BYTES // (1024 * 1024)}


def _on(value: str) -> bool:
    return value == "1"


class AppSettingsForm(forms.Form):
    """The app's settings page: elder mode and the read-aloud speed (kangyang/portal/elder_mode.py)."""

    elder_mode = forms.TypedChoiceField(
        label=_("Elder mode (large text, large buttons, read aloud)"), coerce=_on, widget=forms.RadioSelect,
        choices=[("1", _("On")), ("0", _("Off"))],
    )
    speech_rate = forms.ChoiceField(
        label=_("Reading-aloud speed"), widget=forms.RadioSelect,
        choices=[("slow", _("Slow")), ("normal", _("Normal")), ("fast", _("Fast"))],
    )
