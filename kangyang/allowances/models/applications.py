"""Where an allowance starts and what keeps it going: applications with their public notice
(公示) and objections, and the yearly survival certification (生存认证)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApplicationQuerySet":
        """Applications of elders of the user's area, for staff who work with allowances."""
        if not scope.allowance_role(user):
            return self.none()
        return self.filter(scope.region_filter(user))


class Application(models.Model):
    """A request for an allowance (申请), by the elder, their family or the community worker
    on their behalf. Publicly noticed (公示) for the policy's number of days before it may
    be approved; the first payment follows approval."""

    class Applicant(models.TextChoices):
        ELDER = "elder", _("the elder")
        FAMILY = "family", _("the family")
        WORKER = "worker", _("the community worker")

    class Channel(models.TextChoices):
        COUNTER = "counter", _("at the community office")
        APP = "app", _("in the app")
        VISIT = "visit", _("at a home visit")
        UPGRADE = "upgrade", _("paid before applications were recorded")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ON_NOTICE = "on_notice", _("on public notice")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="allowance_applications",
    )
    policy = models.ForeignKey("allowances.Policy", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="applications")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    applicant = models.CharField(_("applicant"), max_length=8, choices=Applicant.choices)
    applicant_name = models.CharField(_("applicant's name"), max_length=50)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    applied_on = models.DateField(_("applied on"))
    documents = models.TextField(_("documents seen"), blank=True, help_text=_("Optional: ID card, hukou booklet, …"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    notice_from = models.DateField(_("on notice from"), null=True, blank=True)
    notice_until = models.DateField(_("on notice until"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allowance application")
        verbose_name_plural = _("allowance applications")
        ordering = ["-applied_on", "-id"]
        constraints = [
            # One live application per elder and policy (a rejected one may be followed by another).
            models.UniqueConstraint(
                fields=["elder", "policy"], condition=~Q(status="rejected"), name="application_one_live",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(decided_on__isnull=False), name="application_approved_dated",
            ),
        ]
        indexes = [models.Index(fields=["policy", "status", "decided_on"], name="application_policy_status_idx")]

    def __str__(self) -> str:
        return f"{self.policy} {self.elder_id} {self.applied_on}"


class Objection(models.Model):
    """An objection raised while an application was on notice (公示异议), and what checking
    it found. An application with an unanswered objection cannot be approved."""

    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("received on"))
    objector = models.CharField(_("raised by"), max_length=50, blank=True, help_text=_("May be anonymous."))
    content = models.TextField(_("objection"))
    finding = models.TextField(_("finding"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.received_on}"


class SurvivalCheckQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SurvivalCheckQuerySet":
        if not scope.allowance_role(user):
            return self.none()
        return self.filter(scope.region_filter(user))


def survival_photo_path(check: "SurvivalCheck", filename: str) -> str:
    """Where a survival photo is stored: a random name (never the elder's name or ID), with
    the image's own extension. The file is encrypted like every stored file (lib/storage.py)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"survival/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class SurvivalCheck(models.Model):
    """A survival certification (生存认证): someone saw the elder alive, by a home visit, a
    video call, or a photo sent in the app that a worker reviewed."""

    class Method(models.TextChoices):
        VISIT = "visit", _("home visit")
        VIDEO = "video", _("video call")
        PHOTO = "photo", _("photo in the app")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for review")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    elder = models.ForeignKey(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="survival_checks",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    method = models.CharField(_("method"), max_length=6, choices=Method.choices)
    checked_on = models.DateField(_("date"))
    evidence = models.TextField(_("evidence"), help_text=_("What was seen, e.g. who was present or the photo's reference."))
    # A photo sent in the app: personal data, shown only to the community worker of the
    # elder's area (scope.sees_survival_photo), each view audited.
    photo = models.FileField(_("photo"), upload_to=survival_photo_path, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = SurvivalCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("survival certification")
        verbose_name_plural = _("survival certifications")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["elder", "status", "-checked_on"], name="survival_check_elder_idx")]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.checked_on}"
