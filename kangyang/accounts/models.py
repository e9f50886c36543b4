import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A provider, institution or other body whose staff use Kangyang."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", _("civil-affairs bureau")
        PROVIDER = "provider", _("home-service provider")
        INSTITUTION = "institution", _("care institution")
        MEAL_POINT = "meal_point", _("meal point")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


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
