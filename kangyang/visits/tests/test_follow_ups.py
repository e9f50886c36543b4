"""Follow-ups of care visits: opened from a finding of concern, the community worker told,
closed with an outcome, listed per community."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.audit.models import AuditEntry
from kangyang.notify.models import Delivery
from kangyang.visits import queries
from kangyang.visits.actions import Fix, close_follow_up, open_follow_up, record_visit
from kangyang.visits.models import FollowUp
from kangyang.visits.tests.records_fixtures import *  # noqa: F401,F403
from kangyang.visits.tests.records_fixtures import ago

CONCERNS = {"safety": {"state": "concern", "note": "浴室地滑，没有扶手"}, "health": "ok"}


@pytest.fixture
def visit_a(volunteer, elder_in_a, due_a):
    return record_visit(elder_in_a, by=volunteer, mode="home", started_at=ago(minutes=40), ended_at=ago(minutes=10),
                        fix=Fix(lat=28.66, lng=115.89, accuracy_m=10), findings=CONCERNS)


def test_the_visitor_opens_a_follow_up_and_the_community_worker_is_told(visit_a, volunteer, worker_a,
                                                                     django_capture_on_commit_callbacks):
    from kangyang.notify.actions import save_preference

    save_preference(worker_a, by=worker_a, phone="13800138000", sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        f = open_follow_up(visit_a, by=volunteer, kind="home_adaptation", finding="safety", note="装浴室扶手")
    assert f.status == "open" and f.elder_id == visit_a.elder_id and f.region_code == visit_a.region_code
    assert AuditEntry.objects.filter(verb="follow_up.open", target_id=str(f.pk)).exists()
    told = Delivery.objects.get(template="visit.follow_up")
    assert told.kind == "visit" and told.audience == "community_worker" and told.address_masked.startswith("138")


def test_the_worker_who_opens_it_is_not_told_of_her_own(visit_a, worker_a, django_capture_on_commit_callbacks):
    from kangyang.notify.actions import save_preference

    save_preference(worker_a, by=worker_a, phone="13800138000", sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        open_follow_up(visit_a, by=worker_a, kind="doctor_referral", note="请社区医生上门")
    assert not Delivery.objects.filter(template="visit.follow_up").exists()


@pytest.mark.parametrize("kw,field", [
    ({"kind": "pizza"}, "kind"),
    ({"finding": "health"}, "finding"),  # found all right
    ({"finding": "wealth"}, "finding"),
    ({"note": " "}, "note"),
    ({"note": "a\x00b"}, "note"),
])
def test_a_follow_up_needs_a_kind_a_concern_and_a_note(visit_a, volunteer, kw, field):
    args = {"kind": "device_install", "note": "装烟感", **kw}
    with pytest.raises(ValidationError) as e:
        open_follow_up(visit_a, by=volunteer, **args)
    assert field in e.value.error_dict
    assert not FollowUp.objects.exists()


def test_an_order_linked_must_be_the_elders(visit_a, volunteer, elder_in_b, worker_b):
    from unittest import mock

    other = mock.Mock(elder_id=elder_in_b.pk, pk=1)
    with pytest.raises(ValidationError) as e:
        open_follow_up(visit_a, by=volunteer, kind="service_order", note="助浴", order=other)
    assert "order" in e.value.error_dict
    with pytest.raises(ValidationError):
        open_follow_up(visit_a, by=volunteer, kind="home_adaptation", note="助浴",
                       order=mock.Mock(elder_id=visit_a.elder_id, pk=1))


def test_outsiders_may_not_open_or_close(visit_a, worker_b, caregiver, elder, volunteer):
    for user in (worker_b, caregiver, elder):
        with pytest.raises(PermissionDenied):
            open_follow_up(visit_a, by=user, kind="device_install", note="装烟感")
    f = open_follow_up(visit_a, by=volunteer, kind="device_install", note="装烟感")
    for user in (worker_b, caregiver, elder):
        with pytest.raises(PermissionDenied):
            close_follow_up(f, by=user, outcome="装好了")


def test_the_worker_closes_it_once(visit_a, volunteer, worker_a):
    f = open_follow_up(visit_a, by=volunteer, kind="device_install", note="装烟感")
    with pytest.raises(ValidationError):
        close_follow_up(f, by=worker_a, outcome="")
    f = close_follow_up(f, by=worker_a, outcome="烟感已安装")
    assert f.status == "closed" and f.closed_by == worker_a and f.closed_at and f.outcome == "烟感已安装"
    with pytest.raises(ValidationError) as e:
        close_follow_up(f, by=worker_a, outcome="again")
    assert e.value.code == "conflict"
    assert AuditEntry.objects.filter(verb="follow_up.close").count() == 1


def test_open_follow_ups_per_community(visit_a, volunteer, worker_a, worker_b, subdistrict, admin):
    a = open_follow_up(visit_a, by=volunteer, kind="device_install", note="装烟感")
    b = open_follow_up(visit_a, by=volunteer, kind="doctor_referral", note="血压高")
    close_follow_up(b, by=worker_a, outcome="医生已上门")
    code = visit_a.region_code
    assert [f.pk for f in queries.open_follow_ups(worker_a)] == [a.pk]
    assert [f.pk for f in queries.open_follow_ups(subdistrict, region_code=code)] == [a.pk]
    assert queries.open_follow_ups_by_community(admin) == {code: 1}
    assert list(queries.open_follow_ups(worker_b)) == []
    assert [f.pk for f in queries.open_follow_ups(volunteer)] == [a.pk]  # she opened it
