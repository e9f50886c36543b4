"""Reads of the register of institutions and facilities and of their residents.

Occupancy has ONE definition, `with_occupancy` (the API, the staff and public pages, the
indicators and the subsidies use it): the stays open on the day, that is admitted by then, not
left by then, and whose elder the registry does not record as dead by then (a death recorded in
the registry ends the stay for counting even before the institution closes it). A home care bed
(家庭养老床位) is occupancy of a home-care-bed provider only: an institution's own beds are
counted from its nursing and general beds.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import CharField, ExpressionWrapper, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from kangyang.institutions.models import Institution, Resident
from kangyang.registry.models import Elder

Kind = Institution.Kind


def _alive_on(on: dt.date, *, path: str = "elder__") -> Q:
    """Not recorded dead by `on` (a death without a date counts as before)."""
    return ~Q(**{f"{path}status": Elder.Status.DECEASED}) | Q(**{f"{path}status_date__gt": on})


def stays_open(on: dt.date | None = None) -> QuerySet:
    """Resident stays open on `on` (today by default): admitted by then, not left by then, the
    elder not dead by then according to the registry."""
    on = on or timezone.localdate()
    return (Resident.objects.filter(admitted_on__lte=on)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
            .filter(_alive_on(on)))


def occupied_subquery(*, on: dt.date | None = None, ref: str = "pk", kind_ref: str = "kind"):
    """For annotating institutions (or, through `ref` and `kind_ref`, rows pointing to one, e.g.
    ref="institution_id", kind_ref="institution__kind"): the open stays on the day, home care
    beds only for a home-care-bed provider. One correlated COUNT(*) without GROUP BY (a probe of
    resident_inst_open_idx per institution: the public directory of 2,000 answers in tens of ms)."""
    counted = (stays_open(on).filter(institution=OuterRef(ref))
               .annotate(outer_kind=ExpressionWrapper(OuterRef(kind_ref), output_field=CharField()))
               .filter(Q(outer_kind=Kind.HOME_CARE_BEDS) | ~Q(bed=Resident.Bed.HOME))
               .order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_occupancy(qs: QuerySet, *, on: dt.date | None = None) -> QuerySet:
    """Annotate institutions with `beds_occupied` (open stays on the day; home care beds only
    for a home-care-bed provider) and `beds_available` (beds_total less that, never below 0)."""
    return qs.annotate(beds_occupied=occupied_subquery(on=on)).annotate(
        beds_available=Greatest(F("beds_total") - F("beds_occupied"), Value(0), output_field=IntegerField()))


def occupancy_of(institution: Institution, *, on: dt.date | None = None) -> int:
    return with_occupancy(Institution.objects.filter(pk=institution.pk), on=on).values_list(
        "beds_occupied", flat=True).get()


# -- flags ------------------------------------------------------------------------------------
def funds_threshold() -> int:
    return settings.KANGYANG_PREPAID_FLAG_YUAN


def flagged_funds(qs: QuerySet) -> QuerySet:
    """Institutions whose prepaid fees and deposits held together exceed the threshold
    (KANGYANG_PREPAID_FLAG_YUAN): the 会员卡 / 预付费 risk the plans warn of."""
    return qs.annotate(funds_held=F("prepaid_balance") + F("deposits_held")).filter(funds_held__gt=funds_threshold())


def expiry_horizon(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today + dt.timedelta(days=settings.KANGYANG_INSTITUTION_EXPIRY_DAYS)


def _expiring_q(today: dt.date | None = None) -> Q:
    horizon = expiry_horizon(today)
    return (Q(medical=Institution.Medical.AGREEMENT, medical_agreement_until__lte=horizon)
            | Q(liability_insurance_until__lte=horizon))


def expiring_documents(qs: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """A medical agreement or liability insurance that ends within the days of
    KANGYANG_INSTITUTION_EXPIRY_DAYS, or has ended."""
    return qs.filter(_expiring_q(today))


def without_fire_safety(qs: QuerySet) -> QuerySet:
    return qs.filter(fire_safety_accepted_on__isnull=True)


FLAGS = ("funds", "documents", "fire")


def flags_of(institution: Institution, *, today: dt.date | None = None) -> list[str]:
    """The register's flags of one institution, by their names in FLAGS."""
    today = today or timezone.localdate()
    horizon = expiry_horizon(today)
    flags = []
    if institution.prepaid_balance + institution.deposits_held > funds_threshold():
        flags.append("funds")
    medical = (institution.medical == Institution.Medical.AGREEMENT and institution.medical_agreement_until
               and institution.medical_agreement_until <= horizon)
    insurance = institution.liability_insurance_until and institution.liability_insurance_until <= horizon
    if medical or insurance:
        flags.append("documents")
    if institution.fire_safety_accepted_on is None:
        flags.append("fire")
    return flags


