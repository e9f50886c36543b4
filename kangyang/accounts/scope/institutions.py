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
