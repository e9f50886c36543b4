import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from kangyang.accounts.models import User
from kangyang.lib import crypto, pinyin, residentid
from kangyang.ops import demo
from kangyang.regions.models import Compound, Household, Region
from kangyang.registry.models import Contact, Elder, HealthRecord

CONTRACTS = Path(settings.BASE_DIR).parent / "shared" / "design" / "CONTRACTS.md"


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(shared_data):
    """One seeded district for every test of this module (tests that need an empty
    database are in test_demo_fresh.py)."""
    yield from shared_data(lambda: run_demo("--elders", "300"))


def test_demo_builds_the_district_tree(demo_output):
    district = Region.objects.get(code="360103000000")
    assert district.name == "西湖区"
    subdistricts = Region.objects.filter(level="subdistrict", parent=district)
    assert subdistricts.count() == 10
    assert {"南浦街道", "朝阳洲街道", "桃花镇", "丁公路街道"} <= set(subdistricts.values_list("name", flat=True))
    assert 90 <= Region.objects.filter(level="community", code__startswith="360103").count() <= 110
    xihu = Compound.objects.filter(region_code__startswith="360103")
    assert 300 <= xihu.count() <= 500
    for c in xihu:
        assert 28.61 <= c.lat <= 28.71 and 115.83 <= c.lng <= 115.95  # ~10 km box, WGS-84
        assert c.region_code == c.community.code and c.household_count > 0


def test_demo_builds_a_second_smaller_district_under_the_same_city(demo_output):
    xihu, second = Region.objects.get(code="360103000000"), Region.objects.get(code="360104000000")
    assert second.name == "青云谱区" and second.level == "district"
    assert second.parent == xihu.parent and second.parent.code == "360100000000"
    subdistricts = Region.objects.filter(level="subdistrict", parent=second)
    assert {"洪都街道", "京山街道", "三家店街道"} == set(subdistricts.values_list("name", flat=True))
    communities = Region.objects.filter(level="community", parent__in=subdistricts)
    assert 6 <= communities.count() <= 15
    for r in [*subdistricts, *communities]:
        assert r.code.startswith("360104") and len(r.code) == 12
    compounds = Compound.objects.filter(region_code__startswith="360104")
    assert compounds.exists()
    for c in compounds:
        assert 28.57 <= c.lat <= 28.67 and 115.87 <= c.lng <= 115.97  # its own ~10 km box
    # An eighth of Xihu's elders, with what every module seeds for them.
    from kangyang.alarms.models import Alarm, Device
    from kangyang.assessment.models import Assessment
    from kangyang.services.models import Caregiver, Order, Provider
    from kangyang.allowances.models import PaymentRoll, Policy

    assert Elder.objects.filter(region_code__startswith="360104").count() == 300 // 8
    assert Household.objects.filter(region_code__startswith="360104").exists()
    assert Assessment.objects.filter(region_code__startswith="360104").exists()
    assert Device.objects.filter(region_code__startswith="360104").exists()
    assert Alarm.objects.filter(region_code__startswith="360104").exists()
    assert Policy.objects.filter(region=second).count() == 4
    assert PaymentRoll.objects.filter(region_code__startswith="360104").exists()
    providers = Provider.objects.filter(organisation__region__code__startswith="360104")
    assert providers.count() == 2
    assert Caregiver.objects.filter(provider__in=providers).count() >= 6
    assert Order.objects.filter(region_code__startswith="360104", provider__in=providers).exists()
    assert not Order.objects.filter(region_code__startswith="360104").exclude(provider__in=providers).exists()


def test_admin2_is_the_second_district_s_bureau_and_city_sees_both(demo_output):
    admin2, admin, city = (User.objects.get(username=n) for n in ("admin2", "admin", "city"))
    assert admin2.role == "bureau_admin" and admin2.region.code == "360104000000" and admin2.is_demo_account
    assert admin2.check_password("kangyang-demo")
    assert admin.region.code == "360103000000"
    codes = {e.region_code[:6] for e in Elder.objects.visible_to(admin2)}
    assert codes == {"360104"}
    assert {e.region_code[:6] for e in Elder.objects.visible_to(admin)} == {"360103"}
    assert Elder.objects.visible_to(city).count() == Elder.objects.count()


def test_demo_creates_every_demo_account_with_the_demo_password(demo_output):
    for account in demo.DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.role == account.role
        assert user.check_password("kangyang-demo")


def test_worker_a_and_worker_b_work_in_communities_of_different_subdistricts(demo_output):
    a = User.objects.get(username="worker_a").region
    b = User.objects.get(username="worker_b").region
    assert a.level == b.level == "community"
    assert a.parent_id != b.parent_id
    assert User.objects.get(username="subdistrict").region == a.parent


def test_the_elder_account_lives_in_worker_a_s_community_and_family_is_her_daughter(demo_output):
    worker_a = User.objects.get(username="worker_a")
    record = Elder.objects.get(user__username="elder")
    assert record.community == worker_a.region
    contact = Contact.objects.get(user__username="family")
    assert contact.elder == record and contact.relation == "daughter"
    # and the scope rules agree: worker_a sees her, worker_b does not; family sees only her
    assert Elder.objects.visible_to(worker_a).filter(pk=record.pk).exists()
    assert not Elder.objects.visible_to(User.objects.get(username="worker_b")).filter(pk=record.pk).exists()
    assert list(Elder.objects.visible_to(User.objects.get(username="family"))) == [record]


