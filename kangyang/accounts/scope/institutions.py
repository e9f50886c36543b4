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
    if runs_institution(user, institution):
        return True
    if not (user.is_superuser or user.role in RESIDENT_STAFF_ROLES):
        return False
    prefix = area_prefix(user)
    return prefix is not None and institution.region_code.startswith(prefix)


def keeps_residents_of(user, institution) -> bool:
    """Admitting, discharging and transferring residents and recording a death."""
    if runs_institution(user, institution):
        return True
    if not (user.is_superuser or user.role in RESIDENT_KEEPER_ROLES):
        return False
    prefix = area_prefix(user)
    return prefix is not None and institution.region_code.startswith(prefix)
