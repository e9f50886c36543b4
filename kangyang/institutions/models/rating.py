"""Star rating (等级评定, GB/T 37276): a configurable scorecard and the reviews made with it.

A `Scorecard` holds sections → items → points, each item with the evidence it asks for; some
items are vetoes (one failed veto item caps the result, whatever the points). Level thresholds
turn points into one to five stars. The official weights are not in our hands: a card the
bureau has not adopted from an official source is marked `is_example` and says so wherever it
is shown.

A `RatingReview` is one pass over a card for one institution: the institution's
self-assessment first, then the assessors' evaluation, whose decision sets the institution's
stars (`Institution.stars`). Every review is kept: the history is public.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models.uploads import Renamed

__all__ = ["Scorecard", "ScorecardSection", "ScorecardItem", "RatingReview", "RatingScore"]


class Scorecard(models.Model):
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=20, default="1")
    is_example = models.BooleanField(
        _("example card"), default=True,
        help_text=_("Not the official weights of GB/T 37276: shown as an example wherever the card or its results appear."))
    # {"1": 0, "2": 300, "3": 500, "4": 700, "5": 850}: the least points for each number of stars.
    thresholds = models.JSONField(_("points needed for each number of stars"), default=dict)
    # The most stars an institution may get when it fails any veto item (0: not rated at all).
    veto_cap = models.PositiveSmallIntegerField(_("stars at most after a failed veto item"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardSection(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("scorecard section")
        verbose_name_plural = _("scorecard sections")
        ordering = ["scorecard", "order", "id"]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    section = models.ForeignKey(ScorecardSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("item"))
    points = models.PositiveIntegerField(_("points"), default=0)
    evidence = models.TextField(_("evidence asked for"), blank=True)
    veto = models.BooleanField(_("veto item"), default=False)

    class Meta:
        verbose_name = _("scorecard item")
        verbose_name_plural = _("scorecard items")
        ordering = ["section", "order", "id"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


class RatingReview(models.Model):
    class Kind(models.TextChoices):
        SELF = "self", _("self-assessment")
        ASSESSORS = "assessors", _("assessors' evaluation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("being filled in")
        SUBMITTED = "submitted", _("submitted")
        DECIDED = "decided", _("decided")

    institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("institution"), on_delete=models.CASCADE, related_name="rating_reviews")
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("scorecard"), on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    points = models.PositiveIntegerField(_("points"), default=0)
    veto_failed = models.BooleanField(_("a veto item failed"), default=False)
    stars = models.PositiveSmallIntegerField(_("stars"), default=0)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    assessors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("assessors"), blank=True, related_name="+")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("rating review")
        verbose_name_plural = _("rating reviews")
        ordering = ["-started_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(stars__lte=5), name="rating_review_stars_at_most_five")]

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()} {self.started_at:%Y-%m-%d}"


class RatingScore(models.Model):
    review = models.ForeignKey(RatingReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ScorecardItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(_("points"), default=0)
    passed = models.BooleanField(_("passed"), default=True, help_text=_("For a veto item: whether it is met."))
    evidence = models.TextField(_("evidence"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=Renamed("institutions/rating"), blank=True)

    class Meta:
        verbose_name = _("rating score")
        verbose_name_plural = _("rating scores")
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="rating_score_once")]
