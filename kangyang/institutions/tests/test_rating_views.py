"""The star rating through its pages and actions: who may fill in and decide, the decision
setting the institution's stars, the history and the public history."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.institutions.actions import rating as actions
from kangyang.institutions.models import Institution, RatingReview, ScorecardItem
from kangyang.institutions.queries import rating as queries


def _institution(org, community, name):
    return Institution.objects.create(
        organisation=org, name=name, kind=Institution.Kind.CARE_HOME, ownership=Institution.Ownership.PRIVATE,
        operating_model=Institution.OperatingModel.PRIVATE_RUN, community=community, region_code=community.code)


@pytest.fixture
def card(db):
    return actions.ensure_example_scorecard()


@pytest.fixture
def items(card):
    return list(ScorecardItem.objects.filter(section__scorecard=card).order_by("section__order", "order"))


@pytest.fixture
def home_a(provider_org, community_a):
    """Run by the `provider` persona's organisation, in community A."""
    return _institution(provider_org, community_a, "桃花颐养院")


@pytest.fixture
def home_b(community_b):
    """Run by another organisation, in community B."""
    from kangyang.accounts.models import Organisation

    other = Organisation.objects.create(name="朝阳养老服务中心", kind="institution", region=community_b.parent)
    return _institution(other, community_b, "朝阳敬老院")


@pytest.fixture
def home_elsewhere(db):
    """In another district: outside every persona's area."""
    from kangyang.accounts.models import Organisation
    from kangyang.regions.models import Region

    d = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    s = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=d)
    c = Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=s)
    org = Organisation.objects.create(name="洪都养老院有限公司", kind="institution", region=s)
    return _institution(org, c, "洪都养老院")


@pytest.fixture
def inspector_2(tree):
    from kangyang.accounts.models import User

    return User.objects.create_user(username="inspector2", password="x", role="inspector", region=tree, full_name="二号")


def _full_marks(items, *, veto_passed=True) -> dict:
    return {i.id: {"points": i.points, "passed": veto_passed, "evidence": "看过"} for i in items}


def _post_answers(items, *, points_share=1.0, veto="pass") -> dict:
    data = {}
    for i in items:
        if i.veto:
            data[f"v_{i.id}"] = veto
        else:
            data[f"p_{i.id}"] = str(round(i.points * points_share))
        data[f"e_{i.id}"] = "资料齐全"
    return data


# -- who sees what ---------------------------------------------------------------------------
def test_list_shows_each_person_the_institutions_of_their_area(client, card, home_a, home_b, home_elsewhere,
                                                               admin, provider, worker_b):
    client.force_login(admin)
    page = client.get("/institutions/rating/").text
    assert home_a.name in page and home_b.name in page and home_elsewhere.name not in page
    assert "data-example-card" in page
    client.force_login(provider)
    page = client.get("/institutions/rating/").text
    assert home_a.name in page and home_b.name not in page
    client.force_login(worker_b)
    page = client.get("/institutions/rating/").text
    assert home_b.name in page and home_a.name not in page


def test_hostile_filters_of_the_list_are_ignored_not_a_500(client, card, home_a, admin):
    client.force_login(admin)
    for query in ({"stars": "²"}, {"stars": "9" * 30}, {"q": "颐养" * 200}, {"state": ["a", "b"]}):
        assert client.get("/institutions/rating/", query).status_code == 200, query
    # A NUL byte is refused before any view, in words (the site's middleware).
    assert client.get("/institutions/rating/", {"q": "颐\x00养"}).status_code == 400


def test_list_filters_by_stars_and_state(client, card, home_a, home_b, admin):
    Institution.objects.filter(pk=home_a.pk).update(stars=4, rated_on=timezone.localdate())
    client.force_login(admin)
    page = client.get("/institutions/rating/?stars=4").text
    assert home_a.name in page and home_b.name not in page
    page = client.get("/institutions/rating/?state=never").text
    assert home_b.name in page and home_a.name not in page
    assert client.get("/institutions/rating/?stars=x&state=<script>&kind=zz&page=999").status_code == 200


