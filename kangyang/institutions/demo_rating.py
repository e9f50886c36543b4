"""Demo data of the institutions' rating topic (kangyang/institutions/demo.py calls it).

The example card (not the official weights of GB/T 37276), and for most institutions of the
district a decided assessors' evaluation in the past two years — preceded by the institution's
self-assessment — with a spread of one to five stars and a few not rated (a failed veto item);
some institutions have a new self-assessment being filled in. Institutions that already have a
review are left alone, so seeding again adds only what is missing. Deterministic from `rng`."""

import datetime as dt
import zlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.institutions import rating
from kangyang.institutions.actions import rating as actions
from kangyang.institutions.models import Institution, RatingReview, RatingScore, ScorecardItem

# How well an institution does, as the share of each item's points it earns, per target level;
# None: fails a veto item (not rated).
QUALITY = [None, 0.35, 0.55, 0.70, 0.84, 0.95]
WEIGHTS = [1, 2, 3, 4, 3, 2]


def _answers(items, rng, share: float | None, *, optimism: float = 0.0) -> dict:
    failed_veto = rng.choice([i.id for i in items if i.veto]) if share is None else None
    share = 0.75 if share is None else share
    out = {}
    for item in items:
        if item.veto:
            out[item.id] = rating.Answer(points=0, passed=item.id != failed_veto)
        else:
            f = min(1.0, max(0.0, share + optimism + rng.uniform(-0.06, 0.06)))
            out[item.id] = rating.Answer(points=round(item.points * f), passed=True)
    return out


def _review(institution, card, items, answers, *, kind, status, started: dt.datetime, decided_on=None):
    result = rating.score(card, answers, items=items)
    review = RatingReview.objects.create(
        institution=institution, scorecard=card, kind=kind, status=status, points=result.points,
        veto_failed=result.veto_failed, stars=result.stars, started_at=started,
        submitted_at=None if status == RatingReview.Status.DRAFT else started + dt.timedelta(days=7),
        decided_on=decided_on)
    RatingScore.objects.bulk_create([
        RatingScore(review=review, item_id=item_id, points=a.points, passed=a.passed,
                    evidence="现场查看，资料齐全" if a.passed else "未提供合格证明")
        for item_id, a in answers.items()])
    return review


def _never_reviewed(institution) -> bool:
    """About one in ten institutions has never been reviewed. Decided from the institution itself
    (not the stream), so that seeding again leaves the same ones alone."""
    return zlib.crc32(f"{institution.region_code}:{institution.name}".encode()) % 10 == 0


@transaction.atomic
def seed(*, district, rng, elders: int) -> str:
    card = actions.ensure_example_scorecard()
    items = list(ScorecardItem.objects.filter(section__scorecard=card).order_by("section__order", "order"))
    today = timezone.localdate()
    now = timezone.now()
    institutions = (Institution.objects.filter(region_code__startswith=district.prefix)
                    .exclude(rating_reviews__isnull=False).order_by("id"))
    decided = drafts = 0
    for institution in institutions:
        if _never_reviewed(institution):
            continue
        roll = rng.random()
        if roll < 0.85:
            level = rng.choices(range(6), weights=WEIGHTS)[0]
            decided_on = today - dt.timedelta(days=rng.randint(20, 700))
            started = timezone.make_aware(dt.datetime.combine(decided_on - dt.timedelta(days=rng.randint(20, 40)), dt.time(9)))
            _review(institution, card, items, _answers(items, rng, QUALITY[level], optimism=0.05),
                    kind=RatingReview.Kind.SELF, status=RatingReview.Status.SUBMITTED, started=started)
            evaluation = _review(institution, card, items, _answers(items, rng, QUALITY[level]),
                                 kind=RatingReview.Kind.ASSESSORS, status=RatingReview.Status.DECIDED,
                                 started=started + dt.timedelta(days=10), decided_on=decided_on)
            Institution.objects.filter(pk=institution.pk).update(stars=evaluation.stars, rated_on=decided_on)
            decided += 1
        if roll < 0.15 or roll >= 0.85:
            share = rng.choice(QUALITY[2:])
            part = {k: v for k, v in _answers(items, rng, share).items() if rng.random() < 0.6}
            _review(institution, card, items, part, kind=RatingReview.Kind.SELF, status=RatingReview.Status.DRAFT,
                    started=now - dt.timedelta(days=rng.randint(1, 20)))
            drafts += 1
    return _("%(rated)d institutions rated, %(drafts)d self-assessments in progress (example scorecard)") % {
        "rated": decided, "drafts": drafts}
