"""Writes of the star rating: the example card, starting reviews (the institution's
self-assessment, the assessors' evaluation), recording scores, submitting, and the bureau's
decision that sets the institution's stars. Every change is audited; the rules of who may do
what are in kangyang.accounts.scope (section `rating`), checked by the views before they call
these."""

from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.institutions import rating
from kangyang.institutions.models import (
    Institution, RatingReview, RatingScore, Scorecard, ScorecardItem, ScorecardSection,
)

EXAMPLE_CARD = Path(__file__).resolve().parent.parent / "data" / "example_scorecard.yaml"

S = RatingReview.Status
K = RatingReview.Kind


@transaction.atomic
def load_scorecard(data: dict) -> Scorecard:
    """A scorecard from its description (the shape of data/example_scorecard.yaml). The same
    name and version again returns the card already there, unchanged."""
    existing = Scorecard.objects.filter(name=data["name"], version=str(data.get("version", "1"))).first()
    if existing is not None:
        return existing
    total = sum(int(i.get("points", 0)) for s in data["sections"] for i in s["items"])
    thresholds = rating.check_thresholds(data["thresholds"], int(data.get("veto_cap", 0)), total=total)
    card = Scorecard.objects.create(
        name=data["name"], version=str(data.get("version", "1")), is_example=bool(data.get("is_example", True)),
        thresholds=thresholds, veto_cap=int(data.get("veto_cap", 0)))
    for s_order, s in enumerate(data["sections"], start=1):
        section = ScorecardSection.objects.create(scorecard=card, order=s_order, name=s["name"])
        ScorecardItem.objects.bulk_create([
            ScorecardItem(section=section, order=i_order, code=str(i["code"]), text=i["text"],
                          points=int(i.get("points", 0)), evidence=i.get("evidence", ""), veto=bool(i.get("veto", False)))
            for i_order, i in enumerate(s["items"], start=1)])
    return card


def ensure_example_scorecard() -> Scorecard:
    """The demo's example card (not the official weights of GB/T 37276), loaded once."""
    with EXAMPLE_CARD.open(encoding="utf-8") as f:
        return load_scorecard(yaml.safe_load(f))


def _card_for_new_review(scorecard: Scorecard | None) -> Scorecard:
    card = scorecard or Scorecard.objects.filter(active=True).first() or ensure_example_scorecard()
    if not card.active:
        raise ValidationError(_("This scorecard is no longer in use."), code="inactive_card")
    return card


@transaction.atomic
def start_self_assessment(institution: Institution, *, by, scorecard: Scorecard | None = None) -> RatingReview:
    """The institution begins assessing itself. One at a time: while one is being filled in,
    starting again returns it."""
    open_one = institution.rating_reviews.filter(kind=K.SELF, status=S.DRAFT).first()
    if open_one is not None:
        return open_one
    review = RatingReview.objects.create(
        institution=institution, scorecard=_card_for_new_review(scorecard), kind=K.SELF, by=by)
    record(by, AuditEntry.Action.CREATE, review,
           verb="rating.self_assessment.start", region_code=institution.region_code)
    return review


def _check_assessors(institution: Institution, assessors) -> list:
    assessors = list(assessors)
    if not assessors:
        raise ValidationError(_("Appoint at least one assessor."), code="no_assessor")
    for user in assessors:
        if not scope.may_assess_rating(user, institution):
            raise ValidationError(
                _("%(name)s cannot be an assessor of this institution.") % {"name": user.full_name or user.username},
                code="not_assessor")
    return assessors


@transaction.atomic
def start_evaluation(institution: Institution, *, by, assessors, scorecard: Scorecard | None = None,
                     started_at=None) -> RatingReview:
    """The bureau appoints assessors (inspectors or bureau admins of the area) to evaluate the
    institution. One evaluation at a time: another may start only once the last is decided."""
    if institution.rating_reviews.filter(kind=K.ASSESSORS).exclude(status=S.DECIDED).exists():
        raise ValidationError(_("An assessors' evaluation of this institution is already under way."), code="in_progress")
    assessors = _check_assessors(institution, assessors)
    review = RatingReview.objects.create(
        institution=institution, scorecard=_card_for_new_review(scorecard), kind=K.ASSESSORS, by=by,
        started_at=started_at or timezone.now())
    review.assessors.set(assessors)
    record(by, AuditEntry.Action.CREATE, review,
           verb="rating.evaluation.start", region_code=institution.region_code,
           changes={"assessors": [u.pk for u in assessors]})
    return review


