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
