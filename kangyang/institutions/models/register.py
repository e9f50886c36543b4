"""The register of institutions and facilities, and who lives in them.

An `Institution` is any place the bureau supervises: a care home, a township home (敬老院,
特困供养机构), a subdistrict centre, an embedded home, a day-care centre, a meal point, a rural
颐养之家 / 幸福院, or a provider of home care beds (家庭养老床位). Each is run by an organisation
of the one register (`accounts.Organisation`): its licences, filings and blacklist live there.

Occupancy and centralised care are counted from `Resident` rows (admission, discharge, death),
never typed in: `beds_occupied` is a query (queries.register), not a column.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models.uploads import Renamed

__all__ = [
    "RESIDENTIAL_KINDS", "InstitutionQuerySet", "Institution", "Fee", "Staffing", "Drill", "Resident", "CentralisedCareWish",
]

MONEY = {"max_digits": 14, "decimal_places": 2}
AREA = {"max_digits": 10, "decimal_places": 1}


class InstitutionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "InstitutionQuerySet":
        from kangyang.accounts import scope

        return self.filter(scope.institution_filter(user))

    def open(self, on=None) -> "InstitutionQuerySet":
        """Operating on that day (today by default): opened by then and not closed."""
        on = on or timezone.localdate()
        return self.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=on)).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=on))


class Institution(models.Model):
    """An institution or facility of the register (养老机构 / 养老服务设施)."""

    class Kind(models.TextChoices):
        CARE_HOME = "care_home", _("care home")  # 养老机构 / 养老院
        TOWNSHIP_HOME = "township_home", _("township home for the extremely poor")  # 敬老院 / 特困供养机构
        SUBDISTRICT_CENTRE = "subdistrict_centre", _("subdistrict centre")  # 街道综合养老服务中心
        EMBEDDED_HOME = "embedded_home", _("embedded home")  # 嵌入式养老院
        DAY_CARE_CENTRE = "day_care_centre", _("day-care centre")  # 日间照料中心
        MEAL_POINT = "meal_point", _("meal point")  # 老年助餐点
        RURAL_HOME = "rural_home", _("rural happiness home")  # 农村颐养之家 / 幸福院
        HOME_CARE_BEDS = "home_care_beds", _("home-care-bed provider")  # 家庭养老床位

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("public")
        PRIVATE = "private", _("private")

    class OperatingModel(models.TextChoices):
        PUBLIC_RUN = "public_run", _("publicly built and run")  # 公建公营
        PUBLIC_PRIVATE = "public_private", _("publicly built, privately run")  # 公建民营
        PRIVATE_AIDED = "private_aided", _("privately run with public aid")  # 民办公助
        PRIVATE_RUN = "private_run", _("privately built and run")  # 民办民营

    class Construction(models.TextChoices):
        # For the standards: a township home's nursing-bed share is 60% when new, 50% when rebuilt.
        NEW = "new", _("newly built")
        REBUILT = "rebuilt", _("rebuilt or extended")
        EXISTING = "existing", _("existing")

    class Medical(models.TextChoices):
        NONE = "none", _("no medical care")
        IN_HOUSE = "in_house", _("in-house clinic")  # 内设医疗机构
        AGREEMENT = "agreement", _("agreement with a medical institution")  # 签约合作

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="institutions")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, db_index=True)
    ownership = models.CharField(_("ownership"), max_length=8, choices=Ownership.choices)
    operating_model = models.CharField(_("operating model"), max_length=16, choices=OperatingModel.choices)
    construction = models.CharField(
        _("construction"), max_length=10, choices=Construction.choices, default=Construction.EXISTING)
    # Where it is: the community it stands in gives `region_code` (its subdistrict and district
    # are prefixes of it), which decides who supervises it and where it is counted.
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="institutions",
        limit_choices_to={"level": "community"})
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    complete_community = models.BooleanField(
        _("in a complete community"), default=False,
        help_text=_("完整社区: a day-care centre there needs 350 m² instead of 200 m²."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    phone = models.CharField(_("public phone"), max_length=20, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    # Filing (备案, 民政部令第66号); licences with expiry are the organisation's (accounts.Licence).
    filing_number = models.CharField(_("filing number"), max_length=60, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)

    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), null=True, blank=True, validators=[MinValueValidator(Decimal(0))], **AREA)
    beds_total = models.PositiveIntegerField(_("beds"), default=0)
    beds_nursing = models.PositiveIntegerField(_("nursing beds"), default=0)

    medical = models.CharField(_("medical-care integration"), max_length=10, choices=Medical.choices, default=Medical.NONE)
    medical_partner = models.CharField(_("partner medical institution"), max_length=200, blank=True)
    medical_agreement_until = models.DateField(_("medical agreement valid until"), null=True, blank=True)

    fire_safety_accepted_on = models.DateField(_("fire-safety acceptance"), null=True, blank=True)
    liability_insurance_until = models.DateField(_("liability insurance valid until"), null=True, blank=True)
    emergency_plan_updated_on = models.DateField(_("emergency plan last updated"), null=True, blank=True)

    # Prepaid fees (会员卡 / 预付费) and deposits held, as last reported; balances above
    # KANGYANG_PREPAID_FLAG_YUAN are flagged to the bureau.
    prepaid_balance = models.DecimalField(_("prepaid fees held (yuan)"), default=Decimal(0), **MONEY)
    deposits_held = models.DecimalField(_("deposits held (yuan)"), default=Decimal(0), **MONEY)
    funds_reported_on = models.DateField(_("funds reported on"), null=True, blank=True)

    services = models.JSONField(_("services offered"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)

    # The current star rating (rating.RatingReview decides it); 0 when never rated.
    stars = models.PositiveSmallIntegerField(_("star rating"), default=0)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution or facility")
        verbose_name_plural = _("institutions and facilities")
        ordering = ["region_code", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(beds_nursing__lte=F("beds_total")), name="institution_nursing_beds_le_total"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="institution_stars_at_most_five"),
        ]
        indexes = [models.Index(fields=["kind", "region_code"], name="institution_kind_region_idx")]

    def __str__(self) -> str:
        return self.name


# The kinds where elders live (beds, residents): the nursing-bed ratio, medical-care integration
# and the operating subsidies count these.
RESIDENTIAL_KINDS = (Institution.Kind.CARE_HOME, Institution.Kind.TOWNSHIP_HOME, Institution.Kind.SUBDISTRICT_CENTRE,
                     Institution.Kind.EMBEDDED_HOME)


class Fee(models.Model):
    """One line of an institution's published fees (收费标准)."""

    class Unit(models.TextChoices):
        MONTH = "month", _("per month")
        DAY = "day", _("per day")
        MEAL = "meal", _("per meal")
        TIME = "time", _("per time")
        ONCE = "once", _("once")

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="fees")
    item = models.CharField(_("item"), max_length=100)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.MONTH)
    price = models.DecimalField(_("price (yuan)"), validators=[MinValueValidator(Decimal(0))], **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["institution", "price", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.price}"


class Staffing(models.Model):
    """How many staff an institution has of one qualification."""

    class Qualification(models.TextChoices):
        MANAGER = "manager", _("manager")
        DOCTOR = "doctor", _("doctor")
        NURSE = "nurse", _("registered nurse")
        CAREGIVER_CERTIFIED = "caregiver_certified", _("certified caregiver")
        CAREGIVER = "caregiver", _("caregiver without certificate")
        SOCIAL_WORKER = "social_worker", _("social worker")
        REHABILITATION = "rehabilitation", _("rehabilitation therapist")
        OTHER = "other", _("other staff")

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="staffing")
    qualification = models.CharField(_("qualification"), max_length=20, choices=Qualification.choices)
    count = models.PositiveIntegerField(_("number"))

    class Meta:
        verbose_name = _("staffing")
        verbose_name_plural = _("staffing")
        constraints = [models.UniqueConstraint(fields=["institution", "qualification"], name="staffing_once")]


