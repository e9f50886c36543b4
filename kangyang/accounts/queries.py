"""Reads of accounts worth a name: the demo mark, a user's tokens, the accounts an admin manages."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.accounts.models import ApiToken, DemoDatabase, Licence, Organisation, User, barred_filter


def is_demo_database() -> bool:
    """Whether `kangyang demo` seeded this database (never true anywhere else)."""
    return DemoDatabase.objects.exists()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def accounts_for(
    by: User, *, role: str | None = None, region_code: str | None = None,
    is_active: bool | None = None, search: str = "",
) -> QuerySet[User]:
    """The accounts `by` manages (scope.account_filter), by username; optionally of one role,
    within one area (by region code: accounts of that area or below, and of organisations
    registered there), active or not, or whose username or name contains `search`."""
    accounts = User.objects.filter(scope.account_filter(by))
    if role:
        accounts = accounts.filter(role=role)
    if region_code:
        prefix = region_prefix(region_code)
        accounts = accounts.filter(Q(region__code__startswith=prefix) | Q(organisation__region__code__startswith=prefix))
    if is_active is not None:
        accounts = accounts.filter(is_active=is_active)
    if search.strip():
        accounts = accounts.filter(Q(username__icontains=search.strip()) | Q(full_name__icontains=search.strip()))
    return accounts.select_related("region", "organisation", "organisation__region").order_by("username")


def get_account_for(by: User, user_id: int) -> User:
    """One account `by` manages; outside their scope → 404, not 403."""
    return get_object_or_404(accounts_for(by), pk=user_id)


# The region tree is the regions app's; accounts reach it through the User's foreign key,
# so that this app imports nothing from the apps that build on it.
Region = User._meta.get_field("region").related_model


def region_prefix(code: str) -> str:
    """The leading digits of a region code's area (the code itself when it is malformed)."""
    from kangyang.regions import codes

    try:
        return codes.prefix(code)
    except ValidationError:
        return code


def region_by_code(code: str):
    """The region with this code, or None."""
    return Region.objects.filter(code=(code or "").strip()).first()


def assignable_regions(by: User):
    """The regions `by` may attach accounts to: their own area."""
    prefix = scope.area_prefix(by)
    if prefix is None or not scope.can_manage_accounts(by):
        return Region.objects.none()
    return Region.objects.filter(code__startswith=prefix).order_by("code")


def assignable_organisations(by: User) -> QuerySet[Organisation]:
    """The organisations whose accounts `by` may make: those registered in a bureau admin's
    area; a provider manager's own."""
    if not scope.can_manage_accounts(by):
        return Organisation.objects.none()
    prefix = scope.bureau_prefix(by)
    if prefix is not None:
        return Organisation.objects.filter(region__code__startswith=prefix).order_by("name")
    if by.role == User.Role.PROVIDER_MANAGER:
        return Organisation.objects.filter(pk=by.organisation_id)
    return Organisation.objects.none()


def organisation_by_id(organisation_id: int) -> Organisation | None:
    return Organisation.objects.select_related("region").filter(pk=organisation_id).first()


# -- organisations (issue 11) ------------------------------------------------------------------
def organisations_for(user: User, *, kind: str = "", blacklisted: bool | None = None,
                      licences_expiring: bool = False, search: str = "") -> QuerySet[Organisation]:
    """The organisations `user` may read (scope.organisation_filter), by name; filtered by
    kind, by being under a blacklist today, by a licence expired or expiring soon."""
    organisations = Organisation.objects.visible_to(user).select_related("region")
    if kind:
        organisations = organisations.filter(kind=kind)
    today = timezone.localdate()
    if blacklisted is True:
        organisations = organisations.filter(barred_filter(on=today))
    elif blacklisted is False:
        organisations = organisations.exclude(barred_filter(on=today))
    if licences_expiring:
        organisations = organisations.filter(
            pk__in=licences_expiring_for(user).values("organisation_id"))
    if search.strip():
        term = search.strip()
        organisations = organisations.filter(Q(name__icontains=term) | Q(credit_code=term.upper()))
    return organisations.order_by("name", "pk")


def get_organisation_for(user: User, organisation_id: int, *, write: bool = False) -> Organisation:
    """The one way pages and the API load an organisation: outside scope → 404; a write the
    user may not make → 403."""
    organisation = get_object_or_404(Organisation.objects.visible_to(user).select_related("region"),
                                     pk=organisation_id)
    if write and not scope.can_manage_organisations(user, organisation.region.code):
        raise PermissionDenied
    return organisation


# A licence is flagged this long before it lapses (the bureau has time to ask for the renewal).
LICENCE_WARNING = dt.timedelta(days=60)


def licences_expiring_for(user: User, *, on: dt.date | None = None) -> QuerySet[Licence]:
    """Licences of the user's organisations that expired or expire within LICENCE_WARNING:
    the alerts of the register, soonest first."""
    on = on or timezone.localdate()
    return (Licence.objects.filter(organisation__in=Organisation.objects.visible_to(user),
                                   expires__isnull=False, expires__lte=on + LICENCE_WARNING)
            .select_related("organisation").order_by("expires", "pk"))


def licence_alert(licence: Licence, *, on: dt.date | None = None) -> str:
    """"expired", "expiring" (within LICENCE_WARNING) or "" for a licence."""
    days = licence.days_left(on)
    if days is None:
        return ""
    if days < 0:
        return "expired"
    return "expiring" if days <= LICENCE_WARNING.days else ""
