"""A person's ways of being told (Preference) and every message sent (Delivery, the delivery
log). Every write goes through notify/actions.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    PUSH = "push", _("app push")


class Kind(models.TextChoices):
    """What a message is about. Quiet hours hold back every kind but alarms."""

    ALARM = "alarm", _("alarm")
    ORDER = "order", _("order")
    ROLL = "roll", _("payment roll")
    LICENCE = "licence", _("licence")
    # One-time sign-in codes of the app (kangyang/portal/sign_in.py): sent at once, whatever
    # the hour, like alarms (the person is waiting for the code).
    SIGN_IN = "sign_in", _("sign-in code")
    # Care visits (kangyang/visits): a follow-up a visit opened, a visit made due.
    VISIT = "visit", _("care visit")
    # A care call that found an elder living alone in need, or not at all (kangyang/visits).
    CARE_CALL = "care_call", _("care call")
    # Supervision of institutions (kangyang/institutions): documents ending, hazards.
    SUPERVISION = "supervision", _("supervision of institutions")
    # Health services (kangyang/health): an urgent reading's alert (sent at once, like alarms),
    # and a family-doctor contract to renew.
    HEALTH_ALERT = "health_alert", _("health alert")
    HEALTH = "health", _("health services")


class Preference(models.Model):
    """How a person with an account wants to be told: the channels, their addresses, the
    language of the messages and the quiet hours (never applied to alarms)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    # The phone is personal data: encrypted, shown masked (as elders' phones).
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField(_("phone for messages"), max_length=20, blank=True, editable=False)
    email = models.EmailField(_("e-mail for messages"), blank=True)
    sms = models.BooleanField(_("by SMS"), default=True)
    by_email = models.BooleanField(_("by e-mail"), default=False)
    push = models.BooleanField(_("by app push"), default=False)
    # The browser's PushSubscription (endpoint and keys), as the app sent it.
    push_subscription = models.JSONField(_("push subscription"), null=True, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeliveryQuerySet":
        return self.filter(scope.delivery_filter(user))


class Delivery(models.Model):
    """One message to one address over one channel, from queued to sent or failed, with its
    attempts: the delivery log. The address is kept encrypted (to retry) and shown masked."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=40)
    # Who the recipient is to the sender ("family", "duty_officer"…), for the log's readers.
    audience = models.CharField(_("recipient"), max_length=30, blank=True)
    address_encrypted = models.TextField(editable=False)
    address_masked = models.CharField(_("address"), max_length=120, editable=False)
    # The template's values (plain strings and numbers), encrypted: they may name the elder.
    context_encrypted = models.TextField(editable=False)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    # The region the message concerns (the log's scope), and the sender's key: one message per
    # key and channel, so a repeated call sends nothing twice.
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    key = models.CharField(_("key"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel"], condition=~models.Q(key=""),
                                    name="delivery_unique_key_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.template} → {self.address_masked}"
