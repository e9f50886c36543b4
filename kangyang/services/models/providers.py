"""Providers (服务商), their service areas, caregivers and shifts, the catalogue and the
providers' prices."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.accounts import scope
from kangyang.accounts.models import barred_filter
from kangyang.services.models._common import R, _codes, _text_set
from kangyang.allowances.models import MONEY


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

    # The levels a service area may have (serving_filter matches these three).
    LEVELS = ("district", "subdistrict", "community")

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
    # Which voucher allowances may pay for it (allowances.Policy.Kind values), as ",a,b,".
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

    def __str__(self) -> str:
        return f"{self.provider} · {self.item}"