def test_seeded_elders_have_valid_unique_id_numbers_of_the_district(demo_output):
    elders = list(Elder.objects.all())
    assert len(elders) == 301 + 300 // 8  # 300 seeded + the `elder` account's own record, and the second district
    numbers = set()
    for e in elders:
        number = e._id_number()
        rid = residentid.parse(number)
        assert number[:6] == e.region_code[:6] in ("360103", "360104")
        assert (rid.birth_date, rid.sex) == (e.birth_date, e.sex)
        assert e.age() >= 60
        numbers.add(number)
    assert len(numbers) == len(elders)


def test_seeded_elders_are_stored_as_create_elder_stores_them(demo_output):
    elders = Elder.objects.exclude(user__username="elder").select_related("community", "compound", "household")
    for e in elders:
        number = e._id_number()
        assert e.id_number_hash == crypto.lookup_hash(number)
        assert e.id_number_masked == residentid.mask(number) and e.id_last4_hash == crypto.tail_hash(number[-4:])
        assert e.name_initials == pinyin.initials(e.name)
        assert e.region_code == e.community.code
        assert e.compound.community_id == e.community_id
        assert e.household.address == e.address and e.household.community_id == e.community_id
        assert e.household.region_code == e.region_code
        assert re.fullmatch(r".+\d+栋\d+单元\d{3,4}室", e.address)
        if e.phone_encrypted:
            assert e.phone_hash == crypto.lookup_hash(e._phone())
        assert all(c in Elder.Category.values for c in e.categories)
        if "alone" in e.categories:
            assert e.living_arrangement == "alone" and "empty_nest" in e.categories
    assert HealthRecord.objects.count() == Elder.objects.count()
    assert not HealthRecord.objects.exclude(region_code__startswith="360103").exclude(
        region_code__startswith="360104").exists()
    for c in Contact.objects.select_related("elder"):
        assert c.region_code == c.elder.region_code
        assert crypto.decrypt(c.phone_encrypted)[-4:] == c.phone_masked[-4:]


def test_running_the_demo_twice_reuses_the_district_and_the_accounts(demo_output):
    counts = [m.objects.count() for m in (User, Region, Compound, Household, Elder, Contact)]
    again = run_demo("--elders", "300")
    assert "301" in again  # "reusing … 301 elders", in whichever language
    assert [m.objects.count() for m in (User, Region, Compound, Household, Elder, Contact)] == counts


def test_the_printed_accounts_are_those_of_contracts_md(demo_output):
    printed = demo_output.split("kangyang-demo", 1)[1]
    names = re.findall(r"^  ([a-z_0-9]+) +\S", printed, re.MULTILINE)
    assert names == [a.username for a in demo.DEMO_ACCOUNTS]
    assert "http://127.0.0.1:8000/" in demo_output
    if not CONTRACTS.exists():
        pytest.skip(f"{CONTRACTS} not found")
    section = CONTRACTS.read_text().split("## Demo accounts", 1)[1].split("\n## ", 1)[0]
    # Every account other programs rely on; the demo may print more (admin2, the second district's bureau).
    assert set(re.findall(r"`([a-z][a-z_0-9]*)`", section)) <= set(names)


def test_demo_hooks_run_in_installed_apps_order(db):
    labels = [label for label, _hook in demo.demo_hooks("seed_demo")]
    assert labels.index("regions") < labels.index("registry")


def test_the_demo_keeps_a_year_of_indicator_history_computed_from_its_records(demo_output):
    """Monthly snapshots of the past twelve months, for the city, each district and below; the
    elders on the register grow towards today's count (the seeded elders carry the date they
    were registered), and every month's figure is the framework's count for that month."""
    from django.utils import timezone

    from kangyang.indicators import queries
    from kangyang.indicators.demo import history_periods
    from kangyang.indicators.registry import Query, site

    today = timezone.localdate()
    months = [p for p in history_periods(today) if p.month and p.key != f"{today.year}-{today.month:02d}"]
    assert len(months) == 12
    for code in ("360100000000", "360103000000", "360104000000"):
        kept = {}
        for year in {p.year for p in months}:
            kept.update(dict(queries.history("elders", code, year)))
        assert all(p.key in kept for p in months), code
        assert all(kept[p.key] > 0 for p in months), code  # elders were on the register then
    oldest = months[0]
    assert dict(queries.history("elders", "360103000000", oldest.year))[oldest.key] == \
        site.get("elders").figure(Query("360103000000", oldest)).value
    # The city's figure is both districts' (computed once both were seeded).
    city = dict(queries.history("elders", "360100000000", oldest.year))[oldest.key]
    districts = sum(dict(queries.history("elders", c, oldest.year))[oldest.key] for c in ("360103000000", "360104000000"))
    assert city == districts
    # A second run of the demo keeps the history as it was.
    before = list(queries.history("elders", "360103000000", oldest.year))
    run_demo()
    assert list(queries.history("elders", "360103000000", oldest.year)) == before
