import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def barred_filter(*, on: dt.date, path: str = "") -> Q:
    """Organisations (or, through `path`, records of organisations) under a blacklist on the
    day `on`: decided and not lifted, with no end or an end not yet passed."""
    return Q(**{f"{path}blacklisted_at__isnull": False}) & (
        Q(**{f"{path}blacklisted_until__isnull": True}) | Q(**{f"{path}blacklisted_until__gte": on})
    )


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        from kangyang.accounts import scope

        return self.filter(scope.organisation_filter(user))

    def barred(self, *, on: dt.date | None = None) -> "OrganisationQuerySet":
        return self.filter(barred_filter(on=on or timezone.localdate()))


class Organisation(models.Model):
    """A legal entity Kangyang deals with (a provider, institution, meal point, enterprise or
    the bureau itself): one register, so every module sees the same licences and blacklist."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("civil-affairs bureau")
        PROVIDER = "provider", _("home-service provider")
        INSTITUTION = "institution", _("care institution")
        MEAL_POINT = "meal_point", _("meal point")
        ENTERPRISE = "enterprise", _("enterprise")
        OTHER = "other", _("other")

    class CreditStatus(models.TextChoices):
        # Kept by the bureau from its supervision (and, later, the credit module's ratings).
        GOOD = "good", _("good")
        WATCHED = "watched", _("under watch")
        DISHONEST = "dishonest", _("dishonest")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Checked by GB 32100-2015 (kangyang/lib/uscc.py) in the actions; unique when given.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    # The contact's phone is personal data: encrypted, shown masked (as elders' phones).
    contact_phone_encrypted = models.TextField(blank=True, editable=False)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True, editable=False)
    credit_status = models.CharField(
        _("credit status"), max_length=12, choices=CreditStatus.choices, default=CreditStatus.GOOD)
    # The blacklist in force, if any (its history is in BlacklistEntry). A bar with an end
    # date ends by itself the day after; lifting it early clears these.
    blacklisted_at = models.DateTimeField(_("blacklisted"), null=True, blank=True, editable=False)
    blacklisted_until = models.DateField(_("blacklisted until"), null=True, blank=True, editable=False)
    blacklist_reason = models.TextField(_("reason for the blacklist"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organisation_credit_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.region.code

    def is_barred(self, on: dt.date | None = None) -> bool:
        """Under a blacklist on that day (today by default)."""
        if self.blacklisted_at is None:
            return False
        return self.blacklisted_until is None or self.blacklisted_until >= (on or timezone.localdate())

    @property
    def is_blacklisted(self) -> bool:
        return self.is_barred()


class Licence(models.Model):
    """A licence or filing an organisation holds (business licence, elder-care filing, food
    business licence ...), with its expiry, so the bureau is told before it lapses."""

    class Kind(models.TextChoices):
        BUSINESS = "business", _("business licence")
        ELDER_CARE = "elder_care", _("elder-care institution filing")
        FOOD = "food", _("food business licence")
        MEDICAL = "medical", _("medical institution licence")
        OTHER = "other", _("other")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=60)
    issued = models.DateField(_("issued"), null=True, blank=True)
    expires = models.DateField(_("expires"), null=True, blank=True, help_text=_("Empty when it does not expire."))

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["expires", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def days_left(self, on: dt.date | None = None) -> int | None:
        return None if self.expires is None else (self.expires - (on or timezone.localdate())).days


class LicenceWarning(models.Model):
    """That an organisation's managers and its district's bureau were told one of its licences
    lapses soon, at one threshold (days before expiry: KANGYANG_LICENCE_WARNING_DAYS, 7, and 0
    for the day itself). Once per licence number, expiry date and threshold: the daily pass
    never tells twice, and a renewed licence (a new date) is told afresh when its time comes."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="licence_warnings")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    number = models.CharField(_("licence number"), max_length=60, blank=True)
    expires = models.DateField(_("expires"))
    threshold = models.PositiveSmallIntegerField(_("days before expiry"))
    recipients = models.PositiveSmallIntegerField(_("people told"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("licence warning")
        verbose_name_plural = _("licence warnings")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number", "expires", "threshold"],
                                    name="licence_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.number} {self.expires} -{self.threshold}"


class BlacklistEntry(models.Model):
    """One decision to blacklist an organisation, and its lifting: the history behind the
    bar shown on the organisation."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="blacklist_entries")
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty for no end date."))
    decided_by = models.ForeignKey(
        "accounts.User", verbose_name=_("decided by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        "accounts.User", verbose_name=_("lifted by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        ordering = ["-created_at", "-id"]


class User(AbstractUser):
    """A person who signs in; what they see is decided by role and scope (accounts/scope.py)."""

    class Role(models.TextChoices):
        BUREAU_ADMIN = "bureau_admin", _("bureau admin")
        SUBDISTRICT_OFFICER = "subdistrict_officer", _("subdistrict officer")
        COMMUNITY_WORKER = "community_worker", _("community worker")
        HOTLINE_OPERATOR = "hotline_operator", _("hotline operator")
        PROVIDER_MANAGER = "provider_manager", _("provider manager")
        CAREGIVER = "caregiver", _("caregiver")
        VOLUNTEER = "volunteer", _("volunteer")
        ELDER = "elder", _("elder")
        FAMILY = "family", _("family member")
        INSPECTOR = "inspector", _("inspector")
        DOCTOR = "doctor", _("family-doctor team member")

    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("The part of the region tree this person works in."),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    # Set by `kangyang demo` on the accounts of CONTRACTS.md it creates; such an account may
    # sign in without a second factor, and only while the database is a demo (DemoDatabase).
    is_demo_account = models.BooleanField(_("demo account"), default=False, editable=False)
    # After a reset by the bureau admin the password is a temporary one, to be changed first.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # The app's elder mode (large text, large targets, read-aloud; shared/spec/elder-mode.md) as
    # this person chose it; None: the role's default (on for elders, off for everyone else).
    elder_mode = models.BooleanField(_("elder mode"), null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_staff_role(self) -> bool:
        """Roles that work for the bureau or a provider, and may turn on two-factor login."""
        return self.role not in (self.Role.ELDER, self.Role.FAMILY)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class DemoDatabase(models.Model):
    """The mark that `kangyang demo` seeded this database: while it exists, the demo's
    accounts may sign in without a second factor and every page carries a demo banner."""

    seeded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("demo database mark")
        verbose_name_plural = _("demo database marks")


class SignInCounter(models.Model):
    """Attempts to sign in under one throttling key (account, account and address, or
    address) since the counter was last reset; reserved before each password check."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sign-in counter")
        verbose_name_plural = _("sign-in counters")
