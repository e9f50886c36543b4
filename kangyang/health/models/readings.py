"""Readings from home devices (blood-pressure and glucose meters, oximeters, scales, watches)
that arrive on `kangyang/devices/{id}/reading` or the vendor webhook through the alarms' ingestion,
each classified when stored; and the health alerts an urgent reading raises, handled like an
alarm (acknowledged, escalated when nobody does, closed with an outcome)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models.followups import Classification
from kangyang.health.models.records import HealthQuerySet

__all__ = ["ReadingKind", "Reading", "HealthAlert"]


class ReadingKind(models.TextChoices):
    """The `kind` of a reading's payload (CONTRACTS.md, README "Health readings")."""

    BLOOD_PRESSURE = "blood_pressure", _("blood pressure")
    FASTING_GLUCOSE = "fasting_glucose", _("fasting glucose")
    GLUCOSE = "glucose", _("blood glucose (not fasting)")
    SPO2 = "spo2", _("blood oxygen")
    HEART_RATE = "heart_rate", _("heart rate")
    WEIGHT = "weight", _("weight")


class Reading(models.Model):
    """One measurement. Its values in their own columns (the ones of its kind filled), with the
    class and the rule that gave it. From a device: unique by (device, msg_id), so a message
    delivered twice is stored once; entered by hand: no device."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="readings")
    device = models.ForeignKey("alarms.Device", verbose_name=_("device"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="readings")
    msg_id = models.CharField(_("message id"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ReadingKind.choices)
    measured_at = models.DateTimeField(_("measured"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    pulse = models.PositiveSmallIntegerField(_("pulse (per minute)"), null=True, blank=True)
    glucose = models.FloatField(_("glucose (mmol/L)"), null=True, blank=True)
    spo2 = models.PositiveSmallIntegerField(_("SpO₂ (%)"), null=True, blank=True)
    weight_kg = models.FloatField(_("weight (kg)"), null=True, blank=True)
    classification = models.CharField(_("class"), max_length=12, choices=Classification.choices, blank=True,
                                      db_index=True)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    rule_set = models.ForeignKey("health.RuleSet", verbose_name=_("rule set"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # The team's "readings to look at": an uncontrolled or urgent reading until someone has.
    reviewed_at = models.DateTimeField(_("looked at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("looked at by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["-measured_at", "-pk"]
        indexes = [models.Index(fields=["elder", "kind", "measured_at"], name="health_reading_trend")]
        constraints = [models.UniqueConstraint(fields=["device", "msg_id"], condition=Q(device__isnull=False),
                                               name="health_reading_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.measured_at:%Y-%m-%d %H:%M}"


class HealthAlert(models.Model):
    """An urgent reading's alert to the elder's family-doctor team and community (and the family,
    when the elder agreed): open until someone acknowledges it; escalated a level each time the
    acknowledgement is late; closed with what was done."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        CLOSED = "closed", _("closed")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="health_alerts")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    reading = models.OneToOneField(Reading, verbose_name=_("reading"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="alert")
    team = models.ForeignKey("health.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="alerts")
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    # 0 raised; 1 told the subdistrict; 2 told the district (KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES).
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("what was done"), blank=True)
    family_told = models.BooleanField(_("family told"), default=False)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("health alert")
        verbose_name_plural = _("health alerts")
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"{self.elder_id} {self.raised_at:%Y-%m-%d %H:%M}"
