"""Forms of the star rating: the review form (one block per item, built from the card), the
appointment of assessors, the decision, and the scorecard's validation in the admin."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.institutions import rating
from kangyang.institutions.models import Scorecard

# Evidence a reviewer photographs or scans on site: images, PDFs and office documents, 10 MB each.
ATTACHMENT_EXTENSIONS = ["jpg", "jpeg", "png", "webp", "heic", "pdf", "doc", "docx", "xls", "xlsx"]
ATTACHMENT_MAX_MB = 10

PASSED = [("pass", _("met")), ("fail", _("not met"))]


class ReviewForm(forms.Form):
    """Points and evidence per item; for a veto item, met or not met, and an attachment."""

    def __init__(self, *args, review, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review
        existing = {s.item_id: s for s in review.scores.all()}
        self.blocks = []  # [(section, [(item, field names)])]
        for section in sections:
            rows = []
            for item in section.items.all():
                given = existing.get(item.id)
                names = {"evidence": f"e_{item.id}", "attachment": f"a_{item.id}"}
                if item.veto:
                    names["passed"] = f"v_{item.id}"
                    self.fields[names["passed"]] = forms.ChoiceField(
                        label=_("Met?"), choices=PASSED, widget=forms.RadioSelect, required=False,
                        initial=None if given is None else ("pass" if given.passed else "fail"))
                else:
                    names["points"] = f"p_{item.id}"
                    self.fields[names["points"]] = forms.IntegerField(
                        label=_("Points (at most %(n)d)") % {"n": item.points}, min_value=0, max_value=item.points,
                        required=False, initial=given.points if given else None,
                        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
                self.fields[names["evidence"]] = forms.CharField(
                    label=_("Evidence seen"), required=False, max_length=2000,
                    initial=given.evidence if given else "", widget=forms.Textarea(attrs={"rows": 2}))
                self.fields[names["attachment"]] = forms.FileField(
                    label=_("Attachment"), required=False,
                    validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
                    widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}))
                rows.append((item, {k: self[v] for k, v in names.items()}, given))
            self.blocks.append((section, rows))

    def clean(self):
        data = super().clean()
        for _section, rows in self.blocks:
            for item, _fields, _given in rows:
                upload = data.get(f"a_{item.id}")
                if upload and upload.size > ATTACHMENT_MAX_MB * 1024 * 1024:
                    self.add_error(f"a_{item.id}", _("Attach a file of at most %(mb)d MB.") % {"mb": ATTACHMENT_MAX_MB})
                if item.veto and not data.get(f"v_{item.id}") and (data.get(f"e_{item.id}") or data.get(f"a_{item.id}")):
                    self.add_error(f"v_{item.id}", _("Say whether this veto item is met."))
        return data

    def answers(self) -> dict:
        """{item id: {...}} for the items given anything (record_scores takes it)."""
        out = {}
        for _section, rows in self.blocks:
            for item, fields, _given in rows:
                data = self.cleaned_data
                evidence = data.get(f"e_{item.id}") or ""
                attachment = data.get(f"a_{item.id}")
                if item.veto:
                    verdict = data.get(f"v_{item.id}")
                    if verdict:
                        out[item.id] = {"passed": verdict == "pass", "evidence": evidence, "attachment": attachment}
                else:
                    points = data.get(f"p_{item.id}")
                    if points is not None or evidence or attachment:
                        out[item.id] = {"points": points or 0, "evidence": evidence, "attachment": attachment}
        return out


class AppointForm(forms.Form):
    """The bureau starts an evaluation: who assesses, on which card."""

    assessors = forms.ModelMultipleChoiceField(
        label=_("Assessors"), queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple)
    scorecard = forms.ModelChoiceField(label=_("Scorecard"), queryset=Scorecard.objects.filter(active=True))

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(
            is_active=True, role__in=scope.RATING_ASSESSOR_ROLES).select_related("region").order_by("role", "username")
        allowed = [u.pk for u in users if scope.may_assess_rating(u, institution)]
        self.fields["assessors"].queryset = get_user_model().objects.filter(pk__in=allowed).order_by("role", "username")
        self.fields["assessors"].label_from_instance = lambda u: f"{u.full_name or u.username} · {u.get_role_display()}"
        self.fields["scorecard"].initial = Scorecard.objects.filter(active=True).first()


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note on the decision"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ScorecardAdminForm(forms.ModelForm):
    """The thresholds must rise from one to five stars; the veto cap is 0 to 4."""

    class Meta:
        model = Scorecard
        fields = "__all__"

    def clean(self):
        data = super().clean()
        total = None
        if self.instance.pk:
            total = sum(i.points for s in self.instance.sections.all() for i in s.items.all()) or None
        try:
            data["thresholds"] = rating.check_thresholds(data.get("thresholds"), data.get("veto_cap"), total=total)
        except ValidationError as e:
            self.add_error("veto_cap" if e.code == "veto_cap" else "thresholds", e)
        return data
