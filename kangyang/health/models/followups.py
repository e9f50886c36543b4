"""Follow-up rules as data (`RuleSet`, versioned: every classified follow-up and reading names
the set and the rule that produced its class) and the follow-ups of hypertension and type 2
diabetes (at least four a year, 国家基本公共卫生服务规范 third edition)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models.records import HealthQuerySet, Programme

__all__ = ["Classification", "RuleSet", "FollowUp"]


class Classification(models.TextChoices):
    URGENT = "urgent", _("urgent referral")
    UNCONTROLLED = "uncontrolled", _("not controlled")
    CONTROLLED = "controlled", _("controlled")
    UNCLASSIFIED = "", _("no rule")


class RuleSet(models.Model):
    """One version of the classification rules (kangyang/health/data/follow_up_rules.yaml is the
    first). Exactly one is active; older ones stay so every result can be traced to its rule."""

    version = models.CharField(_("version"), max_length=30, unique=True)
    source = models.TextField(_("source"))
    rules = models.JSONField(_("rules"))
    active = models.BooleanField(_("active"), default=False)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up rule set")
        verbose_name_plural = _("follow-up rule sets")
        ordering = ["-published_at"]
        constraints = [models.UniqueConstraint(fields=["active"], condition=Q(active=True),
                                               name="health_one_active_rule_set")]

    def __str__(self) -> str:
        return self.version


class FollowUp(models.Model):
    class Mode(models.TextChoices):
        CLINIC = "clinic", _("at the clinic")
        HOME = "home", _("home visit")
        PHONE = "phone", _("by phone")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="follow_ups")
    programme = models.CharField(_("programme"), max_length=12, choices=Programme.choices)
    followed_on = models.DateField(_("date"))
    mode = models.CharField(_("how"), max_length=8, choices=Mode.choices, default=Mode.CLINIC)
    team = models.ForeignKey("health.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="follow_ups")
    systolic = models.PositiveSmallIntegerField(_("systolic (mmHg)"), null=True, blank=True)
    diastolic = models.PositiveSmallIntegerField(_("diastolic (mmHg)"), null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(_("heart rate (per minute)"), null=True, blank=True)
    fasting_glucose = models.DecimalField(_("fasting glucose (mmol/L)"), max_digits=4, decimal_places=1,
                                          null=True, blank=True)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True)
    symptoms = models.TextField(_("symptoms"), blank=True)
    classification = models.CharField(_("class"), max_length=12, choices=Classification.choices, blank=True)
    rule = models.CharField(_("rule"), max_length=60, blank=True)
    rule_set = models.ForeignKey(RuleSet, verbose_name=_("rule set"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    next_due_on = models.DateField(_("next follow-up by"), null=True, blank=True)
    advice = models.TextField(_("advice"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-followed_on", "-pk"]
        indexes = [models.Index(fields=["elder", "programme", "followed_on"], name="health_followup_elder")]
