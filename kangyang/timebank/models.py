"""The time bank (时间银行): volunteers earn hours for verified help and spend, transfer or
donate them; one hour of service is one hour (一时一币), kept in whole minutes.

- `Account`: a volunteer's (registered with real name and birth date), an elder's (receives
  transfers and donations, redeems), or a system account: `issued`, where every deposit comes
  from, and `redeemed`, where every redemption goes. So every transaction is double-entry and
  the whole ledger sums to zero.
- `Entry`: one movement of the append-only, hash-chained ledger. A transaction is two
  movements with the same `txn`, summing to zero. Each entry carries the hash of the one
  before it (`chain.entry_hash` says exactly what is hashed).
- `ChainHead`: the last sequence number and hash; every append locks it, so the chain is
  written one transaction at a time.
- `Digest`: the last hash of each day, published on a public page: rewriting history after
  that day no longer matches what anyone could have copied.
- `Activity` and `Attendance`: an organised activity and the volunteers its organiser
  confirms came, and for how long.

Nothing here is ever updated or deleted except the head and the cached balance: `save()`
refuses updates and `delete()` refuses, and database triggers refuse UPDATE and DELETE of
entries and digests (migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kangyang.accounts import scope


class AppendOnlyError(Exception):
    """A change to a ledger row that is written once and never again."""


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AccountQuerySet":
        return self.filter(scope.timebank_account_filter(user))

    def people(self) -> "AccountQuerySet":
        return self.exclude(kind=Account.Kind.SYSTEM)


class Account(models.Model):
    """A time-bank account. A person's balance (whole minutes) is never below zero; the
    `issued` account's is minus every hour ever deposited, the `redeemed` account's plus every
    hour ever spent. `balance_minutes` is a cache the ledger append keeps, checked by verify()."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer")
        ELDER = "elder", _("elder")
        SYSTEM = "system", pgettext_lazy("time bank account", "system")

    class System(models.TextChoices):
        ISSUED = "issued", _("hours issued")
        REDEEMED = "redeemed", _("hours redeemed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteer's account"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="timebank_account",
    )
    elder = models.OneToOneField(
        "registry.Elder", verbose_name=_("elder"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="timebank_account",
    )
    system_code = models.CharField(_("system account"), max_length=10, choices=System.choices,
                                   null=True, blank=True, unique=True)
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone_encrypted = models.TextField(blank=True, editable=False)
    # A keyed hash of the number: finds the volunteer among an elder's contacts (transfers to
    # family) without decrypting them.
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, blank=True, editable=False)
    balance_minutes = models.BigIntegerField(_("balance (minutes)"), default=0, editable=False)
    opened_at = models.DateTimeField(_("account opened"), default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account opened by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("time-bank account")
        verbose_name_plural = _("time-bank accounts")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind="system") | Q(balance_minutes__gte=0),
                                   name="timebank_person_balance_not_negative"),
            models.CheckConstraint(
                condition=(
                    Q(kind="volunteer", user__isnull=False, elder__isnull=True, system_code__isnull=True)
                    | Q(kind="elder", elder__isnull=False, user__isnull=True, system_code__isnull=True)
                    | Q(kind="system", system_code__isnull=False, user__isnull=True, elder__isnull=True)
                ),
                name="timebank_account_has_one_holder",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.SYSTEM:
            return str(self.System(self.system_code).label)
        if self.kind == self.Kind.ELDER:
            return self.elder.name
        return self.real_name

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("time-bank accounts are never deleted")

    @property
    def is_person(self) -> bool:
        return self.kind != self.Kind.SYSTEM

    @property
    def balance_hours(self) -> float:
        return self.balance_minutes / 60

    def age(self, on=None) -> int | None:
        """The holder's age in full years (None for a system account)."""
        if self.kind == self.Kind.ELDER:
            return self.elder.age(on)
        if self.birth_date is None:
            return None
        on = on or timezone.localdate()
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class Entry(models.Model):
    """One movement of the ledger. `seq` numbers the chain from 1 without gaps; `txn` is the
    `seq` of the transaction's first movement; `amount_minutes` is signed (credit positive);
    `balance_after` is the account's balance after it; `hash` = sha256(prev_hash + the
    canonical serialisation of the fields, chain.canonical)."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", pgettext_lazy("time bank", "deposit")
        REDEMPTION = "redemption", pgettext_lazy("time bank", "redemption")
        TRANSFER = "transfer", pgettext_lazy("time bank", "transfer to family")
        DONATION = "donation", pgettext_lazy("time bank", "donation")

    seq = models.BigIntegerField(_("sequence number"), primary_key=True)
    txn = models.BigIntegerField(_("transaction"), db_index=True)
    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries")
    amount_minutes = models.BigIntegerField(_("amount (minutes)"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # What the hours are for: "care_visit:123", "attendance:6" (a deposit, once
    # per source), "service_item:bath" (a redemption), "account:7" (a transfer's other side).
    source = models.CharField(_("source"), max_length=64, blank=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    balance_after = models.BigIntegerField(_("balance after (minutes)"))
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["account", "seq"], name="timebank_entry_account_idx"),
            models.Index(fields=["created_at"], name="timebank_entry_created_idx"),  # the day's digest
        ]
        constraints = [
            # The `issued` side of a deposit: each source (a visit, an attendance)
            # is paid once.
            models.UniqueConstraint(fields=["source", "account"], condition=Q(kind="deposit"),
                                    name="timebank_deposit_once_per_source"),
            models.CheckConstraint(condition=~Q(amount_minutes=0), name="timebank_entry_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("ledger entries are never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ledger entries are never deleted")

    @property
    def hours(self) -> float:
        return self.amount_minutes / 60


class ChainHead(models.Model):
    """The end of the chain (one row): locked by every append, so that entries are numbered
    and chained one transaction at a time."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain head")


class Digest(models.Model):
    """The last entry of a day (Asia/Shanghai) and its hash, published for anyone to copy."""

    day = models.DateField(_("day"), unique=True)
    last_seq = models.BigIntegerField(_("last sequence number"))
    last_hash = models.CharField(_("last hash"), max_length=64)
    entries = models.BigIntegerField(_("entries that day"), default=0)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        ordering = ["-day"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("digests are never changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("digests are never deleted")


class Activity(models.Model):
    """An organised activity (a community event, a group outing): its organiser confirms which
    volunteers came and for how long (Attendance); a community worker then deposits the hours."""

    title = models.CharField(_("title"), max_length=100)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("organiser"), on_delete=models.PROTECT,
                                  related_name="timebank_activities")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="timebank_activity_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A volunteer came to an activity for `minutes`, as its organiser confirmed."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="attendances")
    account = models.ForeignKey(Account, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                                related_name="attendances")
    minutes = models.PositiveIntegerField(_("minutes"))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"),
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "account"], name="timebank_attendance_once"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="timebank_attendance_minutes_positive"),
        ]

    @property
    def source(self) -> str:
        return f"attendance:{self.pk}"


# pages (the volunteer's and the community's pages: kangyang/timebank/signups.py) ----------------

class ActivitySignup(models.Model):
    """A volunteer said she will come to an activity (from the app's "needs nearby"). Only a
    promise: hours come from the organiser's Attendance, never from a sign-up."""

    activity = models.ForeignKey(Activity, verbose_name=_("activity"), on_delete=models.PROTECT,
                                 related_name="signups")
    account = models.ForeignKey(Account, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                                related_name="signups")
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-up for an activity")
        verbose_name_plural = _("sign-ups for activities")
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "account"], name="timebank_signup_once"),
        ]
