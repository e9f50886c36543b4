"""The time bank's pages: the volunteer's app page (/app/timebank/) and the community's pages
(/timebank/), through the test client.

Tests that compare with a message's Chinese read it through gettext under zh-hans, so they pass
before the lead compiles the catalogue too; the ones that check a message *is* Chinese (marked
"needs the compiled translations") pass only after."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.timebank import actions, queries, signups
from kangyang.timebank.models import Account, Activity, ActivitySignup, Attendance, Entry
from kangyang.timebank.tests.conftest import make_visit

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


@pytest.fixture
def item(db):
    from kangyang.services.models import ServiceItem

    return ServiceItem.objects.create(code="tbp-bath", name="助浴", category="basic_care", unit="visit",
                                      duration_minutes=60)


@pytest.fixture
def due(elder_in_a):
    """An open visit due of community A's elder, without a visitor."""
    from kangyang.visits.models import VisitDue

    today = timezone.localdate()
    return VisitDue.objects.create(elder=elder_in_a, region_code=elder_in_a.region_code, month=today.replace(day=1),
                                   due_by=timezone.now() + dt.timedelta(days=5))


@pytest.fixture
def due_in_b(elder_in_b):
    from kangyang.visits.models import VisitDue

    today = timezone.localdate()
    return VisitDue.objects.create(elder=elder_in_b, region_code=elder_in_b.region_code, month=today.replace(day=1),
                                   due_by=timezone.now() + dt.timedelta(days=5))


@pytest.fixture
def activity(worker_a, community_a):
    start = timezone.now() + dt.timedelta(days=2)
    return actions.create_activity(title="重阳节包饺子", region_code=community_a.code, starts_at=start,
                                   ends_at=start + dt.timedelta(hours=2), place="社区活动室", by=worker_a)


# -- the volunteer's app page ----------------------------------------------------------------------

def test_volunteer_sees_her_balance_in_words_and_her_history_with_its_source(client, vol_account, worker_a,
                                                                              elder_in_a, funder):
    funder(vol_account, 90, by=worker_a, elder=elder_in_a)
    client.force_login(vol_account.user)
    r = client.get("/app/timebank/")
    assert r.status_code == 200
    text = r.content.decode()
    assert 'data-balance-minutes="90"' in text and "<strong>1.5</strong>" in text
    with translation.override("zh-hans"):
        assert gettext("You have %(hours)s hours.") % {"hours": "1.5"} in text
        assert gettext("Visit to %(name)s") % {"name": "张桂兰"} in text
        assert ("+" + gettext("%(hours)s hours") % {"hours": "1.5"}) in text
    # the bottom navigation of a volunteer: her time bank and settings
    assert 'href="/app/timebank/" aria-current="page"' in text and 'href="/app/settings/"' in text


