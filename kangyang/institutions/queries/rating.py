"""Reads of the star rating: the gates (institution and review for a user), the list of
institutions with their stars and reviews, an institution's history with points per section,
and the public history the disclosure pages show."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.institutions.models import Institution, RatingReview, RatingScore, Scorecard

S = RatingReview.Status
K = RatingReview.Kind


def get_institution_for_rating(user, institution_id: int) -> Institution:
    """The institution, if the user may open the rating pages and see it (else 403 / 404)."""
    if not scope.may_open_rating(user):
        raise PermissionDenied
    return get_object_or_404(Institution.objects.visible_to(user).select_related("organisation"), pk=institution_id)


def get_review_for(user, review_id: int) -> RatingReview:
    if not scope.may_open_rating(user):
        raise PermissionDenied
    review = get_object_or_404(
        RatingReview.objects.select_related("institution", "institution__organisation", "scorecard", "by")
        .filter(institution__in=Institution.objects.visible_to(user)), pk=review_id)
    if not scope.sees_rating_review(user, review):
        raise Http404
    return review


def institutions_for_rating(user, *, stars: str = "", kind: str = "", state: str = "", q: str = "") -> QuerySet:
    """The institutions the user sees, with their last decided review and reviews in progress.
    `stars`: "0".."5"; `state`: "in_progress" (a review under way), "never" (never rated),
    "rated"."""
    qs = Institution.objects.visible_to(user).annotate(
        last_review_on=Max("rating_reviews__decided_on", filter=Q(rating_reviews__status=S.DECIDED)),
        in_progress=Count("rating_reviews", filter=~Q(rating_reviews__status=S.DECIDED)
                          & ~Q(rating_reviews__kind=K.SELF, rating_reviews__status=S.SUBMITTED)),
    ).order_by("region_code", "name")
    if stars in {"0", "1", "2", "3", "4", "5"}:
        qs = qs.filter(stars=int(stars))
    if kind in Institution.Kind.values:
        qs = qs.filter(kind=kind)
    q = q.replace("\x00", "").strip()[:100]  # a NUL is no part of a name (PostgreSQL refuses it)
    if q:
        qs = qs.filter(name__icontains=q)
    if state == "in_progress":
        qs = qs.filter(in_progress__gt=0)
    elif state == "never":
        qs = qs.filter(rated_on__isnull=True)
    elif state == "rated":
        qs = qs.filter(rated_on__isnull=False)
    return qs


def reviews_of(institution: Institution, user=None) -> list[RatingReview]:
    """Every review of the institution, newest first (those the user may see)."""
    reviews = list(institution.rating_reviews.select_related("scorecard", "by").prefetch_related("assessors")
                   .order_by("-started_at", "-id"))
    if user is not None:
        reviews = [r for r in reviews if scope.sees_rating_review(user, r)]
    return reviews


def section_points(reviews: list[RatingReview]) -> dict[int, dict[int, int]]:
    """{review id: {section id: points}} for the reviews, in one query."""
    out: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for review_id, section_id, points in RatingScore.objects.filter(
            review__in=[r.pk for r in reviews], passed=True).values_list("review_id", "item__section_id", "points"):
        out[review_id][section_id] += points
    return out


@dataclass
class Comparison:
    """The latest self-assessment beside the latest assessors' evaluation on the same card."""

    card: Scorecard
    self_review: RatingReview | None
    assessors_review: RatingReview | None
    rows: list = field(default_factory=list)  # [(section, maximum, self points, assessors' points)]


def comparison(reviews: list[RatingReview]) -> Comparison | None:
    evaluation = next((r for r in reviews if r.kind == K.ASSESSORS and r.status != S.DRAFT), None)
    selves = [r for r in reviews if r.kind == K.SELF and r.status == S.SUBMITTED]
    if evaluation is not None:
        self_review = next((r for r in selves if r.scorecard_id == evaluation.scorecard_id), None)
    else:
        self_review = selves[0] if selves else None
    card = (evaluation or self_review).scorecard if (evaluation or self_review) else None
    if card is None:
        return None
    points = section_points([r for r in (self_review, evaluation) if r])
    rows = []
    for section in card.sections.prefetch_related("items"):
        maximum = sum(i.points for i in section.items.all())
        rows.append((section, maximum,
                     points[self_review.pk][section.pk] if self_review else None,
                     points[evaluation.pk][section.pk] if evaluation else None))
    return Comparison(card=card, self_review=self_review, assessors_review=evaluation, rows=rows)


def card_sections(card: Scorecard):
    """The card's sections with their items, in order."""
    return card.sections.prefetch_related("items").order_by("order", "id")


def public_history(institution: Institution) -> list[dict]:
    """The decided assessors' reviews of the institution, newest first, for the public pages:
    nothing about who assessed. `is_example`: the card is an example, not the official
    weights of GB/T 37276 — say so beside the result."""
    return [
        {"date": r.decided_on, "stars": r.stars, "points": r.points, "veto_failed": r.veto_failed,
         "card": r.scorecard.name,
         "card_version": r.scorecard.version, "is_example": r.scorecard.is_example}
        for r in institution.rating_reviews.filter(kind=K.ASSESSORS, status=S.DECIDED)
        .select_related("scorecard").order_by("-decided_on", "-id")
    ]
