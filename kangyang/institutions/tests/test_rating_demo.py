"""The rating's demo data: the example card, decided evaluations with a spread of stars, some
self-assessments in progress; deterministic, and seeding again adds nothing twice."""

import datetime as dt
import random

from django.utils import timezone

from kangyang.institutions import demo_rating
from kangyang.institutions.models import Institution, RatingReview, Scorecard


def _institutions(tree, community_a, community_b, provider_org, n=40):
    return [Institution.objects.create(
        organisation=provider_org, name=f"演示养老院{k:02d}", kind=Institution.Kind.CARE_HOME,
        ownership=Institution.Ownership.PRIVATE, operating_model=Institution.OperatingModel.PRIVATE_RUN,
        community=c, region_code=c.code) for k, c in enumerate([community_a, community_b] * (n // 2))]


def _outcome():
    return sorted((r.institution.name, r.kind, r.status, r.points, r.stars, r.decided_on)
                  for r in RatingReview.objects.select_related("institution"))


def test_demo_rates_most_institutions_with_a_spread_of_stars(tree, community_a, community_b, provider_org):
    homes = _institutions(tree, community_a, community_b, provider_org)
    text = demo_rating.seed(district=tree, rng=random.Random(7), elders=100)
    assert "已评定星级的机构" in text
    card = Scorecard.objects.get()
    assert card.is_example
    decided = RatingReview.objects.filter(kind="assessors", status="decided")
    assert len(homes) * 0.6 <= decided.count() < len(homes)
    assert Institution.objects.filter(rating_reviews__isnull=True).exists(), "a few never reviewed"
    today = timezone.localdate()
    assert all(today - dt.timedelta(days=730) <= r.decided_on <= today for r in decided)
    for review in decided.select_related("institution"):
        assert (review.institution.stars, review.institution.rated_on) == (review.stars, review.decided_on)
        assert review.scores.exists()
    stars = set(decided.values_list("stars", flat=True))
    assert len(stars - {0}) >= 4, stars
    assert decided.filter(stars=0, veto_failed=True).exists(), "some are not rated after a failed veto item"
    assert RatingReview.objects.filter(kind="self", status="draft").exists()
    assert RatingReview.objects.filter(kind="self", status="submitted").count() == decided.count()

    # Seeding again adds nothing to institutions already reviewed, …
    first = _outcome()
    demo_rating.seed(district=tree, rng=random.Random(99), elders=100)
    assert _outcome() == first
    # … and the same seed gives the same data.
    RatingReview.objects.all().delete()
    Institution.objects.update(stars=0, rated_on=None)
    demo_rating.seed(district=tree, rng=random.Random(7), elders=100)
    assert _outcome() == first
