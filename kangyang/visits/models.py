"""Care visits to vulnerable elders (探访 / 巡访), pairings (结对帮扶) and scheduled care calls
(关爱电话).

- `Tier`: the visit policy as data — which elders a tier takes (criteria over the registry's
  categories, age, living arrangement and capability level) and how often they are visited.
- `VisitProfile`: an elder's tier (derived, or overridden with a reason) and, after a major
  event (an alarm, a hospital stay, a failed care call), the moment a visit is due by.
- `Pairing`: a helper paired with one elder.
- `VisitDue`: a line of the monthly plan (or of an event): who must be visited by when, the
  proposed and the assigned visitor, and the visit that settled it.
- `CareVisit`: a visit record — mode, time, the location check of a home visit (as distance
  and pass/fail, never the point), a checklist of findings, free text.
- `FollowUp`: what a finding opened (a service order, a home adaptation, a device install, a
  referral to the community doctor), tracked to closure.
- `CareCall`: one scheduled call to an elder living alone and its outcome.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mode(models.TextChoices):
    HOME = "home", _("home visit")
    PHONE = "phone", _("phone call")
    VIDEO = "video", _("video call")
    PROXY = "proxy", _("through a neighbour or relative")


class Finding(models.TextChoices):
    """The items of a visit's checklist (CareVisit.findings keys)."""

    HEALTH = "health", _("health")
    SAFETY = "safety", _("safety hazards")
    LIVING = "living", _("living conditions")
    NEEDS = "needs", _("needs")
    MOOD = "mood", _("mood")


