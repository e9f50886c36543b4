"""Random inspections (双随机、一公开): published pools, a plan's recorded draw, the inspections.

An `InspectorPool` lists the inspectors who may be drawn (published: the public may see who is
in it, not how to reach them). An `InspectionPlan` says which institutions are in its target
pool (by region and kinds, frozen when drawn), how many to draw and how many inspectors each;
drawing records the seed, the frozen pools and the result, so anyone can re-run the draw from
the published seed and pools and get the same result (`kangyang inspections draw --plan ID`).
Conflicts of interest (`Conflict`) are excluded from the inspectors of that institution.

An `Inspection` is one visit (on site or on paper) with its checklist `Answer`s: the nine safety
risks of GB 38600-2019, fire safety, food safety and records. A problem found becomes a hazard
(hazards.Hazard). Results are published once the inspection is closed.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kangyang.institutions.models.uploads import Renamed

__all__ = ["InspectorPool", "Conflict", "InspectionPlan", "Inspection", "Answer"]


class InspectorPool(models.Model):
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="inspector_pools")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspector pool")
        verbose_name_plural = _("inspector pools")
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name


class Conflict(models.Model):
    """An inspector may not inspect an organisation's institutions (worked there, family …)."""

    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("inspector"), on_delete=models.CASCADE, related_name="conflicts")
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    declared_on = models.DateField(_("declared on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["inspector", "organisation"], name="conflict_once")]

    def __str__(self) -> str:
        return f"{self.inspector} × {self.organisation}"


class InspectionPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        DRAWN = "drawn", _("drawn")
        PUBLISHED = "published", _("published")

    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    kinds = models.JSONField(_("kinds of institution"), default=list, blank=True, help_text=_("Empty: every kind."))
    pool = models.ForeignKey(InspectorPool, verbose_name=_("inspector pool"), on_delete=models.PROTECT, related_name="plans")
    target_count = models.PositiveIntegerField(_("institutions to draw"))
    inspectors_per_target = models.PositiveSmallIntegerField(_("inspectors per institution"), default=2)
    due_by = models.DateField(_("inspect by"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The draw, recorded: the seed, the pools as they were (sorted ids) and the conflicts that
    # applied, and the result. Re-running the draw from these gives the same result.
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    target_pool = models.JSONField(_("target pool"), default=list, blank=True, editable=False)
    inspector_pool = models.JSONField(_("inspectors in the pool"), default=list, blank=True, editable=False)
    conflicts = models.JSONField(_("conflicts of interest"), default=list, blank=True, editable=False)
    result = models.JSONField(_("draw"), default=list, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-year", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    class Outcome(models.TextChoices):
        PASSED = "passed", _("no problems found")
        PROBLEMS = "problems", _("problems found, to be put right")
        SERIOUS = "serious", _("serious problems found")

    plan = models.ForeignKey(InspectionPlan, verbose_name=_("inspection plan"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="inspections")
    institution = models.ForeignKey("institutions.Institution", verbose_name=_("institution"),
                                    on_delete=models.PROTECT, related_name="inspections")
    region_code = models.CharField(_("region code"), max_length=12, db_index=True, editable=False)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("inspectors"), related_name="inspections")
    on_site = models.BooleanField(_("on site"), default=True)
    due_by = models.DateField(_("inspect by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    done_on = models.DateField(_("inspected on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["institution", "done_on"], name="inspection_inst_done_idx")]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.done_on or self.due_by}"


class Answer(models.Model):
    """One checklist item of an inspection (the items are data: inspections.CHECKLIST)."""

    class Result(models.TextChoices):
        OK = "ok", _("in order")
        PROBLEM = "problem", _("problem found")
        NOT_APPLICABLE = "na", _("not applicable")

    inspection = models.ForeignKey(Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(_("checklist item"), max_length=40)
    result = models.CharField(_("result"), max_length=8, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    photo = models.ImageField(_("photo"), upload_to=Renamed("institutions/inspections"), blank=True)

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="answer_once")]
