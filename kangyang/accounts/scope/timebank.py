"""Who may do what with the time bank (kangyang/timebank): accounts, deposits, the ledger, and
the volunteer's and the community's pages. Part of kangyang.accounts.scope, which re-exports it."""

from django.db.models import Q

from kangyang.accounts.scope import (
    EDITOR_ROLES, MODULE_ROLES, NOTHING, R, area_prefix, can_edit, in_area, is_own_elder, region_filter,
)


# -- issue 15: the time bank (kangyang/timebank) -------------------------------------------------
# A volunteer sees her own account; an elder hers, and the family bound to her see it too; the
# staff who keep the registry of an area (bureau, subdistrict, community) see the accounts of
# their area. The system accounts (hours issued, hours redeemed) are nobody's: their sums are
# on the public digest page and in `kangyang timebank verify`.
TIMEBANK_STAFF_ROLES = EDITOR_ROLES
# Hours are deposited only when a community worker of the place the help happened confirms it
# (确认时长): the visit or the activity lies in her community.
TIMEBANK_CONFIRMER_ROLES = {R.COMMUNITY_WORKER}
# Who organises volunteer activities: the community and the subdistrict office.
ACTIVITY_ORGANISER_ROLES = {R.COMMUNITY_WORKER, R.SUBDISTRICT_OFFICER}


def timebank_account_filter(user, *, path: str = "") -> Q:
    """Time-bank accounts a user may see (never a system account); `path` prefixes the
    lookups for related models ("account__")."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    people = ~Q(**{f"{path}kind": "system"})
    if user.role == R.VOLUNTEER:
        return Q(**{f"{path}user": user})
    if user.role == R.ELDER:
        return Q(**{f"{path}elder__user": user})
    if user.role == R.FAMILY:
        from kangyang.registry.models import Contact

        # A subquery, not a join: an elder may list the same account as two contacts.
        return Q(**{f"{path}elder_id__in": Contact.objects.filter(user=user).values("elder_id")})
    if not (user.role in TIMEBANK_STAFF_ROLES or user.is_superuser):
        return NOTHING
    return people & region_filter(user, field=f"{path}region_code")


def registers_volunteers_of(user, region_code: str) -> bool:
    """Open a volunteer's account (real name, birth date, phone) in the region: the staff who
    keep the registry there. A volunteer may also register herself (timebank.actions)."""
    return bool(user.is_authenticated and user.is_active and can_edit(user, region_code))


def confirms_hours_of(user, region_code: str) -> bool:
    """Confirm (and so deposit) the hours of help given in the region: its community worker."""
    return bool(user.is_authenticated and user.is_active and user.role in TIMEBANK_CONFIRMER_ROLES
                and in_area(user, region_code))


def confirms_hours(user) -> bool:
    """Whether the role confirms hours at all (the community's page and its link)."""
    return bool(user.is_authenticated and user.is_active and user.role in TIMEBANK_CONFIRMER_ROLES
                and area_prefix(user) is not None)


def organises_activities_of(user, region_code: str) -> bool:
    """Create a volunteer activity in the region (and then, as its organiser, confirm who came)."""
    return bool(user.is_authenticated and user.is_active and user.role in ACTIVITY_ORGANISER_ROLES
                and in_area(user, region_code))


def holds_timebank_account(user, account) -> bool:
    """The account is the user's own: the volunteer's, or the elder's own (never her family's,
    never staff): only the holder transfers or donates hours."""
    if not (user.is_authenticated and user.is_active) or account.kind == "system":
        return False
    if account.kind == "volunteer":
        return account.user_id == user.pk
    return user.role == R.ELDER and account.elder.user_id == user.pk


def redeems_from(user, account) -> bool:
    """Spend hours of the account on a service: the holder; for an elder's account also her
    bound family and the community worker of her area at the desk (代兑换), who order for her
    anyway."""
    if holds_timebank_account(user, account):
        return True
    if account.kind != "elder" or not (user.is_authenticated and user.is_active):
        return False
    if user.role == R.FAMILY:
        return is_own_elder(user, account.elder)
    return user.role == R.COMMUNITY_WORKER and in_area(user, account.region_code)


def checks_ledger(user) -> bool:
    """Run the whole-ledger check through the API (it reads every entry): the bureau admin. The
    digests it is checked against are public."""
    return bool(user.is_authenticated and user.is_active and (user.role == R.BUREAU_ADMIN or user.is_superuser))


# -- time bank pages (issue 15, item 4: the volunteer's app page and the community's pages) ------
# A volunteer uses the app's time-bank page: her own account only (timebank_account_filter), and
# the needs of her own area (the community or subdistrict her account hangs on) to take. The
# community's pages (confirm hours, activities, accounts, statements) are for the community
# workers and subdistrict officers whose area covers the record; only a community worker
# confirms hours (confirms_hours_of above), and only an activity's organiser who came.
TIMEBANK_PAGE_ROLES = {R.COMMUNITY_WORKER, R.SUBDISTRICT_OFFICER}
MODULE_ROLES["timebank"] = TIMEBANK_PAGE_ROLES


def uses_timebank_app(user) -> bool:
    """The app's time-bank page (/app/timebank/): volunteers only."""
    return bool(user.is_authenticated and user.is_active and user.role == R.VOLUNTEER)


def volunteer_area_prefix(user) -> str | None:
    """The region-code digits of the area a volunteer serves in (her account's community or
    subdistrict); None when she has no area."""
    if not uses_timebank_app(user) or user.region_id is None:
        return None
    return user.region.prefix


def takes_needs_of(user, region_code: str) -> bool:
    """Take an open visit due (become its visitor) or sign up for an activity of the region: a
    volunteer whose area covers it, or whose community lies in the subdistrict of an activity
    held for the whole subdistrict."""
    prefix = volunteer_area_prefix(user)
    if prefix is None or not region_code:
        return False
    from django.core.exceptions import ValidationError

    from kangyang.regions import codes

    try:
        covering = codes.prefix(region_code)
    except ValidationError:  # a malformed code: only what the prefix says
        return region_code.startswith(prefix)
    return region_code.startswith(prefix) or prefix.startswith(covering)


def sees_timebank_pages(user) -> bool:
    """The community's time-bank pages and their navigation link."""
    return bool(user.is_authenticated and user.is_active and user.role in TIMEBANK_PAGE_ROLES
                and area_prefix(user) is not None)


def sees_timebank_of(user, region_code: str) -> bool:
    """A community's accounts, activities and statements: the staff of the pages whose area covers it."""
    return sees_timebank_pages(user) and in_area(user, region_code)
