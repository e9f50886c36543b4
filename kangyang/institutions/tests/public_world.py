"""A small world for the public pages' tests (tests/test_public*.py and e2e/test_public_institutions.py):
institutions with residents from the registry, an organisation with a named contact, staff,
inspectors, published inspections, hazards with responsible persons, decided ratings and a
blacklist — each with the names, numbers and addresses the public pages must never show
(`SECRETS`)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kangyang.accounts.models import Organisation, User
from kangyang.accounts.organisations import blacklist_organisation, register_organisation
from kangyang.institutions.models import (
    Answer, Fee, Hazard, Inspection, Institution, RatingReview, Resident, Scorecard,
)
from kangyang.lib import phone as phones
from kangyang.lib import residentid
from kangyang.registry.actions import create_elder

ELDERS = [  # name, ID number, phone, address
    ("张桂兰", "360103194503120026", "13807911234", "桃花小区3栋2单元101"),
    ("李建国", "360103193807150019", "13907919876", "朝阳新城5栋101"),
    ("欧阳秀英", "360103194012120048", "13507914321", "桃花小区9栋1单元502"),
]
CONTACT = ("钱多多", "13912345678")
STAFF = ["赵铁柱", "孙护理"]
INSPECTORS = ["吴检查", "郑督查"]
RESPONSIBLE = "周责任人"
ASSESSOR = "冯评估"
BLACKLIST_REASON_NAME = "陈某某"


def secrets() -> list[str]:
    """Every string no public page may contain: names, ID numbers and phones (full and masked),
    elders' addresses."""
    out = []
    for name, id_number, phone, address in ELDERS:
        out += [name, id_number, residentid.mask(id_number), id_number[-8:], phone, phones.mask(phone), address]
    out += [CONTACT[0], CONTACT[1], phones.mask(CONTACT[1]), *STAFF, *INSPECTORS, RESPONSIBLE, ASSESSOR,
            BLACKLIST_REASON_NAME, "inspector_wu", "staff_zhao"]
    return out


def _user(username, full_name, role, **extra):
    return User.objects.create_user(username=username, password="kangyang-demo", full_name=full_name, role=role,
                                    **extra)


