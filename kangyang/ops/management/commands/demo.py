"""`kangyang demo`: a working installation with a synthetic city of two districts, in one command."""

import socket
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.accounts.actions import mark_demo_database
from kangyang.ops import demo, processes
from kangyang.ops.management.commands.serve import DEFAULT_PORT


class Command(BaseCommand):
    help = gettext_lazy(
        "Create or reuse the database in the data dir, migrate, seed a synthetic city of two districts (once), "
        "create and print the demo accounts, then serve the web pages, the API, the background "
        "worker and device ingestion on 127.0.0.1 until Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)  # argparse needs a str, not a lazy one
        parser.add_argument("--elders", type=int, default=demo.DEMO_ELDERS,
                            help=_("Elders to seed in the first district on the first run; the second gets an eighth (default %(default)s)."))
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=_("TCP port (default %(default)s)."))
        parser.add_argument("--host", default="127.0.0.1",
                            help=_("Address to listen on (default %(default)s)."))
        parser.add_argument("--seed", type=int, default=demo.DEMO_SEED,
                            help=_("Random seed of the synthetic district (default %(default)s)."))
        parser.add_argument("--no-serve", action="store_true",
                            help=_("Stop after seeding and printing the accounts."))

    def handle(self, *args, elders: int, port: int, host: str, seed: int, no_serve: bool, **options):
        if elders < 0:
            raise CommandError(_("--elders must be 0 or more."))
        if not no_serve:
            self._check_port(host, port)  # before a minute of seeding, not after

        self.stdout.write(_("Migrating the database…"))
        call_command("migrate", interactive=False, verbosity=0)

        existing = demo.elder_count()
        if existing:
            self.stdout.write(_("Reusing the synthetic district: %(n)d elders.") % {"n": existing})
        else:
            self.stdout.write(_("Seeding a synthetic district of %(n)d elders…") % {"n": elders})
        if not existing or not demo.elder_count(demo.SECOND_DISTRICT_CODE):
            # The second district is seeded with the first, or on the next run of a demo
            # database made before there was one (an eighth of the elders it has).
            started = time.perf_counter()
            with transaction.atomic():  # all or nothing: an interrupted seed is redone next time
                district, messages = demo.seed_city(elders=existing or elders, seed=seed)
            for label, text in messages:
                self.stdout.write(f"  {label}: {text}")
            self.stdout.write(_("Seeded in %(s).1f s.") % {"s": time.perf_counter() - started})
        else:
            district = demo.get_district()

        with transaction.atomic():
            accounts, messages = demo.create_demo_accounts(district, seed=seed)
            # This database is a demo from now on (also under `kangyang serve`): its demo
            # accounts sign in without a second factor, and every page says so.
            mark_demo_database()
        for label, text in messages:
            self.stdout.write(f"  {label}: {text}")
        self.print_accounts(accounts, host=host, port=port)
        if no_serve:
            return

        commands = [
            processes.kangyang("serve", "--host", host, "--port", str(port)),
            processes.kangyang("worker"),
        ]
        # Each app names its sub-commands; how to start `kangyang` is this command's business.
        for _label, hook in demo.demo_hooks("demo_processes"):
            commands += [processes.kangyang(*args) for args in hook()]
        code = processes.supervise(commands)
        if code:
            raise CommandError(_("A part of the demo stopped unexpectedly (exit code %(code)d).") % {"code": code})

    def print_accounts(self, accounts, *, host: str, port: int) -> None:
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (password for all: %(password)s):") % {"password": demo.DEMO_PASSWORD})
        for a in demo.DEMO_ACCOUNTS:
            self.stdout.write(f"  {a.username:<12} {demo.describe_account(accounts[a.username])}")
        self.stdout.write(_("This database is a demo: these accounts sign in without a second factor, "
                            "and every page says so. Do not enter real personal data."))
        url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
        self.stdout.write("")
        self.stdout.write(_("Open %(url)s — API documentation at %(url)sapi/docs") % {"url": url})

    def _check_port(self, host: str, port: int) -> None:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            try:
                s.bind((host, port))
            except OSError:
                raise CommandError(
                    _("Port %(port)d on %(host)s is in use; choose another with --port.") % {
                        "port": port, "host": host}
                ) from None
