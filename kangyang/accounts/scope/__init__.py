"""Who sees what. Every page, export, search and API call filters through these functions.

Staff of the bureau see the part of the region tree their user is attached to: the
region code of a record starts with the digits that identify the user's node
(4 for a city, 6 for a district, 9 for a subdistrict, 12 for a community). Elders and family
members see only themselves and their relatives. Roles that have no business with
a kind of record see none of it: an empty filter, never everything.
"""

from django.db.models import Q

from kangyang.accounts.models import User
from kangyang.lib import phone as phones, residentid

R = User.Role
NOTHING = Q(pk__in=[])

# Roles whose view of the registry is an area of the region tree.
AREA_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER, R.HOTLINE_OPERATOR}
# Roles that may change elder records within their area (the operator only reads cards).
EDITOR_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER}
# Roles that may see an elder's full ID number and phone, with a stated reason.
REVEAL_ROLES = AREA_ROLES


def area_prefix(user) -> str | None:
    """Leading region-code digits of the user's area; '' means the whole installation;
    None means the user has no area (personal and provider roles, unscoped accounts)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser and user.region_id is None:
        return ""  # the installer's superuser: everything, as Django's admin implies
    if user.role not in AREA_ROLES:
        return None
    if user.region_id is None:
        return None  # a staff account not yet attached to the tree sees nothing
    return user.region.prefix


def region_filter(user, *, field: str = "region_code") -> Q:
    """Records of the user's area, by a region-code field."""
    prefix = area_prefix(user)
    if prefix is None:
        return NOTHING
    return Q(**{f"{field}__startswith": prefix}) if prefix else Q()


def region_tree_filter(user) -> Q:
    """Region nodes a user may see: their area, and the nodes above it (for context)."""
    prefix = area_prefix(user)
    if prefix is None:
        return Q(pk=user.region_id) if getattr(user, "region_id", None) else NOTHING
    if not prefix:
        return Q()
    # The city, district and subdistrict above the user's node (its own is matched by prefix).
    ancestors = {prefix[:n].ljust(12, "0") for n in (4, 6, 9) if n < len(prefix)}
    return Q(code__startswith=prefix) | Q(code__in=ancestors)


def elder_filter(user, *, path: str = "", region_field: str | None = None) -> Q:
    """Elders a user may see; `path` prefixes the lookups for related models ("elder__").
    Staff are filtered by `region_field`, by default the elder's region code; a record that
    carries its own (an alarm from a household's smoke sensor has no elder) passes its own."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.ELDER:
        return Q(**{f"{path}user": user})  # their own record
    if user.role == R.FAMILY:
        return Q(**{f"{path}contacts__user": user})  # the elders who list them as a contact
    return region_filter(user, field=region_field or f"{path}region_code")


# Which roles use which module's pages (the pages themselves still filter every record).
MODULE_ROLES = {
    "registry": AREA_ROLES | {R.ELDER, R.FAMILY},
    "assessment": EDITOR_ROLES,
    "allowances": EDITOR_ROLES,
    "alarms": AREA_ROLES,
    # Home services: the provider's back office, the area's supervision, orders by phone.
    "services": AREA_ROLES | {R.PROVIDER_MANAGER},
    "route": {R.CAREGIVER},  # the caregiver's own day
    "regions": AREA_ROLES,
    "audit": {R.BUREAU_ADMIN},
    "organisations": {R.BUREAU_ADMIN},  # the register of organisations (see below)
    "notify": {R.BUREAU_ADMIN, R.HOTLINE_OPERATOR},  # the delivery log (see the end)
    # The plans' indicators, the dashboard and the reports: the bureau, the subdistrict and
    # the community, each for their own area (the end of this file).
    "indicators": {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER},
    # The command room's wall display: counts only, for the bureau and the alarm centre.
    "wall": {R.BUREAU_ADMIN, R.HOTLINE_OPERATOR},
    # Supervision of institutions: the area's supervisors and the inspectors (scope/institutions.py).
    "institutions": {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER, R.INSPECTOR},
    # Health services: the family-doctor teams, and the area's staff who follow who is due (scope/health.py).
    "health": {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER, R.DOCTOR},
}


def can_open(user, module: str) -> bool:
    """Whether a module belongs in the user's navigation."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.role in MODULE_ROLES[module]


