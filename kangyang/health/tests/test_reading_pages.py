"""The readings' and alerts' pages: the panel's open alerts and readings to look at, the alerts'
list and an alert's page with its forms, an elder's readings with the trend charts (target lines,
points by class, the table), the "looked at" bulk action; scope (404 outside it, 403 for roles
without the module) and the audit of staff reads."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.health.actions import alerts
from kangyang.health.models import HealthAlert, Reading
from kangyang.health.queries import readings as queries
from kangyang.health.tests.alerts_world import store, world  # noqa: F401

NOW = timezone.now()


@pytest.fixture
def data(world, django_capture_on_commit_callbacks):
    urgent = store(world.elder_a, at=NOW - dt.timedelta(hours=2))
    uncontrolled = store(world.elder_a, classification="uncontrolled", systolic=156, diastolic=88,
                         at=NOW - dt.timedelta(days=3))
    controlled = store(world.elder_a, classification="controlled", systolic=132, diastolic=78,
                       at=NOW - dt.timedelta(days=10))
    glucose = store(world.elder_a, kind="fasting_glucose", classification="uncontrolled", glucose=7.8,
                    at=NOW - dt.timedelta(days=5))
    old = store(world.elder_a, classification="uncontrolled", systolic=150, diastolic=92,
                at=NOW - dt.timedelta(days=120))
    other = store(world.elder_b, at=NOW - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        alert = alerts.raise_alerts([urgent], now=NOW - dt.timedelta(hours=2))[0]
        other_alert = alerts.raise_alerts([other], now=NOW - dt.timedelta(hours=1))[0]
    return {"urgent": urgent, "uncontrolled": uncontrolled, "controlled": controlled, "glucose": glucose, "old": old,
            "other": other, "alert": alert, "other_alert": other_alert}


def _ids(html: str, attr: str) -> set[int]:
    return {int(v) for v in re.findall(rf'{attr}="(\d+)"', html)}


def test_the_doctors_panel_shows_open_alerts_then_readings_to_look_at(client, world, data):
    client.force_login(world.doctor_a)
    html = client.get(reverse("health:index")).content.decode()
    assert 'data-section="readings"' in html
    assert _ids(html, "data-acknowledge") == {data["alert"].pk}
    assert _ids(html, "data-alert") == {data["alert"].pk}
    # uncontrolled/urgent, not looked at, of the team's elders; newest first; not the controlled one
    shown = [int(v) for v in re.findall(r'data-reading="(\d+)"', html)]
    assert shown == [data["urgent"].pk, data["uncontrolled"].pk, data["glucose"].pk, data["old"].pk]
    assert html.index("data-alert=") < html.index("data-reading=")


def test_the_workers_panel_shows_her_areas(client, world, data):
    client.force_login(world.worker_b)
    html = client.get(reverse("health:index")).content.decode()
    assert _ids(html, "data-alert") == {data["other_alert"].pk}
    assert _ids(html, "data-reading") == {data["other"].pk}


def test_acknowledging_from_the_panel(client, world, data):
    client.force_login(world.worker_a)
    r = client.post(reverse("health:alert_acknowledge", args=[data["alert"].pk]), {"next": "panel"})
    assert r.status_code == 302 and r["Location"] == reverse("health:index")
    data["alert"].refresh_from_db()
    assert data["alert"].status == "acknowledged"


def test_the_alerts_list_filters_polls_and_is_audited(client, world, data):
    alerts.close(data["alert"], world.doctor_a, "已处理")
    client.force_login(world.doctor_a)
    html = client.get(reverse("health:alerts")).content.decode()
    assert 'hx-trigger="every 30s"' in html
    assert _ids(html, "data-alert") == {data["alert"].pk}
    assert _ids(client.get(reverse("health:alerts"), {"status": "open"}).content.decode(), "data-alert") == set()
    assert _ids(client.get(reverse("health:alerts"), {"status": "closed"}).content.decode(), "data-alert") == {
        data["alert"].pk}
    # a hostile filter shows the whole list rather than failing
    for query in ({"status": "nope"}, {"page": "99999999999999999999999"}, {"page": "-1"}):
        assert client.get(reverse("health:alerts"), query).status_code == 200
    assert client.get(reverse("health:alerts"), {"status": "open\x00"}).status_code == 400  # the project's guard
    assert AuditEntry.objects.filter(verb="health_alert.list", actor=world.doctor_a).count() >= 3


def test_an_alerts_page_acknowledges_and_closes_with_an_outcome(client, world, data):
    alert = data["alert"]
    client.force_login(world.doctor_a)
    html = client.get(reverse("health:alert", args=[alert.pk])).content.decode()
    assert f'data-acknowledge="{alert.pk}"' in html and "data-close-form" in html
    assert AuditEntry.objects.filter(verb="health_alert.read", target_id=str(alert.pk)).count() == 1
    assert client.post(reverse("health:alert_acknowledge", args=[alert.pk])).status_code == 302
    r = client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "  "})
    assert r.status_code == 422
    r = client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "上门随访\x00"})
    assert r.status_code == 400
    r = client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "上门随访，已转诊"})
    assert r.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == ("closed", "上门随访，已转诊")
    html = client.get(reverse("health:alert", args=[alert.pk])).content.decode()
    assert "data-close-form" not in html and "data-acknowledge" not in html


@pytest.mark.parametrize("who", ["doctor_b", "worker_b", "officer_2"])
def test_outside_scope_an_alert_and_an_elders_readings_are_not_found(client, world, data, who):
    client.force_login(getattr(world, who))
    alert = data["alert"]
    assert client.get(reverse("health:alert", args=[alert.pk])).status_code == 404
    assert client.post(reverse("health:alert_acknowledge", args=[alert.pk])).status_code == 404
    assert client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "x"}).status_code == 404
    assert client.get(reverse("health:elder_readings", args=[world.elder_a.pk])).status_code == 404
    html = client.get(reverse("health:alerts")).content.decode()
    assert alert.pk not in _ids(html, "data-alert")
    html = client.get(reverse("health:readings_review")).content.decode()
    assert not _ids(html, "data-reading") & {data["urgent"].pk, data["uncontrolled"].pk}
    alert.refresh_from_db()
    assert alert.status == "open"


@pytest.mark.parametrize("who", ["provider", "caregiver", "operator", "family"])
def test_roles_without_the_module_are_refused(client, world, data, who):
    client.force_login(getattr(world, who))
    for url in (reverse("health:alerts"), reverse("health:alert", args=[data["alert"].pk]),
                reverse("health:readings_review")):
        assert client.get(url).status_code == 403, url
    # An elder's page: 404 to whoever may not read her health (as if she were not there), 403 to
    # those who may (the operator, her family) but use other pages.
    expected = 403 if who in ("operator", "family") else 404
    assert client.get(reverse("health:elder_readings", args=[world.elder_a.pk])).status_code == expected
    assert client.post(reverse("health:alert_acknowledge", args=[data["alert"].pk])).status_code == 403
    data["alert"].refresh_from_db()
    assert data["alert"].status == "open"


def test_an_elders_readings_page_draws_the_trends(client, world, data):
    client.force_login(world.doctor_a)
    r = client.get(reverse("health:elder_readings", args=[world.elder_a.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    # one chart per kind of the last 90 days, with the 65+ target (150/90) and glucose's 7.0 and 3.9
    assert set(re.findall(r'data-trend="(\w+)"', html)) == {"blood_pressure", "fasting_glucose"}
    assert set(re.findall(r'data-target="([\d.]+)"', html)) == {"150", "90", "7.0", "3.9"}
    # points coloured by class (systolic and diastolic of three readings, one glucose), the old one left out
    classes = re.findall(r'<(?:circle|rect) class="pt cls-(\w+)" data-class="\w+"', html)
    assert sorted(classes) == sorted(["urgent"] * 2 + ["uncontrolled"] * 2 + ["controlled"] * 2 + ["uncontrolled"])
    assert "<details>" in html and html.count("<table") >= 3
    # the list below: every reading, paginated, newest first
    rows = [int(v) for v in re.findall(r'<tr data-reading="(\d+)" data-class', html)]
    assert rows == [data["urgent"].pk, data["uncontrolled"].pk, data["glucose"].pk, data["controlled"].pk,
                    data["old"].pk]
    assert AuditEntry.objects.filter(verb="reading.read", target_id=str(world.elder_a.pk),
                                     actor=world.doctor_a).exists()
    assert client.get(reverse("health:elder_readings", args=[world.elder_a.pk]), {"kind": "bad"}).status_code == 200


def test_the_blood_pressure_target_is_140_90_below_65(world):
    today = timezone.localdate()
    elder = world.elder_a
    assert queries.bp_target(elder, today) == (150, 90)
    elder.birth_date = today.replace(year=today.year - 60)
    assert queries.bp_target(elder, today) == (140, 90)


def test_the_elder_section_gives_the_charts_and_her_open_alerts(world, data):
    section = queries.elder_section(world.doctor_a, world.elder_a)
    assert [t["kind"] for t in section["trends"]] == ["blood_pressure", "fasting_glucose"]
    assert [a.pk for a in section["alerts"]] == [data["alert"].pk]
    assert section["alerts"][0].may_handle
    assert queries.elder_section(world.worker_a, world.elder_b)["alerts"] == []  # not hers to see


def test_looked_at_in_bulk(client, world, data):
    client.force_login(world.doctor_a)
    html = client.get(reverse("health:readings_review")).content.decode()
    assert {data["urgent"].pk, data["uncontrolled"].pk} <= _ids(html, 'name="readings" value')
    ids = [data["urgent"].pk, data["uncontrolled"].pk, data["other"].pk, data["controlled"].pk]
    r = client.post(reverse("health:readings_mark"), {"readings": [*map(str, ids), "x", "-1", "9" * 30]})
    assert r.status_code == 302
    reviewed = set(Reading.objects.filter(reviewed_at__isnull=False).values_list("pk", flat=True))
    # another team's elder's reading and a controlled one are not "to look at" for her
    assert reviewed == {data["urgent"].pk, data["uncontrolled"].pk}
    assert Reading.objects.get(pk=data["urgent"].pk).reviewed_by == world.doctor_a
    assert AuditEntry.objects.filter(verb="reading.review", actor=world.doctor_a).count() == 2
    html = client.get(reverse("health:readings_review")).content.decode()
    assert not _ids(html, "data-reading") & {data["urgent"].pk, data["uncontrolled"].pk}
    assert client.post(reverse("health:readings_mark"), {}).status_code == 302  # nothing chosen: a message


def test_an_alerts_page_has_its_tab(client, world, data):
    client.force_login(world.worker_a)
    html = client.get(reverse("health:alert", args=[data["alert"].pk])).content.decode()
    assert f'href="{reverse("health:alerts")}" aria-current="page"' in html
    assert HealthAlert.objects.filter(pk=data["alert"].pk, status="open").exists()
