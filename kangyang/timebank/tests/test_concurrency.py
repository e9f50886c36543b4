"""50 redemptions at once against one balance, on PostgreSQL with real connections: the
balance never goes below zero and exactly as many succeed as the balance pays for."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kangyang.timebank import actions, queries
from kangyang.timebank.models import Account, Entry

from .conftest import make_visit

THREADS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_never_overdraw(community_a, worker_a):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under concurrent connections: PostgreSQL only")
    from kangyang.accounts.models import User
    from kangyang.registry.actions import create_elder
    from kangyang.services.models import ServiceItem

    elder = create_elder(by=worker_a, name="赵大爷", id_number="360103194503120026", community=community_a,
                         phone="13807911234", address="桃花小区1栋", categories=["alone"])
    user = User.objects.create_user(username="retired_vol", password="kangyang-demo", role="volunteer", region=community_a)
    account = actions.open_volunteer_account(user, real_name="陈退休", birth_date=dt.date(1958, 5, 1),
                                             phone="13912340000", by=worker_a)
    for _ in range(5):  # 5 visits of 2 hours: 600 minutes
        actions.deposit_for_care_visit(make_visit(elder, user, minutes=120), by=worker_a)
    item = ServiceItem.objects.create(code="tb-massage", name="推拿", category="health", unit="hour",
                                      duration_minutes=60)

    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def spend() -> None:
        try:
            start.wait()
            actions.redeem(Account.objects.get(pk=account.pk), item=item, by=user)
            outcome = "ok"
        except ValidationError as e:
            outcome = e.code
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=spend) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 10
    assert outcomes.count("insufficient") == THREADS - 10
    account.refresh_from_db()
    assert account.balance_minutes == 0
    assert not Entry.objects.filter(account=account, balance_after__lt=0).exists()
    result = queries.verify()
    assert result.ok, result.problem
    assert result.entries == 2 * (5 + 10)
