"""Orders (工单) from the menu, standing orders, each order's timeline and complaints."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.services.models._common import service_filter
from kangyang.services.models.providers import Caregiver, Provider, ServiceItem
from kangyang.allowances.models import MONEY, ZERO


class Channel(models.TextChoices):
    """Who placed an order, and how."""

    APP = "app", _("elder or family, in the app")
    HOTLINE = "hotline", _("hotline, by phone")
    COMMUNITY = "community", _("community worker")


class Recurrence(models.Model):
    """A standing order: the same service on given weekdays, e.g. lunch every weekday or
    cleaning every Friday. The sweep (`kangyang orders sweep`) creates its orders a few
    days ahead."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="recurrences")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="recurrences")
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    weekdays = models.CharField(_("weekdays"), max_length=7, help_text=_("ISO weekdays, e.g. 12345 for Monday to Friday."))
    time_from = models.TimeField(pgettext_lazy("time of day", "from"))
    time_to = models.TimeField(pgettext_lazy("time of day", "until"))
    flexible = models.BooleanField(_("flexible time"), default=False)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    generated_until = models.DateField(_("orders created until"), null=True, blank=True, editable=False)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("standing order")
        verbose_name_plural = _("standing orders")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(time_to__gt=F("time_from")), name="recurrence_time_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.elder_id}"


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrderQuerySet":
        return self.filter(service_filter(user))

    def open(self) -> "OrderQuerySet":
        return self.exclude(status__in=Order.CLOSED)


