from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kangyang.regions import codes


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RegionQuerySet":
        from kangyang.accounts import scope

        return self.filter(scope.region_tree_filter(user))


class Region(models.Model):
    """A node of the region tree: city, district, subdistrict or community (statistical code)."""

    class Level(models.TextChoices):
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        SUBDISTRICT = "subdistrict", _("subdistrict")
        COMMUNITY = "community", _("community")

    code = models.CharField(_("region code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The leading digits shared by every code under this node."""
        return codes.prefix(self.code)

    def clean(self) -> None:
        try:
            level = codes.level_of(self.code)
        except ValidationError as e:
            raise ValidationError({"code": e}) from None
        if self.level and self.level != level:
            raise ValidationError({"level": _("The code is the code of a %(level)s.") % {
                "level": self.Level(level).label}})
        codes.check_parent(self.code, self.parent.code if self.parent else None)


class Compound(models.Model):
    """A residential compound (小区) inside a community."""

    community = models.ForeignKey(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="compounds",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    household_count = models.PositiveIntegerField(_("households"), default=0)

    class Meta:
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="compound_unique_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.region_code = self.community.code
        super().save(*args, **kwargs)


class Household(models.Model):
    """An address where elders live (level 4 below the community), with its location."""

    community = models.ForeignKey(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="households",
        limit_choices_to={"level": Region.Level.COMMUNITY},
    )
    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="households",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(fields=["community", "address"], name="household_unique_address")
        ]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs):
        self.region_code = self.community.code
        super().save(*args, **kwargs)
