"""The worker publishes the daily digests (its housekeeping closes its connection: a
transactional test; Django's flush then empties the ledger, which the triggers allow only to
the test suite)."""

import datetime as dt

import pytest

from kangyang.timebank import queries

from .conftest import make_visit


@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_the_digests_of_the_days_that_are_over(vol_account, elder_in_a, worker_a, funder):
    from kangyang.ops.housekeeping import publish_digests_once

    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    assert publish_digests_once(today=tomorrow) == 2
    assert publish_digests_once(today=tomorrow) == 0
    assert queries.verify().ok