def in_area(user, region_code: str) -> bool:
    prefix = area_prefix(user)
    return prefix is not None and region_code.startswith(prefix)


def can_edit(user, region_code: str) -> bool:
    return (user.role in EDITOR_ROLES or user.is_superuser) and in_area(user, region_code)


def can_reveal(user, region_code: str) -> bool:
    """Full ID number and phone: staff whose area covers the elder (each reveal audited)."""
    return (user.role in REVEAL_ROLES or user.is_superuser) and in_area(user, region_code)


def can_see_health(user, elder) -> bool:
    """Health summary: the one rule of scope/health.py (the elder's family-doctor team, staff whose
    area covers the elder, the elder, and their family)."""
    return reads_health(user, elder)  # noqa: F405 - from scope/health.py, below


def can_import(user) -> bool:
    return user.role in EDITOR_ROLES and area_prefix(user) is not None


def can_export(user) -> bool:
    """Spreadsheets of elders are for staff with an area (always masked, always audited)."""
    return area_prefix(user) is not None


def can_read_audit(user) -> bool:
    """The audit log is for the bureau admin (and the installer's superuser)."""
    return user.is_authenticated and (user.role == R.BUREAU_ADMIN or user.is_superuser)


# Roles whose work shows other people's personal data (elder records, orders with addresses,
# alarm cards, staff lists): a stolen password alone must not open them.
# Volunteers are left out: they see only their own time-bank account, and are often retired
# residents themselves; they may still turn two-factor sign-in on. Inspectors are in: they
# work for the bureau and inspections show institutions' residents and staff.
TWO_FACTOR_ROLES = {
    R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER, R.HOTLINE_OPERATOR,
    R.PROVIDER_MANAGER, R.CAREGIVER, R.INSPECTOR, R.DOCTOR,
}


def two_factor_required(user) -> bool:
    """Whether the account must sign in with a second factor (and may not turn it off).
    Every superuser and Django-staff account is included: they open the admin site."""
    return bool(user.is_superuser or user.is_staff or user.role in TWO_FACTOR_ROLES)


def second_factor_waived(user) -> bool:
    """A demo account of a database that `kangyang demo` seeded signs in with its shared
    password alone (the banner on every page says so). Never a superuser or admin-site user."""
    from kangyang.accounts.queries import is_demo_database

    return bool(
        user.is_demo_account and not (user.is_superuser or user.is_staff) and is_demo_database()
    )


def needs_second_factor(user) -> bool:
    """Whether this sign-in must pass a second factor before a session or a token is given."""
    return two_factor_required(user) and not second_factor_waived(user)


# -- staff accounts: who creates, edits and deactivates whose (issue 11) ---------------------
# Nobody gives an account a wider area than their own. Three kinds of manager:
# * a bureau admin (of the city, or of a district) manages the staff accounts whose area lies
#   within their own (an equal area included: a district may have two admins), and the
#   accounts of organisations registered there; a district admin never reaches a city-level
#   account, another district's, or a superuser;
# * a subdistrict officer manages the community workers of her subdistrict's communities, and
#   only them: community workers are recruited and managed by the subdistrict office (街道管理、
#   社区使用), which is also who hears first when one leaves or loses her phone; officers,
#   operators and inspectors are the bureau's own staff and stay the bureau's business;
# * a provider manager manages her own organisation's caregivers, and only them.
# Superusers and admin-site (`is_staff`) accounts are never managed here (the command line is
# for them), nor elders and families (their accounts come with the elder app).

# Roles whose account hangs on a node of the region tree, with the levels each may hang on.
ACCOUNT_AREA_LEVELS = {
    R.BUREAU_ADMIN: ("city", "district"),
    R.SUBDISTRICT_OFFICER: ("subdistrict",),
    R.COMMUNITY_WORKER: ("community",),
    R.HOTLINE_OPERATOR: ("city", "district"),
    R.INSPECTOR: ("city", "district"),
    R.VOLUNTEER: ("subdistrict", "community"),
    # A family-doctor team member hangs where her health centre serves; what she reads comes from
    # her team's contracts (scope/health.py), never from this area.
    R.DOCTOR: ("district", "subdistrict", "community"),
}
AREA_ACCOUNT_ROLES = tuple(ACCOUNT_AREA_LEVELS)
# Roles whose account belongs to an organisation (and has no area of its own).
ORGANISATION_ACCOUNT_ROLES = (R.PROVIDER_MANAGER, R.CAREGIVER)
# The roles an account may be given here, in the order forms list them.
MANAGED_ROLES = (*AREA_ACCOUNT_ROLES, *ORGANISATION_ACCOUNT_ROLES)


