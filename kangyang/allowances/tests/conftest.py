"""Allowance fixtures: the district's example policies in force since 2020, elders of every
kind the rules tell apart, and helpers to assess, generate and approve."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from kangyang.assessment.models import Assessment
from kangyang.assessment.standard import STANDARD
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder
from kangyang.allowances import actions, constants
from kangyang.allowances import eligibility as rules
from kangyang.allowances.models import Policy

SINCE = dt.date(2020, 1, 1)
# The rules of generation and review are tested on policies paid without an application
# (免申即享); applications and their notice are tested in test_applications.py. Survival
# certification is counted from the day the policy is made, so it pauses no one here.
WITHOUT_APPLICATION = {"needs_application": False}
_sequence = itertools.count(100)


@pytest.fixture
def this_month(today):
    return rules.month_start(today)


@pytest.fixture
def last_month(this_month):
    return rules.previous_month(this_month)


def born(age: int, *, on: dt.date, days_later: int = 0) -> dt.date:
    """A birth date making the person exactly `age` on `on`, moved `days_later` later."""
    return rules.years_before(on, age) + dt.timedelta(days=days_later)


def make_elder(by, community, *, birth: dt.date, name: str = "测试", categories=(), sex_even: bool = True):
    seq = next(_sequence) * 2 + (0 if sex_even else 1)
    number = residentid.make("360103", birth, seq % 1000)
    return create_elder(by=by, name=name, id_number=number, community=community, categories=list(categories))


def assess(elder, level: int, *, on: dt.date, months: int = 12):
    """A signed GB/T 42195 assessment with this final level, valid `months` from `on`."""
    return Assessment.objects.create(
        elder=elder, region_code=elder.region_code, standard=STANDARD, status=Assessment.Status.SIGNED,
        final_level=level, assessed_on=on, valid_until=on + dt.timedelta(days=30 * months),
        signed_at=timezone.now(),
    )


@pytest.fixture
def longevity(admin, district):
    return actions.create_policy(
        by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴", region=district, effective_from=SINCE,
        bands=constants.EXAMPLE_LONGEVITY_BANDS, is_example=True, **WITHOUT_APPLICATION,
    )


@pytest.fixture
def care(admin, district):
    return actions.create_policy(
        by=admin, kind=Policy.Kind.CARE, name="护理补贴", region=district, effective_from=SINCE,
        bands=constants.EXAMPLE_CARE_BANDS, is_example=True, **WITHOUT_APPLICATION,
    )


@pytest.fixture
def service(admin, district):
    return actions.create_policy(
        by=admin, kind=Policy.Kind.SERVICE, name="服务补贴", region=district, effective_from=SINCE,
        bands=constants.EXAMPLE_SERVICE_BANDS, is_example=True, **WITHOUT_APPLICATION,
    )


@pytest.fixture
def voucher(admin, district):
    return actions.create_policy(
        by=admin, kind=Policy.Kind.CONSUMPTION_VOUCHER, name="养老服务消费补贴", region=district,
        effective_from=SINCE, **constants.CONSUMPTION_VOUCHER_PRESET, **WITHOUT_APPLICATION,
    )


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """A function: (by, policy, month, region) → the run, generated in the background
    (the immediate backend runs the task when the request commits)."""
    from kangyang.allowances.models import RollRun

    def run(by, policy, month, region):
        with django_capture_on_commit_callbacks(execute=True):
            run = actions.request_payment_rolls(by=by, policy=policy, month=month, region=region)
        return RollRun.objects.get(pk=run.pk)

    return run


def approve_all(roll, *, worker, officer, admin):
    roll = actions.approve_payment_roll(roll, by=worker)
    roll = actions.approve_payment_roll(roll, by=officer)
    return actions.approve_payment_roll(roll, by=admin)


def pay_through_bank(admin, policy, month, region, *, reference: str = "BANK-0001"):
    """The bank batch of the policy and month for `region`, recorded as paid by the bank."""
    batch = actions.prepare_payout_batch(by=admin, policy=policy, month=month, region=region)
    return actions.record_batch_paid(batch, by=admin, bank_reference=reference, paid_on=timezone.localdate())
