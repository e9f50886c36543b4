"""The contracts' demo: centres, teams and contracts for about 78% of the 65+, the registry's
summary in step, resident counts; the `doctor` account leads the `elder` account's team."""

import random

import pytest
from django.utils import timezone

from kangyang.accounts.models import User
from kangyang.health import demo_contracts
from kangyang.health.models import Contract, MedicalInstitution, ResidentCount, Team
from kangyang.ops import demo
from kangyang.regions import demo as regions_demo
from kangyang.registry import demo as registry_demo
from kangyang.registry.models import Elder, HealthRecord


@pytest.fixture(scope="module")
def seeded(shared_data):
    def make():
        district = demo.get_district()
        regions_demo.seed_demo(district=district, rng=random.Random("regions"), elders=1500)
        registry_demo.seed_demo(district=district, rng=random.Random("registry"), elders=1500)
        text = demo_contracts.seed(district=district, rng=random.Random("contracts"), elders=1500)
        return district, text

    yield from shared_data(make)


@pytest.mark.django_db
def test_the_demo_seeds_centres_teams_and_contracts(seeded):
    district, text = seeded
    today = timezone.localdate()
    assert MedicalInstitution.objects.filter(kind="health_centre", name__endswith="社区卫生服务中心").exists()
    assert MedicalInstitution.objects.filter(kind="hospital").count() == 2
    assert Team.objects.filter(area_code__startswith=district.code[:6]).exists()
    old = Elder.objects.filter(status="active", birth_date__lte=today.replace(year=today.year - 65, day=1))
    contracted = old.filter(contracts__in=Contract.objects.valid_on(today)).distinct().count()
    assert 0.65 < contracted / old.count() < 0.85, text
    assert Contract.objects.filter(ended_on__isnull=False).exists()
    assert Contract.objects.filter(renewed_from__isnull=False).exists()
    assert Contract.objects.valid_on(today).filter(ends_on__lte=today + timezone.timedelta(days=30)).exists()
    # The registry's flag says the same as the contracts.
    flagged = set(HealthRecord.objects.filter(family_doctor_contract=True).values_list("elder_id", flat=True))
    assert flagged == set(Contract.objects.valid_on(today).values_list("elder_id", flat=True))
    assert ResidentCount.objects.exists()
    assert demo_contracts.seed(district=district, rng=random.Random("again"), elders=1500) == ""


@pytest.mark.django_db
def test_the_doctor_account_leads_the_elder_accounts_team(seeded):
    district, _text = seeded
    today = timezone.localdate()
    elder = Elder.objects.filter(region_code__startswith=district.code[:6], status="active").order_by("pk").first()
    user = User.objects.create_user(username="elder", password="x", role="elder")
    Elder.objects.filter(pk=elder.pk).update(user=user)
    doctor = User.objects.create_user(username="doctor", password="x", role="doctor", full_name="刘敏")
    text = demo_contracts.seed_accounts(accounts={"doctor": doctor, "elder": user}, district=district,
                                        rng=random.Random(1))
    team = Team.objects.get(members__user=doctor)
    assert team.area_code == elder.region_code, text
    assert Contract.objects.valid_on(today).filter(elder=elder, team=team).count() == 1
    assert HealthRecord.objects.get(elder=elder).family_doctor.startswith("刘敏")
    demo_contracts.seed_accounts(accounts={"doctor": doctor, "elder": user}, district=district, rng=random.Random(1))
    assert team.members.filter(user=doctor).count() == 1
