"""The register of institutions and their residents (issue 16 §1, §2, §11 institutions)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.core.exceptions import PermissionDenied, ValidationError

from kangyang.accounts.models import Organisation, User
from kangyang.audit.models import AuditEntry
from kangyang.institutions.actions import register as actions
from kangyang.institutions.models import DocumentWarning, Institution, Resident
from kangyang.institutions.queries import register as queries
from kangyang.lib import residentid
from kangyang.regions.models import Region
from kangyang.registry.actions import create_elder, set_elder_status
from kangyang.registry.models import Elder

K = Institution.Kind


def _org(name, region, kind=Organisation.Kind.INSTITUTION):
    return Organisation.objects.create(name=name, kind=kind, region=region)


def _inst(org, community, *, name="西湖颐养院", kind=K.CARE_HOME, beds=10, nursing=6, **extra):
    return Institution.objects.create(
        organisation=org, name=name, kind=kind, ownership="private", operating_model="private_run",
        community=community, region_code=community.code, beds_total=beds, beds_nursing=nursing,
        fire_safety_accepted_on=dt.date(2020, 1, 1), **extra)


def _elder(by, community, n, *, categories=(), born=dt.date(1940, 5, 1)):
    return create_elder(by=by, name=f"住民{n}", id_number=residentid.make("360103", born, 100 + n),
                        community=community, categories=list(categories))


@pytest.fixture
def other_district(db):
    d = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    s = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=d)
    c = Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=s)
    return c


@pytest.fixture
def world(admin, subdistrict, worker_a, worker_b, inspector, provider, provider_org, community_a, community_b,
          other_district):
    run_org = _org("桃花养老院有限公司", community_a.parent)
    provider.organisation = run_org
    provider.save(update_fields=["organisation"])
    home_a = _inst(run_org, community_a, name="桃花颐养院")
    home_b = _inst(_org("朝阳敬老院", community_b.parent), community_b, name="朝阳敬老院", kind=K.TOWNSHIP_HOME)
    far = _inst(_org("洪都养老院", other_district.parent), other_district, name="洪都养老院")
    admin2 = User.objects.create_user(username="admin2", password="kangyang-demo", role="bureau_admin",
                                      region=other_district.parent.parent)
    return {"a": home_a, "b": home_b, "far": far, "admin2": admin2, "org": run_org}


# -- validation ---------------------------------------------------------------------------------
def _values(world, community, **over):
    values = dict(name="新建嵌入式养老院", kind=K.EMBEDDED_HOME, ownership="public", operating_model="public_private",
                  organisation=world["org"], community=community, beds_total=30, beds_nursing=20, lat=28.66, lng=115.89)
    values.update(over)
    return values


def test_register_sets_region_from_community_and_audits(world, admin, community_a):
    inst = actions.register_institution(by=admin, **_values(world, community_a))
    assert inst.region_code == community_a.code
    assert AuditEntry.objects.filter(verb="institution.register", target_id=str(inst.pk)).exists()


@pytest.mark.parametrize("over, field, words", [
    ({"beds_nursing": 40}, "beds_nursing", "more than all the beds"),
    ({"lat": 95.0}, "lat", "-90 and 90"),
    ({"lng": None}, "lng", "both latitude and longitude"),
    ({"medical": "agreement"}, "medical_partner", "Name the medical institution"),
    ({"kind": "castle"}, "kind", "offered values"),
    ({"name": ""}, "name", "This field is required."),
    ({"name": "   "}, "name", "This field is required."),
])
def test_validation_in_words(world, admin, community_a, over, field, words):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as caught:
        actions.register_institution(by=admin, **_values(world, community_a, **over))
    messages = " ".join(caught.value.message_dict[field])
    assert words in messages


def test_organisation_must_run_institutions(world, admin, community_a, district):
    bureau = _org("西湖区民政局", district, kind=Organisation.Kind.BUREAU)
    with pytest.raises(ValidationError) as caught:
        actions.register_institution(by=admin, **_values(world, community_a, organisation=bureau))
    assert "organisation" in caught.value.message_dict


def test_only_bureau_admin_of_area_registers(world, subdistrict, community_a):
    with pytest.raises(PermissionDenied):
        actions.register_institution(by=subdistrict, **_values(world, community_a))
    with pytest.raises(PermissionDenied):
        actions.register_institution(by=world["admin2"], **_values(world, community_a))


def test_edit_cannot_move_out_of_area(world, admin, other_district):
    with pytest.raises(ValidationError) as caught:
        actions.edit_institution(world["a"], by=admin, community=other_district)
    assert "community" in caught.value.message_dict
    actions.edit_institution(world["a"], by=admin, beds_total=12)
    world["a"].refresh_from_db()
    assert world["a"].beds_total == 12


# -- occupancy and residents ------------------------------------------------------------------
def test_occupancy_counted_from_records(world, admin, worker_a, community_a, today):
    home = world["a"]
    elders = [_elder(worker_a, community_a, n) for n in range(3)]
    for e in elders:
        actions.admit(home, by=admin, elder=e, admitted_on=today - dt.timedelta(days=10))
    actions.discharge(Resident.objects.get(elder=elders[0]), by=admin, on=today)
    row = queries.with_occupancy(Institution.objects.filter(pk=home.pk)).get()
    assert (row.beds_occupied, row.beds_available) == (2, 8)
    # yesterday all three were there
    assert queries.occupancy_of(home, on=today - dt.timedelta(days=1)) == 3
    # beds_available never below zero
    Institution.objects.filter(pk=home.pk).update(beds_total=1, beds_nursing=0)
    assert queries.with_occupancy(Institution.objects.filter(pk=home.pk)).get().beds_available == 0


def test_home_care_beds_count_only_for_their_provider(world, admin, worker_a, community_a, provider_org, today):
    beds = _inst(provider_org, community_a, name="家床服务", kind=K.HOME_CARE_BEDS, beds=5, nursing=0)
    e = _elder(worker_a, community_a, 7)
    with pytest.raises(ValidationError):
        actions.admit(beds, by=admin, elder=e, bed=Resident.Bed.GENERAL)
    with pytest.raises(ValidationError):
        actions.admit(world["a"], by=admin, elder=e, bed=Resident.Bed.HOME)
    actions.admit(beds, by=admin, elder=e, bed=Resident.Bed.HOME)
    assert queries.occupancy_of(beds) == 1
    # a stray home-bed stay in a care home is not that home's occupancy
    Resident.objects.create(institution=world["a"], elder=_elder(worker_a, community_a, 8), region_code=community_a.code,
                            bed=Resident.Bed.HOME, admitted_on=today)
    assert queries.occupancy_of(world["a"]) == 0


def test_one_open_stay_and_full_house(world, admin, worker_a, community_a):
    e = _elder(worker_a, community_a, 1)
    actions.admit(world["a"], by=admin, elder=e)
    with pytest.raises(ValidationError) as caught:
        actions.admit(world["b"], by=admin, elder=e)
    assert "已入住" in str(caught.value)
    Institution.objects.filter(pk=world["a"].pk).update(beds_total=1, beds_nursing=0)
    world["a"].refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        actions.admit(world["a"], by=admin, elder=_elder(worker_a, community_a, 2))
    assert "床位已满" in str(caught.value)


def test_extreme_poverty_admitted_in_centralised_care(world, admin, worker_a, community_a):
    poor = _elder(worker_a, community_a, 3, categories=["extreme_poverty"])
    other = _elder(worker_a, community_a, 4)
    assert actions.admit(world["b"], by=admin, elder=poor).centralised_care is True
    assert actions.admit(world["b"], by=admin, elder=other).centralised_care is False
    assert queries.stays_open().filter(centralised_care=True, region_code__startswith="360103").count() == 1


def test_death_ends_stay_and_marks_registry(world, admin, worker_a, community_a, today):
    e = _elder(worker_a, community_a, 5)
    stay = actions.admit(world["a"], by=admin, elder=e, admitted_on=today - dt.timedelta(days=30))
    actions.record_death(stay, by=admin, on=today - dt.timedelta(days=1))
    e.refresh_from_db()
    stay.refresh_from_db()
    assert e.status == Elder.Status.DECEASED and e.status_date == today - dt.timedelta(days=1)
    assert stay.left_reason == Resident.Left.DIED and stay.left_on == today - dt.timedelta(days=1)
    assert queries.occupancy_of(world["a"]) == 0


def test_death_in_registry_ends_stay_for_counting(world, admin, worker_a, community_a, today):
    e = _elder(worker_a, community_a, 6)
    stay = actions.admit(world["a"], by=admin, elder=e, admitted_on=today - dt.timedelta(days=30))
    set_elder_status(e, by=worker_a, status=Elder.Status.DECEASED, on=today - dt.timedelta(days=2))
    assert queries.occupancy_of(world["a"]) == 0
    assert queries.occupancy_of(world["a"], on=today - dt.timedelta(days=3)) == 1
    assert not queries.residents_of(world["a"]).exists()
    assert list(queries.residents_of(world["a"], current=False)) == [stay]
    # the institution closes it with the registry's date
    stay.refresh_from_db()
    actions.record_death(stay, by=admin)
    stay.refresh_from_db()
    assert stay.left_on == today - dt.timedelta(days=2)


def test_transfer(world, admin, worker_a, community_a, today):
    e = _elder(worker_a, community_a, 9)
    stay = actions.admit(world["a"], by=admin, elder=e, admitted_on=today - dt.timedelta(days=5))
    new = actions.transfer(stay, by=admin, to=world["b"], on=today)
    stay.refresh_from_db()
    assert stay.left_reason == Resident.Left.TRANSFERRED and new.institution == world["b"]
    assert queries.occupancy_of(world["a"]) == 0 and queries.occupancy_of(world["b"]) == 1


def test_wish_only_for_extreme_poverty(world, worker_a, community_a):
    with pytest.raises(ValidationError):
        actions.record_wish(_elder(worker_a, community_a, 10), by=worker_a)
    wish = actions.record_wish(_elder(worker_a, community_a, 11, categories=["extreme_poverty"]), by=worker_a)
    assert wish.willing


# -- scope ----------------------------------------------------------------------------------------
def test_scope_of_register(world, admin, provider, inspector, worker_b, community_a):
    assert set(Institution.objects.visible_to(admin)) == {world["a"], world["b"]}
    assert set(Institution.objects.visible_to(inspector)) == {world["a"], world["b"]}
    assert set(Institution.objects.visible_to(provider)) == {world["a"]}
    assert set(Institution.objects.visible_to(world["admin2"])) == {world["far"]}
    from kangyang.accounts import scope

    assert scope.sees_residents_of(provider, world["a"]) and not scope.sees_residents_of(provider, world["b"])
    assert not scope.sees_residents_of(inspector, world["a"])
    assert not scope.sees_residents_of(worker_b, world["a"]) and scope.sees_residents_of(worker_b, world["b"])
    assert scope.keeps_residents_of(provider, world["a"]) and not scope.keeps_residents_of(worker_b, world["b"])


def test_flags(world, admin, settings, today):
    settings.KANGYANG_PREPAID_FLAG_YUAN = 1000
    settings.KANGYANG_INSTITUTION_EXPIRY_DAYS = 30
    actions.report_funds(world["a"], by=admin, prepaid_balance="600", deposits_held="400.01")
    Institution.objects.filter(pk=world["b"].pk).update(liability_insurance_until=today + dt.timedelta(days=30),
                                                        fire_safety_accepted_on=None)
    assert list(queries.flagged_funds(Institution.objects.all())) == [world["a"]]
    assert list(queries.expiring_documents(Institution.objects.all(), today=today)) == [world["b"]]
    assert list(queries.without_fire_safety(Institution.objects.all())) == [world["b"]]
    world["b"].refresh_from_db()
    assert queries.flags_of(world["b"], today=today) == ["documents", "fire"]
    with pytest.raises(ValidationError):
        actions.report_funds(world["a"], by=admin, prepaid_balance="-1", deposits_held="0")


def test_warn_expiring_documents_once(world, admin, settings, today):
    admin.email = "admin@example.org"
    admin.save(update_fields=["email"])
    settings.KANGYANG_INSTITUTION_EXPIRY_DAYS = 30
    Institution.objects.filter(pk=world["a"].pk).update(
        medical="agreement", medical_partner="西湖区人民医院", medical_agreement_until=today + dt.timedelta(days=20),
        liability_insurance_until=today + dt.timedelta(days=5))
    assert actions.warn_expiring_documents_once(today) == 2
    assert actions.warn_expiring_documents_once(today) == 0  # told once
    warnings = DocumentWarning.objects.order_by("document")
    assert [(w.document, w.threshold, w.recipients) for w in warnings] == [
        ("liability_insurance", 7, 1), ("medical_agreement", 30, 1)]
    # the other district's admin is not told
    from kangyang.notify.models import Delivery

    assert Delivery.objects.filter(key__startswith="institution_document:").count() == 2


def test_the_workers_daily_institutions_pass_tells_of_expiring_documents(world, today, monkeypatch):
    from types import SimpleNamespace

    from kangyang.ops import housekeeping

    # the chore closes the worker's connection after its pass; not the test's
    monkeypatch.setattr(housekeeping, "connection", SimpleNamespace(close=lambda: None))
    monkeypatch.setattr(housekeeping, "close_old_connections", lambda: None)
    Institution.objects.filter(pk=world["a"].pk).update(liability_insurance_until=today)
    chore = housekeeping.PeriodicInstitutions(every=3600)
    chore._pass()
    assert chore.done_on == timezone.localdate()
    assert DocumentWarning.objects.filter(institution=world["a"], threshold=0).exists()


def test_fees_staffing_drills(world, provider, inspector, today):
    fee = actions.add_fee(world["a"], by=provider, item="护理型床位费", price="3200")
    assert fee.price == Decimal("3200.00")
    actions.set_staffing(world["a"], by=provider, qualification="nurse", count=3)
    actions.set_staffing(world["a"], by=provider, qualification="nurse", count=0)
    assert not world["a"].staffing.exists()
    with pytest.raises(ValidationError) as caught:
        actions.add_drill(world["a"], by=provider, kind="fire", held_on=today + dt.timedelta(days=1))
    assert "尚未举行" in str(caught.value)
    with pytest.raises(PermissionDenied):
        actions.add_fee(world["b"], by=provider, item="x", price="1")
    with pytest.raises(PermissionDenied):
        actions.add_fee(world["a"], by=inspector, item="x", price="1")


def test_care_level_from_latest_assessment(world, admin, worker_a, community_a, today):
    from kangyang.assessment.models import Assessment

    e = _elder(worker_a, community_a, 12)
    actions.admit(world["a"], by=admin, elder=e, admitted_on=today - dt.timedelta(days=100))
    for days_ago, level in ((200, 1), (20, 3)):
        Assessment.objects.create(elder=e, region_code=e.region_code, assessed_on=today - dt.timedelta(days=days_ago),
                                  final_level=level, status=Assessment.Status.SIGNED,
                                  valid_until=today + dt.timedelta(days=300))
    [stay] = queries.residents_of(world["a"])
    assert stay.care_level == 3


# -- what a provider manager admitting by ID number learns, and may do, of an elder not hers ----
def test_a_provider_manager_learns_nothing_of_an_elder_elsewhere_from_a_refusal(world, admin, provider, worker_b,
                                                                               community_b):
    e = _elder(worker_b, community_b, 21)
    actions.admit(world["b"], by=admin, elder=e)
    with pytest.raises(ValidationError) as caught:
        actions.admit(world["a"], by=provider, elder=e)
    assert "朝阳敬老院" not in str(caught.value) and "社区工作人员" in str(caught.value)
    set_elder_status(Elder.objects.get(pk=e.pk), by=worker_b, status=Elder.Status.MOVED_OUT, on=timezone.localdate())
    with pytest.raises(ValidationError) as moved:
        actions.admit(world["a"], by=provider, elder=Elder.objects.get(pk=e.pk))
    assert str(moved.value) == str(caught.value)  # the same words, whatever the reason
    with pytest.raises(ValidationError) as told:  # her own area's staff are told why
        actions.admit(world["a"], by=admin, elder=Elder.objects.get(pk=e.pk))
    assert "迁出" in str(told.value)


def test_a_death_recorded_by_the_provider_ends_the_stay_but_only_the_area_marks_the_registry(
        world, provider, worker_b, community_b, today):
    e = _elder(worker_b, community_b, 22)
    stay = actions.admit(world["a"], by=provider, elder=e, admitted_on=today - dt.timedelta(days=3))
    actions.record_death(stay, by=provider, on=today)
    stay.refresh_from_db()
    e.refresh_from_db()
    assert stay.left_reason == Resident.Left.DIED and stay.left_on == today
    assert e.status == Elder.Status.ACTIVE  # the registry's staff record the death themselves