class Order(models.Model):
    """One requested home service (工单), from the menu to the provider's settlement."""

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("order status", "created")
        DISPATCHED = "dispatched", pgettext_lazy("order status", "dispatched")
        ACCEPTED = "accepted", pgettext_lazy("order status", "accepted")
        EN_ROUTE = "en_route", pgettext_lazy("order status", "on the way")
        CHECKED_IN = "checked_in", pgettext_lazy("order status", "checked in")
        CHECKED_OUT = "checked_out", pgettext_lazy("order status", "checked out")
        CONFIRMED = "confirmed", pgettext_lazy("order status", "confirmed")
        SETTLED = "settled", pgettext_lazy("order status", "settled")
        CANCELLED = "cancelled", pgettext_lazy("order status", "cancelled")
        NO_SHOW = "no_show", pgettext_lazy("order status", "no-show")

    class NoShowParty(models.TextChoices):
        ELDER = "elder", _("the elder was not there")
        CAREGIVER = "caregiver", _("the caregiver did not come")

    CLOSED = (Status.SETTLED, Status.CANCELLED, Status.NO_SHOW)
    # Statuses in which the order holds its allowance and voucher shares.
    HOLDING = (Status.CREATED, Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE,
               Status.CHECKED_IN, Status.CHECKED_OUT, Status.CONFIRMED, Status.SETTLED)

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="orders")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="orders")
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="orders")
    caregiver = models.ForeignKey(
        Caregiver, verbose_name=_("caregiver"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
    )
    recurrence = models.ForeignKey(
        Recurrence, verbose_name=_("standing order"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CREATED)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    # The service starts inside this window (UTC in the database, shown in local time).
    window_start = models.DateTimeField(pgettext_lazy("time of day", "from"))
    window_end = models.DateTimeField(pgettext_lazy("time of day", "until"))
    flexible = models.BooleanField(_("flexible time"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    note = models.TextField(_("note for the caregiver"), blank=True)
    # The price and who pays it, fixed when the order is placed (allowance first, then self-pay).
    unit_price = models.DecimalField(_("unit price (yuan)"), **MONEY)
    price = models.DecimalField(_("price (yuan)"), **MONEY)
    allowance_amount = models.DecimalField(_("service allowance pays (yuan)"), default=ZERO, **MONEY)
    voucher_amount = models.DecimalField(_("consumption voucher pays (yuan)"), default=ZERO, **MONEY)
    self_amount = models.DecimalField(_("elder pays (yuan)"), default=ZERO, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("ordered by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("ordered"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Closing facts, set by the actions that close the order.
    cancel_reason = models.TextField(_("reason"), blank=True)
    no_show_party = models.CharField(_("no-show"), max_length=10, choices=NoShowParty.choices, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    settlement = models.ForeignKey(
        "Settlement", verbose_name=_("settlement"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders",
    )
    # The time the service takes whenever it starts in its window: from the window's end to
    # the earliest end of the service (null when the window is longer than the service). Two
    # orders of one caregiver whose busy times overlap cannot both be kept, whatever the
    # order and the travel (dispatch_rules.at_once); the database refuses them (migration
    # 0006). Fixed when the order is placed, like the price.
    busy_from = models.DateTimeField(null=True, blank=True, editable=False)
    busy_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Given by hand (the provider's manager): the route planner keeps it with the caregiver.
    assigned_by_hand = models.BooleanField(_("assigned by hand"), default=False, editable=False)
    # Dispatched against the rules (dispatch_rules.Problem codes and their figures, see
    # warning_text), with the manager's reason; or kept late by the route planner.
    warning = models.JSONField(_("dispatch warning"), default=dict, blank=True, editable=False)
    override_reason = models.TextField(_("reason for the override"), blank=True, editable=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("home service", "order")
        verbose_name_plural = pgettext_lazy("home service", "orders")
        ordering = ["window_start", "id"]
        indexes = [
            models.Index(fields=["provider", "window_start"], name="order_provider_window_idx"),
            models.Index(fields=["caregiver", "window_start"], name="order_caregiver_window_idx"),
            models.Index(fields=["region_code", "window_start"], name="order_region_window_idx"),
            models.Index(fields=["elder", "window_start"], name="order_elder_window_idx"),
            models.Index(fields=["status", "window_start"], name="order_status_window_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(window_end__gte=F("window_start")), name="order_window_ordered"),
            models.CheckConstraint(
                condition=Q(price=F("allowance_amount") + F("voucher_amount") + F("self_amount")),
                name="order_price_is_sum_of_shares",
            ),
            models.CheckConstraint(
                condition=Q(allowance_amount__gte=0, voucher_amount__gte=0, self_amount__gte=0),
                name="order_shares_not_negative",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_quantity_positive"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="order_rating_range",
            ),
            # A standing order makes one order per day.
            models.UniqueConstraint(
                fields=["recurrence", "window_start"], condition=Q(recurrence__isnull=False),
                name="order_recurrence_once_per_slot",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.item}"

    @property
    def reference(self) -> str:
        """What the allowance ledger calls this order."""
        return f"order:{self.pk}"

    @property
    def planned_minutes(self) -> int:
        return self.item.duration_minutes * self.quantity

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED

    @property
    def warning_codes(self) -> list[str]:
        return list((self.warning or {}).get("codes", []))

    def warning_text(self) -> str:
        """The dispatch warning in the reader's language, "" when there is none."""
        from kangyang.services.planning import describe_warning  # the words live with the rules' glue

        return describe_warning(self.warning or {})


class OrderEvent(models.Model):
    """One step of an order's timeline: each status change, reassignment and note."""

    class Kind(models.TextChoices):
        CREATED = "created", _("ordered")
        DISPATCHED = "dispatched", _("dispatched")
        NOT_DISPATCHED = "not_dispatched", _("no caregiver available")
        REASSIGNED = "reassigned", _("reassigned")
        DECLINED = "declined", _("declined by the caregiver")
        ACCEPTED = "accepted", _("accepted")
        EN_ROUTE = "en_route", _("on the way")
        CHECKED_IN = "checked_in", _("checked in")
        CHECKED_OUT = "checked_out", _("checked out")
        CONFIRMED = "confirmed", _("confirmed")
        SETTLED = "settled", _("settled")
        CANCELLED = "cancelled", _("cancelled")
        NO_SHOW = "no_show", _("no-show")
        PLANNED = "planned", _("planned into a route")
        FLAGGED = "flagged", _("visit flagged")
        REVIEWED = "reviewed", _("visit reviewed")
        COMPLAINT = "complaint", _("complaint")

    order = models.ForeignKey(Order, verbose_name=pgettext_lazy("home service", "order"), on_delete=models.CASCADE, related_name="events")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    caregiver = models.ForeignKey(
        Caregiver, verbose_name=_("caregiver"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    # Facts shown in the reader's language: the flag raised or the review decision…
    code = models.CharField(_("code"), max_length=20, blank=True)
    # …and the travel a dispatch added to the caregiver's day.
    travel_minutes = models.PositiveIntegerField(_("added travel (min)"), null=True, blank=True)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["at", "id"]

    def detail(self) -> str:
        """What the event adds to its kind, translated when shown."""
        from kangyang.services.models.service_visits import ServiceVisit, ServiceVisitFlag  # a visit refers to its order

        if self.kind == self.Kind.FLAGGED and self.code in ServiceVisitFlag.Code.values:
            return str(ServiceVisitFlag.Code(self.code).label)
        if self.kind == self.Kind.REVIEWED and self.code in ServiceVisit.Review.values:
            return str(ServiceVisit.Review(self.code).label)
        if self.travel_minutes is not None:
            return _("%(minutes)d minutes of added travel") % {"minutes": self.travel_minutes}
        return ""


class Complaint(models.Model):
    """A complaint about an order, followed up until closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    order = models.ForeignKey(Order, verbose_name=pgettext_lazy("home service", "order"), on_delete=models.PROTECT, related_name="complaints")
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="complaints")
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="+")
    caregiver = models.ForeignKey(
        Caregiver, verbose_name=_("caregiver"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    text = models.TextField(_("complaint"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    follow_up = models.TextField(_("follow-up"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at"]
