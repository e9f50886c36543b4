"""Operating subsidies: the roll of a month by hand count (construction beds, bed-days of part
months, rates by level, nursing beds and region), idempotence, who may, the pages, the sheet
(no personal data) and the demo."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from kangyang.institutions.actions import subsidies as actions
from kangyang.institutions.models import Institution, Resident, SubsidyRate, SubsidyRoll
from kangyang.institutions.queries import subsidies as queries
from kangyang.institutions.tests.standards_helpers import institution
from kangyang.regions.models import Region

K = Institution.Kind
MARCH = dt.date(2026, 3, 1)  # 31 days
OP, CON = SubsidyRate.Kind.OPERATING, SubsidyRate.Kind.CONSTRUCTION


def rate(region, kind, amount, *, level=None, nursing=False, start=dt.date(2026, 1, 1), until=None):
    return SubsidyRate.objects.create(region=region, region_code=region.code, kind=kind, care_level=level,
                                      nursing_only=nursing, amount=Decimal(amount), valid_from=start,
                                      valid_until=until)


def assess(elder, level):
    from kangyang.assessment.models import Assessment

    Assessment.objects.create(elder=elder, region_code=elder.region_code, status="signed", final_level=level,
                              assessed_on=dt.date(2026, 1, 5), valid_until=dt.date(2027, 1, 5))


def third_elder(worker_b, community_b):
    from kangyang.lib import residentid
    from kangyang.registry.actions import create_elder

    return create_elder(by=worker_b, name="王秀英", community=community_b,
                        id_number=residentid.make("360103", dt.date(1940, 2, 2), 12))


@pytest.fixture
def city(district):
    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=district.pk).update(parent=city)
    return city


@pytest.fixture
def march(city, district, community_a, community_b, elder_in_a, elder_in_b, worker_b):
    rate(district, CON, 10000)
    rate(district, CON, 15000, nursing=True)
    rate(district, OP, 100)
    rate(district, OP, 200, level=2)
    rate(district, OP, 250, level=2, nursing=True)
    rate(district, OP, 180, level=2, start=dt.date(2025, 1, 1), until=dt.date(2026, 2, 28))  # ended
    rate(district, OP, 999, level=4, start=dt.date(2026, 3, 2))  # not yet in force on the 1st
    rate(city, OP, 300, level=3)
    rate(city, OP, 5000)  # the district's own any-level rate comes first
    home = institution(community_a, name="新建养老院", kind=K.CARE_HOME, construction="new",
                       opened_on=dt.date(2026, 3, 10), beds_total=40, beds_nursing=30)
    old = institution(community_b, name="老养老院", kind=K.CARE_HOME, opened_on=dt.date(2020, 1, 1), beds_total=60)
    institution(community_a, name="上月新建", kind=K.EMBEDDED_HOME, construction="new",
                opened_on=dt.date(2026, 2, 28), beds_total=25)
    day_care = institution(community_a, name="日照中心", kind=K.DAY_CARE_CENTRE, construction="new",
                           opened_on=dt.date(2026, 3, 5), beds_total=10)
    third = third_elder(worker_b, community_b)
    assess(elder_in_a, 2)
    assess(elder_in_b, 3)
    Resident.objects.create(institution=home, elder=elder_in_a, region_code=home.region_code, bed="nursing",
                            admitted_on=dt.date(2026, 3, 20))
    Resident.objects.create(institution=old, elder=elder_in_b, region_code=old.region_code,
                            admitted_on=dt.date(2025, 12, 1), left_on=dt.date(2026, 3, 16), left_reason="died")
    Resident.objects.create(institution=old, elder=third, region_code=old.region_code,
                            admitted_on=dt.date(2025, 6, 1))
    return {"home": home, "old": old, "day_care": day_care, "third": third}


def _key(t):
    return (t[0], t[1], -1 if t[2] is None else t[2], t[3])


def line_set(roll):
    return sorted(((line.institution.name, line.kind, line.care_level, line.quantity, line.rate.amount, line.amount)
                   for line in roll.lines.select_related("institution", "rate")), key=_key)


EXPECTED = sorted([
    # construction: 30 nursing beds at 15,000, the other 10 at 10,000 (opened 10 March, newly built)
    ("新建养老院", CON, None, Decimal("30.00"), Decimal("15000.00"), Decimal("450000.00")),
    ("新建养老院", CON, None, Decimal("10.00"), Decimal("10000.00"), Decimal("100000.00")),
    # level 2 in a nursing bed from the 20th: 12 of 31 days = 0.39 × 250
    ("新建养老院", OP, 2, Decimal("0.39"), Decimal("250.00"), Decimal("97.50")),
    # level 3 (the city's rate) until she died on the 16th: 15 of 31 days = 0.48 × 300
    ("老养老院", OP, 3, Decimal("0.48"), Decimal("300.00"), Decimal("144.00")),
    # not assessed, the whole month: the district's any-level rate
    ("老养老院", OP, None, Decimal("1.00"), Decimal("100.00"), Decimal("100.00")),
], key=_key)


@pytest.mark.django_db
def test_roll_by_hand_count(march, admin, district):
    roll = actions.generate_roll(district, MARCH, admin)
    assert line_set(roll) == EXPECTED
    assert roll.total == Decimal("550341.50") and roll.line_count == 5
    assert roll.region_code == district.code and roll.status == SubsidyRoll.Status.DRAFT


@pytest.mark.django_db
def test_bed_days_count_admission_not_leaving_day(march, district):
    stays = {(s.institution_id, s.level): s.days for s in queries.occupied_bed_days(district.code, MARCH)}
    assert stays == {(march["home"].pk, 2): 12, (march["old"].pk, 3): 15, (march["old"].pk, None): 31}
    april = {s.level: s.days for s in queries.occupied_bed_days(district.code, dt.date(2026, 4, 1))}
    assert april == {2: 30, None: 30}  # she died in March


@pytest.mark.django_db
def test_generating_again_is_idempotent_until_approved(march, admin, district, elder_in_a):
    first = actions.generate_roll(district, MARCH, admin)
    again = actions.generate_roll(district, dt.date(2026, 3, 17), admin)
    assert again.pk == first.pk and line_set(again) == EXPECTED
    assert SubsidyRoll.objects.filter(region=district, month=MARCH).count() == 1
    actions.approve_roll(again, admin)
    Resident.objects.filter(elder=elder_in_a).update(admitted_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError):
        actions.generate_roll(district, MARCH, admin)
    assert line_set(SubsidyRoll.objects.get(pk=first.pk)) == EXPECTED  # approved: unchanged


@pytest.mark.django_db
def test_approve_then_paid_and_who_may(march, admin, subdistrict, district, city):
    from kangyang.accounts.models import User

    other = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    admin2 = User.objects.create_user(username="admin2", password="x", role="bureau_admin", region=other)
    with pytest.raises(PermissionDenied):
        actions.generate_roll(district, MARCH, admin2)
    with pytest.raises(PermissionDenied):
        actions.generate_roll(district, MARCH, subdistrict)
    with pytest.raises(ValidationError):
        actions.generate_roll(district, dt.date(2100, 1, 1), admin)  # still to come
    roll = actions.generate_roll(district, MARCH, admin)
    with pytest.raises(ValidationError):
        actions.mark_paid(roll, admin)  # not approved yet
    with pytest.raises(PermissionDenied):
        actions.approve_roll(roll, admin2)
    running = actions.generate_roll(district, timezone.localdate(), admin)
    with pytest.raises(ValidationError):
        actions.approve_roll(running, admin)  # its month is not over
    roll = actions.approve_roll(roll, admin)
    assert roll.status == "approved" and roll.approved_by == admin and roll.approved_at
    roll = actions.mark_paid(roll, admin)
    assert roll.status == "paid" and roll.paid_at
    with pytest.raises(ValidationError):
        actions.approve_roll(roll, admin)


@pytest.mark.django_db
def test_pages(client, march, admin, subdistrict, district):
    client.force_login(subdistrict)
    assert client.get("/institutions/subsidies/").status_code == 403
    client.force_login(admin)
    page = client.get("/institutions/subsidies/")
    assert page.status_code == 200 and "15,000.00" in page.content.decode()
    assert 'href="/institutions/subsidies/" aria-current="page"' in page.content.decode()  # the tab
    response = client.post("/institutions/subsidies/make/", {"district": district.code, "month": "2026-03"})
    roll = SubsidyRoll.objects.get(region=district, month=MARCH)
    assert response.status_code == 302 and response["Location"] == f"/institutions/subsidies/{roll.pk}/"
    body = client.get(f"/institutions/subsidies/{roll.pk}/").content.decode()
    assert "新建养老院" in body and "550,341.50" in body and 'data-status="draft"' in body
    client.post(f"/institutions/subsidies/{roll.pk}/approve/")
    assert SubsidyRoll.objects.get(pk=roll.pk).status == "approved"
    client.post(f"/institutions/subsidies/{roll.pk}/paid/")
    assert SubsidyRoll.objects.get(pk=roll.pk).status == "paid"
    client.force_login(subdistrict)
    assert client.get(f"/institutions/subsidies/{roll.pk}/").status_code == 404
    assert client.post(f"/institutions/subsidies/{roll.pk}/approve/").status_code == 404


@pytest.mark.django_db
def test_sheet_has_institutions_only(client, march, admin, district, elder_in_a, elder_in_b):
    from kangyang.audit.models import AuditEntry

    roll = actions.generate_roll(district, MARCH, admin)
    client.force_login(admin)
    response = client.get(f"/institutions/subsidies/{roll.pk}/roll.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    text = " ".join(cells)
    assert "新建养老院" in text and "老养老院" in text
    for personal in (elder_in_a.name, elder_in_b.name, march["third"].name, "13807911234"):
        assert personal not in text
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and Decimal(str(rows[-1][-1])) == Decimal("550341.50")
    assert AuditEntry.objects.filter(verb="subsidy_roll.export", target_id=str(roll.pk)).exists()


@pytest.mark.django_db
def test_add_rate_page(client, admin, district):
    client.force_login(admin)
    assert client.get("/institutions/subsidies/rates/add/").status_code == 200
    response = client.post("/institutions/subsidies/rates/add/", {
        "region": district.code, "kind": "operating", "care_level": "3", "amount": "260",
        "valid_from": "2026-01-01"})
    assert response.status_code == 302
    added = SubsidyRate.objects.get()
    assert (added.region_code, added.care_level, added.amount) == (district.code, 3, Decimal(260))
    bad = client.post("/institutions/subsidies/rates/add/", {
        "region": district.code, "kind": "construction", "care_level": "3", "amount": "1", "valid_from": "2026-01-01"})
    assert bad.status_code == 200 and SubsidyRate.objects.count() == 1


@pytest.mark.django_db
def test_demo_seeds_rates_and_three_rolls(march, admin, district):
    from kangyang.institutions import demo_subsidies

    SubsidyRate.objects.all().delete()
    today = dt.date(2026, 4, 15)
    assert demo_subsidies.seed_rates(district) == 8
    rolls = demo_subsidies.seed_rolls(district, today=today)
    assert [(r.month, r.status) for r in rolls] == [
        (dt.date(2026, 2, 1), "paid"), (dt.date(2026, 3, 1), "approved"), (dt.date(2026, 4, 1), "draft")]
    march_roll = rolls[1]
    # the example rates: 30 nursing beds × 15,000 + 10 × 10,000; 0.39 × 200 (level 2), 0.48 × 250, 1 × 100
    assert march_roll.total == Decimal("550000") + Decimal("78.00") + Decimal("120.00") + Decimal("100.00")
    assert demo_subsidies.seed_rates(district) == 0 and demo_subsidies.seed_rolls(district, today=today) == []
    assert demo_subsidies.seed_accounts(accounts={"admin": admin}, district=district, rng=random.Random(1))
    assert SubsidyRoll.objects.filter(approved_by=admin).count() == 2
    # With today's date: the three months before today's, once.
    assert demo_subsidies.seed(district=district, rng=random.Random(1), elders=0) == "示例补贴标准 0 条，补贴发放名册 3 份"
    assert demo_subsidies.seed(district=district, rng=random.Random(1), elders=0) == ""


@pytest.mark.django_db
def test_hostile_input_is_refused_without_error(client, admin, district, city):
    client.force_login(admin)
    for data in ({"district": district.code, "month": "2026-13"}, {"district": "999999999999", "month": "2026-03"},
                 {"district": city.code, "month": "2026-03"}, {}, {"district": district.code, "month": "x" * 500}):
        response = client.post("/institutions/subsidies/make/", data)
        assert response.status_code == 302 and response["Location"] == "/institutions/subsidies/"
    assert not SubsidyRoll.objects.exists()
    assert client.get("/institutions/subsidies/999999/").status_code == 404
    assert client.get("/institutions/subsidies/999999/roll.xlsx").status_code == 404
    assert client.get("/institutions/subsidies/make/").status_code == 405
    assert client.get("/institutions/subsidies/?page=abc").status_code == 200
    assert client.get("/institutions/standards/?kind=<script>&subdistrict=1'--&missing=x").status_code == 200
