"""Medical institutions (the community health centres that field family-doctor teams, and the
hospitals elders are referred to), family-doctor teams (家庭医生团队: a doctor, a nurse, a
public-health worker), service packages, and the contracts (家庭医生签约) with their renewal
reminders. `ResidentCount` carries what the platform does not keep itself: the health centre's
count of all residents of a community and of those contracted, for the all-residents rate."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.health.models.records import HealthQuerySet

__all__ = [
    "MedicalInstitution", "Team", "TeamMember", "ServicePackage", "ContractQuerySet", "Contract",
    "ContractReminder", "ResidentCount",
]


class MedicalInstitution(models.Model):
    class Kind(models.TextChoices):
        HEALTH_CENTRE = "health_centre", _("community health centre")  # 社区卫生服务中心
        HEALTH_STATION = "health_station", _("community health station")  # 社区卫生服务站
        TOWNSHIP_HOSPITAL = "township_hospital", _("township hospital")  # 乡镇卫生院
        HOSPITAL = "hospital", _("hospital")

    class Level(models.TextChoices):  # 医院等级
        PRIMARY = "primary", _("primary (一级)")
        SECONDARY = "secondary", _("secondary (二级)")
        TERTIARY = "tertiary", _("tertiary (三级)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, blank=True)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True,
                                   help_text=_("Where it stands: a community, subdistrict or district."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The hospital's own record system: a link with {ehr} where the record number goes.
    record_url = models.CharField(_("record system link"), max_length=300, blank=True,
                                  help_text=_("A link to the institution's record system, with {ehr} for the record "
                                              "number, e.g. https://his.example/ehr/{ehr}"))

    class Meta:
        verbose_name = _("medical institution")
        verbose_name_plural = _("medical institutions")
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A family-doctor team of a health centre, serving an area of the region tree (a community,
    or a subdistrict for a team covering several)."""

    name = models.CharField(_("name"), max_length=100)
    institution = models.ForeignKey(MedicalInstitution, verbose_name=_("health centre"), on_delete=models.PROTECT,
                                    related_name="teams")
    area_code = models.CharField(_("area served"), max_length=12, db_index=True,
                                 help_text=_("Region code of the community or subdistrict the team serves."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("family-doctor team")
        verbose_name_plural = _("family-doctor teams")
        ordering = ["area_code", "name"]

    def __str__(self) -> str:
        return self.name

    def lead_doctor(self) -> "TeamMember | None":
        """Who the elder and the registry's summary know the team by: the lead doctor, else any
        doctor, else the lead of any function (from the prefetched members when there are)."""
        members = list(self.members.all())
        doctors = [m for m in members if m.function == TeamMember.Function.DOCTOR]
        return (next((m for m in doctors if m.lead), None) or (doctors[0] if doctors else None)
                or next((m for m in members if m.lead), None))


class TeamMember(models.Model):
    class Function(models.TextChoices):
        DOCTOR = "doctor", _("doctor")
        NURSE = "nurse", _("nurse")
        PUBLIC_HEALTH = "public_health", _("public-health worker")

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    function = models.CharField(_("function"), max_length=16, choices=Function.choices)
    name = models.CharField(_("name"), max_length=100)
    # The member's account (role "doctor"), when they use Kangyang; the team's panel is theirs.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="health_teams")
    lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["-lead", "function", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], condition=Q(user__isnull=False),
                                               name="health_team_member_once")]

    def __str__(self) -> str:
        return self.name


class ServicePackage(models.Model):
    """A service package of the contract (服务包): the basic package, the elder package, a chronic
    disease package, a paid personalised one."""

    class Kind(models.TextChoices):
        BASIC = "basic", _("basic")
        ELDER = "elder", _("elder")
        CHRONIC = "chronic", _("chronic disease")
        PERSONALISED = "personalised", _("personalised")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    fee_yuan = models.DecimalField(_("fee (yuan per year)"), max_digits=8, decimal_places=2, default=0)
    services = models.TextField(_("services"), blank=True)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("service package")
        verbose_name_plural = _("service packages")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


def valid_on(day, path: str = "") -> Q:
    """Contracts in force on `day`: started, not past their term, not ended early."""
    return (Q(**{f"{path}starts_on__lte": day, f"{path}ends_on__gte": day})
            & (Q(**{f"{path}ended_on__isnull": True}) | Q(**{f"{path}ended_on__gt": day})))


class ContractQuerySet(HealthQuerySet):
    def valid_on(self, day=None) -> "ContractQuerySet":
        return self.filter(valid_on(day or timezone.localdate()))


class Contract(models.Model):
    """An elder's contract with a family-doctor team: a term (usually a year), a package, the day
    signed; ended early with a reason (moved, died, changed team); renewed as a new contract that
    names the one before."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="contracts")
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="contracts")
    package = models.ForeignKey(ServicePackage, verbose_name=_("service package"), on_delete=models.PROTECT,
                                related_name="contracts")
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)
    renewed_from = models.OneToOneField("self", verbose_name=_("renewal of"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="renewal")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("family-doctor contract")
        verbose_name_plural = _("family-doctor contracts")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["elder", "ends_on"], name="health_contract_elder_end")]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="health_contract_term")]

    def __str__(self) -> str:
        return f"{self.team} {self.starts_on}–{self.ends_on}"


class ContractReminder(models.Model):
    """A renewal reminder sent for a contract at one threshold (days before its end), once."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.CASCADE,
                                 related_name="reminders")
    days_before = models.SmallIntegerField(_("days before the end"))
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        constraints = [models.UniqueConstraint(fields=["contract", "days_before"], name="health_reminder_once")]


class ResidentCount(models.Model):
    """The health centre's figures for a community on a day: all residents (常住人口) and those of
    any age with a family-doctor contract. Kangyang keeps elders only, so the all-residents rate
    is these figures'."""

    region = models.ForeignKey("regions.Region", verbose_name=_("community"), on_delete=models.PROTECT,
                               related_name="+")
    as_of = models.DateField(_("as of"))
    residents = models.PositiveIntegerField(_("residents"))
    contracted = models.PositiveIntegerField(_("residents with a contract"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)

    class Meta:
        verbose_name = _("residents and contracts of a community")
        verbose_name_plural = _("residents and contracts of communities")
        ordering = ["region", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["region", "as_of"], name="health_resident_count_once"),
            models.CheckConstraint(condition=Q(contracted__lte=F("residents")), name="health_resident_count_le"),
        ]
