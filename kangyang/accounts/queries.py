"""Reads of accounts worth a name: the demo mark, a user's tokens, the accounts an admin manages."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kangyang.accounts import scope
from kangyang.accounts.models import ApiToken, DemoDatabase, User


def is_demo_database() -> bool:
    """Whether `kangyang demo` seeded this database (never true anywhere else)."""
    return DemoDatabase.objects.exists()


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def accounts_for(by: User) -> QuerySet[User]:
    """The accounts `by` may reset (scope.account_filter), by username."""
    return User.objects.filter(scope.account_filter(by)).select_related("region", "organisation").order_by("username")


def get_account_for(by: User, user_id: int) -> User:
    """One account `by` manages; outside their scope → 404, not 403."""
    return get_object_or_404(accounts_for(by), pk=user_id)
