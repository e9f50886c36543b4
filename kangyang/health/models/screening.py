"""Cognitive screening (Mini-Cog, AD8) as forms, referrals to a named medical institution and
their return (双向转诊), and home sickbeds (家庭病床) as episodes."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models.records import HealthQuerySet

__all__ = ["Screening", "Referral", "Sickbed"]


class Screening(models.Model):
    class Tool(models.TextChoices):
        MINI_COG = "mini_cog", _("Mini-Cog")
        AD8 = "ad8", _("AD8")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="screenings")
    tool = models.CharField(_("tool"), max_length=10, choices=Tool.choices)
    screened_on = models.DateField(_("screened on"))
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score"))
    positive = models.BooleanField(_("positive (further assessment advised)"))
    team = models.ForeignKey("health.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="screenings")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("cognitive screening")
        verbose_name_plural = _("cognitive screenings")
        ordering = ["-screened_on", "-pk"]


class Referral(models.Model):
    """A referral up to a named medical institution (上转) and its return to the community
    (下转), with what the receiving side reported."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        RECEIVED = "received", _("received")
        RETURNED = "returned", _("returned to the community")
        CANCELLED = "cancelled", _("cancelled")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="referrals")
    to_institution = models.ForeignKey("health.MedicalInstitution", verbose_name=_("referred to"),
                                       on_delete=models.PROTECT, related_name="referrals_in")
    from_team = models.ForeignKey("health.Team", verbose_name=_("referred by team"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField(_("reason"))
    urgent = models.BooleanField(_("urgent"), default=False)
    referred_on = models.DateField(_("referred on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT, db_index=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_summary = models.TextField(_("summary at return"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-pk"]


class Sickbed(models.Model):
    """A home sickbed episode (家庭病床): opened by a medical institution for a diagnosis, visited
    at home, closed (discharged) with a reason."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="sickbeds")
    institution = models.ForeignKey("health.MedicalInstitution", verbose_name=_("medical institution"),
                                    on_delete=models.PROTECT, related_name="sickbeds")
    diagnosis = models.CharField(_("diagnosis (ICD-10)"), max_length=16)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("why it closed"), max_length=200, blank=True)
    visits_per_week = models.PositiveSmallIntegerField(_("visits a week"), default=1)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = HealthQuerySet.as_manager()

    class Meta:
        verbose_name = _("home sickbed")
        verbose_name_plural = _("home sickbeds")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
                                   name="health_sickbed_dates"),
            models.UniqueConstraint(fields=["elder"], condition=Q(closed_on__isnull=True),
                                    name="health_one_open_sickbed"),
        ]