def bureau_prefix(by) -> str | None:
    """The area of a bureau admin (or the installer's superuser, '' for everything)."""
    if not by.is_authenticated or not by.is_active:
        return None
    if by.role == R.BUREAU_ADMIN or by.is_superuser:
        return area_prefix(by)
    return None


def can_manage_accounts(by) -> bool:
    """Whether `by` manages any accounts at all (the Accounts page, the users API)."""
    if not by.is_authenticated or not by.is_active:
        return False
    if bureau_prefix(by) is not None:
        return True
    if by.role == R.SUBDISTRICT_OFFICER:
        return area_prefix(by) is not None
    return by.role == R.PROVIDER_MANAGER and by.organisation_id is not None


def account_filter(by) -> Q:
    """Accounts `by` manages (lists them, edits, deactivates, resets their password or
    second factor)."""
    if not can_manage_accounts(by):
        return NOTHING
    managed = Q(is_superuser=False, is_staff=False, role__in=MANAGED_ROLES)
    prefix = bureau_prefix(by)
    if prefix is not None:
        if not prefix:
            return managed
        return managed & (
            Q(role__in=AREA_ACCOUNT_ROLES, region__code__startswith=prefix)
            | Q(role__in=ORGANISATION_ACCOUNT_ROLES, organisation__region__code__startswith=prefix)
        )
    if by.role == R.SUBDISTRICT_OFFICER:
        return managed & Q(role=R.COMMUNITY_WORKER, region__code__startswith=area_prefix(by))
    return managed & Q(role=R.CAREGIVER, organisation_id=by.organisation_id)


def assignable_roles(by) -> tuple[str, ...]:
    """The roles `by` may give an account."""
    if bureau_prefix(by) is not None:
        return MANAGED_ROLES
    if by.role == R.SUBDISTRICT_OFFICER and area_prefix(by) is not None:
        return (R.COMMUNITY_WORKER,)
    if by.role == R.PROVIDER_MANAGER and by.organisation_id is not None:
        return (R.CAREGIVER,)
    return ()


def assignment_refusal(by, *, role: str, region=None, organisation=None) -> str | None:
    """Why `by` may not give an account this role with this area or organisation, or None if
    they may. The shape of the input (a missing area, a level that does not fit the role) is
    checked by the action; this is only about the caller's reach."""
    from django.utils.translation import gettext as _

    if role not in assignable_roles(by):
        return _("You may not give an account this role.")
    if role in ACCOUNT_AREA_LEVELS and region is not None:
        prefix = area_prefix(by)
        if prefix is None or not region.code.startswith(prefix):
            return _("This area is wider than yours or outside it: you may only give an area within your own.")
    if role in ORGANISATION_ACCOUNT_ROLES and organisation is not None:
        prefix = bureau_prefix(by)
        if prefix is not None:
            if not organisation.region.code.startswith(prefix):
                return _("This organisation is outside your area.")
        elif organisation.pk != by.organisation_id:
            return _("You may only manage the accounts of your own organisation.")
    return None


def account_change_refusal(by, account) -> str | None:
    """Why `by` may not change the role, area, organisation or active state of `account` (whom
    they manage): their own account is not theirs to change (nobody locks themselves out, or
    moves themselves)."""
    from django.utils.translation import gettext as _

    if account.pk == by.pk:
        return _("You cannot change the role, area or state of your own account.")
    return None


# -- organisations (issue 11) -----------------------------------------------------------------
# The register of organisations belongs to the bureau: the bureau admin of an area keeps the
# organisations seated in it (a city bureau every district's); a provider's manager reads her
# own organisation. Nobody else reads the register (providers are shown to other roles by the
# services module, from its own rules).