class Drill(models.Model):
    """An emergency drill an institution held (fire, evacuation …), with its record."""

    class Kind(models.TextChoices):
        FIRE = "fire", _("fire drill")
        EVACUATION = "evacuation", _("evacuation")
        MEDICAL = "medical", _("medical emergency")
        FOOD = "food", _("food-safety incident")
        OTHER = "other", _("other")

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="drills")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    record = models.TextField(_("record"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=Renamed("institutions/drills"), blank=True)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Resident(models.Model):
    """An elder's stay in an institution, from admission to discharge or death (入住)."""

    class Left(models.TextChoices):
        DISCHARGED = "discharged", _("discharged")
        TRANSFERRED = "transferred", _("moved to another institution")
        DIED = "died", _("died")

    class Bed(models.TextChoices):
        NURSING = "nursing", _("nursing bed")
        GENERAL = "general", _("general bed")
        HOME = "home", _("home care bed")

    institution = models.ForeignKey(Institution, verbose_name=_("institution"), on_delete=models.PROTECT, related_name="residents")
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="stays")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)  # the institution's
    bed = models.CharField(_("bed"), max_length=8, choices=Bed.choices, default=Bed.GENERAL)
    admitted_on = models.DateField(_("admitted on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=12, choices=Left.choices, blank=True)
    # 集中供养: a 特困 elder cared for here at public expense.
    centralised_care = models.BooleanField(_("centralised care"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["institution", "-admitted_on", "-id"]
        constraints = [
            # An elder lives in one place at a time.
            models.UniqueConstraint(fields=["elder"], condition=Q(left_on__isnull=True), name="resident_one_open_stay"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=F("admitted_on")),
                                   name="resident_leaves_after_admission"),
        ]
        indexes = [models.Index(fields=["institution", "left_on"], name="resident_inst_open_idx")]

    def __str__(self) -> str:
        return f"{self.elder_id}@{self.institution_id}"


class CentralisedCareWish(models.Model):
    """That a 特困 elder wishes (or no longer wishes) to be cared for in an institution: the
    denominator of the plans' 有意愿入住的特困人员集中供养率."""

    elder = models.OneToOneField(
        "registry.Elder", verbose_name=_("elder"), on_delete=models.PROTECT, related_name="centralised_care_wish")
    willing = models.BooleanField(_("wishes centralised care"), default=True)
    recorded_on = models.DateField(_("recorded on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("wish for centralised care")
        verbose_name_plural = _("wishes for centralised care")


# -- register: warnings of expiring documents (migration 0002_register) ----------------------
class DocumentWarning(models.Model):
    """That the district's bureau admins were told an institution's medical agreement or
    liability insurance ends soon, at one threshold (days before: KANGYANG_INSTITUTION_EXPIRY_DAYS,
    7, and 0 for the day itself). Once per institution, document, end date and threshold: the
    daily pass never tells twice, and a renewed document (a new date) is told afresh."""

    class Document(models.TextChoices):
        MEDICAL_AGREEMENT = "medical_agreement", _("medical agreement")
        LIABILITY_INSURANCE = "liability_insurance", _("liability insurance")

    institution = models.ForeignKey(
        Institution, verbose_name=_("institution"), on_delete=models.CASCADE, related_name="document_warnings")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    document = models.CharField(_("document"), max_length=20, choices=Document.choices)
    expires = models.DateField(_("valid until"))
    threshold = models.PositiveSmallIntegerField(_("days before expiry"))
    recipients = models.PositiveSmallIntegerField(_("people told"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("warning of an expiring document")
        verbose_name_plural = _("warnings of expiring documents")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "document", "expires", "threshold"],
                                    name="institution_document_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.document} {self.expires} -{self.threshold}"


__all__ += ["DocumentWarning"]
