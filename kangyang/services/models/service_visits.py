"""Verified home visits (上门服务记录): check-in and check-out at the elder's home, and
the flags that send a visit to review."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.services.models.orders import Order
from kangyang.services.models.providers import Caregiver, Provider


class ServiceVisit(models.Model):
    """The verified delivery of an order (Electronic Visit Verification): the service, the
    person served, the caregiver, the date, where (as the distance from the elder's home
    and whether it was within the radius, never a location trace) and from when to when."""

    class Review(models.TextChoices):
        NOT_NEEDED = "not_needed", pgettext_lazy("visit review", "not needed")
        PENDING = "pending", pgettext_lazy("visit review", "to review")
        ACCEPTED = "accepted", pgettext_lazy("visit review", "accepted")
        REJECTED = "rejected", pgettext_lazy("visit review", "rejected")

    order = models.OneToOneField(Order, verbose_name=pgettext_lazy("home service", "order"), on_delete=models.PROTECT, related_name="service_visit")
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="service_visits")
    caregiver = models.ForeignKey(Caregiver, verbose_name=_("caregiver"), on_delete=models.PROTECT, related_name="service_visits")
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="service_visits")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    checked_in_at = models.DateTimeField(_("checked in"))
    check_in_distance_m = models.PositiveIntegerField(_("distance from home at check-in (m)"), null=True, blank=True)
    check_in_accuracy_m = models.PositiveIntegerField(_("location accuracy at check-in (m)"), null=True, blank=True)
    check_in_ok = models.BooleanField(_("check-in within the radius"), null=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    check_out_distance_m = models.PositiveIntegerField(_("distance from home at check-out (m)"), null=True, blank=True)
    check_out_accuracy_m = models.PositiveIntegerField(_("location accuracy at check-out (m)"), null=True, blank=True)
    check_out_ok = models.BooleanField(_("check-out within the radius"), null=True)
    notes = models.TextField(_("caregiver's notes"), blank=True)
    review = models.CharField(_("review"), max_length=12, choices=Review.choices, default=Review.NOT_NEEDED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = pgettext_lazy("home service", "visit")
        verbose_name_plural = pgettext_lazy("home service", "visits")
        ordering = ["-checked_in_at"]
        indexes = [
            models.Index(fields=["caregiver", "checked_in_at"], name="service_visit_caregiver_idx"),
            models.Index(fields=["provider", "review"], name="service_visit_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="service_visit_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.checked_in_at:%Y-%m-%d}"

    @property
    def minutes(self) -> int | None:
        if self.checked_out_at is None:
            return None
        return int((self.checked_out_at - self.checked_in_at).total_seconds() // 60)

    @property
    def held_back(self) -> bool:
        """Not paid until a supervisor has reviewed its flags."""
        return self.review == self.Review.PENDING


class ServiceVisitFlag(models.Model):
    """Why a visit needs a supervisor's look. A failed check never blocks the caregiver."""

    class Code(models.TextChoices):
        FAR_AT_CHECK_IN = "far_check_in", _("checked in far from the elder's home")
        FAR_AT_CHECK_OUT = "far_check_out", _("checked out far from the elder's home")
        IMPRECISE = "imprecise", _("location too imprecise to verify")
        NO_LOCATION = "no_location", _("no location sent")
        HOME_UNKNOWN = "home_unknown", _("the elder's home has no location")
        TOO_SHORT = "too_short", _("visit much shorter than planned")
        OVERLAP = "overlap", _("overlaps another visit of the caregiver")
        IMPOSSIBLE_TRAVEL = "impossible_travel", _("impossible travel from the previous visit")
        MISSING_CHECK_OUT = "missing_check_out", _("no check-out")
        EARLY_CHECK_IN = "early_check_in", _("checked in long before the window")
        LATE_CHECK_IN = "late_check_in", _("checked in after the window")

    service_visit = models.ForeignKey(ServiceVisit, verbose_name=pgettext_lazy("home service", "visit"), on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(_("reason"), max_length=20, choices=Code.choices)
    # The figures behind the flag (metres, minutes, the other order), put into words by
    # describe() in the reader's language.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)

    class Meta:
        verbose_name = _("visit flag")
        verbose_name_plural = _("visit flags")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["service_visit", "code"], name="service_visit_flag_once_per_code")]

    def describe(self) -> str:
        f, C = self.facts, self.Code
        if self.code in (C.FAR_AT_CHECK_IN, C.FAR_AT_CHECK_OUT, C.IMPRECISE) and "distance_m" in f:
            if f.get("accuracy_m") is not None:
                return _("%(distance)d m from home (accuracy %(accuracy)d m)") % {
                    "distance": f["distance_m"], "accuracy": f["accuracy_m"]}
            return _("%(distance)d m from home") % {"distance": f["distance_m"]}
        if self.code == C.TOO_SHORT and "minutes" in f:
            return _("%(minutes)d of %(planned)d planned minutes") % {"minutes": f["minutes"], "planned": f["planned"]}
        if self.code == C.OVERLAP:
            if f.get("order"):
                return _("overlaps visit of order #%(id)d") % {"id": f["order"]}
            return _("another visit was still open")
        if self.code == C.IMPOSSIBLE_TRAVEL and "km" in f:
            return _("%(km).1f km in %(minutes)d minutes") % {"km": f["km"], "minutes": f["minutes"]}
        if self.code == C.EARLY_CHECK_IN and "minutes" in f:
            return _("%(minutes)d minutes before the window") % {"minutes": f["minutes"]}
        if self.code == C.LATE_CHECK_IN and "minutes" in f:
            return _("%(minutes)d minutes after the window") % {"minutes": f["minutes"]}
        if self.code == C.MISSING_CHECK_OUT and "since" in f:
            return _("open since %(time)s") % {"time": timezone.localtime(dt.datetime.fromisoformat(f["since"])).strftime("%H:%M")}
        return ""
