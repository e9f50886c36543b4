"""Forms of the elder's and family's own pages: input validation only; the rules live in the
owning app's actions."""

import datetime as dt
import re
import uuid

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy

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


# -- issue 14 (elder app): SOS and ordering ------------------------------------------------------

MSG_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def new_msg_id() -> str:
    """The key of one SOS press, given to the page before it is pressed: the same page sent
    twice (a double press, a resent form) is one alarm. static/js/sos.js keeps it, or makes
    its own when the page has none."""
    return f"app-{uuid.uuid4().hex}"


class SosForm(forms.Form):
    """What the SOS press sends besides itself: the key that makes a second press of the same
    page one alarm, and the phone's location when the browser gives it. A bad value is
    dropped, never a reason to refuse a call for help (the view raises the alarm anyway)."""

    msg_id = forms.CharField(max_length=64, required=False, validators=[RegexValidator(MSG_ID)])
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(min_value=-180, max_value=180, required=False)


# The times of day an elder chooses from (local time): a window the caregiver comes in.
WINDOWS = {
    "morning": (dt.time(8), dt.time(11), pgettext_lazy("time window", "morning, 8:00–11:00")),
    "noon": (dt.time(11), dt.time(13), pgettext_lazy("time window", "lunchtime, 11:00–13:00")),
    "afternoon": (dt.time(14), dt.time(17), pgettext_lazy("time window", "afternoon, 14:00–17:00")),
}
DAYS = {"today": 0, "tomorrow": 1}
# The earliest a caregiver is asked to come, from the moment of ordering.
LEAD_TIME = dt.timedelta(minutes=30)


class AppOrderForm(forms.Form):
    """An order from the menu (点菜式): which offer, how many, which day and time of day; simple
    choices, never a free date. On the confirm step it carries the elder's share she was
    shown (the order is refused if it changed)."""

    elder = forms.TypedChoiceField(coerce=int, widget=forms.HiddenInput)
    offer = forms.TypedChoiceField(label=_("Service"), coerce=int, widget=forms.RadioSelect)
    quantity = forms.TypedChoiceField(label=_("How many"), coerce=int, initial=1, widget=forms.RadioSelect,
                                      choices=[(n, str(n)) for n in range(1, 5)])
    day = forms.ChoiceField(label=_("Day"), widget=forms.RadioSelect, initial="today",
                            choices=[("today", _("today")), ("tomorrow", _("tomorrow"))])
    window = forms.ChoiceField(label=_("Time"), widget=forms.RadioSelect,
                               choices=[(k, v[2]) for k, v in WINDOWS.items()])
    note = forms.CharField(label=_("Note for the caregiver (optional)"), max_length=200, required=False)
    expected_own_share = forms.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0,
                                            widget=forms.HiddenInput)

    def __init__(self, *args, elders, offers, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        self.fields["elder"].choices = [(e.pk, e.name) for e in elders]
        self.offers = {o.pk: o for o in offers}
        self.fields["offer"].choices = [(o.pk, o.item.name) for o in offers]

    def clean(self):
        data = super().clean()
        if data.get("day") in DAYS and data.get("window") in WINDOWS:
            day = timezone.localdate(self.now) + dt.timedelta(days=DAYS[data["day"]])
            start_t, end_t, _label = WINDOWS[data["window"]]
            start = timezone.make_aware(dt.datetime.combine(day, start_t))
            end = timezone.make_aware(dt.datetime.combine(day, end_t))
            earliest = self.now + LEAD_TIME
            if start < earliest:  # later today: from a little after now
                start = earliest.replace(second=0, microsecond=0) + dt.timedelta(minutes=-earliest.minute % 5)
            if start >= end - dt.timedelta(minutes=15):
                self.add_error("window", _("This time of day has passed. Choose a later time or tomorrow."))
            else:
                data["window_start"], data["window_end"] = start, end
        if data.get("offer") in self.offers:
            data["offer_object"] = self.offers[data["offer"]]
        return data


class RateForm(forms.Form):
    """Confirm the service and rate it, 1 to 5, with an optional comment."""

    RATINGS = [
        (5, _("5 · very good")), (4, _("4 · good")), (3, _("3 · all right")), (2, _("2 · poor")), (1, _("1 · very poor")),
    ]
    rating = forms.TypedChoiceField(label=_("How was it?"), coerce=int, choices=RATINGS)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintForm(forms.Form):
    text = forms.CharField(label=_("What went wrong?"), max_length=1000, min_length=2,
                           widget=forms.Textarea(attrs={"rows": 3}))


class CancelForm(forms.Form):
    REASONS = {
        "plans": _("My plans changed."),
        "not_needed": _("It is not needed any more."),
        "mistake": _("I ordered it by mistake."),
    }
    reason = forms.ChoiceField(label=_("Why cancel?"), widget=forms.RadioSelect,
                               choices=list(REASONS.items()))
