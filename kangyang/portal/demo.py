"""The app's demo data (kangyang/ops/demo.py calls these hooks): the `elder` account's card,
and a relative's request to see her in the app, waiting for her consent."""

import random
import string

from django.utils.translation import gettext as _

from kangyang.accounts.models import User
from kangyang.portal import binding as bindings, sign_in
from kangyang.portal.models import Binding, ElderCard
from kangyang.registry.models import Contact, Elder

# A grandson who has an account and asks to see his grandmother (the `elder`) in the app.
GRANDSON = {"username": "demo-grandson", "full_name": "王小明", "phone": "13907917777"}


def seed_demo_accounts(*, accounts: dict, district, rng: random.Random) -> str:
    """Does nothing that is done already, nor in the second district (no `elder` there). The
    card's token comes from the demo's random stream: the same card on every run, its path
    printed with the accounts (no personal data)."""
    if "elder" not in accounts or "worker_a" not in accounts:
        return ""
    elder = Elder.objects.filter(user=accounts["elder"]).first()
    if elder is None:
        return ""
    worker = accounts["worker_a"]
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _i in range(32))
    if not ElderCard.objects.filter(digest=sign_in.token_digest(token), revoked_at__isnull=True).exists():
        sign_in.print_card(elder, by=worker, token=token)
    grandson = User.objects.filter(username=GRANDSON["username"]).first()
    if grandson is None:
        grandson = User(username=GRANDSON["username"], role=User.Role.FAMILY, full_name=GRANDSON["full_name"])
        grandson.set_unusable_password()  # not a demo account: he only asks, on the elder's page
        grandson.save()
    if not Binding.objects.filter(family=grandson).exists():
        bindings.ask(grandson, relation=Contact.Relation.RELATIVE, family_name=GRANDSON["full_name"],
                     family_phone=GRANDSON["phone"], elder_phone=elder._phone(), elder_name=elder.name)
    return _("the elder's app card: /app/card/%(token)s/; one relative asks to see her in the app") % {"token": token}
