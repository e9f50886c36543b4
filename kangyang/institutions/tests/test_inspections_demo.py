"""The demo's inspections: a published pool, two plans drawn and reproducible, a year of
inspections done and published, hazards (some overdue), the demo inspector's upcoming work."""

import io
import json
import random

from django.core.management import call_command

from kangyang.institutions import demo_inspections
from kangyang.institutions.models import Hazard, Inspection, InspectionPlan, InspectorPool
from kangyang.institutions.queries import inspections as queries
from kangyang.institutions.tests.inspections_fixtures import make_institution
from kangyang.accounts.models import Organisation


def test_the_demo_seeds_a_year_of_inspections_and_the_inspectors_work(district, community_a, community_b, inspector,
                                                                       admin, today):
    organisations = [Organisation.objects.create(name=f"机构{i}", kind="institution", region=district)
                     for i in range(6)]
    homes = [make_institution(community_a if i % 2 else community_b, organisations[i % 6], f"养老院{i}")
             for i in range(16)]
    said = demo_inspections.seed(district=district, rng=random.Random(7), elders=1000)
    assert "2" in said
    pool = InspectorPool.objects.get()
    assert pool.published_at and pool.inspectors.count() == 8
    assert not pool.inspectors.filter(password__startswith="md5").exists()  # no usable password
    plans = list(InspectionPlan.objects.order_by("year"))
    assert [p.year for p in plans] == [today.year - 1, today.year] and all(p.status == "published" for p in plans)
    for plan in plans:
        out = io.StringIO()
        call_command("inspections", "draw", "--plan", str(plan.pk), stdout=out)
        assert json.loads(out.getvalue())["matches_recorded"] is True
    done = Inspection.objects.filter(status="done")
    assert done.count() > 10 and not done.filter(published_at__isnull=True).exists()
    assert all(i.done_on <= today for i in done)
    this_year = set(done.filter(done_on__year=today.year).values_list("institution_id", flat=True))
    assert len(homes) // 2 < len(this_year) < len(homes)  # most inspected once this year, a few not yet
    assert Hazard.objects.exists() and Hazard.objects.overdue().exists()
    assert queries.published_results(done.first().institution)

    said = demo_inspections.seed_accounts(accounts={"inspector": inspector}, district=district, rng=random.Random(1))
    assert said and pool.inspectors.filter(pk=inspector.pk).exists()
    upcoming = Inspection.objects.filter(inspectors=inspector).exclude(status="done")
    assert upcoming.count() == 2 and all(i.due_by > today for i in upcoming)
    assert demo_inspections.seed_accounts(accounts={"inspector": inspector}, district=district,
                                          rng=random.Random(1)) == ""
    assert demo_inspections.seed_accounts(accounts={"admin": admin}, district=district, rng=random.Random(1)) == ""
    assert upcoming.count() == 2


def test_the_demo_without_institutions_adds_nothing(district):
    assert demo_inspections.seed(district=district, rng=random.Random(1), elders=10) == ""
    assert not InspectionPlan.objects.exists()
