"""The credit score of an organisation (信用评分): a plain rule, its weights in one table.

THE WEIGHTS ARE OUR OWN, an example for the demo and the first installations: no official
scoring rule of the civil-affairs credit system is in our hands. The bureau may change
them here (one table, documented) without touching anything else.

Every organisation starts from BASE points. Over the twelve months before the day of the
computation (WINDOW_DAYS), it loses points for

* each inspection of its institutions done with problems found (outcome "problems") and
  each with serious problems (outcome "serious");
* each hazard found at its institutions, by severity; a hazard overdue on the day (open or
  awaiting re-check past its deadline) counts double;
* each home-service complaint against its provider (kangyang.services Complaint, through the
  provider's organisation);

and gains points for the star rating of its institutions (the best of them, Institution.stars).
The score is clamped to 0…100.

Bands (Organisation.credit_status):

* GOOD       score ≥ 80
* WATCHED    60 ≤ score < 80  (under watch: the bureau follows it closely)
* DISHONEST  score < 60       (the credit page proposes the blacklist; only the bureau
                              admin decides it, never this rule)
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

BASE = 100
WINDOW_DAYS = 365

# name: (points per case, what it counts) — negative take away, positive add.
WEIGHTS: dict[str, tuple[int, object]] = {
    "inspection_problems": (-3, _("an inspection that found problems to put right")),
    "inspection_serious": (-10, _("an inspection that found serious problems")),
    "hazard_minor": (-1, _("a minor hazard")),
    "hazard_major": (-3, _("a major hazard")),
    "hazard_serious": (-8, _("a serious hazard")),
    "complaint": (-2, _("a home-service complaint against its provider")),
    "star": (2, _("each star of its best-rated institution")),
}
OVERDUE_FACTOR = 2  # an overdue hazard counts this many times

GOOD_FROM = 80
WATCHED_FROM = 60


@dataclass(frozen=True)
class Counts:
    """What the score is computed from, for one organisation."""

    inspection_problems: int = 0
    inspection_serious: int = 0
    hazards: dict | None = None  # severity → (count, of which overdue)
    complaints: int = 0
    stars: int = 0


def score(counts: Counts) -> tuple[int, dict]:
    """(score, parts): the parts keep each term's points and the count behind it."""
    hazards = counts.hazards or {}
    inspections = (counts.inspection_problems * WEIGHTS["inspection_problems"][0]
                   + counts.inspection_serious * WEIGHTS["inspection_serious"][0])
    hazard_points = 0
    hazard_counts = {}
    for severity in ("minor", "major", "serious"):
        total, overdue = hazards.get(severity, (0, 0))
        weighted = (total - overdue) + overdue * OVERDUE_FACTOR
        hazard_points += weighted * WEIGHTS[f"hazard_{severity}"][0]
        hazard_counts[severity] = {"count": total, "overdue": overdue}
    complaints = counts.complaints * WEIGHTS["complaint"][0]
    rating = counts.stars * WEIGHTS["star"][0]
    raw = BASE + inspections + hazard_points + complaints + rating
    value = max(0, min(100, raw))
    parts = {
        "base": BASE,
        "inspections": inspections,
        "hazards": hazard_points,
        "complaints": complaints,
        "rating": rating,
        "counts": {
            "inspection_problems": counts.inspection_problems,
            "inspection_serious": counts.inspection_serious,
            "hazards": hazard_counts,
            "complaints": counts.complaints,
            "stars": counts.stars,
        },
    }
    return value, parts


def band(value: int) -> str:
    """The credit status (Organisation.CreditStatus value) of a score."""
    if value >= GOOD_FROM:
        return "good"
    if value >= WATCHED_FROM:
        return "watched"
    return "dishonest"
