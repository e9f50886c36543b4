"""The allowances card of the app's home screen (issue 14): what was paid to the elder, what
is left on her vouchers, her applications and where they stand; for her and her family only."""

import datetime as dt

import pytest
from django.utils import timezone

from kangyang.accounts.models import User
from kangyang.allowances import actions, constants
from kangyang.allowances.cards import allowances_card
from kangyang.allowances.models import Application, PaymentLine, Policy
from kangyang.allowances.models import PaymentRoll
from kangyang.allowances.tests.conftest import SINCE, approve_all, assess
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder


@pytest.fixture
def funded_elder(admin, subdistrict, worker_a, community_a, service, voucher, generate, this_month, last_month,
                 district):
    """An elder of community A on the minimum living allowance, assessed at level 2, whose
    service allowance and consumption voucher of this month were paid through approved rolls."""
    elder = create_elder(by=worker_a, name="周淑英", id_number=residentid.make("360103", dt.date(1948, 5, 16), 24),
                         community=community_a, categories=["low_income"], compound=community_a.compounds.first())
    assess(elder, 2, on=last_month)
    for policy in (service, voucher):
        generate(admin, policy, this_month, district)
        roll = approve_all(PaymentRoll.objects.get(policy=policy, month=this_month),
                           worker=worker_a, officer=subdistrict, admin=admin)
        actions.credit_voucher_roll(roll, by=admin)
    return elder


@pytest.fixture
def zhou(funded_elder):
    user = User.objects.create_user("zhou", password="kangyang-demo", role="elder", region=funded_elder.community)
    funded_elder.user = user
    funded_elder.save(update_fields=["user"])
    return user


@pytest.fixture
def applied(funded_elder, admin, district, worker_a):
    policy = actions.create_policy(
        by=admin, kind=Policy.Kind.LONGEVITY, name="高龄津贴", region=district, effective_from=SINCE,
        bands=constants.EXAMPLE_LONGEVITY_BANDS, notice_days=7, survival_months=0)
    application = actions.submit_application(
        funded_elder, by=worker_a, policy=policy, applicant=Application.Applicant.FAMILY, applicant_name="周建华",
        channel=Application.Channel.COUNTER, applied_on=timezone.localdate())
    return actions.publish_notice(application, by=worker_a, start=timezone.localdate() - dt.timedelta(days=1))


def test_the_card_shows_her_payments_balances_and_open_applications(zhou, funded_elder, applied):
    card = allowances_card(zhou, funded_elder)
    assert {p.pk for p in card["payments"]} == set(PaymentLine.objects.filter(elder=funded_elder).values_list("pk", flat=True))
    assert dict(card["balances"])  # the service allowance and voucher credited to her
    assert [a.pk for a in card["applications"]] == [applied.pk] and applied.status == "on_notice"


def test_the_page_shows_the_card_with_the_survival_link(client, zhou, funded_elder, applied):
    client.force_login(zhou)
    page = client.get("/app/").content.decode()
    part = page.split('data-card="allowances.paid"')[1]
    assert f'data-application="{applied.pk}"' in part and "/app/survival/" in part and "高龄津贴" in part


def test_nobody_else_gets_her_card(funded_elder, applied, family, worker_a, elder):
    for user in (family, worker_a, elder):  # another elder's daughter, staff, another elder
        assert allowances_card(user, funded_elder) is None