def build(*, admin, worker_a, worker_b, community_a, community_b) -> dict:
    """The world; returns {"open": [institutions], "closed": institution, ...}."""
    today = timezone.localdate()
    org = register_organisation(by=admin, name="康宁养老服务有限公司", kind=Organisation.Kind.INSTITUTION,
                                region=community_a.parent, contact_person=CONTACT[0], contact_phone=CONTACT[1],
                                address="某路1号")
    org2 = register_organisation(by=admin, name="福寿养老集团", kind=Organisation.Kind.INSTITUTION,
                                 region=community_b.parent, contact_person=STAFF[1], contact_phone="13312340000")
    blacklist_organisation(org2, by=admin, reason=f"{BLACKLIST_REASON_NAME}虚报床位")
    _user("staff_zhao", STAFF[0], User.Role.PROVIDER_MANAGER, organisation=org)
    _user("staff_sun", STAFF[1], User.Role.CAREGIVER, organisation=org2)
    inspectors = [_user("inspector_wu", INSPECTORS[0], User.Role.INSPECTOR, region=admin.region),
                  _user("inspector_zheng", INSPECTORS[1], User.Role.INSPECTOR, region=admin.region)]
    assessor = _user("assessor_feng", ASSESSOR, User.Role.INSPECTOR, region=admin.region)

    def inst(name, community, org, **kw):
        kw.setdefault("ownership", Institution.Ownership.PRIVATE)
        kw.setdefault("operating_model", Institution.OperatingModel.PRIVATE_RUN)
        return Institution.objects.create(name=name, organisation=org, community=community,
                                          region_code=community.code, **kw)

    home = inst("康宁颐养院", community_a, org, kind=Institution.Kind.CARE_HOME, beds_total=3, beds_nursing=2,
                lat=28.661, lng=115.891, phone="0791-86661234", address="桃花路88号", stars=3,
                rated_on=today - dt.timedelta(days=30), filing_number="赣民养备2024001",
                filed_on=dt.date(2024, 3, 1), medical=Institution.Medical.AGREEMENT,
                medical_partner="西湖区人民医院", services=["助餐", "康复护理", {"name": "认知症照护"}])
    township = inst("南浦敬老院", community_a, org, kind=Institution.Kind.TOWNSHIP_HOME, beds_total=40,
                    beds_nursing=24, lat=28.662, lng=115.885, stars=5, ownership=Institution.Ownership.PUBLIC,
                    operating_model=Institution.OperatingModel.PUBLIC_RUN)
    day_care = inst("朝阳日间照料中心", community_b, org2, kind=Institution.Kind.DAY_CARE_CENTRE, lat=28.641,
                    lng=115.861, stars=0)
    meal = inst("朝阳助餐点", community_b, org2, kind=Institution.Kind.MEAL_POINT)  # no location
    closed = inst("已关闭养老院", community_b, org2, kind=Institution.Kind.CARE_HOME, beds_total=10,
                  closed_on=today - dt.timedelta(days=1))

    Fee.objects.bulk_create([
        Fee(institution=home, item="自理床位", unit=Fee.Unit.MONTH, price=Decimal("2500")),
        Fee(institution=home, item="护理床位", unit=Fee.Unit.MONTH, price=Decimal("3800")),
        Fee(institution=home, item="一次性评估", unit=Fee.Unit.ONCE, price=Decimal("200")),
        Fee(institution=township, item="床位费", unit=Fee.Unit.MONTH, price=Decimal("1500")),
        Fee(institution=day_care, item="日托", unit=Fee.Unit.DAY, price=Decimal("60")),
        Fee(institution=meal, item="午餐", unit=Fee.Unit.MEAL, price=Decimal("12")),
        Fee(institution=closed, item="床位费", unit=Fee.Unit.MONTH, price=Decimal("7000")),
    ])

    elders = []
    for (name, id_number, phone, address), (worker, community) in zip(
            ELDERS, [(worker_a, community_a), (worker_b, community_b), (worker_a, community_a)]):
        elders.append(create_elder(by=worker, name=name, id_number=id_number, community=community, phone=phone,
                                   address=address))
    # The care home is full (3 of 3 beds), one resident left; the township home has one.
    start = today - dt.timedelta(days=100)
    Resident.objects.create(institution=home, elder=elders[0], region_code=home.region_code, admitted_on=start)
    Resident.objects.create(institution=home, elder=elders[1], region_code=home.region_code, admitted_on=start)
    Resident.objects.create(institution=township, elder=elders[2], region_code=township.region_code,
                            admitted_on=start - dt.timedelta(days=50), left_on=start - dt.timedelta(days=1),
                            left_reason=Resident.Left.TRANSFERRED)
    Resident.objects.create(institution=home, elder=elders[2], region_code=home.region_code, admitted_on=start)

    card = Scorecard.objects.create(name="示例评分表", is_example=True, thresholds={"1": 0, "3": 500, "5": 850})
    review = RatingReview.objects.create(
        institution=home, scorecard=card, kind=RatingReview.Kind.ASSESSORS, status=RatingReview.Status.DECIDED,
        points=600, stars=3, decided_on=today - dt.timedelta(days=30), by=assessor,
        note=f"{ASSESSOR}与{ELDERS[0][0]}面谈")
    review.assessors.set([assessor, inspectors[0]])
    RatingReview.objects.create(institution=home, scorecard=card, kind=RatingReview.Kind.SELF,
                                status=RatingReview.Status.SUBMITTED, points=900, stars=5, by=assessor)

    done = today - dt.timedelta(days=20)
    published = Inspection.objects.create(
        institution=home, region_code=home.region_code, status=Inspection.Status.DONE, done_on=done,
        outcome=Inspection.Outcome.PROBLEMS, summary=f"{INSPECTORS[0]}发现{ELDERS[0][0]}床边无护栏",
        published_at=timezone.now() - dt.timedelta(days=10))
    published.inspectors.set(inspectors)
    Answer.objects.bulk_create([
        Answer(inspection=published, item="risk.fall_from_bed", result=Answer.Result.PROBLEM,
               note=f"{ELDERS[0][0]}（{ELDERS[0][1]}）床边无护栏"),
        Answer(inspection=published, item="risk.scald", result=Answer.Result.PROBLEM, note="热水无标识"),
        Answer(inspection=published, item="fire.exits", result=Answer.Result.PROBLEM, note=f"{STAFF[0]}值班时通道堵塞"),
        Answer(inspection=published, item="food.storage", result=Answer.Result.OK),
    ])
    unpublished = Inspection.objects.create(
        institution=township, region_code=township.region_code, status=Inspection.Status.DONE, done_on=done,
        outcome=Inspection.Outcome.SERIOUS, summary="未公开")
    unpublished.inspectors.set(inspectors[1:])
    Answer.objects.create(inspection=unpublished, item="fire.alarm", result=Answer.Result.PROBLEM)
    Hazard.objects.create(institution=home, region_code=home.region_code, inspection=published,
                          item="risk.fall_from_bed", description=f"{ELDERS[0][0]}床边无护栏",
                          severity=Hazard.Severity.MAJOR, responsible_person=RESPONSIBLE,
                          deadline=today + dt.timedelta(days=10), created_by=inspectors[0])
    return {"home": home, "township": township, "day_care": day_care, "meal": meal, "closed": closed,
            "open": [home, township, day_care, meal], "org": org, "org2": org2, "elders": elders,
            "published": published, "unpublished": unpublished}