class Tier(models.Model):
    """A visit tier (policy as data). `criteria` is a list of alternatives, any of which
    puts an elder in the tier; each alternative is a dict whose keys must all hold:
    `categories_any` (registry categories), `age_min`, `living_any` (living arrangements),
    `levels_any` (capability levels of the latest assessment). The tier with the lowest
    `rank` an elder matches is theirs."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the most frequent tier."))
    interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), help_text=_("7 weekly, 30 monthly, 91 quarterly."))
    event_within_hours = models.PositiveSmallIntegerField(
        _("visit within (hours) of a major event"), null=True, blank=True)
    criteria = models.JSONField(_("who is in this tier"), default=list, blank=True)
    counted_modes = models.JSONField(
        _("modes that count as visited"), default=list,
        help_text=_("Modes of visit that count for this tier's visit rate."))

    class Meta:
        verbose_name = _("visit tier")
        verbose_name_plural = _("visit tiers")
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class VisitProfile(models.Model):
    """An elder's place in the visit policy. `tier` is what counts: the override if there is
    one, else the derived tier (recomputed from the registry and the assessment)."""

    elder = models.OneToOneField("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                                 related_name="visit_profile")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    derived_tier = models.ForeignKey(Tier, verbose_name=_("derived tier"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    override_tier = models.ForeignKey(Tier, verbose_name=_("tier set by hand"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    override_reason = models.TextField(_("reason for the tier set by hand"), blank=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    overridden_at = models.DateTimeField(_("set at"), null=True, blank=True)
    tier = models.ForeignKey(Tier, verbose_name=_("visit tier"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="profiles")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("visit profile")
        verbose_name_plural = _("visit profiles")
        constraints = [
            models.CheckConstraint(condition=Q(override_tier__isnull=True) | ~Q(override_reason=""),
                                   name="visit_profile_override_has_reason"),
        ]


class Pairing(models.Model):
    """结对帮扶: a helper (community worker, social worker, volunteer, party member,
    neighbour) paired with one elder, from a date, until a date."""

    class Kind(models.TextChoices):
        COMMUNITY_WORKER = "community_worker", _("community worker")
        SOCIAL_WORKER = "social_worker", _("social worker")
        VOLUNTEER = "volunteer", _("volunteer")
        PARTY_MEMBER = "party_member", _("party member")
        NEIGHBOUR = "neighbour", _("neighbour")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="pairings")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("helper"), on_delete=models.PROTECT,
                               related_name="pairings")
    kind = models.CharField(_("helper is a"), max_length=20, choices=Kind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                                   name="pairing_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return _("pairing #%(id)s") % {"id": self.pk}


class VisitDue(models.Model):
    """A visit someone must make: a line of the month's plan, or one a major event made due
    within hours. Settled by the first counted visit to the elder after it was opened."""

    class Reason(models.TextChoices):
        PLAN = "plan", _("monthly plan")
        ALARM = "alarm", _("after an alarm")
        HOSPITAL = "hospital", _("after a hospital stay")
        CARE_CALL = "care_call", _("care calls not answered")
        CALL_HELP = "call_help", _("asked for help on a care call")
        FINDING = "finding", _("a finding of an earlier visit")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("visit due", "to visit")
        DONE = "done", pgettext_lazy("visit due", "visited")
        CANCELLED = "cancelled", pgettext_lazy("visit due", "cancelled")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="visits_due")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    tier = models.ForeignKey(Tier, verbose_name=_("visit tier"), null=True, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the plan's month."), db_index=True)
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, default=Reason.PLAN)
    due_by = models.DateTimeField(_("visit by"))
    proposed_visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed visitor"),
                                         null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visitor"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="visits_due")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    visit = models.ForeignKey("CareVisit", verbose_name=_("visit"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="settled")
    note = models.TextField(_("note"), blank=True)
    reminded_at = models.DateTimeField(_("visitor reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("visit due")
        verbose_name_plural = _("visits due")
        ordering = ["due_by", "pk"]
        indexes = [
            models.Index(fields=["visitor", "status", "due_by"], name="visit_due_visitor_idx"),
            models.Index(fields=["region_code", "month"], name="visit_due_region_month_idx"),
        ]

    def __str__(self) -> str:
        return _("visit due #%(id)s") % {"id": self.pk}


class CareVisit(models.Model):
    """A care visit record. `started_at` (UTC) places it in a month; a home visit keeps the
    distance from the elder's home and whether it was within the radius (the services
    module's check), never the point. `client_id` is the phone's id for a record captured
    offline, so that a record sent twice is kept once."""

    class Status(models.TextChoices):
        DONE = "done", pgettext_lazy("care visit", "done")
        NOT_MET = "not_met", pgettext_lazy("care visit", "elder not met")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="care_visits")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT,
                                related_name="care_visits")
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DONE)
    started_at = models.DateTimeField(_("started"), db_index=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("distance from home (m)"), null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    location_ok = models.BooleanField(_("within the radius of home"), null=True)
    location_flag = models.CharField(_("location check"), max_length=20, blank=True)
    findings = models.JSONField(
        _("findings"), default=dict, blank=True,
        help_text=_("Checklist: health, safety, living, needs, mood — each 'ok' or 'concern', with a note."))
    notes = models.TextField(_("notes"), blank=True)
    client_id = models.CharField(_("phone's record id"), max_length=64, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["elder", "started_at"], name="care_visit_elder_idx"),
            models.Index(fields=["visitor", "started_at"], name="care_visit_visitor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["visitor", "client_id"], condition=~Q(client_id=""),
                                    name="care_visit_once_per_client_id"),
            models.CheckConstraint(condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                                   name="care_visit_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return _("care visit #%(id)s") % {"id": self.pk}

    @property
    def duration(self) -> dt.timedelta | None:
        return self.ended_at - self.started_at if self.ended_at else None


class FollowUp(models.Model):
    """What a finding opened, tracked to closure."""

    class Kind(models.TextChoices):
        SERVICE_ORDER = "service_order", _("a home-service order")
        HOME_ADAPTATION = "home_adaptation", _("a home adaptation")
        DEVICE_INSTALL = "device_install", _("a device install")
        DOCTOR_REFERRAL = "doctor_referral", _("a referral to the community doctor")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("follow-up", "open")
        CLOSED = "closed", pgettext_lazy("follow-up", "closed")

    visit = models.ForeignKey(CareVisit, verbose_name=_("care visit"), on_delete=models.PROTECT,
                              related_name="follow_ups")
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="visit_follow_ups")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    finding = models.CharField(pgettext_lazy("care visit", "finding"), max_length=20, choices=Finding.choices,
                               blank=True)
    note = models.TextField(_("what is needed"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    order = models.ForeignKey("services.Order", verbose_name=pgettext_lazy("home service", "order"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT,
                                  related_name="+")
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("follow-up of a visit")
        verbose_name_plural = _("follow-ups of visits")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(closed_at__isnull=False),
                                   name="follow_up_closed_has_date"),
        ]

    def __str__(self) -> str:
        return _("follow-up #%(id)s") % {"id": self.pk}


class CareCall(models.Model):
    """One scheduled care call (关爱电话) to an elder living alone. Unanswered calls are
    tried again (`attempt` counts them); after the set number of failures a home visit is
    due within 24 hours and the community worker is told."""

    class Outcome(models.TextChoices):
        PENDING = "pending", pgettext_lazy("care call", "to call")
        WELL = "well", pgettext_lazy("care call", "well")
        NEEDS_HELP = "needs_help", pgettext_lazy("care call", "needs help")
        NO_ANSWER = "no_answer", pgettext_lazy("care call", "no answer")

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT,
                              related_name="care_calls")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    scheduled_for = models.DateTimeField(_("call at"), db_index=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("operator"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # While the call is pending, `operator` and `taken_at` are the claim of the operator who
    # is dialling (actions/calls.py: take_call); a claim older than CLAIM_LAPSES lapses.
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    visit_due = models.ForeignKey(VisitDue, verbose_name=_("visit made due"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("care call")
        verbose_name_plural = _("care calls")
        ordering = ["scheduled_for", "pk"]
        indexes = [
            models.Index(fields=["outcome", "scheduled_for"], name="care_call_queue_idx"),
            # "When was she last called?" for every elder living alone (schedule_care_calls).
            models.Index(fields=["elder", "called_at"], name="care_call_elder_idx"),
        ]
        constraints = [
            # One call waiting per elder: scheduling twice (two workers) adds nothing.
            models.UniqueConstraint(fields=["elder"], condition=Q(outcome="pending"),
                                    name="care_call_one_pending_per_elder"),
        ]

    def __str__(self) -> str:
        return _("care call #%(id)s") % {"id": self.pk}
