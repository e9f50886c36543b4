"""The demo's visit records (visits/demo_records.py): today's dues for the demo volunteer and
worker, a visit each recorded, follow-ups open; a second run adds nothing."""

import datetime as dt
import random

from kangyang.lib import residentid
from kangyang.visits.demo_records import seed_records
from kangyang.visits.models import CareVisit, FollowUp, VisitDue
from kangyang.visits import queries


def test_seed_records_gives_the_demo_accounts_a_day_of_visits(worker_a, volunteer, elder, community_a, district):
    from kangyang.registry.actions import create_elder

    for i in range(8):
        create_elder(by=worker_a, name=f"长者{i}", id_number=residentid.make("360103", dt.date(1940, 1, 1 + i), 20 + i),
                     community=community_a, categories=["alone"], compound=community_a.compounds.first())
    accounts = {"volunteer": volunteer, "worker_a": worker_a, "elder": elder}
    said = seed_records(district=district, rng=random.Random(1), accounts=accounts)
    assert said.startswith("今日待探访 7 户")
    assert VisitDue.objects.filter(visitor=volunteer).count() == 4
    assert CareVisit.objects.count() == 2 and FollowUp.objects.filter(status="open").count() == 3
    assert queries.today_count(volunteer) == 3  # one of four already visited
    assert len(queries.visitor_day(volunteer)["visited"]) == 1
    assert seed_records(district=district, rng=random.Random(1), accounts=accounts) == ""
    assert seed_records(district=district, rng=random.Random(1), accounts={"admin": worker_a}) == ""
    assert CareVisit.objects.count() == 2


def test_a_small_demo_still_gives_each_a_visit_to_make(worker_a, volunteer, subdistrict, elder_in_a, community_a, district,
                                                       subdistrict_1):
    """One vulnerable elder in the community and one elsewhere in the subdistrict: each account
    gets one stop, none recorded yet (nothing else would be left to visit)."""
    from kangyang.regions.models import Region
    from kangyang.registry.actions import create_elder

    other = Region.objects.create(code="360103001002", name="其他社区", level="community", parent=subdistrict_1)
    create_elder(by=subdistrict, name="邻社区", id_number=residentid.make("360103", dt.date(1941, 2, 2), 31),
                 community=other, categories=["disabled"])
    said = seed_records(district=district, rng=random.Random(2), accounts={"volunteer": volunteer, "worker_a": worker_a})
    assert said.startswith("今日待探访 2 户")
    assert queries.today_count(volunteer) == queries.today_count(worker_a) == 1
    assert not CareVisit.objects.exists()
