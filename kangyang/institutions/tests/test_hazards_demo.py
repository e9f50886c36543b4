"""The demo's hazards and credit: hazards made here (as the inspections' demo would open them)
move on realistically, every closed one with a re-check photo; scores computed; one
organisation blacklisted, never the demo provider account's."""

import datetime as dt
import random

from kangyang.accounts.models import Organisation
from kangyang.institutions import demo_credit, demo_hazards
from kangyang.institutions.actions import hazards as actions
from kangyang.institutions.models import CreditScore, Hazard, HazardPhoto
from kangyang.institutions.tests.test_hazards import make_institution


def test_the_demo_progresses_hazards_and_bars_one_organisation(tree, community_a, community_b, inspector, today):
    demo_org = Organisation.objects.create(name=demo_credit.DEMO_PROVIDER_NAME, kind="provider", region=tree)
    other = Organisation.objects.create(name="朝阳养老服务中心", kind="institution", region=tree)
    homes = [make_institution(demo_org, community_a, name="康乐颐养院"),
             make_institution(other, community_b, name="朝阳颐养院")]
    rng = random.Random(7)
    for i in range(40):
        home = homes[i % 2]
        deadline = today - dt.timedelta(days=rng.randrange(-30, 300))
        actions.open_hazard(institution=home, description=f"隐患{i}", severity=rng.choice(["minor", "major"]),
                            responsible_person="院长", deadline=deadline)
    text = demo_hazards.seed(district=tree, rng=random.Random(1), elders=100)
    assert "closed" in text or "复查" in text
    closed = Hazard.objects.filter(status=Hazard.Status.CLOSED)
    assert closed.count() > 10
    assert all(h.photos.filter(kind=HazardPhoto.Kind.RECHECK).exists() for h in closed)
    assert all(h.rechecked_by == inspector for h in closed)
    assert Hazard.objects.filter(status=Hazard.Status.RECTIFIED).exists()
    overdue = Hazard.objects.overdue(on=today).filter(status=Hazard.Status.OPEN)
    assert overdue.exists() and all(h.escalation >= 1 for h in overdue)
    assert Hazard.objects.filter(severity="serious").count() >= 2

    demo_credit.seed(district=tree, rng=random.Random(2), elders=100)
    assert CreditScore.objects.filter(computed_on=today).count() == 2
    barred = [o for o in Organisation.objects.all() if o.is_barred()]
    assert [o.pk for o in barred] == [other.pk]
    demo_credit.seed(district=tree, rng=random.Random(2), elders=100)  # again: still one
    assert sum(o.is_barred() for o in Organisation.objects.all()) == 1


def test_the_photos_are_deterministic():
    a = demo_hazards.photo(random.Random(3), "a.png").read()
    b = demo_hazards.photo(random.Random(3), "a.png").read()
    assert a == b and a.startswith(b"\x89PNG")
