"""The dispatch rules as plain functions (services/dispatch_rules.py): no database."""

from kangyang.services import dispatch_rules as rules
from kangyang.services.dispatch_rules import Problem
from kangyang.services.routing import TravelModel, Visit

H = 3600
HOME = (28.66, 115.89)
TRAVEL = TravelModel(speed_kmh=15, detour=1.3)


def north(metres: float) -> tuple[float, float]:
    return HOME[0] + metres / 111_195, HOME[1]


def visit(key, start_h, *, minutes=60, window_minutes=30, place=HOME, skill="", flexible=False) -> Visit:
    start = int(start_h * H)
    return Visit(key=key, lat=place[0], lng=place[1], earliest=start, latest=start + window_minutes * 60,
                 duration=minutes * 60, skill=skill, flexible=flexible)


def assess(v, *, route=(), shift=(8 * H, 17 * H), skills=("cleaning", "bathing"), home=HOME):
    return rules.assess(v, caregiver=1, home=home, skills=skills, shift=shift, route=list(route), travel=TRAVEL)


def test_two_visits_are_at_once_only_when_neither_can_end_before_the_other_must_start():
    bath_a, bath_b = visit(1, 15), visit(2, 15)  # 60 minutes each, both to start by 15:30
    assert rules.at_once(bath_a, bath_b)
    assert not rules.at_once(visit(1, 9), visit(2, 10))  # one after the other
    assert not rules.at_once(visit(1, 11, minutes=10), visit(2, 11, minutes=10))  # two meals in one window
    # …and the same as the busy times the database compares overlapping
    assert rules.busy_time(bath_a.earliest, bath_a.latest, bath_a.duration) == (15.5 * H, 16 * H)
    assert rules.busy_time(0, 3 * H, 600) is None


def test_on_shift_means_for_the_whole_window_or_for_the_whole_service_of_a_flexible_order():
    assert rules.on_shift(visit(1, 10), (8 * H, 17 * H))
    assert not rules.on_shift(visit(1, 10), (11 * H, 20 * H))  # the 10:00–10:30 order, shift from 11:00
    assert not rules.on_shift(visit(1, 16.75), (8 * H, 17 * H))  # the window runs past the shift
    assert not rules.on_shift(visit(1, 10), None)  # no shift that day
    long = visit(1, 9, window_minutes=10 * 60, flexible=True)  # any time 9:00–19:00
    assert rules.on_shift(long, (11 * H, 20 * H)) and rules.on_shift(long, (18 * H + 1800, 20 * H))
    assert not rules.on_shift(long, (19 * H + 1800, 21 * H))  # no start in the window is on shift


def test_a_caregiver_who_fits_is_ranked_by_added_travel_with_her_visits_of_the_day():
    near = assess(visit(1, 10, place=north(500)))
    far = assess(visit(1, 10, place=north(5000)))
    assert near.ok and far.ok and near.added_seconds < far.added_seconds and near.added_metres == 1300
    busy = assess(visit(3, 13), route=[visit(1, 9), visit(2, 11)])
    assert busy.ok and busy.visits == 2 and busy.index == 2
    assert rules.rank([far, near])[0] is near and rules.best_fit([far, near]) is near


def test_the_off_shift_caregiver_may_be_chosen_only_by_override():
    fit = assess(visit(1, 10), shift=(11 * H, 20 * H))
    assert fit.problems == (Problem.OFF_SHIFT,) and fit.allowed and not fit.ok
    assert fit.start == 10 * H  # timed as if she came in for it, not pushed to 11:00
    assert assess(visit(1, 10), shift=None).problems == (Problem.OFF_SHIFT,)
    assert rules.best_fit([fit]) is None


def test_travel_that_does_not_fit_makes_her_late_and_needs_an_override():
    route = [visit(1, 10, place=north(8000))]  # 60 minutes, 8 km north
    fit = assess(visit(2, 11, window_minutes=10), route=route)  # at home, by 11:10: 10.4 km takes ~42 min
    assert fit.problems == (Problem.LATE,) and fit.allowed and (fit.starts_late or fit.late == (1,))
    pushed = assess(visit(2, 9.25, window_minutes=0), route=route)  # at home 9:15–10:15
    assert Problem.OVERLAP not in pushed.problems  # with no travel, 10:15 would leave time for 10:30…
    assert pushed.late == (1,) and pushed.problems == (Problem.LATE,)  # …but 10.4 km take ~42 minutes


def test_no_skill_or_a_visit_booked_at_once_is_never_allowed():
    no_skill = assess(visit(1, 10, skill="nursing"))
    assert Problem.SKILL in no_skill.problems and not no_skill.allowed
    clash = assess(visit(2, 15), route=[visit(1, 15)])
    assert clash.overlaps == (1,) and Problem.OVERLAP in clash.problems and not clash.allowed
    assert rules.rank([clash, assess(visit(2, 15), shift=None)])[0].allowed


def test_a_day_that_runs_past_the_shift_is_overtime():
    fit = assess(visit(1, 16, window_minutes=60, place=north(6000)), shift=(8 * H, 17 * H + 1800))
    assert fit.problems == (Problem.OVERTIME,)
