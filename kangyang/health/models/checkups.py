"""The yearly health management of the 65+ (老年人健康管理) as the national basic public-health
service specification (third edition, 2017) defines it: an assessment of lifestyle and health
status, a physical examination, the tests (blood and urine routine, liver and kidney function,
lipids, fasting glucose, ECG, abdominal ultrasound) and health guidance; one record per elder per
year. A record with every part done is a "规范健康管理" (standard health management) for the
year's rate."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models.records import HealthQuerySet

__all__ = ["CHECKUP_PARTS", "Checkup"]

# The parts of the service, in the specification's order; a check-up is complete with all of them.
CHECKUP_PARTS = (
    "lifestyle_assessed", "physical_exam", "blood_routine", "urine_routine", "liver_function",
    "kidney_function", "lipids", "fasting_glucose_test", "ecg", "abdominal_ultrasound", "guidance_given",
)


class Checkup(models.Model):
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="checkups")
    year = models.PositiveSmallIntegerField(_("year"))
    examined_on = models.DateField(_("examined on"))
    institution = models.ForeignKey("health.MedicalInstitution", verbose_name=_("where"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="checkups")
    team = models.ForeignKey("health.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="checkups")
    lifestyle_assessed = models.BooleanField(_("lifestyle and health status assessed"), default=False)
    # 老年人生活自理能力评估 (the specification's self-care score: 0–3 able, 4–8 mildly, 9–18
    # moderately dependent, ≥ 19 unable).
    self_care_score = models.PositiveSmallIntegerField(_("self-care score"), null=True, blank=True)
    physical_exam = models.BooleanField(_("physical examination"), default=False)
    blood_routine = models.BooleanField(_("blood routine"), default=False)
    urine_routine = models.BooleanField(_("urine routine"), default=False)
    liver_function = models.BooleanField(_("liver function"), default=False)
    kidney_function = models.BooleanField(_("kidney function"), default=False)
    lipids = models.BooleanField(_("blood lipids"), default=False)
    fasting_glucose_test = models.BooleanField(_("fasting glucose"), default=False)
    ecg = models.BooleanField(_("ECG"), default=False)
    abdominal_ultrasound = models.BooleanField(_("abdominal ultrasound"), default=False)
    guidance_given = models.BooleanField(_("health guidance given"), default=False)
    complete = models.BooleanField(_("complete"), default=False, editable=False,
                                   help_text=_("Every part of the service done (set when saved)."))
    # Figures worth keeping for elder care (blood pressure, glucose, BMI…): {"systolic": 132, …}.
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("yearly check-up")
        verbose_name_plural = _("yearly check-ups")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["elder", "year"], name="health_checkup_once_a_year")]

    def save(self, *args, **kwargs):
        self.complete = all(getattr(self, part) for part in CHECKUP_PARTS)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "complete"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.elder_id} {self.year}"
