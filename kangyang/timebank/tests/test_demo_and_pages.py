import datetime as dt
import random

from kangyang.timebank import actions, demo, queries
from kangyang.timebank.models import Account, Entry


def test_the_demo_gives_volunteers_a_history_that_verifies(volunteer, worker_a, elder_in_a):
    from kangyang.services.models import ServiceItem

    ServiceItem.objects.create(code="tb-demo-clean", name="保洁", category="daily_living", unit="hour",
                               duration_minutes=60)
    text = demo.seed_demo_accounts(accounts={"volunteer": volunteer, "worker_a": worker_a}, district=None,
                                   rng=random.Random(1))
    assert "账本校验通过" in text, text
    kinds = set(Entry.objects.values_list("kind", flat=True))
    assert {"deposit", "redemption", "transfer"} <= kinds
    assert Account.objects.get(user=volunteer).balance_minutes > 0
    assert elder_in_a.timebank_account.balance_minutes == 180
    assert queries.verify().ok and queries.verify().digests >= 50
    # Run again: nothing more.
    count = Entry.objects.count()
    assert demo.seed_demo_accounts(accounts={"volunteer": volunteer, "worker_a": worker_a}, district=None,
                                   rng=random.Random(1)) == ""
    assert Entry.objects.count() == count


def test_the_digest_page_is_public(client, vol_account, elder_in_a, worker_a, funder):
    funder(vol_account, 60, by=worker_a, elder=elder_in_a)
    digest = actions.publish_digest(dt.date.today() - dt.timedelta(days=1))
    r = client.get("/timebank/digests/")
    assert r.status_code == 200
    assert digest.last_hash in r.text
    assert client.get("/timebank/digests/?page=abc").status_code == 200
    assert client.get("/timebank/digests/?page=99999999999999999999").status_code == 200
    assert client.post("/timebank/digests/").status_code in (403, 405)


def test_the_digest_page_says_when_there_is_none(client, db):
    r = client.get("/timebank/digests/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200


def test_the_verify_command_publishes_digests(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("timebank", "digests", "--language", "en", stdout=out)
    assert "Published 0" in out.getvalue()
