"""Allowance rules, called directly: eligibility, generation, review, paying out, vouchers."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from kangyang.audit.models import AuditEntry
from kangyang.registry.actions import set_elder_status, update_elder
from kangyang.allowances import actions, queries
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import (
    BankLayout, PaymentLine, PaymentRoll, Policy, PolicyVersion, RollRun, VoucherBalance, VoucherEntry,
)
from kangyang.allowances.tests.conftest import SINCE, approve_all, assess, born, make_elder, pay_through_bank

S = PaymentRoll.Status


def lines_of(roll) -> set[tuple]:
    return set(PaymentLine.objects.filter(roll=roll).values_list("elder_id", "band_id", "amount", "level", "means"))


@pytest.fixture
def octogenarians(worker_a, community_a, this_month):
    """Elders of community A around the longevity bands, as of the first of this month."""
    return {
        "79": make_elder(worker_a, community_a, birth=born(80, on=this_month, days_later=1), name="七九"),
        "80": make_elder(worker_a, community_a, birth=born(80, on=this_month), name="八十"),
        "95": make_elder(worker_a, community_a, birth=born(95, on=this_month), name="九五"),
        "100": make_elder(worker_a, community_a, birth=born(101, on=this_month), name="百岁"),
    }


# -- eligibility ---------------------------------------------------------------------------
def test_longevity_is_paid_by_age_band_from_the_month_after_the_80th_birthday(longevity, octogenarians, this_month):
    amounts = {
        key: [e.amount for e in rules.eligibility(elder, on=this_month)]
        for key, elder in octogenarians.items()
    }
    assert amounts == {"79": [], "80": [Decimal("50.00")], "95": [Decimal("100.00")], "100": [Decimal("300.00")]}
    # The one who turns 80 on the second of this month is paid from next month.
    next_month = rules.next_month(this_month)
    assert [e.amount for e in rules.eligibility(octogenarians["79"], on=next_month)] == [Decimal("50.00")]


def test_care_allowance_follows_the_level_and_means_and_says_why(care, worker_a, community_a, this_month):
    elder = make_elder(worker_a, community_a, birth=born(75, on=this_month), categories=["low_income", "alone"])
    with translation.override("en"):
        (none,) = rules.explain_eligibility(elder, on=this_month)
        assert not none.eligible and "no valid capability assessment" in none.explanation
        assess(elder, 3, on=rules.previous_month(this_month))
        (entitlement,) = rules.eligibility(elder, on=this_month)
        assert entitlement.amount == Decimal("200.00")
        assert entitlement.explanation == (
            "护理补贴 ¥200.00: capability level 3 (severe loss), minimum living allowance"
        )


def test_an_assessment_signed_during_the_month_counts_from_the_next(care, worker_a, community_a, this_month):
    elder = make_elder(worker_a, community_a, birth=born(75, on=this_month), categories=["extreme_poverty"])
    assess(elder, 4, on=this_month + dt.timedelta(days=1))
    assert rules.eligibility(elder, on=this_month) == []
    assert [e.amount for e in rules.eligibility(elder, on=rules.next_month(this_month))] == [Decimal("400.00")]


def test_an_expired_assessment_gives_no_care_allowance(care, worker_a, community_a, this_month):
    elder = make_elder(worker_a, community_a, birth=born(75, on=this_month), categories=["extreme_poverty"])
    assess(elder, 4, on=this_month - dt.timedelta(days=400), months=12)
    assert rules.eligibility(elder, on=this_month) == []


def test_roll_lines_agree_with_each_elders_eligibility(
    admin, worker_a, community_a, longevity, care, service, voucher, generate, this_month,
):
    """The set-based roll and the per-elder explanation apply the same rules."""
    cases = [
        (92, ["extreme_poverty"], 4), (85, ["low_income"], 2), (81, [], 3), (70, ["low_income"], 1),
        (66, [], None), (100, ["extreme_poverty", "low_income"], 3), (79, ["alone"], 2),
    ]
    elders = []
    for age, categories, level in cases:
        elder = make_elder(worker_a, community_a, birth=born(age, on=this_month, days_later=-3), categories=categories)
        if level is not None:
            assess(elder, level, on=this_month - dt.timedelta(days=20))
        elders.append(elder)
    for policy in (longevity, care, service, voucher):
        generate(admin, policy, this_month, community_a)
        from_rolls = dict(PaymentLine.objects.filter(policy=policy, month=this_month).values_list("elder_id", "amount"))
        per_elder = {
            elder.pk: e.amount for elder in elders
            for e in rules.eligibility(elder, on=this_month) if e.policy == policy
        }
        assert from_rolls == per_elder, policy.kind
        assert from_rolls  # every policy pays someone here


# -- generation ----------------------------------------------------------------------------
def test_generating_makes_one_roll_per_community_in_the_background(
    admin, worker_a, worker_b, community_a, community_b, longevity, generate, this_month, district,
):
    make_elder(worker_a, community_a, birth=born(85, on=this_month))
    make_elder(worker_b, community_b, birth=born(91, on=this_month))
    run = generate(admin, longevity, this_month, district)
    assert (run.status, run.rolls, run.lines, run.total) == (RollRun.Status.DONE, 2, 2, Decimal("150.00"))
    rolls = PaymentRoll.objects.filter(policy=longevity, month=this_month).order_by("region_code")
    assert [(r.region, r.status, r.total) for r in rolls] == [
        (community_a, S.DRAFT, Decimal("50.00")), (community_b, S.DRAFT, Decimal("100.00")),
    ]
    assert AuditEntry.objects.filter(verb="payment_roll.generate", actor=admin).count() == 1


def test_regenerating_a_roll_changes_nothing(admin, longevity, care, octogenarians, generate, this_month, district):
    assess(octogenarians["95"], 3, on=this_month - dt.timedelta(days=10))
    generate(admin, longevity, this_month, district)
    generate(admin, care, this_month, district)
    before = {r.pk: (lines_of(r), r.line_count, r.total) for r in PaymentRoll.objects.all()}
    generate(admin, longevity, this_month, district)
    generate(admin, care, this_month, district)
    after = {r.pk: (lines_of(r), r.line_count, r.total) for r in PaymentRoll.objects.all()}
    assert before == after and len(before) == 2


def test_a_roll_past_draft_is_never_regenerated(
    admin, worker_a, longevity, octogenarians, generate, this_month, district, community_a,
):
    generate(admin, longevity, this_month, district)
    roll = actions.approve_payment_roll(PaymentRoll.objects.get(policy=longevity), by=worker_a)
    before = lines_of(roll)
    make_elder(worker_a, community_a, birth=born(88, on=this_month))  # would be a new payee
    run = generate(admin, longevity, this_month, district)
    assert (run.rolls, run.skipped) == (0, 1)
    roll.refresh_from_db()
    assert lines_of(roll) == before and roll.status == S.COMMUNITY_APPROVED


def test_a_roll_total_is_the_exact_sum_of_its_lines(admin, worker_a, community_a, district, generate, this_month):
    policy = actions.create_policy(
        by=admin, kind=Policy.Kind.LONGEVITY, name="百岁补贴", region=district, effective_from=SINCE,
        bands=[{"age_from": 80, "amount": "33.33"}], needs_application=False,
    )
    for _i in range(3):
        make_elder(worker_a, community_a, birth=born(90, on=this_month))
    generate(admin, policy, this_month, district)
    roll = PaymentRoll.objects.get(policy=policy)
    assert roll.total == Decimal("99.99") and roll.line_count == 3
    assert actions.lines_total(roll) == (3, Decimal("99.99"))
    actions.verify_roll(roll)


def test_a_roll_whose_total_does_not_match_its_lines_is_not_approved(
    admin, worker_a, longevity, octogenarians, generate, this_month, district,
):
    generate(admin, longevity, this_month, district)
    roll = PaymentRoll.objects.get(policy=longevity)
    PaymentRoll.objects.filter(pk=roll.pk).update(total=roll.total + Decimal("0.01"))
    roll.refresh_from_db()
    with pytest.raises(ValidationError) as e:
        actions.approve_payment_roll(roll, by=worker_a)
    assert e.value.code == "total_mismatch"


def test_an_elder_is_never_paid_twice_for_one_policy_and_month(
    admin, worker_a, worker_b, longevity, community_a, community_b, generate, this_month, district,
):
    elder = make_elder(worker_a, community_a, birth=born(85, on=this_month))
    generate(admin, longevity, this_month, district)
    roll_a = actions.approve_payment_roll(PaymentRoll.objects.get(region=community_a), by=worker_a)
    update_elder(elder, by=admin, community=community_b)  # moves within the district
    generate(admin, longevity, this_month, district)
    assert list(PaymentLine.objects.filter(elder=elder).values_list("roll", flat=True)) == [roll_a.pk]
    assert not PaymentRoll.objects.filter(region=community_b).exists()
    line = PaymentLine.objects.get(elder=elder)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            roll=roll_a, policy=longevity, month=this_month, elder=elder, region_code=elder.region_code,
            band=line.band, amount=line.amount, means=line.means,
        )


def test_a_deceased_elder_stops_from_the_next_month_and_an_exported_later_payment_is_listed(
    admin, subdistrict, worker_a, longevity, community_a, generate, this_month, last_month, district,
):
    elder = make_elder(worker_a, community_a, birth=born(90, on=last_month), name="王秀英")
    for month in (last_month, this_month):
        generate(admin, longevity, month, district)
        approve_all(PaymentRoll.objects.get(month=month), worker=worker_a, officer=subdistrict, admin=admin)
        pay_through_bank(admin, longevity, month, district)
    # Reported late: she died during last month, and this month's payment is out already.
    set_elder_status(elder, by=worker_a, status="deceased", on=last_month + dt.timedelta(days=9))

    generate(admin, longevity, rules.next_month(this_month), district)
    assert not PaymentLine.objects.filter(elder=elder, month=rules.next_month(this_month)).exists()
    overpaid = list(queries.overpayments_for(admin).values_list("elder_id", "month", "amount"))
    assert overpaid == [(elder.pk, this_month, Decimal("100.00"))]  # last month's stays: she was alive
    assert list(queries.overpayments_for(worker_a)) == list(queries.overpayments_for(admin))

    line = queries.get_overpayment_for(worker_a, PaymentLine.objects.get(elder=elder, month=this_month).pk)
    actions.settle_overpayment(line, by=worker_a, outcome="recovered", note="家属已退回")
    assert not queries.overpayments_for(admin).exists()
    assert queries.overpayments_for(admin, outcome="settled").count() == 1


def test_a_death_recorded_before_generation_keeps_the_month_of_death(
    admin, worker_a, longevity, community_a, generate, this_month, last_month, district,
):
    elder = make_elder(worker_a, community_a, birth=born(90, on=last_month))
    set_elder_status(elder, by=worker_a, status="deceased", on=last_month + dt.timedelta(days=3))
    generate(admin, longevity, last_month, district)
    generate(admin, longevity, this_month, district)
    assert list(PaymentLine.objects.filter(elder=elder).values_list("month", flat=True)) == [last_month]
    with translation.override("en"):
        (stopped,) = rules.explain_eligibility(elder, on=this_month)
    assert not stopped.eligible and "died on" in stopped.explanation


def test_rolls_are_made_up_to_next_month_only(admin, longevity, district, this_month):
    later = rules.next_month(rules.next_month(this_month))
    with pytest.raises(ValidationError):
        actions.request_payment_rolls(by=admin, policy=longevity, month=later, region=district)


def test_only_staff_of_the_area_generate_rolls(worker_a, worker_b, operator, longevity, community_a, this_month):
    for user in (worker_b, operator):
        with pytest.raises(PermissionDenied):
            actions.request_payment_rolls(by=user, policy=longevity, month=this_month, region=community_a)
    assert actions.request_payment_rolls(by=worker_a, policy=longevity, month=this_month, region=community_a)


# -- review --------------------------------------------------------------------------------
@pytest.fixture
def draft(admin, longevity, octogenarians, generate, this_month, district):
    generate(admin, longevity, this_month, district)
    return PaymentRoll.objects.get(policy=longevity, month=this_month)


def test_a_roll_is_approved_by_community_then_subdistrict_then_district(draft, worker_a, subdistrict, admin):
    roll = approve_all(draft, worker=worker_a, officer=subdistrict, admin=admin)
    assert roll.status == S.DISTRICT_APPROVED
    assert (roll.community_approved_by, roll.subdistrict_approved_by, roll.district_approved_by) == (
        worker_a, subdistrict, admin)
    steps = AuditEntry.objects.filter(verb="payment_roll.approve", target_id=str(roll.pk)).order_by("at", "id")
    assert [(e.actor, e.changes["status"][1]) for e in steps] == [
        (worker_a, S.COMMUNITY_APPROVED), (subdistrict, S.SUBDISTRICT_APPROVED), (admin, S.DISTRICT_APPROVED),
    ]


@pytest.mark.parametrize("who", ["subdistrict", "admin", "worker_b", "operator", "provider"])
def test_nobody_but_the_communitys_worker_approves_a_draft(draft, request, who):
    with pytest.raises(PermissionDenied):
        actions.approve_payment_roll(draft, by=request.getfixturevalue(who))
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_the_district_cannot_approve_before_the_subdistrict(draft, worker_a, admin):
    roll = actions.approve_payment_roll(draft, by=worker_a)
    with pytest.raises(PermissionDenied):
        actions.approve_payment_roll(roll, by=admin)


def test_an_officer_of_another_subdistrict_cannot_approve(draft, worker_a, subdistrict_2):
    from kangyang.accounts.models import User

    other = User.objects.create_user(username="officer2", role="subdistrict_officer", region=subdistrict_2)
    roll = actions.approve_payment_roll(draft, by=worker_a)
    with pytest.raises(PermissionDenied):
        actions.approve_payment_roll(roll, by=other)


def test_a_returned_roll_goes_back_to_draft_and_can_be_regenerated(
    draft, worker_a, subdistrict, admin, longevity, generate, this_month, district,
):
    roll = actions.approve_payment_roll(draft, by=worker_a)
    with pytest.raises(ValidationError):
        actions.return_payment_roll(roll, by=subdistrict, reason="")
    roll = actions.return_payment_roll(roll, by=subdistrict, reason="名单有误")
    assert roll.status == S.DRAFT and roll.community_approved_by is None
    assert generate(admin, longevity, this_month, district).rolls == 1


def test_an_approved_roll_is_not_approved_twice(draft, worker_a):
    roll = actions.approve_payment_roll(draft, by=worker_a)
    with pytest.raises(PermissionDenied):
        actions.approve_payment_roll(roll, by=worker_a)


# -- paying out ----------------------------------------------------------------------------
def test_the_bank_file_has_full_ids_is_for_the_admin_only_and_is_audited(
    draft, worker_a, subdistrict, admin, octogenarians, longevity, this_month, district,
):
    with pytest.raises(ValidationError):  # not approved yet: nothing to put in a batch
        actions.prepare_payout_batch(by=admin, policy=longevity, month=this_month, region=district)
    approve_all(draft, worker=worker_a, officer=subdistrict, admin=admin)
    for user in (worker_a, subdistrict):
        with pytest.raises(PermissionDenied):
            actions.prepare_payout_batch(by=user, policy=longevity, month=this_month, region=district)
    batch = actions.prepare_payout_batch(by=admin, policy=longevity, month=this_month, region=district)
    batch.layout = BankLayout.objects.get(code="bank-csv-gb18030")
    for user in (worker_a, subdistrict):
        with pytest.raises(PermissionDenied):
            actions.bank_file(batch, by=user)
    elder = octogenarians["95"]
    actions.set_payee_account(elder, by=worker_a, holder_name="九五", bank_name="中国农业银行南昌西湖支行",
                              account_number="6228 4800 1234 5678 901")
    data, name, content_type = actions.bank_file(batch, by=admin)
    assert name.endswith(".csv") and content_type == "text/csv"
    assert b'"' + elder._id_number().encode() + b'"' in data  # every cell quoted: the bank reads text
    rows = list(csv.reader(io.StringIO(data.decode("gb18030"))))
    assert rows[0] == ["收款账号", "收款户名", "金额", "证件号码", "用途"]
    by_id = {row[3]: row for row in rows[1:]}
    assert by_id[elder._id_number()][:3] == ["6228480012345678901", "九五", "100.00"]
    assert len(rows) == 1 + 3 and sum(Decimal(r[2]) for r in rows[1:]) == Decimal("450.00")
    entry = AuditEntry.objects.get(verb="payout_batch.download")
    assert entry.action == AuditEntry.Action.VIEW_FULL and entry.actor == admin and entry.changes["rows"] == 3


# -- policies ------------------------------------------------------------------------------
def test_a_new_version_supersedes_from_its_month(admin, worker_a, longevity, octogenarians, this_month):
    new = actions.add_policy_version(
        longevity, by=admin, effective_from=rules.next_month(this_month),
        bands=[{"age_from": 80, "age_to": 89, "amount": "60"}, {"age_from": 90, "amount": "120"}],
    )
    old = longevity.versions.exclude(pk=new.pk).get()
    assert old.effective_to == this_month.replace(day=1) + (rules.next_month(this_month) - this_month) - dt.timedelta(days=1)
    elder = octogenarians["80"]
    assert [e.amount for e in rules.eligibility(elder, on=this_month)] == [Decimal("50.00")]
    assert [e.amount for e in rules.eligibility(elder, on=rules.next_month(this_month))] == [Decimal("60.00")]
    assert AuditEntry.objects.filter(verb="policy.version", actor=admin).exists()


def test_a_version_cannot_start_in_a_month_already_under_review(draft, admin, worker_a, longevity, this_month):
    actions.approve_payment_roll(draft, by=worker_a)
    with pytest.raises(ValidationError) as e:
        actions.add_policy_version(longevity, by=admin, effective_from=this_month, bands=[{"age_from": 80, "amount": "1"}])
    assert e.value.error_dict["effective_from"][0].code == "month_closed"


def test_a_regenerated_draft_follows_the_new_version(draft, admin, longevity, generate, this_month, district):
    actions.add_policy_version(longevity, by=admin, effective_from=this_month, bands=[{"age_from": 80, "amount": "70"}])
    generate(admin, longevity, this_month, district)
    draft.refresh_from_db()
    assert draft.total == Decimal("210.00") and draft.version.effective_from == this_month


@pytest.mark.parametrize("bands, code", [
    ([{"age_from": 80, "age_to": 90, "amount": "50"}, {"age_from": 90, "amount": "100"}], "band_overlap"),
    ([{"age_from": 80, "amount": "50.005"}], "amount"),
    ([{"age_from": 80, "amount": "0"}], "amount"),
    ([{"age_from": 90, "age_to": 80, "amount": "50"}], "band"),
    ([{"amount": "50"}], "band"),  # longevity without an age
    ([], "no_bands"),
])
def test_bad_bands_are_refused(admin, district, bands, code):
    with pytest.raises(ValidationError) as e:
        actions.create_policy(by=admin, kind=Policy.Kind.LONGEVITY, name="x", region=district,
                              effective_from=SINCE, bands=bands)
    assert e.value.code == code


def test_care_bands_overlap_only_if_level_and_means_both_meet(admin, district):
    bands = [{"level_from": 3, "level_to": 4, "means": "low_income", "amount": "1"},
             {"level_from": 3, "level_to": 3, "means": "extreme_poverty", "amount": "1"},
             {"level_from": 2, "level_to": 2, "amount": "1"}]
    assert actions.create_policy(by=admin, kind=Policy.Kind.CARE, name="x", region=district,
                                 effective_from=SINCE, bands=bands)
    with pytest.raises(ValidationError):
        actions.create_policy(by=admin, kind=Policy.Kind.CARE, name="y", region=district, effective_from=SINCE,
                              bands=[*bands, {"level_from": 4, "amount": "1"}])


def test_only_the_bureau_admin_edits_policies(subdistrict, worker_a, district, longevity, this_month):
    for user in (subdistrict, worker_a):
        with pytest.raises(PermissionDenied):
            actions.add_policy_version(longevity, by=user, effective_from=rules.next_month(this_month),
                                       bands=[{"age_from": 80, "amount": "1"}])


def test_a_version_starts_on_the_first_of_a_month(admin, longevity, this_month):
    with pytest.raises(ValidationError):
        actions.add_policy_version(longevity, by=admin, effective_from=rules.next_month(this_month) + dt.timedelta(days=1),
                                   bands=[{"age_from": 80, "amount": "1"}])
    assert PolicyVersion.objects.filter(policy=longevity).count() == 1


# -- vouchers ------------------------------------------------------------------------------
def _credit(policy, *, admin, worker_a, subdistrict, generate, month, district):
    generate(admin, policy, month, district)
    roll = approve_all(PaymentRoll.objects.get(policy=policy, month=month), worker=worker_a, officer=subdistrict,
                       admin=admin)
    return actions.credit_voucher_roll(roll, by=admin)


def test_service_allowance_is_credited_monthly_and_spent_never_below_zero(
    admin, subdistrict, worker_a, community_a, service, generate, this_month, last_month, district, provider,
):
    elder = make_elder(worker_a, community_a, birth=born(70, on=last_month), categories=["low_income"])
    for month in (last_month, this_month):
        _credit(service, admin=admin, worker_a=worker_a, subdistrict=subdistrict, generate=generate,
                month=month, district=district)
    assert queries.voucher_balance(elder) == Decimal("200.00")  # carries over
    entry = actions.debit_voucher(elder, amount=Decimal("150.50"), by=provider, reference="order:1")
    assert entry.balance_after == Decimal("49.50")
    assert actions.debit_voucher(elder, amount=Decimal("150.50"), by=provider, reference="order:1") == entry
    with pytest.raises(ValidationError) as e:
        actions.debit_voucher(elder, amount=Decimal("49.51"), by=provider, reference="order:2")
    assert e.value.code == "insufficient"
    actions.debit_voucher(elder, amount="49.50", by=provider, reference="order:3")
    assert queries.voucher_balance(elder) == Decimal("0.00")
    with pytest.raises(TypeError):
        actions.debit_voucher(elder, amount=0.1, by=provider, reference="order:4")


def test_a_voucher_roll_is_credited_once(admin, subdistrict, worker_a, community_a, service, generate, this_month, district):
    make_elder(worker_a, community_a, birth=born(70, on=this_month), categories=["extreme_poverty"])
    roll = _credit(service, admin=admin, worker_a=worker_a, subdistrict=subdistrict, generate=generate,
                   month=this_month, district=district)
    with pytest.raises(ValidationError):
        actions.credit_voucher_roll(roll, by=admin)
    assert VoucherEntry.objects.filter(type="credit").count() == 1


def test_the_consumption_voucher_expires_monthly_and_pays_its_share(
    admin, subdistrict, worker_a, community_a, voucher, generate, this_month, last_month, district,
):
    elder = make_elder(worker_a, community_a, birth=born(78, on=last_month))
    assess(elder, 2, on=last_month - dt.timedelta(days=5))
    for month in (last_month, this_month):
        _credit(voucher, admin=admin, worker_a=worker_a, subdistrict=subdistrict, generate=generate,
                month=month, district=district)
    kind = Policy.Kind.CONSUMPTION_VOUCHER
    assert queries.voucher_balance(elder, kind=kind) == Decimal("800.00")  # last month's expired
    assert VoucherEntry.objects.filter(type="expire", amount=Decimal("-800.00")).count() == 1
    assert queries.voucher_cover(elder, price=Decimal("333.33"), setting="home", on=this_month) == Decimal("166.66")
    assert queries.voucher_cover(elder, price=Decimal("3000"), setting="institution", on=this_month) == Decimal("800.00")
    assert VoucherBalance.objects.get(elder=elder).balance == Decimal("800.00")
