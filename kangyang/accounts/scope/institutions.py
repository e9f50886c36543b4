"""Who may do what with the supervision of institutions (kangyang/institutions): the register and
residents, standards, star rating, random inspections, hazards, credit and operating subsidies.
Part of kangyang.accounts.scope, which re-exports it.

Supervision follows the region tree as everywhere else: the bureau admin, the subdistrict
officer and the community worker read the institutions standing in their area (by the
community's region code); an inspector reads those of the area their account hangs on (the
city's or a district's). A provider manager reads her own organisation's institutions and
answers for them (self-assessment, residents, putting hazards right). The public reads the
disclosure pages without signing in (no rule: they show nothing personal).
"""

from django.db.models import Q

from kangyang.accounts.scope import NOTHING, R, area_prefix

# Roles that read the register of their area.
SUPERVISION_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER, R.INSPECTOR}


def supervision_prefix(user) -> str | None:
    """The region-code digits of the area a supervisor reads ('' everything; None nothing).
    Inspectors are not an area role of the registry (they see no elder list), but their
    account hangs on the city or a district, and that is the area they inspect."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.role == R.INSPECTOR and not user.is_superuser:
        return user.region.prefix if user.region_id else None
    return area_prefix(user) if (user.role in SUPERVISION_ROLES or user.is_superuser) else None


def institution_filter(user, *, field: str = "region_code", organisation_path: str = "organisation_id") -> Q:
    """Institutions (or, through `field` and `organisation_path`, their records: residents,
    inspections, hazards) a user may read."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.PROVIDER_MANAGER and not user.is_superuser:
        return Q(**{organisation_path: user.organisation_id}) if user.organisation_id else NOTHING
    prefix = supervision_prefix(user)
    if prefix is None:
        return NOTHING
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def hazard_filter(user) -> Q:
    return institution_filter(user, organisation_path="institution__organisation_id")


def supervises_institutions_of(user, region_code: str) -> bool:
    """The supervisors whose area covers the institution (read)."""
    prefix = supervision_prefix(user)
    return prefix is not None and region_code.startswith(prefix)


def runs_institution(user, institution) -> bool:
    """The provider manager of the organisation that runs the institution."""
    return bool(user.is_authenticated and user.is_active and user.role == R.PROVIDER_MANAGER
                and user.organisation_id and user.organisation_id == institution.organisation_id)


def manages_register_of(user, region_code: str) -> bool:
    """Registering and editing institutions, deciding ratings and credit: the bureau admin
    whose area covers the institution."""
    return bool(user.is_authenticated and user.is_active and (user.role == R.BUREAU_ADMIN or user.is_superuser)
                and supervises_institutions_of(user, region_code))


# -- the topics' own rules follow, one section each -------------------------------------------


# -- hazards and credit --
def may_rectify_hazard(user, hazard) -> bool:
    """Reporting a hazard put right (the institution's side): the provider manager of the
    organisation that runs the institution, or the bureau admin of its area on its behalf."""
    return runs_institution(user, hazard.institution) or manages_register_of(user, hazard.region_code)


# Who re-checks a hazard and closes it (or sends it back): an inspector or the bureau's staff of the area.
RECHECK_ROLES = {R.INSPECTOR, R.BUREAU_ADMIN}


def may_recheck_hazard(user, hazard) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.role in RECHECK_ROLES or user.is_superuser)
                and supervises_institutions_of(user, hazard.region_code))


def may_see_credit(user) -> bool:
    """The credit page: the bureau admins (each sees the organisations seated in their area)."""
    return bool(user.is_authenticated and user.is_active and (user.role == R.BUREAU_ADMIN or user.is_superuser)
                and area_prefix(user) is not None)
# -- inspections --
# Random inspections (双随机、一公开): the bureau admin of the area keeps the inspector pools,
# makes the plans and runs their draws; an inspector works only on the inspections they are
# drawn or assigned to (and reads only those); the area's supervisors read the plans and the
# inspections; a provider manager reads the finished inspections of her own institutions.


def manages_inspections_of(user, region_code: str) -> bool:
    """Pools, conflicts, plans, draws, ad-hoc inspections and publishing: the bureau admin."""
    return manages_register_of(user, region_code)


def inspection_plan_filter(user) -> Q:
    """Plans and pools a supervisor reads (by their region code): those of the area, and those
    of the district or city above it, which cover the area too."""
    prefix = supervision_prefix(user)
    if prefix is None:
        return NOTHING
    if not prefix:
        return Q()
    above = {prefix[:n].ljust(12, "0") for n in (4, 6, 9) if n < len(prefix)}
    return Q(region_code__startswith=prefix) | Q(region_code__in=above)


