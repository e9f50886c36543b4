"""Writes of the app (/app/) that belong to no other module: the person's own display choices."""

from kangyang.accounts.models import User


def set_elder_mode(user: User, on: bool | None) -> None:
    """Store this person's elder-mode choice (None: back to the role's default)."""
    user.elder_mode = on
    user.save(update_fields=["elder_mode"])