def organisation_filter(user) -> Q:
    """Organisations a user may read."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.role == R.PROVIDER_MANAGER:
        return Q(pk=user.organisation_id) if user.organisation_id else NOTHING
    if not (user.role == R.BUREAU_ADMIN or user.is_superuser):
        return NOTHING
    return region_filter(user, field="region__code")


def can_manage_organisations(user, region_code: str) -> bool:
    """Registering, editing, blacklisting and lifting an organisation seated at `region_code`:
    the bureau admin whose area covers it (the city bureau covers every district)."""
    return (
        user.is_authenticated and user.is_active
        and (user.role == R.BUREAU_ADMIN or user.is_superuser) and in_area(user, region_code)
    )


def can_register_organisations(user) -> bool:
    """Whether the user may register organisations anywhere (the create page and button)."""
    return (
        user.is_authenticated and user.is_active
        and (user.role == R.BUREAU_ADMIN or user.is_superuser) and area_prefix(user) is not None
    )


# -- what anyone sees of an elder's identity (issue 10) ----------------------------------------
# Without an audited reveal, every role that may see an elder at all (staff of the area, the
# elder, their family, a provider serving them) sees these and nothing more of who they are:
# pages, API, exports and PDFs show at most these; a page may show fewer. Never the birth date
# beside the masked ID number: the mask hides exactly the eight birth-date digits, so the two
# together are the whole number. The age leaves a year of possible dates: some 33 numbers that
# pass the check character, none of which can be confirmed without the reveal.
IDENTITY_SHOWN = ("name", "sex", "age", "id_number_masked", "phone_masked")
# Only through registry.actions.reveal_elder: REVEAL_ROLES, a stated reason, an audit entry.
IDENTITY_REVEALED = ("id_number", "phone", "birth_date")
# Roles that see the masked ID number: those who keep or read the record. A provider or
# caregiver serves the elder by name, age and phone; the ID number is none of their business.
ID_MASK_ROLES = AREA_ROLES | {R.ELDER, R.FAMILY}


def identity_view(user, elder) -> dict[str, object]:
    """What `user` sees of the identity of `elder` (whom they may see) without a reveal,
    by the names of IDENTITY_SHOWN; the one source for pages, API, exports and PDFs."""
    shown = {
        "name": elder.name,
        "sex": elder.get_sex_display(),
        "age": elder.age(),
        "phone_masked": elder.phone_masked,
    }
    if user.is_superuser or user.role in ID_MASK_ROLES:
        shown["id_number_masked"] = elder.id_number_masked
    return shown


# What the audit log shows of personal values it recorded (issue 12): an ID number and a phone
# only as their masks (as IDENTITY_SHOWN shows them), a birth date, a bank account or a
# password only that it changed (a birth date beside the masked ID number is the whole number).
AUDIT_MASKED = {"id_number": residentid.mask, "phone": phones.mask}
AUDIT_HIDDEN = {"birth_date", "account_number", "password", "temporary_password"}


# -- issue 11 (structure): where people land, and rules the apps had written again ---------------
# Who sees only their own elders (the elder, their family), never an area.
PERSONAL_ROLES = {R.ELDER, R.FAMILY}


def has_own_page(user) -> bool:
    """Elders and family members land on their own page (kangyang/portal: their elders'
    orders, alarms and allowances), never on a staff list."""
    return user.is_authenticated and user.is_active and user.role in PERSONAL_ROLES


def is_personal(user) -> bool:
    """An elder or a family member: sees their own elders' records and nothing of an area."""
    return user.role in PERSONAL_ROLES


def bureau_of(user, region_code: str) -> bool:
    """The bureau of this area: its admin whose area covers the region (and the installer's
    superuser). The service catalogue, providers, their prices and settlements are theirs."""
    return (user.role == R.BUREAU_ADMIN or user.is_superuser) and in_area(user, region_code)


def can_register_provider(user, *, seat_code: str, area_codes) -> bool:
    """Registering a provider, or changing where it serves: the bureau admin (of the city or
    a district; or the installer's superuser) whose area covers both the organisation's seat
    and every region the provider is to serve. A district bureau cannot contract a provider
    for another district, nor for the whole city."""
    return bureau_of(user, seat_code) and all(in_area(user, code) for code in area_codes)


def can_register_providers(user) -> bool:
    """Whether the user registers providers at all (the register page and its link)."""
    return (user.is_authenticated and user.is_active and (user.role == R.BUREAU_ADMIN or user.is_superuser)
            and area_prefix(user) is not None)


def is_bureau(user) -> bool:
    """A bureau admin of any area (or the superuser): keeps installation-wide lists such as
    the service catalogue."""
    return user.role == R.BUREAU_ADMIN or user.is_superuser