def inspection_filter(user) -> Q:
    """Inspections a user may read. Inspectors: only their own (not the area's)."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.INSPECTOR and not user.is_superuser:
        return Q(inspectors=user)
    if user.role == R.PROVIDER_MANAGER and not user.is_superuser:
        return (Q(institution__organisation_id=user.organisation_id, status="done")
                if user.organisation_id else NOTHING)
    return institution_filter(user, organisation_path="institution__organisation_id")


def works_on_inspection(user, inspection) -> bool:
    """Recording the checklist, finishing: the inspectors assigned to it, nobody else."""
    return bool(user.is_authenticated and user.is_active and user.role == R.INSPECTOR
                and inspection.inspectors.filter(pk=user.pk).exists())


def may_publish_inspection(user, inspection) -> bool:
    """A finished inspection's result is published by its inspectors or the area's bureau admin."""
    return works_on_inspection(user, inspection) or manages_inspections_of(user, inspection.region_code)


def may_be_drawn_for(user, region_code: str) -> bool:
    """An inspector whose account hangs on the area of a pool (or on the city above it)."""
    if not (user.is_active and user.role == R.INSPECTOR and user.region_id):
        return False
    from kangyang.regions.codes import prefix

    return region_code.startswith(user.region.prefix) or user.region.code.startswith(prefix(region_code))
# -- standards and subsidies --
# The standards' shortfall list is read like the register (institution_filter). Operating
# subsidies are the bureau's money: a bureau admin (or superuser) whose area covers the
# district reads its rolls and rates, generates, approves and marks them paid.

def subsidy_filter(user, *, field: str = "region_code") -> Q:
    """Subsidy rolls (and rates) a user may read: the bureau admin's area."""
    if not user.is_authenticated or not user.is_active or not (user.role == R.BUREAU_ADMIN or user.is_superuser):
        return NOTHING
    prefix = supervision_prefix(user)
    if prefix is None:
        return NOTHING
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def manages_subsidies_of(user, region_code: str) -> bool:
    """Rates, generating a roll, approving it and marking it paid: the bureau admin whose area
    covers the district (the roll's region)."""
    return manages_register_of(user, region_code)


def sees_subsidies(user) -> bool:
    """The subsidies tab: bureau admins with an area (and the installer's superuser)."""
    return bool(user.is_authenticated and user.is_active and (user.role == R.BUREAU_ADMIN or user.is_superuser)
                and supervision_prefix(user) is not None)


# -- rating --
# Star rating (GB/T 37276): the institution assesses itself (its provider manager, or the bureau
# on its behalf); the bureau admin of the area appoints assessors (inspectors or bureau admins
# whose area covers the institution), who record the evaluation; the bureau admin decides it.

RATING_ASSESSOR_ROLES = {R.INSPECTOR, R.BUREAU_ADMIN}


def may_open_rating(user) -> bool:
    """The rating pages: the supervisors of an area and the provider managers (their own
    institutions only, through Institution.objects.visible_to)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return supervision_prefix(user) is not None or (user.role == R.PROVIDER_MANAGER and bool(user.organisation_id))


def fills_self_assessment(user, institution) -> bool:
    return runs_institution(user, institution) or manages_register_of(user, institution.region_code)


def may_assess_rating(user, institution) -> bool:
    """Who may be appointed an assessor of the institution."""
    return bool(user.is_active and (user.role in RATING_ASSESSOR_ROLES or user.is_superuser)
                and supervises_institutions_of(user, institution.region_code))


def fills_evaluation(user, review) -> bool:
    """An appointed assessor, or the bureau admin of the area."""
    if manages_register_of(user, review.institution.region_code):
        return True
    return (may_assess_rating(user, review.institution)
            and review.assessors.filter(pk=user.pk).exists())


def fills_rating_review(user, review) -> bool:
    if review.kind == "self":
        return fills_self_assessment(user, review.institution)
    return fills_evaluation(user, review)


def sees_rating_review(user, review) -> bool:
    """Everyone who sees the institution sees its reviews, except that the organisation running
    it sees the assessors' evaluation only once it is decided."""
    if review.kind == "assessors" and review.status != "decided" and runs_institution(user, review.institution):
        return False
    return True


def decides_rating(user, institution) -> bool:
    return manages_register_of(user, institution.region_code)
# -- register ------------------------------------------------------------------------------
# The register of institutions and its residents (institutions/actions/register.py).
# Reading the register: institution_filter. Registering and editing: manages_register_of.
# Residents are personal data: their names are read by the staff whose area (of the registry,
# scope.area_prefix) covers the institution and by the manager of the organisation running it;
# not by inspectors, who see institutions, not elder lists.
RESIDENT_STAFF_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER}
# Admitting, discharging, recording a death: the bureau admin and subdistrict officer of the
# area, and the running organisation's manager.
RESIDENT_KEEPER_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER}


def opens_register(user) -> bool:
    """Whether the register pages belong in the user's navigation: the supervisors (the
    module's roles) and a provider manager (her own organisation's institutions)."""
    from kangyang.accounts.scope import can_open

    return bool(user.is_authenticated and user.is_active and (
        can_open(user, "institutions") or (user.role == R.PROVIDER_MANAGER and user.organisation_id)))


def can_register_institutions(user) -> bool:
    """The button and page to register a new institution: a bureau admin with an area."""
    return bool(user.is_authenticated and user.is_active and (user.role == R.BUREAU_ADMIN or user.is_superuser)
                and area_prefix(user) is not None)


def keeps_facts_of(user, institution) -> bool:
    """Fees, staffing, drills and the funds report: the bureau admin of its area, and the
    manager of the organisation running it."""
    return manages_register_of(user, institution.region_code) or runs_institution(user, institution)


def sees_residents_of(user, institution) -> bool:
    """Who lives there (names, ages, care levels): the registry staff whose area covers it
    and the running organisation's manager. Every such read is audited."""
    return runs_institution(user, institution) or _area_staff_of(user, institution, RESIDENT_STAFF_ROLES)


def keeps_residents_of(user, institution) -> bool:
    """Admitting, discharging and transferring residents and recording a death."""
    return runs_institution(user, institution) or _area_staff_of(user, institution, RESIDENT_KEEPER_ROLES)


def _area_staff_of(user, institution, roles) -> bool:
    """Registry staff of one of `roles` whose area covers the institution."""
    if not (user.is_superuser or user.role in roles):
        return False
    prefix = area_prefix(user)
    return prefix is not None and institution.region_code.startswith(prefix)
