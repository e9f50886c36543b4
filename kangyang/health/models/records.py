"""The structured part of an elder's health record (健康档案): coded chronic conditions,
medications and disabilities. Allergies, the link to the hospital's record (`ehr_number`) and the
elder's consent to tell the family of health alerts stay on `registry.HealthRecord`, the summary
the registry, the alarm card and the elder's page already show."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Programme", "HealthQuerySet", "Condition", "Medication", "Disability"]


class Programme(models.TextChoices):
    """The chronic diseases the national basic public-health service follows up (慢病管理)."""

    HYPERTENSION = "hypertension", _("hypertension")
    DIABETES = "diabetes", _("type 2 diabetes")


class HealthQuerySet(models.QuerySet):
    """Every health model hangs on an elder (`elder`); `visible_to` applies the one rule of
    who reads health data (accounts/scope/health.py)."""

    def visible_to(self, user):
        from kangyang.accounts import scope

        return self.filter(scope.health_filter(user, path="elder__"))


class Condition(models.Model):
    """A diagnosed chronic condition, coded in ICD-10 as the assessment writes it (I10, E11, F03).
    `programme` is derived from the code when saved through actions (I10–I15 hypertension, E11
    type 2 diabetes) and puts the elder on that follow-up list."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="conditions")
    code = models.CharField(_("ICD-10 code"), max_length=16)
    name = models.CharField(_("condition"), max_length=100, blank=True)
    programme = models.CharField(_("follow-up programme"), max_length=12, choices=Programme.choices, blank=True,
                                 db_index=True)
    diagnosed_on = models.DateField(_("diagnosed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("chronic condition")
        verbose_name_plural = _("chronic conditions")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["elder", "code"], name="health_condition_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Medication(models.Model):
    """A medicine the elder takes (as the doctor or the family reports it), from and until."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="medications")
    name = models.CharField(_("medicine"), max_length=100)
    dose = models.CharField(_("dose"), max_length=50, blank=True)
    frequency = models.CharField(_("how often"), max_length=50, blank=True)
    started_on = models.DateField(_("since"), null=True, blank=True)
    stopped_on = models.DateField(_("stopped on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("medication")
        verbose_name_plural = _("medications")
        ordering = ["stopped_on", "name"]
        constraints = [models.CheckConstraint(
            condition=Q(stopped_on__isnull=True) | Q(started_on__isnull=True) | Q(stopped_on__gte=models.F("started_on")),
            name="health_medication_dates")]

    def __str__(self) -> str:
        return self.name


class Disability(models.Model):
    """A disability by the categories and grades of the disability certificate (残疾人证:
    GB/T 26341-2010, grades 1 most severe to 4)."""

    class Kind(models.TextChoices):
        VISUAL = "visual", _("visual")
        HEARING = "hearing", _("hearing")
        SPEECH = "speech", _("speech")
        PHYSICAL = "physical", _("physical")
        INTELLECTUAL = "intellectual", _("intellectual")
        MENTAL = "mental", _("mental")
        MULTIPLE = "multiple", _("multiple")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="disabilities")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True,
                                             help_text=_("1 (most severe) to 4, as on the certificate."))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("disability")
        verbose_name_plural = _("disabilities")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["elder", "kind"], name="health_disability_once"),
            models.CheckConstraint(condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=4),
                                   name="health_disability_grade"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
