"""What the models of home services share: the roles' shorthand, sets of codes kept in
one text column, and who sees which service records."""

from django.db.models import Q

from kangyang.accounts import scope
from kangyang.accounts.models import User

R = User.Role


def _text_set(values) -> str:
    """A set of codes stored as ",a,b," so that one code is matched exactly with LIKE."""
    chosen = sorted(set(values))
    return f",{','.join(chosen)}," if chosen else ""


def _codes(text: str) -> list[str]:
    return [c for c in text.split(",") if c]


# -- who sees what ---------------------------------------------------------------------------
def service_filter(user, *, path: str = "") -> Q:
    """Service records (orders, visits, plans) a user may see, by their `provider`, `caregiver`,
    `elder` and `region_code` fields below `path`: a provider manager their organisation's, a
    caregiver their own, an elder or family member their elder's, area staff (bureau, officers,
    community workers, the hotline) their area's. Nobody else sees any."""
    if not user.is_authenticated or not user.is_active:
        return scope.NOTHING
    if user.role == R.PROVIDER_MANAGER:
        if user.organisation_id is None:
            return scope.NOTHING
        return Q(**{f"{path}provider__organisation_id": user.organisation_id})
    if user.role == R.CAREGIVER:
        return Q(**{f"{path}caregiver__user": user})
    if scope.is_personal(user):
        return scope.elder_filter(user, path=f"{path}elder__")
    return scope.region_filter(user, field=f"{path}region_code")
