"""Home services (线上派单、线下服务): providers and their caregivers, the catalogue, orders
from the menu, dispatch, route plans, verified visits and monthly settlements.

Every write goes through services/actions.py. Money is Decimal to the fen
(DecimalField(max_digits=12, decimal_places=2)), as in the allowances app; an order's price
is always the sum of its three shares (a database constraint): the service allowance, the
elder-care consumption voucher, and the elder's own share.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.accounts import scope
from kangyang.accounts.models import User, barred_filter
from kangyang.allowances.models import MONEY, ZERO

R = User.Role


class Skill(models.TextChoices):
    """What a caregiver may deliver; each service item needs one (or none)."""

    MEALS = "meals", _("meal delivery")
    CLEANING = "cleaning", _("cleaning")
    BATHING = "bathing", _("bathing")
    ESCORT = "escort", _("medical escort")
    MOBILITY = "mobility", _("mobility help")
    NURSING = "nursing", _("basic nursing")
    REHABILITATION = "rehabilitation", _("rehabilitation")
    HOUSEKEEPING = "housekeeping", _("housekeeping")
    COMPANIONSHIP = "companionship", _("companionship")
    ADAPTATION = "adaptation", _("home adaptation")
    AIDS = "aids", _("assistive devices")


def _text_set(values) -> str:
    """A set of codes stored as ",a,b," so that one code is matched exactly with LIKE."""
    chosen = sorted(set(values))
    return f",{','.join(chosen)}," if chosen else ""


def _codes(text: str) -> list[str]:
    return [c for c in text.split(",") if c]


# -- who sees what ---------------------------------------------------------------------------
def service_filter(user, *, path: str = "") -> Q:
    """Service records (orders, visits, plans) a user may see, by their `provider`, `caregiver`,
    `elder` and `region_code` fields below `path`: a provider manager their organisation's, a
    caregiver their own, an elder or family member their elder's, area staff (bureau, officers,
    community workers, the hotline) their area's. Nobody else sees any."""
    if not user.is_authenticated or not user.is_active:
        return scope.NOTHING
    if user.role == R.PROVIDER_MANAGER:
        if user.organisation_id is None:
            return scope.NOTHING
        return Q(**{f"{path}provider__organisation_id": user.organisation_id})
    if user.role == R.CAREGIVER:
        return Q(**{f"{path}caregiver__user": user})
    if scope.is_personal(user):
        return scope.elder_filter(user, path=f"{path}elder__")
    return scope.region_filter(user, field=f"{path}region_code")


# -- providers -------------------------------------------------------------------------------
class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProviderQuerySet":
        """Providers are public to staff who order or supervise (they choose among them);
        a provider manager or caregiver sees their own; elders and family see those serving
        their community (the menu)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role in (R.PROVIDER_MANAGER, R.CAREGIVER):
            return self.filter(organisation_id=user.organisation_id) if user.organisation_id else self.none()
        if scope.is_personal(user):
            from kangyang.registry.models import Elder

            codes = set(Elder.objects.visible_to(user).values_list("region_code", flat=True))
            return self.filter(serving_filter(codes)).distinct()
        if scope.area_prefix(user) is None:
            return self.none()
        return self

    def receiving_orders(self) -> "ProviderQuerySet":
        """Active and its organisation not blacklisted: the only providers an order may go to."""
        return self.filter(active=True).exclude(barred_filter(on=timezone.localdate(), path="organisation__"))

    def not_receiving_orders(self) -> "ProviderQuerySet":
        return self.filter(Q(active=False) | barred_filter(on=timezone.localdate(), path="organisation__"))


def serving_filter(community_codes) -> Q:
    """Providers with a service area that covers any of these communities: the community
    itself, its subdistrict or its district."""
    covering = set()
    for code in community_codes:
        covering |= {code, code[:9] + "000", code[:6] + "000000"}
    return Q(areas__region_code__in=covering) if covering else scope.NOTHING


class Provider(models.Model):
    """An organisation contracted to deliver home services (服务商): a home-service company,
    a meal point, or an institution serving home care beds."""

    organisation = models.OneToOneField(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="provider",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    phone = models.CharField(_("service phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    opens_at = models.TimeField(_("opens at"), default="07:00")
    closes_at = models.TimeField(_("closes at"), default="20:00")
    # ISO weekdays it works, "1234567" = every day.
    open_days = models.CharField(_("open days"), max_length=7, default="1234567")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def is_blacklisted(self) -> bool:
        """The bar is held on the organisation (accounts.Organisation), for every module."""
        return self.organisation.is_barred()

    def is_open(self, weekday: int) -> bool:
        return str(weekday) in self.open_days


class ServiceArea(models.Model):
    """A region (district, subdistrict or community) a provider serves."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="areas")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        constraints = [models.UniqueConstraint(fields=["provider", "region"], name="service_area_unique")]

    def __str__(self) -> str:
        return f"{self.provider} · {self.region}"


