"""The allowance pages, through the test client, as each persona."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.registry.actions import set_elder_status
from kangyang.allowances import actions
from kangyang.allowances.models import PaymentLine, PaymentRoll, Policy, PolicyVersion, Recovery, RollRun
from kangyang.allowances.tests.conftest import approve_all, assess, born, make_elder, pay_through_bank

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ROLLS = "/allowances/rolls/"
S = PaymentRoll.Status


@pytest.fixture
def rolls(admin, worker_a, worker_b, community_a, community_b, longevity, generate, this_month, district):
    make_elder(worker_a, community_a, birth=born(85, on=this_month), name="周桂芳")
    make_elder(worker_b, community_b, birth=born(91, on=this_month), name="吴德明")
    generate(admin, longevity, this_month, district)
    return {r.region_id: r for r in PaymentRoll.objects.all()}


def roll_url(roll, suffix: str = "") -> str:
    return f"{ROLLS}{roll.pk}/{suffix}"


# -- rolls list, generation ------------------------------------------------------------------
def test_a_worker_sees_the_rolls_of_their_community_only(client, worker_a, rolls, community_a, community_b):
    client.force_login(worker_a)
    r = client.get(ROLLS)
    assert r.status_code == 200
    assert roll_url(rolls[community_a.pk]) in r.text and roll_url(rolls[community_b.pk]) not in r.text
    assert client.get(roll_url(rolls[community_b.pk])).status_code == 404


@pytest.mark.parametrize("who", ["provider", "operator", "elder", "inspector"])
def test_roles_without_allowance_work_get_no_roll_pages(client, request, who, rolls, community_a):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ROLLS).status_code == 403
    assert client.get(roll_url(rolls[community_a.pk])).status_code == 404


def test_the_list_filters_and_htmx_gets_the_table(client, admin, rolls, this_month):
    client.force_login(admin)
    r = client.get(ROLLS, {"region": "360103001000", "month": this_month.strftime("%Y-%m")}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.text
    assert "桃花社区" in r.text and "朝阳社区" not in r.text


def test_generating_from_the_page_runs_in_the_background(
    client, admin, worker_a, community_a, longevity, this_month, django_capture_on_commit_callbacks,
):
    make_elder(worker_a, community_a, birth=born(82, on=this_month))
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"{ROLLS}generate/", {"policy": longevity.pk, "month": this_month.strftime("%Y-%m"),
                                               "region": "360103000000"}, **EN)
    assert r.status_code == 302
    run = RollRun.objects.get()
    assert (run.status, run.lines, run.total) == ("done", 1, Decimal("50.00"))
    assert "1 rolls, 1 payees" in client.get(f"{ROLLS}runs/", **EN).text


def test_a_worker_cannot_generate_for_the_district(client, worker_a, longevity, this_month):
    client.force_login(worker_a)
    r = client.post(f"{ROLLS}generate/", {"policy": longevity.pk, "month": this_month.strftime("%Y-%m"),
                                          "region": "360103000000"})
    assert r.status_code == 302 and not RollRun.objects.exists()


# -- review ----------------------------------------------------------------------------------
def test_approving_step_by_step_through_the_pages(client, worker_a, subdistrict, admin, rolls, community_a):
    roll = rolls[community_a.pk]
    for user, status in ((worker_a, S.COMMUNITY_APPROVED), (subdistrict, S.SUBDISTRICT_APPROVED),
                         (admin, S.DISTRICT_APPROVED)):
        client.force_login(user)
        assert "/approve/" in client.get(roll_url(roll)).text
        assert client.post(roll_url(roll, "approve/"), {"note": "已核对"}).status_code == 302
        roll.refresh_from_db()
        assert roll.status == status
    assert AuditEntry.objects.filter(verb="payment_roll.approve", note="已核对").count() == 3


def test_approving_out_of_turn_is_refused(client, admin, rolls, community_a):
    client.force_login(admin)
    roll = rolls[community_a.pk]
    assert "/approve/" not in client.get(roll_url(roll)).text
    assert client.post(roll_url(roll, "approve/")).status_code == 403
    roll.refresh_from_db()
    assert roll.status == S.DRAFT


def test_approving_all_waiting_rolls_at_once(client, admin, worker_a, worker_b, subdistrict, rolls, this_month):
    for worker in (worker_a, worker_b):
        client.force_login(worker)
        client.post(f"{ROLLS}approve/", {"month": this_month.strftime("%Y-%m")})
    assert set(PaymentRoll.objects.values_list("status", flat=True)) == {S.COMMUNITY_APPROVED}
    client.force_login(subdistrict)  # subdistrict 1 only
    client.post(f"{ROLLS}approve/", {})
    assert sorted(PaymentRoll.objects.values_list("status", flat=True)) == [S.COMMUNITY_APPROVED, S.SUBDISTRICT_APPROVED]


def test_returning_a_roll_needs_a_reason(client, worker_a, subdistrict, rolls, community_a):
    roll = actions.approve_payment_roll(rolls[community_a.pk], by=worker_a)
    client.force_login(subdistrict)
    r = client.post(roll_url(roll, "return/"), {"reason": ""})
    assert r.status_code == 200
    assert client.post(roll_url(roll, "return/"), {"reason": "名单有误"}).status_code == 302
    roll.refresh_from_db()
    assert roll.status == S.DRAFT


# -- exports ---------------------------------------------------------------------------------
def test_the_xlsx_has_masked_ids_only_and_is_audited(client, worker_a, rolls, community_a):
    client.force_login(worker_a)
    r = client.get(roll_url(rolls[community_a.pk], "export/"))
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][1] == "周桂芳" and "*" in rows[1][2] and rows[-1][7] == 50
    assert AuditEntry.objects.filter(verb="payment_roll.export", actor=worker_a).exists()


def test_a_voucher_roll_is_credited_from_the_page(client, admin, subdistrict, worker_a, community_a, service,
                                                 generate, this_month, district):
    make_elder(worker_a, community_a, birth=born(66, on=this_month), categories=["low_income"])
    generate(admin, service, this_month, district)
    roll = approve_all(PaymentRoll.objects.get(policy=service), worker=worker_a, officer=subdistrict, admin=admin)
    client.force_login(admin)
    assert "/credit/" in client.get(roll_url(roll)).text
    assert client.post(roll_url(roll, "credit/")).status_code == 302
    roll.refresh_from_db()
    assert roll.status == S.EXPORTED


# -- policies --------------------------------------------------------------------------------
def _band_post(rows: list[dict]) -> dict:
    data = {"band-TOTAL_FORMS": str(len(rows)), "band-INITIAL_FORMS": "0", "band-MIN_NUM_FORMS": "0",
            "band-MAX_NUM_FORMS": "30"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"band-{i}-{key}"] = value
    return data


def test_the_bureau_admin_creates_a_policy_and_a_new_version(client, admin, worker_a, community_a, this_month):
    make_elder(worker_a, community_a, birth=born(92, on=this_month))
    client.force_login(admin)
    assert client.get("/allowances/policies/new/?preset=consumption_voucher").status_code == 200
    r = client.post("/allowances/policies/new/", {
        "kind": "longevity", "name": "高龄津贴", "region": "360103000000", "effective_from": "2024-01",
        "carries_over": "on", "is_example": "on",
        **_band_post([{"age_from": "80", "age_to": "89", "amount": "50"}, {"age_from": "90", "amount": "100"},
                      {}]),
    })
    assert r.status_code == 302, r.content.decode()[:3000]
    policy = Policy.objects.get()
    page = client.get(f"/allowances/policies/{policy.pk}/?count=1", **EN)
    assert page.status_code == 200 and "example amounts" in page.text
    assert ">100.00<" in page.text  # the one elder of 90+, counted by the database
    next_month = (this_month + dt.timedelta(days=32)).replace(day=1)
    r = client.post(f"/allowances/policies/{policy.pk}/versions/new/", {
        "effective_from": next_month.strftime("%Y-%m"),
        **_band_post([{"age_from": "80", "amount": "60"}]),
    })
    assert r.status_code == 302
    assert PolicyVersion.objects.filter(policy=policy).count() == 2


def test_overlapping_rules_are_shown_on_the_form(client, admin):
    client.force_login(admin)
    r = client.post("/allowances/policies/new/", {
        "kind": "longevity", "name": "x", "region": "360103000000", "effective_from": "2024-01",
        **_band_post([{"age_from": "80", "amount": "50"}, {"age_from": "85", "amount": "60"}]),
    }, **EN)
    assert r.status_code == 200 and "overlap" in r.text and not Policy.objects.exists()


@pytest.mark.parametrize("who", ["subdistrict", "worker_a"])
def test_only_the_bureau_admin_edits_policies_on_the_pages(client, request, who, longevity):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/allowances/policies/").status_code == 200
    assert client.get("/allowances/policies/new/").status_code == 403
    assert client.get(f"/allowances/policies/{longevity.pk}/versions/new/").status_code == 403


# -- the elder page, recovery, payee account ---------------------------------------------------
def test_the_elder_page_explains_the_allowances(client, worker_a, community_a, care, longevity, this_month):
    elder = make_elder(worker_a, community_a, birth=born(83, on=this_month), categories=["extreme_poverty"])
    assess(elder, 4, on=this_month - dt.timedelta(days=3))
    client.force_login(worker_a)
    r = client.get(f"/registry/elders/{elder.pk}/", **EN)
    assert "护理补贴 ¥400.00: capability level 4 (complete loss), extreme poverty" in r.text
    assert "高龄津贴 ¥50.00: aged 83 (80–89)" in r.text


def test_the_operator_sees_the_elder_card_without_allowances(client, operator, elder_in_a, longevity):
    client.force_login(operator)
    r = client.get(f"/registry/elders/{elder_in_a.pk}/", **EN)
    assert r.status_code == 200 and 'id="allowances"' not in r.text


def test_overpayments_are_listed_and_recorded(client, admin, subdistrict, worker_a, worker_b, longevity,
                                              community_a, generate, this_month, district):
    elder = make_elder(worker_a, community_a, birth=born(90, on=this_month), name="钱玉兰")
    generate(admin, longevity, this_month, district)
    approve_all(PaymentRoll.objects.get(), worker=worker_a, officer=subdistrict, admin=admin)
    pay_through_bank(admin, longevity, this_month, district)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    set_elder_status(elder, by=worker_a, status="moved_out", on=last_month + dt.timedelta(days=20))
    client.force_login(worker_b)
    assert "钱玉兰" not in client.get("/allowances/recovery/").text
    client.force_login(worker_a)
    assert "钱玉兰" in client.get("/allowances/recovery/").text
    line = PaymentLine.objects.get(elder=elder)
    assert client.post(f"/allowances/recovery/{line.pk}/settle/", {"outcome": "waived", "note": ""}).status_code == 302
    assert not Recovery.objects.exists()  # waived without saying why: refused
    client.post(f"/allowances/recovery/{line.pk}/settle/", {"outcome": "waived", "note": "本人已迁往外省，款已追回困难"})
    link = f"/registry/elders/{elder.pk}/"
    assert link not in client.get("/allowances/recovery/").text
    assert link in client.get("/allowances/recovery/?outcome=settled").text


def test_the_payee_account_is_stored_encrypted_and_shown_masked(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    assert client.get(f"/allowances/elders/{elder_in_a.pk}/account/").status_code == 200
    r = client.post(f"/allowances/elders/{elder_in_a.pk}/account/", {
        "holder_name": "张桂兰", "bank_name": "中国邮政储蓄银行", "account_number": "6217 9942 0000 1234"})
    assert r.status_code == 302
    page = client.get(f"/registry/elders/{elder_in_a.pk}/").text
    assert "************1234" in page and "6217994200001234" not in page
    entry = AuditEntry.objects.get(verb="elder.payee_account")
    assert "6217" not in str(entry.changes)
