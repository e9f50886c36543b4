"""Pages: the star rating (GB/T 37276). The list of institutions with their stars, an
institution's rating page (history, self vs assessors), the review form (tablet-friendly),
starting a self-assessment or an evaluation, and the bureau's decision."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kangyang.accounts import scope
from kangyang.institutions.actions import rating as actions
from kangyang.institutions.files import file_response
from kangyang.institutions.forms.rating import AppointForm, DecideForm, ReviewForm
from kangyang.institutions.models import Institution, RatingReview, Scorecard
from kangyang.institutions.queries import rating as queries

PER_PAGE = 50


def _error_text(e: ValidationError) -> str:
    return " ".join(e.messages)


@login_required
def rating_list(request):
    if not scope.may_open_rating(request.user):
        raise PermissionDenied
    filters = {k: request.GET.get(k, "").strip() for k in ("stars", "kind", "state", "q")}
    page = Paginator(queries.institutions_for_rating(request.user, **filters), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "institutions/rating/list.html", {
        "page_obj": page, "filters": filters, "kinds": Institution.Kind.choices, "star_choices": range(6),
        "querystring": urlencode({k: v for k, v in filters.items() if v}),
        "card": Scorecard.objects.filter(active=True).first(),
    })


@login_required
def institution_rating(request, institution_id: int):
    institution = queries.get_institution_for_rating(request.user, institution_id)
    reviews = queries.reviews_of(institution, request.user)
    user = request.user
    can_appoint = scope.decides_rating(user, institution)
    return render(request, "institutions/rating/institution.html", {
        "institution": institution, "reviews": reviews, "comparison": queries.comparison(reviews),
        "can_self_assess": scope.fills_self_assessment(user, institution),
        "can_appoint": can_appoint,
        "appoint_form": AppointForm(institution=institution) if can_appoint else None,
        "evaluation_open": any(r.kind == "assessors" and r.status != "decided" for r in reviews),
    })


@require_POST
@login_required
def start_self_assessment(request, institution_id: int):
    institution = queries.get_institution_for_rating(request.user, institution_id)
    if not scope.fills_self_assessment(request.user, institution):
        raise PermissionDenied
    try:
        review = actions.start_self_assessment(institution, by=request.user)
    except ValidationError as e:
        messages.error(request, _error_text(e))
        return redirect("institutions:rating_institution", institution.pk)
    return redirect("institutions:rating_review", review.pk)


@require_POST
@login_required
def start_evaluation(request, institution_id: int):
    institution = queries.get_institution_for_rating(request.user, institution_id)
    if not scope.decides_rating(request.user, institution):
        raise PermissionDenied
    form = AppointForm(request.POST, institution=institution)
    if form.is_valid():
        try:
            review = actions.start_evaluation(institution, by=request.user, assessors=form.cleaned_data["assessors"],
                                              scorecard=form.cleaned_data["scorecard"])
        except ValidationError as e:
            messages.error(request, _error_text(e))
        else:
            messages.success(request, _("Assessors appointed: the evaluation has started."))
            return redirect("institutions:rating_review", review.pk)
    else:
        messages.error(request, _("Choose at least one assessor and a scorecard."))
    return redirect("institutions:rating_institution", institution.pk)


@login_required
def review_page(request, review_id: int):
    """The review: read-only once submitted; while being filled in, the form for those who may
    fill it (POST saves; with `submit`, also hands it in)."""
    review = queries.get_review_for(request.user, review_id)
    may_fill = review.status == RatingReview.Status.DRAFT and scope.fills_rating_review(request.user, review)
    sections = list(queries.card_sections(review.scorecard))
    form = None
    if may_fill:
        form = ReviewForm(request.POST or None, request.FILES or None, review=review, sections=sections)
        if request.method == "POST":
            if form.is_valid():
                try:
                    actions.record_scores(review, by=request.user, answers=form.answers())
                    if "submit" in request.POST:
                        actions.submit_review(review, by=request.user)
                        messages.success(request, _("Submitted."))
                    else:
                        messages.success(request, _("Saved."))
                    return redirect("institutions:rating_review", review.pk)
                except ValidationError as e:
                    form.add_error(None, e)
    elif request.method == "POST":
        raise PermissionDenied
    scores = {s.item_id: s for s in review.scores.all()}
    per_section = queries.section_points([review])[review.pk]
    read_rows = [(section, per_section.get(section.pk, 0), [(item, scores.get(item.id)) for item in section.items.all()])
                 for section in sections]
    return render(request, "institutions/rating/review.html", {
        "review": review, "institution": review.institution, "form": form, "read_rows": read_rows, "assessors": list(review.assessors.all()),
        "can_decide": review.kind == "assessors" and review.status == "submitted"
        and scope.decides_rating(request.user, review.institution),
        "decide_form": DecideForm(),
    }, status=400 if form is not None and form.errors else 200)


@require_POST
@login_required
def decide(request, review_id: int):
    review = queries.get_review_for(request.user, review_id)
    if not scope.decides_rating(request.user, review.institution):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            actions.decide_review(review, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as e:
            messages.error(request, _error_text(e))
        else:
            messages.success(request, _("Decided: the institution's rating is now %(n)d stars.") % {"n": review.stars})
    return redirect("institutions:rating_institution", review.institution_id)


@login_required
def attachment(request, review_id: int, item_id: int):
    """The evidence attached to one item of a review, to those who may see the review."""
    review = queries.get_review_for(request.user, review_id)
    return file_response(get_object_or_404(review.scores, item_id=item_id).attachment)


urlpatterns = [
    path("rating/", rating_list, name="rating"),
    path("rating/<int:institution_id>/", institution_rating, name="rating_institution"),
    path("rating/<int:institution_id>/self-assessment/", start_self_assessment, name="rating_start_self"),
    path("rating/<int:institution_id>/evaluation/", start_evaluation, name="rating_start_evaluation"),
    path("rating/reviews/<int:review_id>/", review_page, name="rating_review"),
    path("rating/reviews/<int:review_id>/decide/", decide, name="rating_decide"),
    path("rating/reviews/<int:review_id>/files/<int:item_id>/", attachment, name="rating_attachment"),
]
