"""Payment fixtures: an order of community A's elder (no allowances: she pays the whole
price) placed by her daughter in the app, and a stranger: a family account bound to another
elder."""

import pytest

from kangyang.services import actions as services
from kangyang.services.tests.conftest import (  # noqa: F401  (fixtures)
    catalogue, home_provider, local, meal, tomorrow,
)


@pytest.fixture
def order(family, elder, elder_in_a, home_provider, meal, tomorrow):
    """Lunch tomorrow for the `elder` persona, ordered by `family`; her share is the price."""
    o = services.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(tomorrow, 11), dispatch=False)
    assert o.self_amount > 0
    return o


@pytest.fixture
def stranger(elder_in_b, worker_b):
    """A family account bound to another elder (community B's), never to `elder`."""
    from kangyang.accounts.models import User
    from kangyang.registry.actions import add_contact

    user = User.objects.create_user(username="stranger", password="kangyang-demo", role="family")
    add_contact(elder_in_b, by=worker_b, name="李强", relation="son", phone="13607916666", user=user)
    return user
