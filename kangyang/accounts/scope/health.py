"""Who may read and write health data (kangyang/health, and the registry's health summary).
Part of kangyang.accounts.scope, which re-exports it.

Health data are sensitive personal data (PIPL art. 28): they are read by
* the elder's family-doctor team: members (role "doctor") of a team with which the elder has a
  contract in force today;
* the elder and her family (contacts with an account);
* staff whose area covers the elder (bureau admin, subdistrict officer, community worker, hotline
  operator): read only, and every read of an elder's health data is audited.
Providers, caregivers, volunteers and inspectors read none of it. Writing clinical records
(conditions, medications, check-ups, follow-ups, screening, referrals, sickbeds, contracts) is the
team's; the community worker records what she is told (check-up done elsewhere, a disability,
the resident counts) for elders of her area.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from kangyang.accounts.scope import AREA_ROLES, EDITOR_ROLES, NOTHING, R, elder_filter, in_area


def team_ids(user) -> list[int]:
    """The active family-doctor teams the user is a member of."""
    if not user.is_authenticated or not user.is_active or user.role != R.DOCTOR:
        return []
    from kangyang.health.models import TeamMember

    return list(TeamMember.objects.filter(user=user, team__active=True).values_list("team_id", flat=True))


def team_contract_filter(user, *, path: str = "") -> Q:
    """Elders (through `path`, e.g. "elder__") with a contract in force today with one of the user's teams."""
    teams = team_ids(user)
    if not teams:
        return NOTHING
    from kangyang.health.models import Contract
    from kangyang.health.models.contracts import valid_on

    contracts = Contract.objects.filter(valid_on(timezone.localdate()), team_id__in=teams,
                                        elder_id=OuterRef(f"{path[:-2]}_id" if path else "pk"))
    return Q(Exists(contracts))


def health_filter(user, *, path: str = "") -> Q:
    """Elders (or, through `path`, records hanging on them) whose health data the user may read."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.DOCTOR:
        return team_contract_filter(user, path=path)
    if user.role in (R.ELDER, R.FAMILY) or user.role in AREA_ROLES or user.is_superuser:
        return elder_filter(user, path=path)
    return NOTHING


def reads_health(user, elder) -> bool:
    """Whether the user may read this elder's health data."""
    from kangyang.registry.models import Elder

    return Elder.objects.filter(health_filter(user), pk=elder.pk).exists()


def health_read_is_audited(user) -> bool:
    """Staff reads of an elder's health data are audited; the elder's and her family's own are not."""
    return user.role not in (R.ELDER, R.FAMILY)


def writes_health(user, elder) -> bool:
    """Clinical records: the elder's own team."""
    return user.role == R.DOCTOR and bool(team_ids(user)) and reads_health(user, elder)


def records_health_facts(user, elder) -> bool:
    """What the community hears and writes down (a check-up done, a disability, consent): the
    elder's team, or an editor whose area covers the elder."""
    return writes_health(user, elder) or (
        (user.role in EDITOR_ROLES or user.is_superuser) and in_area(user, elder.region_code))


# -- records --
# The health record (kangyang/health/actions/records.py), field by field:
# * conditions (ICD-10) and medications are clinical: the elder's own team (writes_health);
# * disabilities (as on the disability certificate) and allergies are what the community hears
#   and writes down: the team or an editor of the elder's area (records_health_facts);
# * the consent to tell the family of health alerts (alerts_to_family) is the elder's: she sets
#   it herself in the app, or staff who may record health facts record what she said.
def edits_conditions(user, elder) -> bool:
    return writes_health(user, elder)


def edits_medications(user, elder) -> bool:
    return writes_health(user, elder)


def edits_disabilities(user, elder) -> bool:
    return records_health_facts(user, elder)


def edits_allergies(user, elder) -> bool:
    return records_health_facts(user, elder)


def sets_alerts_consent(user, elder) -> bool:
    """The elder herself (her own account), or staff recording what she said."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == R.ELDER:
        return elder.user_id == user.pk
    return records_health_facts(user, elder)
