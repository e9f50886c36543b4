"""The scoring rules of the star rating and the example card."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from kangyang.institutions import rating
from kangyang.institutions.rating import Answer, score

THRESHOLDS = {"1": 150, "2": 250, "3": 325, "4": 400, "5": 450}


def _card(veto_cap=0):
    return SimpleNamespace(thresholds=THRESHOLDS, veto_cap=veto_cap)


def _items():
    # 3 scored items worth 200 + 200 + 100 = 500, and one veto item.
    return [SimpleNamespace(id=1, points=200, veto=False), SimpleNamespace(id=2, points=200, veto=False),
            SimpleNamespace(id=3, points=100, veto=False), SimpleNamespace(id=9, points=0, veto=True)]


def _given(total: int, *, veto_passed=True) -> dict:
    """Answers summing to `total` points."""
    a = min(total, 200)
    b = min(total - a, 200)
    c = total - a - b
    return {1: Answer(a), 2: Answer(b), 3: Answer(c), 9: Answer(0, passed=veto_passed)}


@pytest.mark.parametrize("level,needed", sorted((int(k), v) for k, v in THRESHOLDS.items()))
def test_points_exactly_at_a_threshold_reach_that_level(level, needed):
    assert score(_card(), _given(needed), items=_items()) == rating.Result(points=needed, veto_failed=False, stars=level)


@pytest.mark.parametrize("level,needed", sorted((int(k), v) for k, v in THRESHOLDS.items()))
def test_one_point_below_a_threshold_stays_a_level_lower(level, needed):
    assert score(_card(), _given(needed - 1), items=_items()).stars == level - 1


def test_no_answers_is_not_rated():
    assert score(_card(), {}, items=_items()) == rating.Result(points=0, veto_failed=False, stars=0)


def test_points_above_an_items_maximum_are_capped():
    result = score(_card(), {1: Answer(999), 2: Answer(200), 3: Answer(100)}, items=_items())
    assert result.points == 500 and result.stars == 5


def test_negative_points_count_as_nothing():
    assert score(_card(), {1: Answer(-50), 2: Answer(200)}, items=_items()).points == 200


def test_plain_integers_are_taken_as_points():
    assert score(_card(), {1: 200, 2: 125}, items=_items()) == rating.Result(points=325, veto_failed=False, stars=3)


def test_a_failed_veto_item_means_not_rated_with_a_cap_of_zero():
    result = score(_card(veto_cap=0), _given(500, veto_passed=False), items=_items())
    assert result == rating.Result(points=500, veto_failed=True, stars=0)


def test_a_failed_veto_item_caps_the_stars_at_the_cards_cap():
    assert score(_card(veto_cap=2), _given(500, veto_passed=False), items=_items()).stars == 2
    # The cap is a ceiling, not a floor.
    assert score(_card(veto_cap=2), _given(160, veto_passed=False), items=_items()).stars == 1


def test_a_failed_veto_item_earns_no_points_of_its_own():
    items = [SimpleNamespace(id=1, points=100, veto=False), SimpleNamespace(id=2, points=50, veto=True)]
    card = SimpleNamespace(thresholds={"1": 10, "2": 20, "3": 30, "4": 40, "5": 150}, veto_cap=4)
    assert score(card, {1: Answer(100), 2: Answer(50, passed=False)}, items=items) == rating.Result(100, True, 4)
    assert score(card, {1: Answer(100), 2: Answer(50, passed=True)}, items=items) == rating.Result(150, False, 5)


def test_thresholds_must_cover_five_rising_levels():
    assert rating.check_thresholds({1: 0, 2: 1, 3: 2, 4: 3, 5: 4}, 0) == {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4}
    for bad in [{"1": 0, "2": 10}, {"1": 0, "2": 10, "3": 10, "4": 20, "5": 30}, {"1": -1, "2": 1, "3": 2, "4": 3, "5": 4},
                {"1": 0, "2": 1, "3": 2, "4": 3, "5": "x"}, {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5}, [1, 2]]:
        with pytest.raises(ValidationError):
            rating.check_thresholds(bad, 0)


def test_veto_cap_and_reachable_top_level_are_checked():
    ok = {"1": 0, "2": 1, "3": 2, "4": 3, "5": 4}
    with pytest.raises(ValidationError) as e:
        rating.check_thresholds(ok, 5)
    assert e.value.code == "veto_cap"
    with pytest.raises(ValidationError):
        rating.check_thresholds(ok, 0, total=3)


# -- the example card ------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_example_card_loads_once_and_says_it_is_an_example():
    from kangyang.institutions.actions.rating import EXAMPLE_CARD, ensure_example_scorecard
    from kangyang.institutions.models import Scorecard, ScorecardItem

    card = ensure_example_scorecard()
    assert ensure_example_scorecard().pk == card.pk
    assert Scorecard.objects.count() == 1
    assert card.is_example and card.veto_cap == 0
    items = ScorecardItem.objects.filter(section__scorecard=card)
    assert {s.name for s in card.sections.all()} >= {"环境", "设施设备", "运营管理", "服务", "安全"}
    assert items.filter(veto=True).count() >= 2
    total = sum(i.points for i in items)
    assert rating.check_thresholds(card.thresholds, card.veto_cap, total=total)
    header = EXAMPLE_CARD.read_text(encoding="utf-8").split("name:")[0]
    assert "NOT the official weights of GB/T 37276" in header and "GB/T 37276-2018" in header


@pytest.mark.django_db
def test_the_example_card_scores_full_marks_as_five_stars():
    from kangyang.institutions.actions.rating import ensure_example_scorecard
    from kangyang.institutions.models import ScorecardItem

    card = ensure_example_scorecard()
    items = list(ScorecardItem.objects.filter(section__scorecard=card))
    full = {i.id: Answer(i.points, passed=True) for i in items}
    assert score(card, full).stars == 5
    veto = next(i for i in items if i.veto)
    assert score(card, {**full, veto.id: Answer(0, passed=False)}).stars == 0


# -- the admin -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_admin_form_refuses_falling_thresholds_and_a_cap_of_five():
    from django.contrib import admin as django_admin

    from kangyang.institutions.forms.rating import ScorecardAdminForm
    from kangyang.institutions.models import Scorecard

    assert isinstance(django_admin.site._registry[Scorecard].form(), ScorecardAdminForm)
    form = {"name": "区级评分表", "version": "1", "thresholds": '{"1": 100, "2": 90, "3": 300, "4": 400, "5": 500}',
            "veto_cap": "0", "active": "on", "is_example": ""}
    bad = ScorecardAdminForm(form)
    assert not bad.is_valid() and "thresholds" in bad.errors
    bad = ScorecardAdminForm({**form, "thresholds": '{"1": 100, "2": 200, "3": 300, "4": 400, "5": 500}', "veto_cap": "5"})
    assert not bad.is_valid() and "veto_cap" in bad.errors
    good = ScorecardAdminForm({**form, "thresholds": '{"1": 100, "2": 200, "3": 300, "4": 400, "5": 500}', "veto_cap": "1"})
    assert good.is_valid(), good.errors
    card = good.save()
    assert card.thresholds == {"1": 100, "2": 200, "3": 300, "4": 400, "5": 500} and not card.is_example
