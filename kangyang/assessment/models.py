from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.assessment.standard import PREVIOUS_STANDARD, STANDARD


def _signed_error() -> ValidationError:
    return ValidationError(
        _("A signed assessment cannot be changed: record a new assessment instead."), code="signed"
    )


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AssessmentQuerySet":
        return self.filter(scope.elder_filter(user, path="elder__"))

    def signed(self) -> "AssessmentQuerySet":
        return self.filter(status=Assessment.Status.SIGNED)

    def drafts(self) -> "AssessmentQuerySet":
        return self.filter(status=Assessment.Status.DRAFT)

    # A signed assessment is immutable (the standard's result is a record, not a state): the
    # ORM refuses bulk updates and deletes that would touch one, as Assessment.save() does.
    def update(self, **kwargs):
        if self.filter(status=Assessment.Status.SIGNED).exists():
            raise _signed_error()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Assessment.Status.SIGNED).exists():
            raise _signed_error()
        return super().delete()


class Assessment(models.Model):
    """One capability assessment of an elder. Once signed it never changes: a correction
    is a new assessment. Assessments imported from MZ/T 039-2013 carry only their level."""

    class Reason(models.TextChoices):
        # GB/T 42195-2022 Annex A: 评估原因
        FIRST = "first", _("first assessment")
        ROUTINE = "routine", _("routine re-assessment")
        IMMEDIATE = "immediate", _("immediate re-assessment (status changed)")
        DISPUTE = "dispute", _("re-assessment after a dispute")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="assessments")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    standard = models.CharField(_("standard"), max_length=30, default=STANDARD,
                                choices=[(STANDARD, STANDARD), (PREVIOUS_STANDARD, PREVIOUS_STANDARD)])
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, default=Reason.FIRST)
    assessed_on = models.DateField(_("date of assessment"), default=timezone.localdate)
    place = models.CharField(_("place"), max_length=200, blank=True)
    # Names, not accounts: assessors of a third-party agency may have no account here.
    assessor_1 = models.CharField(_("first assessor"), max_length=50, blank=True)
    assessor_2 = models.CharField(_("second assessor"), max_length=50, blank=True)
    informant = models.CharField(_("information provider"), max_length=50, blank=True)
    informant_relation = models.CharField(_("relation of the information provider"), max_length=30, blank=True)

    # Annex A basics that change the level
    diagnoses = models.JSONField(_("diagnoses (ICD-10)"), default=list, blank=True)
    coma = models.BooleanField(_("in a coma"), default=False)
    risk_events_30d = models.JSONField(_("care-risk events in the last 30 days"), default=dict, blank=True)
    special_care = models.TextField(_("special care (tubes, catheters, stoma, dialysis…)"), blank=True)

    answers = models.JSONField(_("item answers"), default=dict, blank=True)
    dimension_scores = models.JSONField(_("dimension scores"), default=dict, blank=True)
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True)
    preliminary_level = models.PositiveSmallIntegerField(_("preliminary level"), null=True, blank=True)
    final_level = models.PositiveSmallIntegerField(_("final level"), null=True, blank=True)
    level_change_reasons = models.JSONField(_("reasons for a level change"), default=list, blank=True)
    stack_raises = models.BooleanField(_("level raises stacked"), default=False, editable=False)

    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    valid_until = models.DateField(_("re-assessment due"), null=True, blank=True, db_index=True)
    imported = models.BooleanField(_("imported history"), default=False)
    note = models.TextField(_("note"), blank=True)
    # Null only for synthetic demo data, which no person entered.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("capability assessment")
        verbose_name_plural = _("capability assessments")
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["elder", "status", "-assessed_on"], name="assessment_elder_latest_idx")]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.assessed_on} {self.standard}"

    def save(self, *args, **kwargs):
        """Refuses to write over a signed assessment (actions.sign_assessment signs a draft)."""
        if self.pk is not None and Assessment.objects.filter(pk=self.pk, status=self.Status.SIGNED).exists():
            raise _signed_error()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.SIGNED:
            raise _signed_error()
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_current_standard(self) -> bool:
        return self.standard == STANDARD


class ReassessmentRequest(models.Model):
    """A request to re-assess an elder now, after a change of status (a fall, a stroke, a
    hospital stay). It puts the elder on the due list; the next signed GB/T 42195
    assessment fulfils it. The current level stays valid until then."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="reassessment_requests")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    reason = models.TextField(_("what changed"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    fulfilled_by = models.ForeignKey(Assessment, verbose_name=_("fulfilled by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="fulfils")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("re-assessment request")
        verbose_name_plural = _("re-assessment requests")
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["elder", "fulfilled_by"], name="reassessment_open_idx")]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.requested_on}"
