"""Recording care visits (actions.record_visit): who may, what is checked, which visits due a
visit settles, and a record sent twice from a phone kept once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.visits import queries
from kangyang.visits.actions import Fix, record_visit
from kangyang.visits.models import CareVisit, VisitDue
from kangyang.visits.tests.records_fixtures import *  # noqa: F401,F403
from kangyang.visits.tests.records_fixtures import ago, tonight

HOME = Fix(lat=28.66, lng=115.89, accuracy_m=15)  # community A's compound (the elder's home)
FAR = Fix(lat=28.70, lng=115.89, accuracy_m=15)  # about 4.4 km north


def visit(elder, by, **kw):
    kw.setdefault("mode", "home")
    kw.setdefault("started_at", ago(minutes=30))
    kw.setdefault("ended_at", ago(minutes=5))
    kw.setdefault("fix", HOME)
    return record_visit(elder, by=by, **kw)


# -- who may record ---------------------------------------------------------------------------
def test_worker_records_a_home_visit_at_home(worker_a, elder_in_a):
    v = visit(elder_in_a, worker_a, findings={"health": "ok", "mood": {"state": "concern", "note": "心情低落"}},
              notes="聊了半小时")
    assert v.status == CareVisit.Status.DONE and v.location_ok is True and v.location_flag == ""
    assert v.distance_m == 0 and v.accuracy_m == 15 and v.region_code == elder_in_a.region_code
    assert v.findings == {"health": {"state": "ok", "note": ""}, "mood": {"state": "concern", "note": "心情低落"}}
    entry = AuditEntry.objects.get(verb="care_visit.record")
    assert entry.target_id == str(v.pk) and entry.changes["concerns"] == ["mood"]


def test_worker_of_another_community_may_not_record(worker_b, elder_in_a):
    with pytest.raises(PermissionDenied):
        visit(elder_in_a, worker_b)
    assert not CareVisit.objects.exists()


def test_subdistrict_officer_records_in_her_subdistrict(subdistrict, elder_in_a, elder_in_b):
    assert visit(elder_in_a, subdistrict).pk
    with pytest.raises(PermissionDenied):
        visit(elder_in_b, subdistrict)


def test_volunteer_records_only_with_a_visit_due_or_a_pairing(volunteer, elder_in_a, make_due, pairing_a):
    with pytest.raises(PermissionDenied):
        visit(elder_in_a, volunteer)
    due = make_due(elder_in_a, visitor=volunteer)
    assert visit(elder_in_a, volunteer).pk
    VisitDue.objects.filter(pk=due.pk).update(status=VisitDue.Status.CANCELLED)
    with pytest.raises(PermissionDenied):
        visit(elder_in_a, volunteer, started_at=ago(minutes=20))
    pairing_a()
    assert visit(elder_in_a, volunteer, started_at=ago(minutes=10)).pk


def test_a_finished_pairing_no_longer_lets_the_helper_record(volunteer, elder_in_a, pairing_a, today):
    pairing_a(ended_on=today - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        visit(elder_in_a, volunteer)


def test_elder_family_caregiver_and_operator_may_not_record(elder, family, caregiver, operator, elder_in_a):
    for user in (elder, family, caregiver, operator):
        with pytest.raises(PermissionDenied):
            visit(elder_in_a, user)


# -- what is checked ----------------------------------------------------------------------------
@pytest.mark.parametrize("kw,field", [
    ({"started_at": timezone.now() + dt.timedelta(hours=2)}, "started_at"),
    ({"started_at": dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc), "ended_at": None}, "started_at"),
    ({"started_at": dt.datetime(2026, 1, 1, 9)}, "started_at"),  # naive
    ({"started_at": "yesterday"}, "started_at"),
    ({"ended_at": ago(hours=2)}, "ended_at"),  # before it started
    ({"started_at": ago(hours=20), "ended_at": ago(minutes=1)}, "ended_at"),  # 20 hours long
    ({"mode": "telepathy"}, "mode"),
    ({"fix": Fix(lat=91, lng=0)}, "lat"),
    ({"fix": Fix(lat=float("nan"), lng=0)}, "lat"),
    ({"fix": Fix(lat=28.6, lng=115.8, system="mars")}, "coord"),
    ({"findings": {"wealth": "ok"}}, "findings"),
    ({"findings": {"health": "fine"}}, "findings.health"),
    ({"findings": {"health": {"state": "concern"}}}, "findings.health"),
    ({"findings": ["health"]}, "findings"),
    ({"notes": "a\x00b"}, "notes"),
    ({"notes": "x" * 4001}, "notes"),
    ({"client_id": "no spaces please"}, "client_id"),
])
def test_impossible_input_is_refused_on_its_field(worker_a, elder_in_a, kw, field):
    with pytest.raises(ValidationError) as e:
        visit(elder_in_a, worker_a, **kw)
    assert field in e.value.error_dict
    assert not CareVisit.objects.exists()


def test_a_visit_after_the_elder_died_is_refused(worker_a, elder_in_a):
    from kangyang.registry.models import Elder

    Elder.objects.filter(pk=elder_in_a.pk).update(status=Elder.Status.DECEASED,
                                                  status_date=timezone.localdate() - dt.timedelta(days=3))
    elder_in_a.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        visit(elder_in_a, worker_a)
    assert e.value.error_dict["started_at"][0].code == "elder_inactive"


def test_a_home_visit_without_a_location_is_kept_and_flagged(worker_a, elder_in_a):
    v = visit(elder_in_a, worker_a, fix=None)
    assert v.pk and v.location_flag == "no_location" and v.location_ok is None and v.distance_m is None


def test_a_home_visit_far_from_home_is_kept_and_flagged(worker_a, elder_in_a):
    v = visit(elder_in_a, worker_a, fix=FAR)
    assert v.location_flag == "far" and v.location_ok is False and v.distance_m > 4000


def test_an_imprecise_fix_is_flagged_imprecise(worker_a, elder_in_a):
    v = visit(elder_in_a, worker_a, fix=Fix(lat=28.663, lng=115.89, accuracy_m=500))
    assert v.location_flag == "imprecise" and v.location_ok is False


def test_a_gcj02_fix_is_converted_before_the_distance(worker_a, elder_in_a):
    from kangyang.lib import coords

    lng, lat = coords.wgs84_to_gcj02(115.89, 28.66)
    v = visit(elder_in_a, worker_a, fix=Fix(lat=lat, lng=lng, accuracy_m=10, system="gcj02"))
    assert v.distance_m <= 1 and v.location_ok


def test_a_phone_call_keeps_no_location(worker_a, elder_in_a):
    v = visit(elder_in_a, worker_a, mode="phone", fix=FAR)
    assert v.distance_m is None and v.location_flag == "" and v.location_ok is None and v.accuracy_m is None


# -- offline resend ---------------------------------------------------------------------------------
def test_the_same_client_id_from_the_same_visitor_is_one_record(worker_a, elder_in_a, due_a):
    first = visit(elder_in_a, worker_a, client_id="phone-1:abc")
    again = visit(elder_in_a, worker_a, client_id="phone-1:abc", notes="sent again")
    assert again.pk == first.pk and CareVisit.objects.count() == 1
    assert AuditEntry.objects.filter(verb="care_visit.record").count() == 1


def test_the_same_client_id_from_another_visitor_is_another_record(worker_a, subdistrict, elder_in_a):
    a = visit(elder_in_a, worker_a, client_id="x1")
    b = visit(elder_in_a, subdistrict, client_id="x1")
    assert a.pk != b.pk


# -- settling visits due ----------------------------------------------------------------------
def test_a_home_visit_settles_every_open_due(worker_a, elder_in_a, make_due, tier_high, tier_general):
    d1 = make_due(elder_in_a, tier=tier_high)
    d2 = make_due(elder_in_a, tier=tier_general, reason=VisitDue.Reason.ALARM, created_at=ago(hours=3))
    v = visit(elder_in_a, worker_a)
    for d in (d1, d2):
        d.refresh_from_db()
        assert d.status == VisitDue.Status.DONE and d.visit_id == v.pk


def test_a_call_settles_only_dues_whose_tier_counts_calls(worker_a, elder_in_a, make_due, tier_high, tier_general):
    high = make_due(elder_in_a, tier=tier_high)
    general = make_due(elder_in_a, tier=tier_general)
    no_tier = make_due(elder_in_a)
    visit(elder_in_a, worker_a, mode="phone", fix=None)
    statuses = {d.pk: VisitDue.objects.get(pk=d.pk).status for d in (high, general, no_tier)}
    assert statuses == {high.pk: "open", general.pk: "done", no_tier.pk: "open"}


def test_a_visit_through_a_neighbour_settles_like_a_home_visit(worker_a, elder_in_a, due_a):
    visit(elder_in_a, worker_a, mode="proxy", fix=None)
    due_a.refresh_from_db()
    assert due_a.status == "done"


def test_an_elder_not_met_settles_nothing(worker_a, elder_in_a, due_a):
    v = visit(elder_in_a, worker_a, met=False)
    due_a.refresh_from_db()
    assert v.status == CareVisit.Status.NOT_MET and due_a.status == "open"


def test_an_event_due_opened_after_the_visit_stays_open(worker_a, elder_in_a, make_due, tier_high):
    later = make_due(elder_in_a, tier=tier_high, reason=VisitDue.Reason.ALARM, created_at=ago(minutes=10))
    visit(elder_in_a, worker_a, started_at=ago(hours=2), ended_at=ago(hours=1))
    later.refresh_from_db()
    assert later.status == "open"


def test_next_months_plan_is_not_settled_by_this_months_visit(worker_a, elder_in_a, make_due, tier_high, today):
    next_month = (today.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    ahead = make_due(elder_in_a, tier=tier_high, month=next_month)
    visit(elder_in_a, worker_a)
    ahead.refresh_from_db()
    assert ahead.status == "open"


def test_another_elders_dues_are_untouched(worker_a, subdistrict, elder_in_a, make_due, tier_high):
    from kangyang.registry.actions import create_elder

    other = create_elder(by=worker_a, name="王秀英", id_number="36010319400101002X", community=elder_in_a.community,
                         categories=["alone"])
    due = make_due(other, tier=tier_high)
    visit(elder_in_a, worker_a)
    due.refresh_from_db()
    assert due.status == "open"


# -- reads --------------------------------------------------------------------------------------------
def test_visit_history_follows_the_readers_scope(worker_a, worker_b, operator, elder, family, volunteer, elder_in_a,
                                                  due_a):
    v = visit(elder_in_a, volunteer)
    for user in (worker_a, operator, elder, family, volunteer):
        assert [x.pk for x in queries.elder_history(user, elder_in_a)] == [v.pk], user
    assert queries.elder_history(worker_b, elder_in_a) == []


def test_the_visitor_day_orders_stops_as_a_walk(volunteer, worker_a, elder_in_a, make_due, tier_high):
    from kangyang.registry.actions import create_elder
    from kangyang.regions.models import Household

    community = elder_in_a.community
    near = create_elder(by=worker_a, name="近邻", id_number="36010319400101002X", community=community, categories=["alone"])
    far = create_elder(by=worker_a, name="远处", id_number="360103194101010027", community=community, categories=["alone"])
    for elder, lat in ((near, 28.661), (far, 28.68)):
        household = Household.objects.create(community=community, address=f"x{lat}", lat=lat, lng=115.89)
        type(elder).objects.filter(pk=elder.pk).update(household=household)
    # the far one is due first, but the walk starts near the compound
    make_due(far, visitor=volunteer, tier=tier_high, due_by=tonight(21))
    make_due(near, visitor=volunteer, tier=tier_high)
    make_due(elder_in_a, visitor=volunteer, tier=tier_high)
    make_due(elder_in_a, visitor=volunteer, tier=tier_high, due_by=timezone.now() + dt.timedelta(days=30))  # later
    day = queries.visitor_day(volunteer)
    assert [s.elder.name for s in day["stops"]] == ["张桂兰", "近邻", "远处"]
    assert day["stops"][0].navigate["geo"].startswith("geo:28.660000,115.890000")
    assert "id_number_masked" not in day["stops"][0].identity  # a volunteer never sees the ID number
    assert queries.today_count(volunteer) == 3
