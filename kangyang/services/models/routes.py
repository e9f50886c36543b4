"""Route plans: the day's planned routes of a provider's caregivers (PyVRP)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.services.models.orders import Order
from kangyang.services.models.providers import Caregiver, Provider


class RoutePlan(models.Model):
    """The planned routes of one provider's caregivers for one day (PyVRP)."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="plans")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    day = models.DateField(_("day"))
    planned_at = models.DateTimeField(_("planned"), default=timezone.now)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    solve_seconds = models.FloatField(_("solver time (s)"), default=0)
    travel_seconds = models.PositiveIntegerField(_("travel time (s)"), default=0)
    travel_metres = models.PositiveIntegerField(_("travel distance (m)"), default=0)
    unassigned = models.JSONField(_("orders no caregiver could take"), default=list, blank=True)

    class Meta:
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="route_plan_once_per_day")]


class RouteStop(models.Model):
    """One order in a caregiver's planned route, in order."""

    plan = models.ForeignKey(RoutePlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="stops")
    caregiver = models.ForeignKey(Caregiver, verbose_name=_("caregiver"), on_delete=models.CASCADE, related_name="stops")
    order = models.OneToOneField(Order, verbose_name=pgettext_lazy("home service", "order"), on_delete=models.CASCADE, related_name="stop")
    position = models.PositiveSmallIntegerField(_("position"))
    arrival = models.DateTimeField(_("planned arrival"))
    start = models.DateTimeField(_("planned start"))
    travel_seconds = models.PositiveIntegerField(_("travel from the previous stop (s)"), default=0)
    travel_metres = models.PositiveIntegerField(_("distance from the previous stop (m)"), default=0)

    class Meta:
        verbose_name = _("route stop")
        verbose_name_plural = _("route stops")
        ordering = ["plan", "caregiver", "position"]


class RoutePlanRun(models.Model):
    """One request to plan a provider's day, done in the background (tasks.plan_day) while
    the routes page shows its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("planning")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    BUSY = (Status.QUEUED, Status.RUNNING)

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="plan_runs")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The search's time budget (KANGYANG_ROUTE_SECONDS when asked): the page's progress bar.
    seconds = models.FloatField(_("search time (s)"), default=0)
    planned = models.PositiveIntegerField(_("orders on the routes"), default=0)
    unassigned = models.PositiveIntegerField(_("orders left to assign"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("day planning")
        verbose_name_plural = _("day plannings")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["provider", "day", "status"], name="plan_run_provider_day_idx")]

    @property
    def busy(self) -> bool:
        return self.status in self.BUSY

    def progress(self, now=None) -> int:
        """Per cent of the search's time used (a run waiting in the queue is at 0)."""
        if self.status == self.Status.DONE:
            return 100
        if self.status != self.Status.RUNNING or self.started_at is None or self.seconds <= 0:
            return 0
        elapsed = ((now or timezone.now()) - self.started_at).total_seconds()
        return max(0, min(99, int(100 * elapsed / self.seconds)))
