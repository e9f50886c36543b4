"""`kangyang demo` and `seed` on an empty database (test_demo.py shares one seeded district
between its tests; these need none)."""

from io import StringIO

from django.core.management import call_command
from django.db import transaction

from kangyang.accounts.models import User
from kangyang.ops import demo
from kangyang.registry.models import Elder


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def test_the_same_seed_gives_the_same_district(db):
    def draw():
        demo.seed_district(elders=150, seed=7)
        return sorted(Elder.objects.values_list("name", "id_number_hash", "address", "categories_text"))

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            first = draw()
            raise Rollback
    except Rollback:
        pass
    assert not Elder.objects.exists()
    assert draw() == first


def test_only_the_demo_command_makes_a_demo_database_and_flags_its_accounts(two_factor_enforced):
    from django.db.models.signals import pre_save

    from kangyang.accounts.queries import is_demo_database

    pre_save.disconnect(sender=User, dispatch_uid="tests-demo-accounts")  # see conftest.py
    User.objects.create_user("clerk", password="kangyang-demo", role="community_worker")
    call_command("seed", "--elders", "150", stdout=StringIO())
    assert not is_demo_database()  # seeding alone is not a demo

    run_demo("--elders", "0")
    assert is_demo_database()
    flagged = set(User.objects.filter(is_demo_account=True).values_list("username", flat=True))
    assert flagged == {a.username for a in demo.DEMO_ACCOUNTS}
