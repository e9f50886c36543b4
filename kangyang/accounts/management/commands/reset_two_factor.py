"""`kangyang reset_two_factor USERNAME`: the superuser's way to reset a second factor (audited)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.accounts.actions import reset_two_factor
from kangyang.accounts.models import User


class Command(BaseCommand):
    help = gettext_lazy(
        "Remove a user's authenticator app and recovery codes (and API tokens); they set up "
        "two-factor sign-in again at the next sign-in. Written to the audit log."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        reset_two_factor(user, by=None)
        self.stdout.write(_("Two-factor sign-in of %(username)s is reset.") % {"username": username})