def expiring_of(institution: Institution, *, today: dt.date | None = None) -> list[tuple[str, dt.date]]:
    """(document, date) of the institution's documents within the horizon."""
    horizon = expiry_horizon(today)
    found = []
    if (institution.medical == Institution.Medical.AGREEMENT and institution.medical_agreement_until
            and institution.medical_agreement_until <= horizon):
        found.append(("medical_agreement", institution.medical_agreement_until))
    if institution.liability_insurance_until and institution.liability_insurance_until <= horizon:
        found.append(("liability_insurance", institution.liability_insurance_until))
    return found


# -- lists --------------------------------------------------------------------------------------
def register_for(user, *, kind: str = "", region: str = "", organisation: int | None = None, q: str = "",
                 flag: str = "", today: dt.date | None = None) -> QuerySet:
    """The institutions the user may read, with occupancy, filtered: kind, region (a region
    code: its prefix), organisation (id), name contains `q`, one flag of FLAGS."""
    qs = Institution.objects.visible_to(user).select_related("organisation", "community")
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        from kangyang.regions import codes

        try:
            region = codes.prefix(region) if len(region) == 12 else region
        except ValidationError:
            pass
        qs = qs.filter(region_code__startswith=region)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if q:
        qs = qs.filter(name__icontains=q.strip())
    if flag == "funds":
        qs = flagged_funds(qs)
    elif flag == "documents":
        qs = expiring_documents(qs, today=today)
    elif flag == "fire":
        qs = without_fire_safety(qs)
    return with_occupancy(qs).order_by("region_code", "name", "pk")


def get_institution_for(user, institution_id: int) -> Institution:
    """One institution the user may read (with occupancy); outside their scope → 404."""
    found = with_occupancy(Institution.objects.visible_to(user).select_related("organisation", "community")
                           .filter(pk=institution_id)).first()
    if found is None:
        raise Http404
    return found


def residents_of(institution: Institution, *, current: bool = True, on: dt.date | None = None) -> QuerySet:
    """Its stays with the elder and the elder's current care level (`care_level`, from the
    latest valid assessment): the current ones (open on the day), or the past ones (left, or
    the elder recorded dead in the registry)."""
    from kangyang.assessment.queries import current_level_subquery

    on = on or timezone.localdate()
    stays = Resident.objects.filter(institution=institution).select_related("elder")
    current_ids = stays_open(on).filter(institution=institution).values("pk")
    stays = stays.filter(pk__in=current_ids) if current else stays.exclude(pk__in=current_ids)
    order = ("-admitted_on", "-pk") if current else ("-left_on", "-admitted_on", "-pk")
    return stays.annotate(care_level=current_level_subquery(on, elder_ref="elder_id")).order_by(*order)


def ended_by_registry(stay: Resident) -> bool:
    """An open stay whose elder the registry records as dead: to be closed."""
    return stay.left_on is None and stay.elder.status == Elder.Status.DECEASED


def elder_by_id_number(number: str) -> Elder | None:
    """The registry's elder with this resident ID number (exact, through its keyed hash), for
    admitting her: the keepers of an institution's residents admit elders from anywhere."""
    from kangyang.lib import crypto, residentid

    try:
        parsed = residentid.parse((number or "").strip().upper())
    except ValidationError:
        return None
    return Elder.objects.filter(id_number_hash=crypto.lookup_hash(parsed.number)).first()