# -- caregivers ------------------------------------------------------------------------------
class CaregiverQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaregiverQuerySet":
        """A provider's manager sees its caregivers, a caregiver themself, area staff those of
        every provider (supervision)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == R.PROVIDER_MANAGER:
            return self.filter(provider__organisation_id=user.organisation_id) if user.organisation_id else self.none()
        if user.role == R.CAREGIVER:
            return self.filter(user=user)
        if scope.area_prefix(user) is None:
            return self.none()
        return self

    def with_skill(self, skill: str) -> "CaregiverQuerySet":
        return self.filter(skills_text__contains=f",{skill},") if skill else self


class Caregiver(models.Model):
    """A provider's worker (护理员) who delivers services at elders' homes."""

    class Level(models.IntegerChoices):
        # 养老护理员国家职业技能标准 (2019 edition): five levels, level 1 the highest.
        LEVEL_5 = 5, _("level 5 (junior)")
        LEVEL_4 = 4, _("level 4 (intermediate)")
        LEVEL_3 = 3, _("level 3 (senior)")
        LEVEL_2 = 2, _("level 2 (technician)")
        LEVEL_1 = 1, _("level 1 (senior technician)")

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="caregivers")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("sign-in account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="caregiver",
    )
    name = models.CharField(_("real name"), max_length=50)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    level = models.PositiveSmallIntegerField(_("qualification level"), choices=Level.choices, null=True, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    skills_text = models.CharField(_("skills"), max_length=300, blank=True, editable=False)
    home_lat = models.FloatField(_("home base latitude (WGS-84)"), null=True, blank=True)
    home_lng = models.FloatField(_("home base longitude (WGS-84)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CaregiverQuerySet.as_manager()

    class Meta:
        verbose_name = _("caregiver")
        verbose_name_plural = _("caregivers")
        ordering = ["provider", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def skills(self) -> list[str]:
        return _codes(self.skills_text)

    @skills.setter
    def skills(self, values) -> None:
        self.skills_text = _text_set(values)

    def get_skills_display(self) -> list[str]:
        return [str(Skill(s).label) for s in self.skills if s in Skill.values]


class Shift(models.Model):
    """A caregiver's working hours on one weekday of every week."""

    caregiver = models.ForeignKey(Caregiver, verbose_name=_("caregiver"), on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(_("weekday"), help_text=_("1 Monday … 7 Sunday."))
    starts_at = models.TimeField(pgettext_lazy("time of day", "from"))
    ends_at = models.TimeField(pgettext_lazy("time of day", "until"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["caregiver", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["caregiver", "weekday"], name="shift_one_per_weekday"),
            models.CheckConstraint(condition=Q(weekday__gte=1, weekday__lte=7), name="shift_weekday_range"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
        ]


# -- catalogue -------------------------------------------------------------------------------
class ServiceItem(models.Model):
    """An entry of the home-service catalogue (服务项目), in one of the national home-visit
    service categories."""

    class Category(models.TextChoices):
        DAILY_LIVING = "daily_living", _("daily living care")  # 生活照料
        BASIC_CARE = "basic_care", _("basic care")  # 基础照护
        HEALTH = "health", _("health management")  # 健康管理
        VISITING = "visiting", _("visiting and caring")  # 探访关爱
        COMFORT = "comfort", _("emotional comfort")  # 精神慰藉
        ERRANDS = "errands", _("errands on the elder's behalf")  # 委托代办
        ADAPTATION = "adaptation", _("home adaptation")  # 适老化改造

    class Unit(models.TextChoices):
        VISIT = "visit", pgettext_lazy("service unit", "visit")
        HOUR = "hour", pgettext_lazy("service unit", "hour")
        MEAL = "meal", pgettext_lazy("service unit", "meal")
        DAY = "day", pgettext_lazy("service unit", "day")
        MONTH = "month", pgettext_lazy("service unit", "month")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes at the home per unit"))
    skill = models.CharField(_("required skill"), max_length=16, choices=Skill.choices, blank=True)
    # Which voucher allowances may pay for it (subsidies.Policy.Kind values), as ",a,b,".
    payable_by_text = models.CharField(_("allowances that may pay"), max_length=100, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def payable_by(self) -> list[str]:
        return _codes(self.payable_by_text)

    @payable_by.setter
    def payable_by(self, values) -> None:
        self.payable_by_text = _text_set(values)


class ProviderPrice(models.Model):
    """What one provider charges for one catalogue item, per unit."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="prices")
    price = models.DecimalField(_("price per unit (yuan)"), **MONEY)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("provider price")
        verbose_name_plural = _("provider prices")
        ordering = ["item__position", "provider_id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "item"], name="provider_price_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="provider_price_positive"),
        ]


# -- orders ----------------------------------------------------------------------------------
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
    # The price and who pays it, fixed when the order is placed (subsidy first, then self-pay).
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
        if self.kind == self.Kind.FLAGGED and self.code in VisitFlag.Code.values:
            return str(VisitFlag.Code(self.code).label)
        if self.kind == self.Kind.REVIEWED and self.code in Visit.Review.values:
            return str(Visit.Review(self.code).label)
        if self.travel_minutes is not None:
            return _("%(minutes)d minutes of added travel") % {"minutes": self.travel_minutes}
        return ""


# -- verified visits -------------------------------------------------------------------------
class Visit(models.Model):
    """The verified delivery of an order (Electronic Visit Verification): the service, the
    person served, the caregiver, the date, where (as the distance from the elder's home
    and whether it was within the radius, never a location trace) and from when to when."""

    class Review(models.TextChoices):
        NOT_NEEDED = "not_needed", pgettext_lazy("visit review", "not needed")
        PENDING = "pending", pgettext_lazy("visit review", "to review")
        ACCEPTED = "accepted", pgettext_lazy("visit review", "accepted")
        REJECTED = "rejected", pgettext_lazy("visit review", "rejected")

    order = models.OneToOneField(Order, verbose_name=pgettext_lazy("home service", "order"), on_delete=models.PROTECT, related_name="visit")
    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="visits")
    caregiver = models.ForeignKey(Caregiver, verbose_name=_("caregiver"), on_delete=models.PROTECT, related_name="visits")
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="visits")
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
            models.Index(fields=["caregiver", "checked_in_at"], name="visit_caregiver_in_idx"),
            models.Index(fields=["provider", "review"], name="visit_provider_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=F("checked_in_at")),
                name="visit_out_after_in",
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


class VisitFlag(models.Model):
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

    visit = models.ForeignKey(Visit, verbose_name=pgettext_lazy("home service", "visit"), on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(_("reason"), max_length=20, choices=Code.choices)
    # The figures behind the flag (metres, minutes, the other order), put into words by
    # describe() in the reader's language.
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("flagged"), default=timezone.now)

    class Meta:
        verbose_name = _("visit flag")
        verbose_name_plural = _("visit flags")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "code"], name="visit_flag_once_per_code")]

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
        if self.code == C.MISSING_CHECK_OUT and "since" in f:
            return _("open since %(time)s") % {"time": timezone.localtime(dt.datetime.fromisoformat(f["since"])).strftime("%H:%M")}
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


# -- route plans -----------------------------------------------------------------------------
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


# -- settlement ------------------------------------------------------------------------------
class SettlementQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SettlementQuerySet":
        """The provider's own statements for its manager; bureau staff and officers of the
        area the provider is registered in. Caregivers, elders and the hotline see none."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == R.PROVIDER_MANAGER:
            return self.filter(provider__organisation_id=user.organisation_id) if user.organisation_id else self.none()
        if scope.supervises_services(user):
            return self.filter(scope.region_filter(user, field="region_code"))
        return self.none()


class Settlement(models.Model):
    """A provider's monthly statement (结算单): its verified, confirmed visits, split by who
    pays. Issued once; its totals equal the sums over its orders, and the allowance and
    voucher totals equal what the elders' balances paid for them."""

    provider = models.ForeignKey(Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="settlements")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    month = models.DateField(_("month"), help_text=_("The first day of the month settled."))
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+")
    order_count = models.PositiveIntegerField(_("visits"), default=0)
    total = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    allowance_total = models.DecimalField(_("service allowance (yuan)"), default=ZERO, **MONEY)
    voucher_total = models.DecimalField(_("consumption voucher (yuan)"), default=ZERO, **MONEY)
    self_total = models.DecimalField(_("paid by elders (yuan)"), default=ZERO, **MONEY)
    held_count = models.PositiveIntegerField(_("visits held back for review"), default=0)
    held_total = models.DecimalField(_("held back (yuan)"), default=ZERO, **MONEY)

    objects = SettlementQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-month", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "month"], name="settlement_once_per_month"),
            models.CheckConstraint(
                condition=Q(total=F("allowance_total") + F("voucher_total") + F("self_total")),
                name="settlement_total_is_sum_of_shares",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.month:%Y-%m}"
