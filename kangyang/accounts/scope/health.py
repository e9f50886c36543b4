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
    """Whether the user may read this elder's health data: health_filter for one elder, asking the
    database only where the answer is there (a family's contacts, a team's contracts); a list of
    elders checks each without a query of its own for the area's staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == R.ELDER:
        return elder.user_id == user.pk
    if user.role == R.FAMILY:
        return elder.contacts.filter(user=user).exists()
    if user.role == R.DOCTOR:
        from kangyang.registry.models import Elder

        return Elder.objects.filter(team_contract_filter(user), pk=elder.pk).exists()
    return (user.role in AREA_ROLES or user.is_superuser) and in_area(user, elder.region_code)


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


# -- checkups --
def checkup_panel_filter(user, *, path: str = "") -> Q:
    """Whose yearly check-up the user follows (due lists, the rate table): a family doctor her
    teams' contracted elders; the bureau admin, a subdistrict officer or a community worker the
    elders of her area. The hotline operator, who reads health summaries on the alarm card,
    keeps no lists; nobody else does either."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.DOCTOR:
        return team_contract_filter(user, path=path)
    if user.role in EDITOR_ROLES or user.is_superuser:
        return elder_filter(user, path=path)
    return NOTHING


def follows_checkups(user) -> bool:
    """Whether the check-up pages (who is due, the rates) are for the user at all."""
    return user.is_authenticated and user.is_active and (
        user.is_superuser or user.role in EDITOR_ROLES or (user.role == R.DOCTOR and bool(team_ids(user))))


def exports_checkups_due(user) -> bool:
    """The due list as a spreadsheet: area staff only (masked, audited), not a doctor's phone."""
    from kangyang.accounts.scope import can_export

    return (user.role in EDITOR_ROLES or user.is_superuser) and can_export(user)


def reads_any_health(user) -> bool:
    """Whether the user's role reads anyone's health data at all (the lists answer 403 otherwise):
    a team member, the elder, her family, area staff."""
    return user.is_authenticated and user.is_active and (
        user.is_superuser or user.role in (R.DOCTOR, R.ELDER, R.FAMILY) or user.role in AREA_ROLES)
# -- contracts --
# Family-doctor teams and contracts: a contract is signed, renewed or ended by a member of its
# team, or by a bureau admin whose area covers the elder. Team lists (members, contracted elders)
# are read by the staff whose area covers the team's area, and by a doctor for her own teams.
# The resident counts are entered by the community's editors (community worker and above).

def manages_contracts_of(user, team, elder=None) -> bool:
    """Sign, renew or end a contract of this team (for this elder)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == R.DOCTOR:
        return team.pk in team_ids(user)
    if user.role == R.BUREAU_ADMIN or user.is_superuser:
        return in_area(user, elder.region_code if elder is not None else team.area_code)
    return False


def team_filter(user) -> Q:
    """Teams whose lists the user may read: a doctor her own; area staff the teams serving
    their area or a part of it (a community worker: the subdistrict team covering her community)."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.DOCTOR:
        return Q(pk__in=team_ids(user))
    from kangyang.accounts.scope import area_prefix

    prefix = area_prefix(user) if (user.role in AREA_ROLES or user.is_superuser) else None
    if prefix is None:
        return NOTHING
    if prefix == "":
        return Q()
    above = [prefix[:n].ljust(12, "0") for n in (4, 6, 9) if len(prefix) > n]
    return Q(area_code__startswith=prefix) | Q(area_code__in=above)


def reads_team(user, team) -> bool:
    from kangyang.health.models import Team

    return Team.objects.filter(team_filter(user), pk=team.pk).exists()


def contract_filter(user) -> Q:
    """Contracts the user may read: those of elders whose health data she reads (for a doctor: her
    team's elders while a contract is in force; an elder who left the team leaves her view)."""
    return health_filter(user, path="elder__")


def enters_resident_counts(user, region_code: str) -> bool:
    return (user.role in EDITOR_ROLES or user.is_superuser) and in_area(user, region_code)


def reads_contract_rates(user) -> bool:
    """The per-community rates: area staff."""
    return user.is_authenticated and user.is_active and (user.role in AREA_ROLES or user.is_superuser)


def may_sign_for(user, elder) -> bool:
    """A team member may offer a contract to an elder her team serves before she has one (she
    then sees the contract form only, none of the elder's other health data)."""
    if user.role != R.DOCTOR or not user.is_active:
        return False
    from kangyang.health.models import Team
    from kangyang.regions import codes

    return any(elder.region_code.startswith(codes.prefix(code) if len(code) == 12 else code)
               for code in Team.objects.filter(pk__in=team_ids(user)).values_list("area_code", flat=True))


# -- alerts --
# Health alerts (kangyang/health/actions/alerts.py) go to the elder's family-doctor team and her
# community, and, when nobody acknowledges them, to the subdistrict and then the district: those
# see and handle them (the team's members; the community workers, subdistrict officers and bureau
# admins whose area covers the elder). The elder and her family read their own; hotline
# operators, providers, caregivers, volunteers and inspectors see none. "Readings to look at" are
# marked looked at by the elder's team or an editor of her area; a reading is entered by hand by
# the elder's team, or in the app by the elder or her family.
ALERT_AREA_ROLES = EDITOR_ROLES  # bureau admin, subdistrict officer, community worker


def health_alert_filter(user) -> Q:
    """Health alerts the user may see."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.DOCTOR:
        return team_contract_filter(user, path="elder__")  # her team's elders while the contract is in force
    if user.role in (R.ELDER, R.FAMILY):
        return elder_filter(user, path="elder__")
    if user.role in ALERT_AREA_ROLES or user.is_superuser:
        from kangyang.accounts.scope import region_filter

        return region_filter(user)
    return NOTHING


def handles_health_alert(user, alert) -> bool:
    """Whether the user may acknowledge and close the alert: a member of its team, or staff of
    the area (community worker, subdistrict officer, bureau admin) whose area covers the elder."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == R.DOCTOR:
        teams = team_ids(user)
        return bool(teams) and reads_health(user, alert.elder)
    return (user.role in ALERT_AREA_ROLES or user.is_superuser) and in_area(user, alert.region_code)


def reviews_readings(user, elder) -> bool:
    """Whether the user may mark the elder's readings looked at."""
    return records_health_facts(user, elder)


def enters_readings(user, elder) -> bool:
    """Whether the user may enter a reading of the elder by hand: her team, or the elder and her
    family in the app."""
    if user.is_authenticated and user.is_active and user.role in (R.ELDER, R.FAMILY):
        from kangyang.registry.models import Elder

        return Elder.objects.filter(elder_filter(user), pk=elder.pk).exists()
    return writes_health(user, elder)
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
