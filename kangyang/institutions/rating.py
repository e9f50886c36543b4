"""The scoring rules of the star rating (等级评定, GB/T 37276): points → stars, with veto items.

Plain functions, no database access beyond reading the card's items when they are not given:
the actions, the pages and the demo all score through `score()`.

* Each item's points are capped at the item's maximum (and never below zero).
* The stars are the highest level whose threshold the points reach (`card.thresholds`, e.g.
  {"1": 150, "2": 250, "3": 325, "4": 400, "5": 450}); below the one-star threshold: 0, not rated.
* A failed veto item earns no points and caps the stars at `card.veto_cap` (0: not rated at
  all, as GB/T 37276-2018 treats an institution that fails a prerequisite).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Answer:
    """What a reviewer gave one item: points, and for a veto item whether it is met."""

    points: int = 0
    passed: bool = True


@dataclass(frozen=True)
class Result:
    points: int
    veto_failed: bool
    stars: int


def stars_for(points: int, thresholds: Mapping) -> int:
    """The highest level whose threshold `points` reach; 0 when none is reached."""
    stars = 0
    for level in LEVELS:
        needed = thresholds.get(str(level), thresholds.get(level))
        if needed is not None and points >= int(needed):
            stars = level
    return stars


def score(card, answers: Mapping, *, items: Iterable | None = None) -> Result:
    """Score `answers` ({item id: Answer, or anything with .points and .passed, or an int of
    points}) on `card`. Items without an answer earn nothing and pass."""
    if items is None:
        from kangyang.institutions.models import ScorecardItem

        items = ScorecardItem.objects.filter(section__scorecard=card)
    points = 0
    veto_failed = False
    for item in items:
        answer = answers.get(item.id)
        if answer is None:
            continue
        given = answer if isinstance(answer, int) else getattr(answer, "points", 0) or 0
        passed = True if isinstance(answer, int) else bool(getattr(answer, "passed", True))
        if item.veto and not passed:
            veto_failed = True
            continue
        points += max(0, min(int(given), item.points))
    stars = stars_for(points, card.thresholds or {})
    if veto_failed:
        stars = min(stars, card.veto_cap)
    return Result(points=points, veto_failed=veto_failed, stars=stars)


def check_thresholds(thresholds, veto_cap: int | None = None, *, total: int | None = None) -> dict:
    """The thresholds as {"1": n, …, "5": n}, or a ValidationError: all five levels, whole
    numbers ≥ 0, rising with the stars, the top one reachable when the card's `total` is known;
    the veto cap between 0 and 4 (a cap of five would be no cap)."""
    if not isinstance(thresholds, Mapping):
        raise ValidationError(_("Give the points needed for each of one to five stars."), code="thresholds")
    clean = {}
    for level in LEVELS:
        value = thresholds.get(str(level), thresholds.get(level))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError(
                _("The points needed for %(level)d stars must be a whole number of zero or more.") % {"level": level},
                code="thresholds")
        clean[str(level)] = value
    extra = {str(k) for k in thresholds} - set(clean)
    if extra:
        raise ValidationError(_("Only levels one to five have thresholds."), code="thresholds")
    for level in LEVELS[1:]:
        if clean[str(level)] <= clean[str(level - 1)]:
            raise ValidationError(
                _("%(level)d stars must need more points than %(lower)d.") % {"level": level, "lower": level - 1},
                code="thresholds")
    if total is not None and clean["5"] > total:
        raise ValidationError(
            _("Five stars need %(needed)d points but the card has only %(total)d.") % {"needed": clean["5"], "total": total},
            code="thresholds")
    if veto_cap is not None and not 0 <= veto_cap <= 4:
        raise ValidationError(_("After a failed veto item an institution gets at most 0 to 4 stars."), code="veto_cap")
    return clean
