"""Applications with their public notice, and survival certification: pause and back pay."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.allowances import actions, constants
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import Application, PausedPayment, PaymentLine, Policy, SurvivalCheck
from kangyang.allowances.tests.conftest import SINCE, born, make_elder

K = PaymentLine.Kind


@pytest.fixture
def policy(admin, district):
    """A longevity allowance paid on application, after a 7-day public notice."""
    return actions.create_policy(
        by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴", region=district, effective_from=SINCE,
        bands=constants.EXAMPLE_LONGEVITY_BANDS, notice_days=7, survival_months=0,
    )


@pytest.fixture
def elder(worker_a, community_a, this_month):
    return make_elder(worker_a, community_a, birth=born(90, on=this_month), name="周秀兰")


def apply(elder, policy, by):
    return actions.submit_application(
        elder, by=by, policy=policy, applicant=Application.Applicant.FAMILY, applicant_name="周建华",
        channel=Application.Channel.COUNTER, applied_on=timezone.localdate(),
    )


def test_an_application_is_approved_only_after_its_public_notice(worker_a, subdistrict, elder, policy, today):
    application = apply(elder, policy, worker_a)
    with pytest.raises(ValidationError):  # not on notice yet
        actions.approve_application(application, by=subdistrict)
    application = actions.publish_notice(application, by=worker_a, start=today - dt.timedelta(days=6))
    assert application.notice_until == today  # seven days: the sixth day before today up to today
    with pytest.raises(ValidationError) as refused:
        actions.approve_application(application, by=subdistrict)
    assert refused.value.code == "on_notice"
    Application.objects.filter(pk=application.pk).update(notice_from=today - dt.timedelta(days=7),
                                                         notice_until=today - dt.timedelta(days=1))
    application.refresh_from_db()
    with pytest.raises(PermissionDenied):  # the worker records; the subdistrict or district decides
        actions.approve_application(application, by=worker_a)
    application = actions.approve_application(application, by=subdistrict)
    assert application.status == Application.Status.APPROVED and application.decided_on == today
    assert {"application.submit", "application.notice", "application.approve"} <= set(
        AuditEntry.objects.values_list("verb", flat=True))


def test_an_unanswered_objection_stops_the_approval(worker_a, subdistrict, elder, policy, today):
    application = actions.publish_notice(apply(elder, policy, worker_a), by=worker_a,
                                         start=today - dt.timedelta(days=7))
    objection = actions.record_objection(application, by=worker_a, received_on=today - dt.timedelta(days=2),
                                         content="该老人已长期在外省居住", objector="")
    with pytest.raises(ValidationError) as refused:
        actions.approve_application(application, by=subdistrict)
    assert refused.value.code == "objection"
    actions.answer_objection(objection, by=worker_a, finding="经核实，老人常住本社区，异议不成立")
    assert actions.approve_application(application, by=subdistrict).status == Application.Status.APPROVED


def test_payment_starts_the_month_after_approval(worker_a, subdistrict, admin, elder, policy, generate, today,
                                                 this_month, district):
    generate(admin, policy, this_month, district)
    assert not PaymentLine.objects.filter(elder=elder).exists()  # no application: nothing
    application = actions.publish_notice(apply(elder, policy, worker_a), by=worker_a,
                                         start=today - dt.timedelta(days=7))
    actions.approve_application(application, by=subdistrict)
    (entitlement,) = rules.explain_eligibility(elder, on=this_month)
    assert not entitlement.eligible  # approved during this month: paid from the next
    generate(admin, policy, rules.next_month(this_month), district)
    assert list(PaymentLine.objects.filter(elder=elder).values_list("month", "amount")) == [
        (rules.next_month(this_month), Decimal("100.00"))]


def test_a_worker_of_another_community_cannot_record_an_application(worker_b, elder, policy):
    with pytest.raises(PermissionDenied):
        apply(elder, policy, worker_b)
    with pytest.raises(PermissionDenied):
        actions.record_survival_check(elder, by=worker_b, method="visit", checked_on=timezone.localdate(),
                                      evidence="入户见到本人")
    assert not Application.objects.exists() and not SurvivalCheck.objects.exists()


# -- survival certification ----------------------------------------------------------------------
@pytest.fixture
def yearly(admin, district, this_month):
    """A longevity allowance (without application) that needs a yearly survival certification,
    required for long enough that the period is over."""
    policy = actions.create_policy(
        by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴（生存认证）", region=district, effective_from=SINCE,
        bands=constants.EXAMPLE_LONGEVITY_BANDS, needs_application=False, survival_months=12,
    )
    Policy.objects.filter(pk=policy.pk).update(survival_since=SINCE)
    policy.refresh_from_db()
    return policy


def test_without_a_certification_payment_pauses_and_resumes_with_back_pay_once(
    worker_a, admin, elder, yearly, generate, today, this_month, last_month, district,
):
    recent = make_elder(worker_a, elder.community, birth=born(85, on=this_month), name="吴德明")
    actions.record_survival_check(recent, by=worker_a, method="video", checked_on=last_month,
                                  evidence="视频通话见到本人")
    actions.record_survival_check(elder, by=worker_a, method="visit", checked_on=rules.months_before(last_month, 13),
                                  evidence="入户")  # too old
    for month in (last_month, this_month):
        generate(admin, yearly, month, district)
    # Certified on the first of last month: that counts from this month, and last month's
    # paused payment comes back with this month's roll.
    assert sorted(PaymentLine.objects.filter(elder=recent).values_list("month", "kind")) == [
        (last_month, K.RESUMED), (this_month, K.MONTHLY)]
    assert set(PausedPayment.objects.filter(elder=elder).values_list("month", flat=True)) == {last_month, this_month}
    assert not PaymentLine.objects.filter(elder=elder).exists()
    (entitlement,) = rules.explain_eligibility(elder, on=this_month)
    assert entitlement.paused and not entitlement.eligible

    actions.record_survival_check(elder, by=worker_a, method="visit", checked_on=today, evidence="入户见到本人")
    generate(admin, yearly, this_month, district)  # this month is judged on its first day: still paused
    assert not PaymentLine.objects.filter(elder=elder).exists()
    next_month = rules.next_month(this_month)
    for _time in range(2):
        generate(admin, yearly, next_month, district)
    paid = sorted(PaymentLine.objects.filter(elder=elder).values_list("month", "kind", "amount"))
    # Each paused month at what it was worth then: she turned 90 on the first of this month.
    assert paid == [(last_month, K.RESUMED, Decimal("50.00")), (this_month, K.RESUMED, Decimal("100.00")),
                    (next_month, K.MONTHLY, Decimal("100.00"))]
    assert {line.roll.month for line in PaymentLine.objects.filter(elder=elder)} == {next_month}


def test_a_photo_from_the_app_counts_once_the_worker_accepts_it(worker_a, family, elder_in_a, yearly, today):
    check = actions.record_survival_check(elder_in_a, by=family, method="photo", checked_on=today,
                                          evidence="APP照片 2024-06 #1")
    assert check.status == SurvivalCheck.Status.SUBMITTED
    next_month = rules.next_month(rules.month_start(today))
    assert not rules.is_certified(elder_in_a, yearly, next_month)
    actions.review_survival_check(check, by=worker_a, accept=True)
    assert rules.is_certified(elder_in_a, yearly, next_month)
    with pytest.raises(ValidationError):
        actions.review_survival_check(check, by=worker_a, accept=False, note="重复")