def test_people_without_a_part_in_supervision_get_403(client, card, caregiver, elder, volunteer):
    for user in (caregiver, elder, volunteer):
        client.force_login(user)
        assert client.get("/institutions/rating/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client, home_a):
    assert client.get(f"/institutions/rating/{home_a.pk}/").status_code == 302


def test_an_institution_outside_the_area_is_404(client, card, home_a, home_b, home_elsewhere, admin, provider, worker_a):
    client.force_login(worker_a)
    assert client.get(f"/institutions/rating/{home_b.pk}/").status_code == 404
    assert client.get(f"/institutions/rating/{home_a.pk}/").status_code == 200
    client.force_login(provider)
    assert client.get(f"/institutions/rating/{home_b.pk}/").status_code == 404
    assert client.post(f"/institutions/rating/{home_b.pk}/self-assessment/").status_code == 404
    client.force_login(admin)
    assert client.get(f"/institutions/rating/{home_elsewhere.pk}/").status_code == 404


# -- self-assessment -------------------------------------------------------------------------
def test_provider_fills_in_and_submits_the_self_assessment(client, card, items, home_a, provider):
    client.force_login(provider)
    response = client.post(f"/institutions/rating/{home_a.pk}/self-assessment/")
    review = RatingReview.objects.get(institution=home_a, kind="self")
    assert response.status_code == 302 and response.url == f"/institutions/rating/reviews/{review.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200 and f'name="p_{items[0].id}"' in page.text
    response = client.post(response.url, {**_post_answers(items, points_share=0.7), "submit": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "submitted" and review.points == sum(round(i.points * 0.7) for i in items)
    assert review.stars == 3 and not review.veto_failed  # 351 points on the example card: three stars
    home_a.refresh_from_db()
    assert home_a.stars == 0  # a self-assessment does not rate
    # Submitted: read only.
    assert client.post(f"/institutions/rating/reviews/{review.pk}/", _post_answers(items)).status_code == 403


def test_points_above_the_maximum_are_refused_by_the_form(client, card, items, home_a, provider):
    client.force_login(provider)
    review = actions.start_self_assessment(home_a, by=provider)
    scored = next(i for i in items if not i.veto)
    response = client.post(f"/institutions/rating/reviews/{review.pk}/", {f"p_{scored.id}": str(scored.points + 1)})
    assert response.status_code == 400
    assert not review.scores.exists()


def test_a_veto_item_with_evidence_but_no_verdict_is_refused(client, card, items, home_a, provider):
    client.force_login(provider)
    review = actions.start_self_assessment(home_a, by=provider)
    data = {k: v for k, v in _post_answers(items).items() if not k.startswith("v_")}
    assert client.post(f"/institutions/rating/reviews/{review.pk}/", data).status_code == 400
    assert not review.scores.exists()


def test_submitting_needs_every_veto_item_answered(client, card, items, home_a, provider):
    client.force_login(provider)
    review = actions.start_self_assessment(home_a, by=provider)
    data = {k: v for k, v in _post_answers(items).items() if not k.startswith("v_")}
    data = {k: v for k, v in data.items() if not (k.startswith("e_") and int(k[2:]) in {i.id for i in items if i.veto})}
    response = client.post(f"/institutions/rating/reviews/{review.pk}/", {**data, "submit": "1"})
    assert response.status_code == 400
    review.refresh_from_db()
    assert review.status == "draft"


def test_a_community_worker_reads_but_cannot_fill_a_self_assessment(client, card, items, home_a, provider, worker_a):
    review = actions.start_self_assessment(home_a, by=provider)
    client.force_login(worker_a)
    assert client.get(f"/institutions/rating/reviews/{review.pk}/").status_code == 200
    assert client.post(f"/institutions/rating/reviews/{review.pk}/", _post_answers(items)).status_code == 403
    assert client.post(f"/institutions/rating/{home_a.pk}/self-assessment/").status_code == 403


def test_the_bureau_may_fill_the_self_assessment_on_the_institutions_behalf(client, card, home_a, admin):
    client.force_login(admin)
    assert client.post(f"/institutions/rating/{home_a.pk}/self-assessment/").status_code == 302
    assert RatingReview.objects.filter(institution=home_a, kind="self", by=admin).exists()


# -- assessors' evaluation and decision -------------------------------------------------------
def test_only_the_bureau_admin_appoints_assessors(client, card, home_a, admin, inspector, provider, worker_a):
    for user in (inspector, provider, worker_a):
        client.force_login(user)
        assert client.post(f"/institutions/rating/{home_a.pk}/evaluation/",
                           {"assessors": [inspector.pk], "scorecard": card.pk}).status_code == 403
    client.force_login(admin)
    response = client.post(f"/institutions/rating/{home_a.pk}/evaluation/", {"assessors": [inspector.pk], "scorecard": card.pk})
    review = RatingReview.objects.get(institution=home_a, kind="assessors")
    assert response.status_code == 302 and list(review.assessors.all()) == [inspector]


def test_assessors_are_inspectors_or_bureau_admins_of_the_area(card, home_a, admin, worker_a, inspector):
    with pytest.raises(ValidationError):
        actions.start_evaluation(home_a, by=admin, assessors=[worker_a])
    with pytest.raises(ValidationError):
        actions.start_evaluation(home_a, by=admin, assessors=[])
    actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    with pytest.raises(ValidationError) as e:
        actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    assert e.value.code == "in_progress"


def test_only_appointed_assessors_fill_the_evaluation_and_the_provider_sees_it_only_when_decided(
        client, card, items, home_a, admin, inspector, inspector_2, provider):
    review = actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    url = f"/institutions/rating/reviews/{review.pk}/"
    client.force_login(inspector_2)
    assert client.get(url).status_code == 200
    assert client.post(url, _post_answers(items)).status_code == 403
    client.force_login(provider)
    assert client.get(url).status_code == 404
    client.force_login(inspector)
    page = client.get(url)
    assert 'enctype="multipart/form-data"' in page.text and 'inputmode="numeric"' in page.text
    assert client.post(url, {**_post_answers(items, points_share=0.84), "submit": "1"}).status_code == 302
    review.refresh_from_db()
    assert review.status == "submitted" and (review.points, review.stars) == (419, 4)  # 400–449 on the example card
    # Submitted, not decided: the inspector cannot decide, the provider still cannot see it.
    assert client.post(f"{url}decide/").status_code == 403
    client.force_login(provider)
    assert client.get(url).status_code == 404


def test_an_assessor_attaches_evidence_to_an_item(client, card, items, home_a, admin, inspector):
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    item = items[0]
    client.force_login(inspector)
    client.post(f"/institutions/rating/reviews/{review.pk}/", {
        f"p_{item.id}": "10", f"e_{item.id}": "看过照片", f"a_{item.id}": SimpleUploadedFile("site.jpg", b"\xff\xd8jpeg")})
    score = review.scores.get(item=item)
    assert score.points == 10 and score.evidence == "看过照片" and score.attachment.name.endswith(".jpg")
    assert "site" not in score.attachment.name  # stored under a name of its own, not the uploader's
    # The file through the review's own gate, not a media address: the assessor gets it, the
    # institution's manager not before the decision.
    link = f"/institutions/rating/reviews/{review.pk}/files/{item.id}/"
    assert link in client.get(f"/institutions/rating/reviews/{review.pk}/").content.decode()
    assert b"".join(client.get(link).streaming_content) == b"\xff\xd8jpeg"
    assert client.get(f"/institutions/rating/reviews/{review.pk}/files/{items[1].id}/").status_code == 404
    response = client.post(f"/institutions/rating/reviews/{review.pk}/", {
        f"p_{item.id}": "12", f"a_{item.id}": SimpleUploadedFile("run.sh", b"#!/bin/sh")})
    assert response.status_code == 400
    assert review.scores.get(item=item).points == 10


def test_the_decision_sets_the_institutions_stars_with_an_audit_entry(client, card, items, home_a, admin, inspector):
    review = actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    actions.record_scores(review, by=inspector, answers=_full_marks(items))
    actions.submit_review(review, by=inspector)
    client.force_login(admin)
    page = client.get(f"/institutions/rating/reviews/{review.pk}/").text
    assert f'action="/institutions/rating/reviews/{review.pk}/decide/"' in page
    response = client.post(f"/institutions/rating/reviews/{review.pk}/decide/", {"note": "评定委员会通过"})
    assert response.status_code == 302
    home_a.refresh_from_db()
    review.refresh_from_db()
    assert (home_a.stars, home_a.rated_on) == (5, timezone.localdate())
    assert review.status == "decided" and review.decided_on == timezone.localdate()
    entry = AuditEntry.objects.get(verb="rating.decide")
    assert entry.changes["stars"] == [0, 5] and entry.target_id == str(home_a.pk) and entry.actor == admin
    # Deciding twice is refused.
    with pytest.raises(ValidationError):
        actions.decide_review(review, by=admin)


def test_a_failed_veto_item_leaves_the_institution_unrated(card, items, home_a, admin, inspector):
    Institution.objects.filter(pk=home_a.pk).update(stars=3, rated_on=dt.date(2025, 5, 1))
    review = actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    actions.record_scores(review, by=inspector, answers=_full_marks(items, veto_passed=False))
    actions.submit_review(review, by=inspector)
    actions.decide_review(review, by=admin)
    home_a.refresh_from_db()
    assert review.veto_failed and review.points == 500 and home_a.stars == 0


def test_a_self_assessment_cannot_be_decided(card, items, home_a, admin, provider):
    review = actions.start_self_assessment(home_a, by=provider)
    actions.record_scores(review, by=provider, answers=_full_marks(items))
    actions.submit_review(review, by=provider)
    with pytest.raises(ValidationError):
        actions.decide_review(review, by=admin)


def test_record_scores_caps_points_at_the_items_maximum(card, items, home_a, provider):
    review = actions.start_self_assessment(home_a, by=provider)
    item = next(i for i in items if not i.veto)
    actions.record_scores(review, by=provider, answers={item.id: {"points": item.points + 50}})
    assert review.scores.get(item=item).points == item.points == review.points


# -- history ---------------------------------------------------------------------------------
def _decided(home, admin, inspector, items, *, share, on):
    review = actions.start_evaluation(home, by=admin, assessors=[inspector],
                                      started_at=timezone.make_aware(dt.datetime.combine(on, dt.time(10))))
    actions.record_scores(review, by=inspector, answers={
        i.id: {"points": round(i.points * share), "passed": True} for i in items})
    actions.submit_review(review, by=inspector)
    return actions.decide_review(review, by=admin, on=on)


def test_history_is_newest_first_and_public_history_has_only_decisions(client, card, items, home_a, admin, inspector, provider):
    old = _decided(home_a, admin, inspector, items, share=0.55, on=dt.date(2025, 3, 10))
    new = _decided(home_a, admin, inspector, items, share=0.84, on=dt.date(2026, 3, 10))
    own = actions.start_self_assessment(home_a, by=provider)
    actions.start_evaluation(home_a, by=admin, assessors=[inspector])  # in progress: not public
    public = queries.public_history(home_a)
    assert [(h["date"], h["stars"]) for h in public] == [(dt.date(2026, 3, 10), new.stars), (dt.date(2025, 3, 10), old.stars)]
    assert (old.points, old.stars, new.points, new.stars) == (275, 2, 419, 4)
    assert all(h["is_example"] and h["card"] == card.name and h["points"] for h in public)
    assert set(public[0]) == {"date", "stars", "points", "veto_failed", "card", "card_version", "is_example"}
    client.force_login(admin)
    page = client.get(f"/institutions/rating/{home_a.pk}/").text
    order = [page.index(f'data-review="{r.pk}"') for r in (own, new, old)]
    assert order == sorted(order)
    assert 'id="compare-table"' in page and "data-example-card" in page


def test_the_comparison_puts_self_and_assessors_points_per_section_side_by_side(card, items, home_a, admin, inspector, provider):
    own = actions.start_self_assessment(home_a, by=provider)
    actions.record_scores(own, by=provider, answers=_full_marks(items))
    actions.submit_review(own, by=provider)
    evaluation = _decided(home_a, admin, inspector, items, share=0.5, on=timezone.localdate())
    result = queries.comparison(queries.reviews_of(home_a))
    assert result.self_review == own and result.assessors_review == evaluation
    first_section, maximum, mine, theirs = result.rows[0]
    assert first_section.name == "环境" and mine == maximum == 60 and theirs == 30
    assert sum(r[2] for r in result.rows) == own.points == 500


def test_the_bureau_changes_the_assessors_until_the_decision(card, items, home_a, admin, inspector, inspector_2, worker_a):
    review = actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    actions.appoint_assessors(review, by=admin, assessors=[inspector_2])
    assert list(review.assessors.all()) == [inspector_2]
    with pytest.raises(ValidationError):
        actions.appoint_assessors(review, by=admin, assessors=[worker_a])
    actions.record_scores(review, by=inspector_2, answers=_full_marks(items))
    actions.submit_review(review, by=inspector_2)
    actions.decide_review(review, by=admin)
    with pytest.raises(ValidationError):
        actions.appoint_assessors(review, by=admin, assessors=[inspector])


def test_the_list_shows_reviews_in_progress(client, card, items, home_a, home_b, admin, provider, inspector):
    own = actions.start_self_assessment(home_a, by=provider)
    client.force_login(admin)
    page = client.get("/institutions/rating/?state=in_progress").text
    assert home_a.name in page and home_b.name not in page
    actions.record_scores(own, by=provider, answers=_full_marks(items))
    actions.submit_review(own, by=provider)  # a submitted self-assessment is finished
    page = client.get("/institutions/rating/?state=in_progress").text
    assert home_a.name not in page
    actions.start_evaluation(home_b, by=admin, assessors=[inspector])
    page = client.get("/institutions/rating/?state=in_progress").text
    assert home_b.name in page and home_a.name not in page


def test_only_the_bureau_admin_of_the_area_decides(client, card, items, home_a, home_elsewhere, admin, inspector,
                                                   provider, worker_a, subdistrict):
    review = actions.start_evaluation(home_a, by=admin, assessors=[inspector])
    actions.record_scores(review, by=inspector, answers=_full_marks(items))
    actions.submit_review(review, by=inspector)
    url = f"/institutions/rating/reviews/{review.pk}/decide/"
    for user, status in ((provider, 404), (worker_a, 403), (subdistrict, 403), (inspector, 403)):
        client.force_login(user)
        assert client.post(url).status_code == status, user
    from kangyang.accounts.models import User

    other_admin = User.objects.create_user(username="admin2", password="x", role="bureau_admin",
                                           region=home_elsewhere.community.parent.parent)
    client.force_login(other_admin)
    assert client.post(url).status_code == 404
    assert client.get(f"/institutions/rating/reviews/{review.pk}/").status_code == 404
    home_a.refresh_from_db()
    assert home_a.stars == 0 and RatingReview.objects.get(pk=review.pk).status == "submitted"
