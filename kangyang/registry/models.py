import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.accounts import scope
from kangyang.lib import crypto, residentid


class ElderQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ElderQuerySet":
        return self.filter(scope.elder_filter(user))


class Elder(models.Model):
    """An elder record (长者档案). Never hard-deleted: death and moving out are statuses."""

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class LivingArrangement(models.TextChoices):
        ALONE = "alone", _("lives alone")
        SPOUSE = "spouse", _("with spouse only")
        CHILDREN = "children", _("with children")
        OTHERS = "others", _("with other people")
        INSTITUTION = "institution", _("in an institution")

    class Category(models.TextChoices):
        # GLOSSARY.md "vulnerable elder"
        EMPTY_NEST = "empty_nest", _("empty-nest")
        LEFT_BEHIND = "left_behind", _("left-behind")
        ALONE = "alone", _("living alone")
        DISABLED = "disabled", _("disabled")
        SEVERELY_DISABLED = "severely_disabled", _("severely disabled")
        BEREAVED = "bereaved", _("bereaved one-child family")
        EXTREME_POVERTY = "extreme_poverty", _("extreme poverty")
        LOW_INCOME = "low_income", _("minimum living allowance")  # 低保 (the value predates 低收入)
        WITHOUT_FAMILY = "without_family", _("without family (no spouse, no children)")  # 孤寡
        LOW_INCOME_MARGIN = "low_income_margin", _("low income (just above the minimum allowance)")  # 低保边缘
        ENTITLED = "entitled", _("entitled group (veterans' and martyrs' families)")  # 优抚对象
        COGNITIVELY_IMPAIRED = "cognitively_impaired", _("cognitively impaired")  # 失智

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        MOVED_OUT = "moved_out", _("moved out")
        DECEASED = "deceased", _("deceased")

    name = models.CharField(_("name"), max_length=50)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), db_index=True)
    # Resident ID number: encrypted; a keyed hash for exact lookup; a keyed hash of its last
    # four characters for search by them. No plain part of the number is stored: with the
    # birth date (kept in clear for ages and allowances), a plain mask or tail would give the
    # whole number back (issue 10). The masked form is computed when shown (id_number_masked).
    id_number_encrypted = models.TextField(editable=False)
    id_number_hash = models.CharField(max_length=64, editable=False)
    id_last4_hash = models.CharField(max_length=64, editable=False)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)

    # Residence (README "Registry"): `community` is where the elder actually lives (常住地).
    # It alone gives `region_code`, so it decides which staff see her, who serves her and
    # where she is counted. `registered_community` is her registered residence (户籍地), kept
    # for the record and for the allowances the hukou community may owe; it gives no access.
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community (actual residence)"), on_delete=models.PROTECT,
        related_name="elders", limit_choices_to={"level": "community"},
    )
    registered_community = models.ForeignKey(
        "regions.Region", verbose_name=_("community of registered residence"), on_delete=models.PROTECT,
        related_name="registered_elders", limit_choices_to={"level": "community"},
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    compound = models.ForeignKey(
        "regions.Compound", verbose_name=_("compound"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="elders",
    )
    household = models.ForeignKey(
        "regions.Household", verbose_name=_("household"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="elders",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    living_arrangement = models.CharField(
        _("living arrangement"), max_length=12, choices=LivingArrangement.choices, blank=True
    )
    door_access_notes = models.TextField(
        _("door-access notes"), blank=True,
        help_text=_("How to get in when nobody answers: who holds a key, a door code, a dog…"),
    )
    # Stored as ",alone,disabled," so that one category is matched exactly with LIKE. It holds
    # the categories in force: manual ones, derived ones (registry.categories) and overrides.
    categories_text = models.CharField(_("vulnerability categories"), max_length=300, blank=True, editable=False)
    # What the data say about each derivable category, with the facts behind it:
    # {"disabled": {"value": true, "source": "assessment", "level": 2, "on": "2026-03-02", "id": 7}}
    # (registry.categories). A derivable category absent here has no data and stays manual.
    derived_categories = models.JSONField(_("derived categories"), default=dict, blank=True, editable=False)
    # Manual corrections of derived categories: {"alone": {"value": false, "reason": "…",
    # "by": 3, "by_name": "李娟", "at": "2026-03-02T10:00:00+08:00"}}; each one audited.
    category_overrides = models.JSONField(_("category overrides"), default=dict, blank=True, editable=False)
    # When the household (spouse, children) was last recorded or confirmed complete: from then
    # on "no spouse and no children" is a fact (孤寡), not a gap in the record.
    household_recorded_on = models.DateField(_("household recorded on"), null=True, blank=True, editable=False)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_date = models.DateField(_("date of death or moving out"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("elder's own account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="elder",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ElderQuerySet.as_manager()

    class Meta:
        verbose_name = _("elder")
        verbose_name_plural = _("elders")
        ordering = ["region_code", "name", "id"]
        indexes = [
            models.Index(fields=["region_code", "name"], name="elder_region_name_idx"),
            # Search by name or pinyin initials over a large area: with the region code in
            # the index, PostgreSQL counts the matches from the index alone (index-only
            # scan). A bureau admin's "王" among 1M elders: count 245 → 21 ms
            # (bench/elder_list.py). Pattern ops, so LIKE 'x%' uses them in any collation.
            models.Index(
                fields=["name", "region_code"], name="elder_name_region_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name_initials", "region_code"], name="elder_initials_region_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # Exact-match lookups only: plain indexes, without PostgreSQL's LIKE copies.
            models.Index(fields=["phone_hash"], name="elder_phone_hash_idx"),
            models.Index(fields=["id_last4_hash"], name="elder_id_last4_hash_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_hash"], name="elder_unique_id_number"),
        ]

    def __str__(self) -> str:
        return self.name

    # -- derived values ---------------------------------------------------------------
    @property
    def categories(self) -> list[str]:
        return [c for c in self.categories_text.split(",") if c]

    @categories.setter
    def categories(self, values) -> None:
        chosen = sorted(set(values), key=CATEGORY_ORDER.__getitem__)
        self.categories_text = f",{','.join(chosen)}," if chosen else ""

    def get_categories_display(self) -> list[str]:
        return [str(self.Category(c).label) for c in self.categories]

    def category_details(self) -> list[dict]:
        """Each category in force with where it comes from and why (registry.categories)."""
        from kangyang.registry.categories import details

        return details(self)

    def age(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    @property
    def id_number_masked(self) -> str:
        """The ID number as everyone may see it: address code and last four characters
        (accounts.scope.IDENTITY_SHOWN), decrypted per row when shown, never stored."""
        return residentid.mask(self._id_number()) if self.id_number_encrypted else ""

    # Decrypted values: for registry.actions.reveal_elder (audited) and the bank file
    # (allowances.exports, audited); the mask above shows only what IDENTITY_SHOWN allows.
    def _id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    def _phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted) if self.phone_encrypted else ""


# Position of each vulnerability category, for a stable order (and a cheap membership test
# on bulk paths: TextChoices.values builds a new list on every call).
CATEGORY_ORDER = {value: i for i, value in enumerate(Elder.Category.values)}


class Contact(models.Model):
    """A guardian or emergency contact of an elder, called in `priority` order."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("spouse")
        SON = "son", _("son")
        DAUGHTER = "daughter", _("daughter")
        RELATIVE = "relative", _("other relative")
        NEIGHBOUR = "neighbour", _("neighbour")
        OTHER = "other", _("other")

    elder = models.ForeignKey(Elder, verbose_name=_("elder"), on_delete=models.CASCADE, related_name="contacts")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices)
    phone_encrypted = models.TextField(editable=False)
    # A keyed hash of the number, as the elder's: the app finds a family account by its phone
    # (sign-in by SMS code, binding) without decrypting every contact.
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, editable=False)
    is_guardian = models.BooleanField(_("guardian"), default=False)
    priority = models.PositiveSmallIntegerField(_("call order"), default=1)
    # The elder agreed that this contact gets an SMS when one of her alarms is escalated.
    tell_of_alarms = models.BooleanField(_("told of alarms"), default=False,
                                         help_text=_("The elder agreed that this contact is sent a message about her alarms."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("family account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="contact_of",
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    """A spouse, child or other relative of an elder, alive or not, and where they live: the
    facts that make an elder empty-nest (空巢) or without family (孤寡). Not a contact: the
    call order for alarms stays in Contact."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        OTHER = "other", _("other relative")

    class Residence(models.TextChoices):
        WITH_ELDER = "with_elder", _("lives with the elder")
        SAME_COMMUNITY = "same_community", _("in the same community")
        SAME_CITY = "same_city", _("in the same city")
        ELSEWHERE = "elsewhere", _("elsewhere in China")
        ABROAD = "abroad", _("abroad")

    elder = models.ForeignKey(Elder, verbose_name=_("elder"), on_delete=models.CASCADE, related_name="members")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    alive = models.BooleanField(_("alive"), default=True)
    residence = models.CharField(_("lives"), max_length=16, choices=Residence.choices, blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["relation", "id"]

    def __str__(self) -> str:
        return self.name or self.get_relation_display()


class HealthRecord(models.Model):
    """An elder's health summary; the clinical record stays with the hospital system."""

    elder = models.OneToOneField(Elder, verbose_name=_("elder"), on_delete=models.CASCADE, related_name="health")
    region_code = models.CharField(max_length=12, db_index=True, editable=False)
    chronic_conditions = models.TextField(_("chronic conditions"), blank=True)
    allergies = models.TextField(_("allergies"), blank=True)
    family_doctor_contract = models.BooleanField(_("family-doctor contract"), default=False)
    family_doctor = models.CharField(_("family doctor"), max_length=100, blank=True)
    contract_signed_on = models.DateField(_("contract signed on"), null=True, blank=True)
    last_checkup_on = models.DateField(_("last check-up"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The health app keeps the structured record (kangyang/health); these link it to the
    # hospital's system and carry the elder's own choice about her health alerts.
    ehr_number = models.CharField(_("health record number"), max_length=40, blank=True,
                                  help_text=_("The number of the elder's record in the health centre's system."))
    ehr_opened_on = models.DateField(_("health record opened on"), null=True, blank=True)
    alerts_to_family = models.BooleanField(
        _("tell the family of health alerts"), default=False,
        help_text=_("The elder agreed that her family is told when a reading needs urgent attention."))

    class Meta:
        verbose_name = _("health record")
        verbose_name_plural = _("health records")


class ImportJob(models.Model):
    """One upload of an elder sheet: its progress, outcome and the file of rejected rows."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    filename = models.CharField(_("file"), max_length=200)
    source = models.FileField(upload_to="imports/", editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("added"), default=0)
    existing_count = models.PositiveIntegerField(_("already registered"), default=0)
    error_count = models.PositiveIntegerField(_("rejected"), default=0)
    error_file = models.FileField(upload_to="imports/", blank=True, editable=False)
    message = models.TextField(_("message"), blank=True)
    # The uploader's language: row errors and the message are written in it, also by the worker.
    language = models.CharField(_("language"), max_length=10, blank=True, editable=False)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0