# Home services (kangyang/services).
# Who places orders for an elder: the elder and family in the app, the hotline on the phone,
# the community worker (issue 5 §3).
ORDERER_ROLES = {R.ELDER, R.FAMILY, R.HOTLINE_OPERATOR, R.COMMUNITY_WORKER}
# Who takes orders on someone's behalf at the desk (the orderers without the elder and family,
# who order in the app).
DESK_ROLES = ORDERER_ROLES - PERSONAL_ROLES
# Who supervises the home services of their area (reviews flagged visits, reads settlements,
# works on the orders board).
SERVICE_SUPERVISOR_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER}
# Who follows complaints up: the provider, the area's supervisors, the hotline.
FOLLOW_UP_ROLES = {R.PROVIDER_MANAGER, R.HOTLINE_OPERATOR} | SERVICE_SUPERVISOR_ROLES


def may_order(user) -> bool:
    """Whether the role places orders at all (for which elders: the registry's scope)."""
    return user.is_authenticated and user.role in ORDERER_ROLES


def supervises_services(user) -> bool:
    """Bureau staff and subdistrict officers (and the superuser), for their area."""
    return user.role in SERVICE_SUPERVISOR_ROLES or user.is_superuser


def supervises_services_of(user, region_code: str) -> bool:
    """Bureau staff and subdistrict officers whose area covers the record."""
    return supervises_services(user) and in_area(user, region_code)


def hotline_of(user, region_code: str) -> bool:
    """A hotline operator whose area covers the record (confirms, follows up by phone)."""
    return user.role == R.HOTLINE_OPERATOR and in_area(user, region_code)


def may_follow_up_complaints(user) -> bool:
    return user.role in FOLLOW_UP_ROLES or user.is_superuser


# Allowances (kangyang/allowances).
# Staff who work with allowances: each sees the rolls of their area. The hotline operator
# reads elder cards but has no business with payments; other roles see no roll at all.
ALLOWANCE_ROLES = {R.BUREAU_ADMIN, R.SUBDISTRICT_OFFICER, R.COMMUNITY_WORKER}


def allowance_role(user) -> bool:
    """Whether the role works with allowances (for which area: `allowance_filter`)."""
    return user.is_authenticated and (user.role in ALLOWANCE_ROLES or user.is_superuser)


def bureau_admin_of(user, region_code: str) -> bool:
    """The bureau admin whose area covers the region, the superuser not included: allowance
    policies and the bank file are the bureau's own acts."""
    return user.is_authenticated and user.role == R.BUREAU_ADMIN and in_area(user, region_code)


# Allowance applications, their public notice and survival certifications (kangyang/allowances).
# The community worker records applications, objections and certifications of their
# community and reviews photos sent in the app; the subdistrict officer and the bureau admin
# of the area decide applications (街道审核, 区审批) once the notice is over.
APPLICATION_DECIDER_ROLES = {R.SUBDISTRICT_OFFICER, R.BUREAU_ADMIN}
# The public notice (公示) pinned on the community's board: names and masked ID numbers only.
NOTICE_SHOWN = ("name", "id_number_masked")


def records_allowance_cases_of(user, region_code: str) -> bool:
    """Record applications, objections and survival certifications of elders of the region."""
    return user.is_authenticated and user.role in ALLOWANCE_ROLES and in_area(user, region_code)


def decides_applications_of(user, region_code: str) -> bool:
    return user.is_authenticated and user.role in APPLICATION_DECIDER_ROLES and in_area(user, region_code)


def notice_view(elder) -> dict[str, object]:
    """What the public notice shows of an elder (NOTICE_SHOWN)."""
    return {"name": elder.name, "id_number_masked": elder.id_number_masked}


# A survival photo sent in the app shows the elder's face: personal data. Only the community
# worker whose area covers the elder sees it, to review it (each view audited); the
# subdistrict officer and the bureau see that a certification was accepted, never the photo.
SURVIVAL_PHOTO_ROLES = {R.COMMUNITY_WORKER}


def reviews_survival_photos(user) -> bool:
    """Whether the role reviews survival photos at all (for which elders: sees_survival_photo)."""
    return (user.is_authenticated and user.is_active and user.role in SURVIVAL_PHOTO_ROLES
            and area_prefix(user) is not None)


def sees_survival_photo(user, region_code: str) -> bool:
    """See, accept or reject a survival photo of an elder of the region."""
    return reviews_survival_photos(user) and in_area(user, region_code)


