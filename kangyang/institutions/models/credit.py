"""Credit (信用): an organisation's score from its institutions' inspections and hazards
(overdue ones count double), complaints (home-service complaints against the same
organisation too) and ratings. Each computation is kept with its parts, so a score explains
itself; the blacklist itself lives on the organisation (accounts.Organisation)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["CreditScore"]


class CreditScore(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", verbose_name=_("organisation"),
                                     on_delete=models.CASCADE, related_name="credit_scores")
    score = models.SmallIntegerField(_("score"))
    # {"inspections": -10, "hazards": -12, "complaints": -4, "rating": 5, ...} and the counts behind them.
    parts = models.JSONField(_("parts of the score"), default=dict)
    computed_on = models.DateField(_("computed on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("credit score")
        verbose_name_plural = _("credit scores")
        ordering = ["organisation", "-computed_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "computed_on"], name="credit_score_daily")]
        get_latest_by = "computed_on"
