"""Hazards (隐患清单 / 整改清单 / 责任清单): each problem an inspection finds, with its severity,
the person responsible, a deadline and the evidence required; overdue ones escalate; closing
needs a re-check with photos (`HazardPhoto`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models.uploads import Renamed

__all__ = ["overdue_filter", "HazardQuerySet", "Hazard", "HazardPhoto"]


def overdue_filter(on) -> Q:
    """Overdue on the day: still to be put right after its deadline. One reported put right and
    awaiting the bureau's re-check is not the institution's delay (escalation, the lists and
    credit all go by this)."""
    return Q(status=Hazard.Status.OPEN, deadline__lt=on)


class HazardQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HazardQuerySet":
        from kangyang.accounts import scope

        return self.filter(scope.hazard_filter(user))

    def overdue(self, on=None) -> "HazardQuerySet":
        return self.filter(overdue_filter(on or timezone.localdate()))


class Hazard(models.Model):
    class Severity(models.TextChoices):
        MINOR = "minor", _("minor")
        MAJOR = "major", _("major")
        SERIOUS = "serious", _("serious")  # 重大隐患

    class Status(models.TextChoices):
        OPEN = "open", _("to be put right")
        RECTIFIED = "rectified", _("put right, awaiting re-check")
        CLOSED = "closed", _("closed after re-check")

    institution = models.ForeignKey("institutions.Institution", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="hazards")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    inspection = models.ForeignKey("institutions.Inspection", verbose_name=_("inspection"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="hazards")
    item = models.CharField(_("checklist item"), max_length=40, blank=True)
    description = models.TextField(_("hazard"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    # 责任清单: who at the institution answers for putting it right (a name and a post, not an account).
    responsible_person = models.CharField(_("person responsible"), max_length=100)
    deadline = models.DateField(_("put right by"))
    evidence_required = models.TextField(_("evidence required"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    rectification = models.TextField(_("what was done"), blank=True)
    rectified_at = models.DateTimeField(_("reported put right"), null=True, blank=True)
    rechecked_at = models.DateTimeField(_("re-checked"), null=True, blank=True)
    rechecked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("re-checked by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    recheck_note = models.TextField(_("re-check note"), blank=True)
    # Escalation of an overdue hazard: 0 none, 1 the subdistrict told, 2 the district bureau told.
    escalation = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    created_at = models.DateTimeField(_("found"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("found by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["status", "deadline", "id"]
        indexes = [models.Index(fields=["institution", "status"], name="hazard_inst_status_idx")]

    def __str__(self) -> str:
        return self.description[:40]

    def get_item_display(self) -> str:
        """The checklist item that found it, in words (the code when it is not on the list)."""
        from kangyang.institutions.inspections import ITEMS

        item = ITEMS.get(self.item)
        return str(item.name) if item else self.item


class HazardPhoto(models.Model):
    class Kind(models.TextChoices):
        FOUND = "found", _("as found")
        RECTIFIED = "rectified", _("after putting right")
        RECHECK = "recheck", _("at the re-check")

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    image = models.ImageField(_("photo"), upload_to=Renamed("institutions/hazards"))
    taken_at = models.DateTimeField(_("taken"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("hazard photo")
        verbose_name_plural = _("hazard photos")
        ordering = ["hazard", "taken_at", "id"]