def batch_cancellable_by(user, batch) -> bool:
    """Cancel a bank batch: the bureau admin of its area, while the bank has not paid it."""
    return bureau_admin_of(user, batch.region_code) and batch.status == "prepared"


# Who hears that a licence of an organisation lapses soon (accounts/licences.py): its own
# managers (the provider manager accounts of the organisation) and the bureau admins of the
# district it is seated in; a district without a bureau admin account: the city's.
LICENCE_WARNED_ROLES = {R.PROVIDER_MANAGER, R.BUREAU_ADMIN}


def hears_of_licences_of(user, organisation) -> bool:
    """Whether `user` is told of the organisation's expiring licences: one of its managers, or
    a bureau admin of a district or city covering its seat. licences.recipients_of narrows the
    bureau admins to the narrowest such area."""
    if not user.is_active:
        return False
    if user.role == R.PROVIDER_MANAGER:
        return user.organisation_id == organisation.pk
    return (user.role == R.BUREAU_ADMIN and user.region_id is not None and len(user.region.prefix) <= 6
            and in_area(user, organisation.region.code))


# Alarms (kangyang/alarms).
# Staff who take alarms: the alarm centre's operators, and the bureau admin as duty officer.
ALARM_HANDLER_ROLES = {R.HOTLINE_OPERATOR, R.BUREAU_ADMIN}
# Staff who register and retire devices: those who keep the registry of their area.
DEVICE_EDITOR_ROLES = EDITOR_ROLES
# The devices page (issue 12): the bureau admin and the alarm centre's operators, for the
# devices of their area (an operator sees them, the bureau admin also registers, binds and
# imports: edits_devices_of). Community workers meet devices through their tasks, providers
# never.
DEVICE_PAGE_ROLES = {R.BUREAU_ADMIN, R.HOTLINE_OPERATOR}


def sees_devices_page(user) -> bool:
    return (
        user.is_authenticated and user.is_active and (user.role in DEVICE_PAGE_ROLES or user.is_superuser)
        and area_prefix(user) is not None
    )


def manages_devices_page(user) -> bool:
    """Register, bind, unbind and import on the devices page: the bureau admin of an area."""
    return sees_devices_page(user) and (user.role in DEVICE_EDITOR_ROLES or user.is_superuser)


def handles_alarms_of(user, region_code: str) -> bool:
    """Acknowledge, act on and resolve alarms of this region: operators and the bureau
    admin whose area covers it."""
    return (user.role in ALARM_HANDLER_ROLES or user.is_superuser) and in_area(user, region_code)


def edits_devices_of(user, region_code: str) -> bool:
    return (user.role in DEVICE_EDITOR_ROLES or user.is_superuser) and in_area(user, region_code)


# Notifications (kangyang/notify).
# The delivery log: the bureau admin and the alarm centre's operators, for the messages about
# their area (a message about no region, e.g. to the whole installation: the superuser only).
DELIVERY_LOG_ROLES = {R.BUREAU_ADMIN, R.HOTLINE_OPERATOR}


def reads_delivery_log(user) -> bool:
    return user.is_authenticated and user.is_active and (user.role in DELIVERY_LOG_ROLES or user.is_superuser)


def delivery_filter(user) -> Q:
    """Deliveries a user may see in the delivery log."""
    if not reads_delivery_log(user):
        return NOTHING
    return region_filter(user)


# -- indicators -----------------------------------------------------------------------------------

def sees_indicators_of(user, region_code: str) -> bool:
    """The figures of a region (dashboard, report): the bureau, subdistrict and community staff
    whose area covers it (a district's staff do not see the city's or another district's)."""
    return can_open(user, "indicators") and in_area(user, region_code)


def sees_indicator_records(user, sensitivity: str = "") -> bool:
    """The records behind a figure, cut to the reader's area by the list itself; the lists of
    health indicators only for staff who may see health data in their area."""
    if not can_open(user, "indicators"):
        return False
    if sensitivity == "health":
        return user.role in AREA_ROLES or user.is_superuser
    return True


def edits_targets_of(user, region_code: str) -> bool:
    """A bureau's own copy of the plans' targets: its bureau admin (city or district)."""
    from kangyang.regions import codes

    return bureau_admin_of(user, region_code) and codes.level_of(region_code) in ("city", "district")


def enters_indicator_values_of(user, region_code: str) -> bool:
    """Figures the platform cannot compute (life expectancy…): the bureau admin of the region."""
    return bureau_admin_of(user, region_code)