@transaction.atomic
def appoint_assessors(review: RatingReview, *, by, assessors) -> RatingReview:
    """Change who evaluates, while the evaluation is not decided."""
    if review.kind != K.ASSESSORS or review.status == S.DECIDED:
        raise ValidationError(_("Assessors are appointed only to an evaluation not yet decided."), code="not_open")
    assessors = _check_assessors(review.institution, assessors)
    review.assessors.set(assessors)
    record(by, AuditEntry.Action.CHANGE, review,
           verb="rating.evaluation.appoint", region_code=review.institution.region_code,
           changes={"assessors": [u.pk for u in assessors]})
    return review


def rescore(review: RatingReview) -> rating.Result:
    """Recompute the review's points, veto and stars from its scores (and store them)."""
    result = rating.score(review.scorecard, {s.item_id: s for s in review.scores.all()})
    review.points, review.veto_failed, review.stars = result.points, result.veto_failed, result.stars
    review.save(update_fields=["points", "veto_failed", "stars"])
    return result


def _lock(review: RatingReview) -> None:
    """Lock the review's row and read its status again (two submissions or decisions at once:
    the second sees the first's)."""
    review.status = RatingReview.objects.select_for_update().values_list("status", flat=True).get(pk=review.pk)


@transaction.atomic
def record_scores(review: RatingReview, *, by, answers: dict) -> RatingReview:
    """Record what the reviewer gave each item ({item id: {"points", "passed", "evidence",
    "attachment"}}); points above the item's maximum are capped. Only while being filled in."""
    _lock(review)
    if review.status != S.DRAFT:
        raise ValidationError(_("This review has been submitted and can no longer be changed."), code="not_draft")
    items = {i.id: i for i in ScorecardItem.objects.filter(section__scorecard_id=review.scorecard_id)}
    existing = {s.item_id: s for s in review.scores.all()}
    for item_id, given in answers.items():
        item = items.get(item_id)
        if item is None:
            raise ValidationError(_("That item is not on this review's scorecard."), code="unknown_item")
        score = existing.get(item_id) or RatingScore(review=review, item=item)
        score.points = 0 if item.veto else max(0, min(int(given.get("points") or 0), item.points))
        score.passed = bool(given.get("passed", True)) if item.veto else True
        score.evidence = given.get("evidence", score.evidence) or ""
        if given.get("attachment"):
            score.attachment = given["attachment"]
        score.save()
    rescore(review)
    record(by, AuditEntry.Action.CHANGE, review,
           verb="rating.scores", region_code=review.institution.region_code,
           changes={"points": review.points, "stars": review.stars})
    return review


@transaction.atomic
def submit_review(review: RatingReview, *, by) -> RatingReview:
    """Hand the review in: a self-assessment is then final; an evaluation awaits the bureau's
    decision. Every veto item must have been answered."""
    if review.status != S.DRAFT:
        raise ValidationError(_("This review has already been submitted."), code="not_draft")
    answered = set(review.scores.values_list("item_id", flat=True))
    missing = ScorecardItem.objects.filter(section__scorecard_id=review.scorecard_id, veto=True).exclude(id__in=answered)
    if missing.exists():
        raise ValidationError(_("Answer every veto item before submitting."), code="veto_unanswered")
    rescore(review)
    review.status = S.SUBMITTED
    review.submitted_at = timezone.now()
    review.save(update_fields=["status", "submitted_at"])
    record(by, AuditEntry.Action.CHANGE, review,
           verb="rating.submit", region_code=review.institution.region_code)
    return review


@transaction.atomic
def decide_review(review: RatingReview, *, by, note: str = "", on=None) -> RatingReview:
    """The bureau decides a submitted evaluation: its stars become the institution's rating
    (`Institution.stars`, `rated_on`), audited with the stars before and after."""
    _lock(review)
    if review.kind != K.ASSESSORS:
        raise ValidationError(_("Only an assessors' evaluation can be decided."), code="not_evaluation")
    if review.status != S.SUBMITTED:
        raise ValidationError(_("Only a submitted evaluation can be decided."), code="not_submitted")
    rescore(review)
    on = on or timezone.localdate()
    review.status = S.DECIDED
    review.decided_on = on
    review.note = note
    review.save(update_fields=["status", "decided_on", "note"])
    institution = Institution.objects.select_for_update().get(pk=review.institution_id)
    before = institution.stars
    institution.stars = review.stars
    institution.rated_on = on
    institution.save(update_fields=["stars", "rated_on", "updated_at"])
    record(by, AuditEntry.Action.CHANGE, institution, verb="rating.decide",
           region_code=institution.region_code, note=note,
           changes={"review": review.pk, "stars": [before, review.stars], "points": review.points,
                    "example_card": review.scorecard.is_example})
    return review
