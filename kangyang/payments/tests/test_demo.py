"""The demo's payments: `family` paid one share of her mother's orders, another is to pay."""

from io import StringIO

import pytest
from django.core.management import call_command

from kangyang.accounts.models import User
from kangyang.payments.models import Payment
from kangyang.payments.queries import shares_of
from kangyang.registry.models import Elder


@pytest.fixture(scope="module")
def demo(shared_data):
    yield from shared_data(lambda: call_command("demo", "--no-serve", "--elders", "300", stdout=StringIO()))


def test_the_daughter_has_one_share_paid_and_one_to_pay_and_a_second_run_adds_none(demo):
    family = User.objects.get(username="family")
    elder = Elder.objects.get(user__username="elder")
    shares = shares_of(family, elder)
    assert len(shares.paid) == 1 and shares.paid[0].payer == family and shares.paid[0].status == Payment.Status.PAID
    assert len(shares.to_pay) >= 1
    call_command("demo", "--no-serve", stdout=StringIO())
    assert Payment.objects.count() == 1