def sees_wall_display(user) -> bool:
    """The command room's wall: bureau and hotline staff (it shows no names or numbers)."""
    return can_open(user, "wall")


def sees_wall_of(user, region_code: str) -> bool:
    """A region on the wall: the bureau's and the hotline's staff whose area covers it (an
    operator of one district never sees another district's figures)."""
    return sees_wall_display(user) and in_area(user, region_code)


# -- issue 14 (elder app): paying the elder's share ---------------------------------------------
def pays_share_of(user, elder) -> bool:
    """Who pays an elder's own share of her orders in the app: the elder herself, or a family
    member bound to her (a contact of hers with that account). Nobody else, staff included:
    the hotline takes orders, it does not pay them."""
    return is_own_elder(user, elder)


def payment_filter(user) -> Q:
    """Payments a user may see: those of the orders of the elders whose share they pay (the
    elder, her bound family), whoever of them paid."""
    if not (user.is_authenticated and user.is_active and user.role in PERSONAL_ROLES):
        return NOTHING
    if user.role == R.ELDER:
        return Q(order__elder__user=user)
    return Q(order__elder__contacts__user=user)


# -- issue 14 (elder app): the home screen, SOS and ordering --------------------------------------
def is_own_elder(user, elder) -> bool:
    """The elder herself or a family member she lists as a contact: whose home screen shows
    her cards, orders and alarms (the registry's elder_filter for personal roles)."""
    if not (user.is_authenticated and user.is_active and is_personal(user)) or elder is None:
        return False
    from kangyang.registry.models import Elder

    return Elder.objects.visible_to(user).filter(pk=elder.pk).exists()


def presses_sos_for(user, elder) -> bool:
    """Only the elder herself raises her SOS from the app: her family sees the alarm and is
    told of it, but a press on the daughter's phone in another city would send the hotline
    to the wrong place."""
    return (user.is_authenticated and user.is_active and user.role == R.ELDER
            and elder is not None and elder.user_id == user.pk)


# -- issue 14 (elder app): the caregiver's view


def uses_caregiver_route(user) -> bool:
    """The app's route page (/app/route/): a caregiver's own day, for caregivers only (what
    each stop shows and who may act on it are the services app's rules)."""
    return user.is_authenticated and user.is_active and user.role == R.CAREGIVER


# -- issue 14 (elder app): signing in and family bindings ----------------------------------------
# The app signs elders and family members in by an SMS code or (the elder) by the QR card the
# community prints; neither ever opens an account that needs a second factor. The card is
# printed, and a family binding consented to on the community's behalf, by the staff who keep
# the elder's record: the community worker, and the subdistrict officer and bureau admin whose
# area covers her (EDITOR_ROLES; the hotline operator only reads cards).

def signs_in_without_password(user) -> bool:
    """An account the app may sign in by an SMS code or the elder's card: an active elder or
    family account, never one that opens staff pages or the admin site."""
    return bool(user.is_active and user.role in PERSONAL_ROLES and not (user.is_staff or user.is_superuser))


def prints_cards_of(user, region_code: str) -> bool:
    """Print (and so revoke the old one) or revoke an elder's app card."""
    return bool(user.is_authenticated and user.is_active and can_edit(user, region_code))


def consents_bindings_of(user, region_code: str) -> bool:
    """Record the community's (or the guardian's) consent to a family binding, refuse one, or
    remove a family account from an elder of the region."""
    return bool(user.is_authenticated and user.is_active and can_edit(user, region_code))


def asks_bindings(user) -> bool:
    """A family account asks to be bound to elders."""
    return bool(user.is_authenticated and user.is_active and user.role == R.FAMILY)


def decides_own_bindings(user, elder) -> bool:
    """The elder herself approves, refuses and removes the family accounts bound to her."""
    return bool(user.is_authenticated and user.is_active and user.role == R.ELDER and elder.user_id == user.pk)


# The rules of the larger modules live beside this one, by topic, and are re-exported here so
# that every caller keeps saying `scope.<rule>`.
from kangyang.accounts.scope.health import *  # noqa: E402,F401,F403
from kangyang.accounts.scope.institutions import *  # noqa: E402,F401,F403
from kangyang.accounts.scope.timebank import *  # noqa: E402,F401,F403
from kangyang.accounts.scope.visits import *  # noqa: E402,F401,F403
