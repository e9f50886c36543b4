"""What the app keeps of signing in and of family bindings. Every write goes through
portal/sign_in.py (codes and cards) and portal/binding.py (bindings)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.registry.models import Contact


class SignInCode(models.Model):
    """A one-time code sent by SMS to a phone number, to sign in to the app. Only a keyed hash
    of the number and a salted keyed hash of the code are kept. One is made for every number
    asked for, an account behind it or not (the answer must not tell which); only a number of
    an account is sent one."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    sent = models.BooleanField(default=False)  # an account was behind the number: an SMS went out

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        ordering = ["-created_at", "-id"]


class ElderCard(models.Model):
    """The elder's card, printed by the community worker: a QR code of /app/card/<token>/ that
    signs her in. Only the token's SHA-256 is kept; printing a new card revokes the old one."""

    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), on_delete=models.CASCADE,
                              related_name="app_cards")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    digest = models.CharField(max_length=64, unique=True)
    printed_at = models.DateTimeField(_("printed"), default=timezone.now)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("printed by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("elder's app card")
        verbose_name_plural = _("elders' app cards")
        ordering = ["-printed_at", "-id"]


class BindingCode(models.Model):
    """A short code the elder shows in her app, for a family member to ask to be bound to
    her without knowing her phone number. Kept as a keyed hash; valid for minutes."""

    elder = models.ForeignKey("registry.Elder", on_delete=models.CASCADE, related_name="binding_codes")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("binding code")
        verbose_name_plural = _("binding codes")


class Binding(models.Model):
    """A family account's request to see an elder in the app, and what became of it. It takes
    effect only with consent, recorded here: the elder's own in her app, or the community's,
    recorded by the community worker (who consented, when, how). Taking effect links the family
    account to the elder's contact (registry.Contact.user), which is what scope.elder_filter
    reads; refusing or revoking unlinks it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for consent")
        APPROVED = "approved", _("bound")
        REFUSED = "refused", _("refused")
        REVOKED = "revoked", _("removed")
        EXPIRED = "expired", _("expired")

    class Via(models.TextChoices):
        PHONE = "phone", _("the elder's phone number and name")
        CODE = "code", _("the binding code in the elder's app")

    class ConsentBy(models.TextChoices):
        ELDER = "elder", _("the elder")
        GUARDIAN = "guardian", _("the elder's guardian")
        COMMUNITY = "community", _("the community, on the elder's behalf")

    class ConsentHow(models.TextChoices):
        APP = "app", _("in the app")
        IN_PERSON = "in_person", _("in person")
        PHONE = "phone", _("by phone")
        WRITING = "writing", _("in writing")

    family = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("family account"),
                               on_delete=models.CASCADE, related_name="bindings")
    # None when nothing matched what the family member typed: the request is kept the same
    # way (the answer does not tell whether such an elder is registered) and expires.
    elder = models.ForeignKey("registry.Elder", verbose_name=_("elder"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="bindings")
    region_code = models.CharField(max_length=12, blank=True, db_index=True, editable=False)
    via = models.CharField(_("asked by"), max_length=8, choices=Via.choices)
    asked_name = models.CharField(_("elder's name as typed"), max_length=50, blank=True)
    relation = models.CharField(_("relation"), max_length=12, choices=Contact.Relation.choices)
    family_name = models.CharField(_("family member's name"), max_length=50)
    # The family member's own number: the contact's, when the binding takes effect.
    family_phone_encrypted = models.TextField(editable=False)
    family_phone_masked = models.CharField(_("family member's phone"), max_length=20, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    consent_by = models.CharField(_("who consented"), max_length=10, choices=ConsentBy.choices, blank=True)
    consent_how = models.CharField(_("how"), max_length=10, choices=ConsentHow.choices, blank=True)
    consent_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    consent_note = models.CharField(_("note"), max_length=200, blank=True)
    contact = models.ForeignKey("registry.Contact", verbose_name=_("contact"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(_("removed"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("removed by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("family binding")
        verbose_name_plural = _("family bindings")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per family account and elder.
            models.UniqueConstraint(fields=["family", "elder"], condition=models.Q(status="pending"),
                                    name="binding_one_pending"),
        ]