def test_the_history_says_spending_and_giving_in_words(client, senior_volunteer, worker_a, elder_in_a, funder, item):
    from kangyang.registry.actions import add_contact

    funder(senior_volunteer, 240, by=worker_a, elder=elder_in_a)
    actions.redeem(senior_volunteer, item=item, by=senior_volunteer.user)
    add_contact(elder_in_a, by=worker_a, name="陈退休", relation="son", phone="13912340000")
    actions.transfer_to_family(senior_volunteer, to_elder=elder_in_a, minutes=30, by=senior_volunteer.user)
    client.force_login(senior_volunteer.user)
    text = client.get("/app/timebank/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Spent on 助浴 × 1" in text and "Transferred to 张桂兰" in text and "Visit to 张桂兰" in text
    assert "You have 2.5 hours." in text


def test_a_volunteer_without_an_account_is_asked_to_register(client, volunteer):
    client.force_login(volunteer)
    r = client.get("/app/timebank/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and 'action="/app/timebank/register/"' in r.text and "from the age of 18" in r.text


def test_volunteer_registers_herself(client, volunteer):
    client.force_login(volunteer)
    r = client.post("/app/timebank/register/", {"real_name": "刘志愿", "birth_date": "1990-05-01",
                                                "phone": "13912345678"})
    assert r.status_code == 302
    account = Account.objects.get(user=volunteer)
    assert account.real_name == "刘志愿" and account.region_code == volunteer.region.code


def test_a_volunteer_under_18_is_refused_with_a_chinese_message(client, volunteer):
    client.force_login(volunteer)
    born = timezone.localdate().replace(year=timezone.localdate().year - 17)
    r = client.post("/app/timebank/register/", {"real_name": "小明", "birth_date": born.isoformat(),
                                                "phone": "13912345678"})
    assert r.status_code == 400 and not Account.objects.filter(user=volunteer).exists()
    message = zh("Volunteers register from the age of %(age)d.") % {"age": 18}
    assert message in r.content.decode()


def test_the_under_18_message_is_chinese(client, volunteer):
    """Needs the compiled translations (the ledger helper's msgid)."""
    assert HAN.search(zh("Volunteers register from the age of %(age)d."))


def test_volunteer_takes_a_visit_due_nearby_and_becomes_its_visitor(client, vol_account, due):
    client.force_login(vol_account.user)
    text = client.get("/app/timebank/").content.decode()
    assert f'data-need="visit-{due.pk}"' in text
    assert "张**" in text and "张桂兰" not in text  # before she takes it: the family name only
    r = client.post("/app/timebank/take/", {"kind": "visit", "need": due.pk})
    assert r.status_code == 302
    due.refresh_from_db()
    assert due.visitor_id == vol_account.user_id
    assert AuditEntry.objects.filter(verb="visit_due.take", target_id=str(due.pk)).exists()
    # taken: no longer a need nearby
    assert f'data-need="visit-{due.pk}"' not in client.get("/app/timebank/").content.decode()


def test_a_visit_taken_by_someone_else_is_said_in_words(client, vol_account, senior_volunteer, due):
    signups.take_visit_due(due, by=senior_volunteer.user)
    client.force_login(vol_account.user)
    r = client.post("/app/timebank/take/", {"kind": "visit", "need": due.pk})
    assert r.status_code == 404  # no longer among her needs nearby
    due.refresh_from_db()
    assert due.visitor_id == senior_volunteer.user_id


def test_taking_twice_at_once_leaves_one_visitor(vol_account, senior_volunteer, due):
    from kangyang.visits.models import VisitDue

    stale = VisitDue.objects.get(pk=due.pk)
    signups.take_visit_due(due, by=senior_volunteer.user)
    with pytest.raises(Exception) as e:
        signups.take_visit_due(stale, by=vol_account.user)
    assert getattr(e.value, "code", "") == "taken"
    due.refresh_from_db()
    assert due.visitor_id == senior_volunteer.user_id


def test_a_visit_of_another_community_is_not_a_need_of_hers(client, vol_account, due_in_b):
    client.force_login(vol_account.user)
    assert f"visit-{due_in_b.pk}" not in client.get("/app/timebank/").content.decode()
    assert client.post("/app/timebank/take/", {"kind": "visit", "need": due_in_b.pk}).status_code == 404
    due_in_b.refresh_from_db()
    assert due_in_b.visitor_id is None


def test_volunteer_signs_up_for_an_activity_of_her_community(client, vol_account, activity):
    client.force_login(vol_account.user)
    assert f'data-need="activity-{activity.pk}"' in client.get("/app/timebank/").content.decode()
    r = client.post("/app/timebank/take/", {"kind": "activity", "need": activity.pk})
    assert r.status_code == 302
    assert ActivitySignup.objects.filter(activity=activity, account=vol_account).count() == 1
    client.post("/app/timebank/take/", {"kind": "activity", "need": activity.pk})
    assert ActivitySignup.objects.filter(activity=activity, account=vol_account).count() == 1


@pytest.mark.parametrize("data", [
    {},
    {"kind": "visit", "need": "abc"},
    {"kind": "visit", "need": "-1"},
    {"kind": "visit", "need": "99999999999999999999999"},
    {"kind": "elder", "need": "1"},
    {"kind": ["visit", "activity"], "need": ["1", "2"]},
    {"kind": "activity", "need": "1e9"},
    {"kind": "visit", "need": "\x00"},
])
def test_hostile_take_values_are_a_form_error_never_a_500(client, vol_account, due, data):
    client.force_login(vol_account.user)
    r = client.post("/app/timebank/take/", data)
    assert r.status_code in (400, 404)
    due.refresh_from_db()
    assert due.visitor_id is None


def test_senior_volunteer_redeems_hours_for_a_service(client, senior_volunteer, worker_a, elder_in_a, funder, item):
    funder(senior_volunteer, 120, by=worker_a, elder=elder_in_a)
    client.force_login(senior_volunteer.user)
    assert "助浴" in client.get("/app/timebank/spend/").content.decode()
    r = client.post("/app/timebank/spend/", {"item": item.code, "quantity": "1"})
    assert r.status_code == 302
    senior_volunteer.refresh_from_db()
    assert senior_volunteer.balance_minutes == 60
    assert Entry.objects.filter(account=senior_volunteer, kind="redemption", amount_minutes=-60).exists()


def test_a_volunteer_under_the_redemption_age_is_refused_in_chinese(client, vol_account, worker_a, elder_in_a,
                                                                     funder, item):
    funder(vol_account, 120, by=worker_a, elder=elder_in_a)
    client.force_login(vol_account.user)
    r = client.post("/app/timebank/spend/", {"item": item.code, "quantity": "1"})
    assert r.status_code == 400
    assert zh("Hours are spent on services from the age of %(age)d.") % {"age": 60} in r.content.decode()
    vol_account.refresh_from_db()
    assert vol_account.balance_minutes == 120


def test_not_enough_hours_is_a_form_error(client, senior_volunteer, item):
    client.force_login(senior_volunteer.user)
    r = client.post("/app/timebank/spend/", {"item": item.code, "quantity": "2"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "Not enough hours" in r.content.decode()


@pytest.mark.parametrize("data", [
    {"item": "no-such", "quantity": "1"},
    {"item": "tbp-bath", "quantity": "0"},
    {"item": "tbp-bath", "quantity": "1000000000000000000000"},
    {"item": "tbp-bath", "quantity": "1.5"},
    {"item": ["tbp-bath", "x"], "quantity": ["1", "2"]},
    {"item": "<script>", "quantity": "NaN"},
    {},
])
def test_hostile_spend_values_are_a_form_error_never_a_500(client, senior_volunteer, item, data):
    client.force_login(senior_volunteer.user)
    r = client.post("/app/timebank/spend/", data)
    assert r.status_code == 400
    assert not Entry.objects.filter(kind="redemption").exists()


def test_volunteer_transfers_hours_to_her_familys_elder(client, senior_volunteer, worker_a, elder_in_a, funder):
    from kangyang.registry.actions import add_contact

    funder(senior_volunteer, 120, by=worker_a, elder=elder_in_a)
    add_contact(elder_in_a, by=worker_a, name="陈退休", relation="son", phone="13912340000")
    client.force_login(senior_volunteer.user)
    page = client.get("/app/timebank/give/").content.decode()
    assert f'value="transfer:{elder_in_a.pk}"' in page
    r = client.post("/app/timebank/give/", {"to": f"transfer:{elder_in_a.pk}", "hours": "0.5"})
    assert r.status_code == 302
    assert Account.objects.get(elder=elder_in_a).balance_minutes == 30


@pytest.mark.parametrize("data", [
    {"to": "transfer:1", "hours": "1"},  # not one she is offered
    {"to": "donation:abc", "hours": "1"},
    {"to": "transfer:{pk}", "hours": "0.3"},  # not a quarter hour
    {"to": "transfer:{pk}", "hours": "-1"},
    {"to": "transfer:{pk}", "hours": "1e400"},
    {"to": "transfer:{pk}", "hours": "99999"},
    {"to": "transfer:{pk}", "hours": "5"},  # more than her balance
])
def test_hostile_give_values_are_a_form_error_never_a_500(client, senior_volunteer, worker_a, elder_in_a, elder_in_b,
                                                            funder, data):
    from kangyang.registry.actions import add_contact

    funder(senior_volunteer, 60, by=worker_a, elder=elder_in_a)
    add_contact(elder_in_a, by=worker_a, name="陈退休", relation="son", phone="13912340000")
    client.force_login(senior_volunteer.user)
    data = {k: v.replace("{pk}", str(elder_in_a.pk)) for k, v in data.items()}
    if data["to"] == "transfer:1":
        data["to"] = f"transfer:{elder_in_b.pk}"
    r = client.post("/app/timebank/give/", data)
    assert r.status_code == 400
    assert not Entry.objects.filter(kind="transfer").exists()


@pytest.mark.parametrize("persona", ["provider", "caregiver", "elder", "family", "worker_a"])
def test_other_roles_are_refused_the_volunteer_page_with_a_chinese_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/app/timebank/", "/app/timebank/spend/", "/app/timebank/give/"):
        r = client.get(url)
        assert r.status_code == 403 and "您无权打开此页面" in r.content.decode()
    assert client.post("/app/timebank/take/", {"kind": "visit", "need": "1"}).status_code == 403


def test_signed_out_the_page_asks_to_sign_in_in_the_app(client):
    r = client.get("/app/timebank/")
    assert r.status_code == 302 and r["Location"].startswith("/app/login/")


def test_signing_in_takes_a_volunteer_to_her_day_with_the_time_bank_one_tap_away(client, volunteer):
    client.force_login(volunteer)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/app/visits/"
    nav = client.get("/app/visits/").content.decode().split("<nav", 1)[1]
    assert 'href="/app/timebank/"' in nav


# -- the elder's card ---------------------------------------------------------------------------

def test_an_elder_with_hours_sees_her_balance_on_her_home_screen(client, elder, senior_volunteer, worker_a,
                                                                 elder_in_a, funder):
    from kangyang.registry.actions import add_contact

    funder(senior_volunteer, 120, by=worker_a, elder=elder_in_a)
    add_contact(elder_in_a, by=worker_a, name="陈退休", relation="son", phone="13912340000")
    actions.transfer_to_family(senior_volunteer, to_elder=elder_in_a, minutes=45, by=senior_volunteer.user)
    client.force_login(elder)
    text = client.get("/app/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-card="timebank.balance"' in text and 'data-balance-minutes="45"' in text
    assert "You have 0.75 hours." in text and "Transferred from 陈退休" in text


def test_an_elder_without_an_account_has_no_time_bank_card(client, elder):
    client.force_login(elder)
    assert 'data-card="timebank.balance"' not in client.get("/app/").content.decode()


# -- the community's pages ------------------------------------------------------------------------

def test_community_worker_confirms_a_visit_and_the_chain_still_verifies(client, worker_a, vol_account, elder_in_a):
    visit = make_visit(elder_in_a, vol_account.user, minutes=80)
    client.force_login(worker_a)
    page = client.get("/timebank/").content.decode()
    assert f'data-row="visit:{visit.pk}"' in page and "刘志愿" in page
    r = client.post("/timebank/confirm/", {"row": f"visit:{visit.pk}"})
    assert r.status_code == 302
    vol_account.refresh_from_db()
    assert vol_account.balance_minutes == 75  # 80 minutes, to the quarter hour
    assert queries.verify().ok
    assert f'data-row="visit:{visit.pk}"' not in client.get("/timebank/").content.decode()
    # confirming again deposits nothing more
    client.post("/timebank/confirm/", {"row": f"visit:{visit.pk}"})
    vol_account.refresh_from_db()
    assert vol_account.balance_minutes == 75


def test_confirm_all_shown_confirms_visits_and_attendances(client, worker_a, vol_account, senior_volunteer,
                                                           elder_in_a, activity):
    v1 = make_visit(elder_in_a, vol_account.user, minutes=60)
    v2 = make_visit(elder_in_a, senior_volunteer.user, minutes=30)
    attendance = actions.confirm_attendance(activity, account=vol_account, by=worker_a)
    client.force_login(worker_a)
    r = client.post("/timebank/confirm/", {"row": [f"visit:{v1.pk}", f"visit:{v2.pk}",
                                                   f"attendance:{attendance.pk}"]})
    assert r.status_code == 302
    vol_account.refresh_from_db()
    senior_volunteer.refresh_from_db()
    assert vol_account.balance_minutes == 60 + 120 and senior_volunteer.balance_minutes == 30
    assert queries.verify().ok


@pytest.mark.parametrize("rows", [["visit:abc"], ["x"], ["visit:99999999999999999999"], ["attendance:-1"], []])
def test_hostile_confirm_rows_confirm_nothing_and_never_500(client, worker_a, vol_account, elder_in_a, rows):
    make_visit(elder_in_a, vol_account.user, minutes=60)
    client.force_login(worker_a)
    r = client.post("/timebank/confirm/", {"row": rows})
    assert r.status_code == 302
    assert not Entry.objects.exists()


def test_a_worker_of_another_community_cannot_confirm_these_hours(client, worker_b, vol_account, elder_in_a):
    visit = make_visit(elder_in_a, vol_account.user, minutes=60)
    client.force_login(worker_b)
    assert f"visit:{visit.pk}" not in client.get("/timebank/").content.decode()
    client.post("/timebank/confirm/", {"row": f"visit:{visit.pk}"})
    assert not Entry.objects.exists()


def test_subdistrict_officer_sees_the_pages_but_does_not_confirm(client, subdistrict, vol_account, elder_in_a):
    visit = make_visit(elder_in_a, vol_account.user, minutes=60)
    client.force_login(subdistrict)
    assert client.get("/timebank/").status_code == 200
    assert client.post("/timebank/confirm/", {"row": f"visit:{visit.pk}"}).status_code == 403
    assert client.get("/timebank/accounts/").status_code == 200


@pytest.mark.parametrize("persona", ["provider", "caregiver", "volunteer", "elder", "family", "operator", "inspector"])
def test_other_roles_are_refused_the_community_pages_with_a_chinese_403(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/timebank/", "/timebank/activities/", "/timebank/accounts/", "/timebank/statement.xlsx"):
        r = client.get(url)
        assert r.status_code == 403 and "您无权打开此页面" in r.content.decode(), url


def test_the_navigation_has_the_time_bank_for_community_workers(client, worker_a, volunteer):
    client.force_login(worker_a)
    assert 'href="/timebank/"' in client.get("/timebank/accounts/").content.decode()


def test_worker_creates_an_activity_and_confirms_who_came(client, worker_a, vol_account, community_a):
    client.force_login(worker_a)
    r = client.post("/timebank/activities/", {
        "title": "陪老人下棋", "region": community_a.code, "starts_at": "2026-10-01T09:00",
        "ends_at": "2026-10-01T11:30", "place": "活动室"})
    assert r.status_code == 302
    created = Activity.objects.get(title="陪老人下棋")
    page = client.get(f"/timebank/activities/{created.pk}/").content.decode()
    assert f'value="{vol_account.pk}"' in page
    r = client.post(f"/timebank/activities/{created.pk}/", {"account": vol_account.pk, "hours": "2"})
    assert r.status_code == 302
    assert Attendance.objects.get(activity=created, account=vol_account).minutes == 120
    assert client.post(f"/timebank/activities/{created.pk}/", {"account": "x", "hours": "abc"}).status_code == 400


@pytest.mark.parametrize("data", [
    {"title": "", "region": "360103001001", "starts_at": "2026-10-01T09:00", "ends_at": "2026-10-01T08:00"},
    {"title": "x", "region": "360103002001", "starts_at": "2026-10-01T09:00", "ends_at": "2026-10-01T11:00"},
    {"title": "x", "region": "'; drop table", "starts_at": "nope", "ends_at": ""},
    {"title": "x" * 500, "region": "360103001001", "starts_at": "2026-10-01T09:00", "ends_at": "2026-10-01T11:00"},
])
def test_hostile_activity_values_are_a_form_error_never_a_500(client, worker_a, community_a, community_b, data):
    client.force_login(worker_a)
    r = client.post("/timebank/activities/", data)
    assert r.status_code == 400 and not Activity.objects.exists()


def test_only_the_organiser_confirms_who_came(client, subdistrict, activity, vol_account):
    client.force_login(subdistrict)
    r = client.post(f"/timebank/activities/{activity.pk}/", {"account": vol_account.pk})
    assert r.status_code == 403 and not Attendance.objects.exists()


def test_the_accounts_page_lists_balances_of_the_area(client, worker_a, worker_b, vol_account, elder_in_a, funder):
    funder(vol_account, 150, by=worker_a, elder=elder_in_a)
    client.force_login(worker_a)
    page = client.get("/timebank/accounts/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-account="{vol_account.pk}"' in page and "2.5 hours" in page
    client.force_login(worker_b)
    assert f'data-account="{vol_account.pk}"' not in client.get("/timebank/accounts/").content.decode()
    assert client.get(f"/timebank/accounts/{vol_account.pk}/statement.xlsx").status_code == 404


def test_an_accounts_statement_opens_with_openpyxl_and_has_the_right_rows(client, worker_a, senior_volunteer,
                                                                          elder_in_a, funder, item):
    funder(senior_volunteer, 90, by=worker_a, elder=elder_in_a)
    actions.redeem(senior_volunteer, item=item, by=senior_volunteer.user)
    client.force_login(worker_a)
    month = timezone.localdate().strftime("%Y-%m")
    r = client.get(f"/timebank/accounts/{senior_volunteer.pk}/statement.xlsx", {"month": month})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "时间银行对账单" in rows[0][0] and "陈退休" in rows[0][0]
    assert rows[2] == ("序号", "时间", "类别", "摘要", "小时", "余额（小时）", "流水号")
    body = rows[3:-1]
    assert [row[4] for row in body] == [1.5, -1.0] and [row[5] for row in body] == [1.5, 0.5]
    assert "张桂兰" in body[0][3] and "助浴" in body[1][3]
    entry = Entry.objects.filter(account=senior_volunteer).order_by("seq").first()
    assert body[0][1] == timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai
    assert rows[-1][0] == "合计" and rows[-1][4] == 0.5
    assert AuditEntry.objects.filter(verb="timebank.statement_export", target_id=str(senior_volunteer.pk)).exists()


def test_a_communitys_monthly_statement_has_every_movement_and_each_accounts_balances(
        client, worker_a, vol_account, senior_volunteer, elder_in_a, funder, community_a):
    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    funder(senior_volunteer, 30, by=worker_a, elder=elder_in_a)
    client.force_login(worker_a)
    r = client.get("/timebank/statement.xlsx", {"region": community_a.code,
                                                "month": timezone.localdate().strftime("%Y-%m")})
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert "桃花社区" in rows[0][0] and rows[2][0] == "序号"
    assert sorted(row[6] for row in rows[3:]) == [0.5, 1.0]
    summary = list(book.worksheets[1].iter_rows(values_only=True))[3:]
    assert sorted((row[1], row[7]) for row in summary) == [("刘志愿", 1.0), ("陈退休", 0.5)]


@pytest.mark.parametrize("query", [{"month": "2026-13"}, {"month": "abc"}, {"month": "9999-01"},
                                   {"region": "360103002001"}, {"region": "x"}, {}])
def test_hostile_statement_parameters_are_a_400_never_a_500(client, worker_a, vol_account, query):
    client.force_login(worker_a)
    assert client.get("/timebank/statement.xlsx", query).status_code == 400
    if "month" in query:
        assert client.get(f"/timebank/accounts/{vol_account.pk}/statement.xlsx", query).status_code == 400


def test_an_activity_for_the_whole_subdistrict_is_a_need_of_its_communities_volunteers(
        client, vol_account, worker_a, subdistrict, subdistrict_1, subdistrict_2, community_b):
    soon = timezone.now() + dt.timedelta(days=3)
    ours = actions.create_activity(title="街道义诊", region_code=subdistrict_1.code, starts_at=soon,
                                   ends_at=soon + dt.timedelta(hours=1), by=subdistrict)
    theirs = Activity.objects.create(title="朝阳洲街道活动", region_code=subdistrict_2.code, organiser=subdistrict,
                                     starts_at=soon, ends_at=soon + dt.timedelta(hours=1))
    client.force_login(vol_account.user)
    text = client.get("/app/timebank/").content.decode()
    assert f"activity-{ours.pk}" in text and f"activity-{theirs.pk}" not in text
    assert client.post("/app/timebank/take/", {"kind": "activity", "need": theirs.pk}).status_code == 404
    assert client.post("/app/timebank/take/", {"kind": "activity", "need": ours.pk}).status_code == 302
    assert not ActivitySignup.objects.filter(activity=theirs).exists()


def test_an_activity_that_has_ended_is_no_longer_a_need(client, vol_account, worker_a, community_a):
    past = timezone.now() - dt.timedelta(days=3)
    over = actions.create_activity(title="已结束", region_code=community_a.code, starts_at=past,
                                   ends_at=past + dt.timedelta(hours=1), by=worker_a)
    client.force_login(vol_account.user)
    assert f"activity-{over.pk}" not in client.get("/app/timebank/").content.decode()
    assert client.post("/app/timebank/take/", {"kind": "activity", "need": over.pk}).status_code == 404


def test_her_family_sees_the_elders_balance_card(client, family, senior_volunteer, worker_a, elder_in_a, funder):
    from kangyang.registry.actions import add_contact

    funder(senior_volunteer, 60, by=worker_a, elder=elder_in_a)
    add_contact(elder_in_a, by=worker_a, name="陈退休", relation="son", phone="13912340000")
    actions.transfer_to_family(senior_volunteer, to_elder=elder_in_a, minutes=60, by=senior_volunteer.user)
    client.force_login(family)
    text = client.get("/app/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-card="timebank.balance"' in text and "张桂兰 has 1 hours." in text
