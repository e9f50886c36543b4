"""The visitor's board in the app (/app/visits/, portal/views/visits.py) and the visits cards:
who opens it, what it shows, the record form as a plain POST and as visitor.js sends it."""

import re

import pytest

from kangyang.visits.models import CareVisit, VisitDue
from kangyang.visits.tests.records_fixtures import *  # noqa: F401,F403
from kangyang.visits.tests.records_fixtures import ago


def form(elder, **kw):
    data = {"elder": elder.pk, "client_id": "board-1", "mode": "home", "met": "yes", "minutes": "25",
            "lat": "28.66", "lng": "115.89", "accuracy": "10", "system": "wgs84", "age_seconds": "60",
            "f_health": "ok", "n_health": "", "f_safety": "concern", "n_safety": "电线老化", "notes": "精神不错"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_volunteer_sees_her_stops_with_the_way_there(client, volunteer, due_a, elder_in_a):
    client.force_login(volunteer)
    page = client.get("/app/visits/")
    assert page.status_code == 200
    text = page.text
    assert f'data-elder="{elder_in_a.pk}"' in text and "张桂兰" in text and "geo:28.660000,115.890000" in text
    assert "360103194503120026" not in text and "13807911234" not in text  # masked
    assert 'data-visit-form' in text and "visitor.js" in text
    assert "<script>" not in text and " onclick=" not in text  # CSP: no inline script
    assert 'href="/app/visits/" aria-current="page"' in text  # the app's navigation


@pytest.mark.parametrize("persona", ["elder", "family", "caregiver", "operator", "admin"])
def test_other_roles_have_no_board(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/app/visits/").status_code == 403
    assert client.post("/app/visits/record/", {}).status_code == 403


def test_signed_out_is_sent_to_the_app_sign_in(client, db):
    r = client.get("/app/visits/")
    assert r.status_code == 302 and r.url.startswith("/app/login/")


def test_a_plain_form_records_and_comes_back(client, volunteer, due_a, elder_in_a):
    client.force_login(volunteer)
    r = client.post("/app/visits/record/", form(elder_in_a))
    assert r.status_code == 302 and r.url == "/app/visits/"
    visit = CareVisit.objects.get()
    assert visit.visitor == volunteer and visit.location_ok and visit.client_id == "board-1"
    assert visit.findings["safety"] == {"state": "concern", "note": "电线老化"}
    assert 24 <= (visit.ended_at - visit.started_at).total_seconds() / 60 <= 26
    due_a.refresh_from_db()
    assert due_a.status == VisitDue.Status.DONE
    page = client.get("/app/visits/").text
    assert "已保存" in page or "Saved" in page
    assert f'data-visit="{visit.pk}"' in page


def test_the_script_gets_the_board_and_a_resend_is_one_record(client, volunteer, due_a, elder_in_a):
    client.force_login(volunteer)
    for _ in range(2):
        r = client.post("/app/visits/record/", form(elder_in_a), HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and 'data-result="done"' in r.text and "<html" not in r.text
    assert CareVisit.objects.count() == 1


def test_a_refused_record_says_why(client, volunteer, due_a, elder_in_a):
    client.force_login(volunteer)
    r = client.post("/app/visits/record/", form(elder_in_a, n_safety=""), HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and 'data-result="refused"' in r.text
    r = client.post("/app/visits/record/", form(elder_in_a, minutes="99999"), HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    assert not CareVisit.objects.exists()


def test_a_home_visit_without_location_is_saved_and_flagged(client, volunteer, due_a, elder_in_a):
    client.force_login(volunteer)
    r = client.post("/app/visits/record/", form(elder_in_a, lat=None, lng=None), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'data-result="flagged"' in r.text
    assert CareVisit.objects.get().location_flag == "no_location"


def test_an_elder_not_hers_is_refused(client, volunteer, worker_b, elder_in_a, elder_in_b):
    client.force_login(volunteer)
    assert client.post("/app/visits/record/", form(elder_in_a)).status_code == 404
    client.force_login(worker_b)
    assert client.post("/app/visits/record/", form(elder_in_a)).status_code == 404
    assert not CareVisit.objects.exists()


def test_the_visitors_home_card_counts_today(client, volunteer, due_a, make_due, elder_in_a, tier_high):
    from django.utils import timezone
    import datetime as dt

    make_due(elder_in_a, visitor=volunteer, tier=tier_high, due_by=timezone.now() + dt.timedelta(days=20))
    client.force_login(volunteer)
    page = client.get("/app/").text
    assert re.search(r'data-card="visits.today"', page)
    assert 'data-count="1"' in page and 'href="/app/visits/"' in page


def test_the_elders_card_shows_the_last_and_next_visit(client, elder, family, worker_a, elder_in_a, make_due,
                                                       tier_high):
    from kangyang.visits.actions import record_visit

    client.force_login(elder)
    assert 'data-card="visits.elder"' not in client.get("/app/").text  # nothing yet: no card
    record_visit(elder_in_a, by=worker_a, mode="phone", started_at=ago(days=2), findings={"mood": "ok"})
    make_due(elder_in_a, tier=tier_high, reason=VisitDue.Reason.ALARM, created_at=ago(hours=1))
    for user in (elder, family):
        client.force_login(user)
        page = client.get("/app/").text
        assert 'data-card="visits.elder"' in page and "data-last-visit" in page and "worker_a" in page
        assert "data-next-visit" in page


def test_a_concern_asking_for_a_follow_up_opens_it_once(client, volunteer, worker_a, due_a, elder_in_a):
    from kangyang.visits.models import FollowUp

    client.force_login(volunteer)
    data = form(elder_in_a, u_safety="home_adaptation", u_health="device_install")  # health is ok: no follow-up
    for _ in range(2):
        assert client.post("/app/visits/record/", data, HTTP_HX_REQUEST="true").status_code == 200
    f = FollowUp.objects.get()
    assert (f.kind, f.finding, f.note, f.opened_by) == ("home_adaptation", "safety", "电线老化", volunteer)
    page = client.get("/app/visits/").text
    assert f'data-follow-up="{f.pk}"' in page


def test_a_follow_up_that_cannot_open_keeps_the_record_back_too(client, volunteer, due_a, elder_in_a):
    client.force_login(volunteer)
    r = client.post("/app/visits/record/", form(elder_in_a, n_safety="x", u_safety="home_adaptation"),
                    HTTP_HX_REQUEST="true")
    assert r.status_code == 422 and not CareVisit.objects.exists()


def test_the_worker_closes_a_follow_up_on_the_board(client, volunteer, worker_a, worker_b, due_a, elder_in_a):
    from kangyang.visits.models import FollowUp

    client.force_login(volunteer)
    client.post("/app/visits/record/", form(elder_in_a, u_safety="home_adaptation"))
    f = FollowUp.objects.get()
    client.force_login(worker_b)
    assert client.post(f"/app/visits/follow-ups/{f.pk}/close/", {"outcome": "x"}).status_code == 404
    client.force_login(worker_a)
    page = client.get("/app/visits/").text
    assert f'data-follow-up="{f.pk}"' in page
    r = client.post(f"/app/visits/follow-ups/{f.pk}/close/", {"outcome": "已装扶手"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and f'data-follow-up="{f.pk}"' not in r.text
    f.refresh_from_db()
    assert f.status == "closed" and f.outcome == "已装扶手"
    r = client.post(f"/app/visits/follow-ups/{f.pk}/close/", {"outcome": "again"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422


def test_each_stop_shows_its_earlier_visits(client, volunteer, worker_a, due_a, elder_in_a):
    from kangyang.visits.actions import record_visit

    record_visit(elder_in_a, by=worker_a, mode="phone", started_at=ago(days=3), met=True,
                 findings={"needs": {"state": "concern", "note": "想要助餐"}}, notes="电话回访")
    VisitDue.objects.filter(pk=due_a.pk).update(status="open", visit=None)  # still to visit at home
    client.force_login(volunteer)
    page = client.get("/app/visits/").text
    assert "想要助餐" in page and "电话回访" in page
