"""`kangyang mqtt_auth`: the broker's password and ACL files from the device registry."""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kangyang.alarms import broker, mosquitto, queries
from kangyang.alarms.actions.devices import issue_missing_credentials


class Command(BaseCommand):
    help = gettext_lazy(
        "Write Mosquitto's password file and ACL file from the device registry and the ingester's "
        "account (MQTT_URL's user and password), atomically, and reload the broker (SIGHUP). Each "
        "device may publish only to its own topics; the ingester may read all of them."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)
        parser.add_argument("--password-file", type=Path, help=_("Mosquitto's password_file."))
        parser.add_argument("--acl-file", type=Path, help=_("Mosquitto's acl_file."))
        parser.add_argument("--reload", type=Path, metavar="PIDFILE",
                            help=_("Send SIGHUP to the Mosquitto whose pid is in this file (its pid_file)."))
        parser.add_argument("--issue-missing", type=Path, metavar="CSV",
                            help=_("First give credentials to devices in service that have none, and write "
                                   "device id, user name and password to this file (mode 0600) for their vendors: "
                                   "the passwords are not kept anywhere else."))
        parser.add_argument("--mode", type=lambda v: int(v, 8), default=0o640,
                            help=_("File mode of the written files, octal (default 640)."))

    def handle(self, *args, password_file: Path | None, acl_file: Path | None, reload: Path | None,
               issue_missing: Path | None, mode: int, **options):
        if not (password_file and acl_file) and not issue_missing:
            raise CommandError(_("Give --password-file and --acl-file (and/or --issue-missing)."))
        if issue_missing:
            issued = issue_missing_credentials(queries.devices_without_credentials())
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["device_id", "username", "password"])
            writer.writerows((d.device_id, d.mqtt_username, password) for d, password in issued)
            mosquitto.write_atomically(issue_missing, out.getvalue(), mode=0o600)
            self.stdout.write(_("Issued credentials to %(n)d devices; written to %(file)s.")
                              % {"n": len(issued), "file": issue_missing})
        if not (password_file and acl_file):
            return
        accounts = queries.broker_accounts(ingester=self._ingester())
        names = [a.username for a in accounts]
        if len(set(names)) != len(names):
            raise CommandError(_("The ingester's user name is also a device's user name."))
        mosquitto.write_atomically(password_file, mosquitto.password_file(accounts), mode=mode)
        mosquitto.write_atomically(acl_file, mosquitto.acl_file(accounts), mode=mode)
        self.stdout.write(_("Wrote %(n)d accounts (the ingester and %(d)d devices) to %(pw)s and %(acl)s.") % {
            "n": len(accounts), "d": len(accounts) - 1, "pw": password_file, "acl": acl_file})
        missing = queries.devices_without_credentials().count()
        if missing:
            self.stderr.write(_("%(n)d devices in service have no credentials and cannot connect; "
                                "see --issue-missing.") % {"n": missing})
        if reload:
            try:
                pid = mosquitto.reload(reload)
            except (OSError, ValueError, IndexError) as e:
                raise CommandError(_("Could not reload the broker: %(error)s") % {"error": e}) from None
            self.stdout.write(_("Reloaded the broker (pid %(pid)d).") % {"pid": pid})

    def _ingester(self) -> mosquitto.Account:
        try:
            endpoint = broker.endpoint()
        except ValueError as e:
            raise CommandError(str(e)) from None
        if not endpoint.username or not endpoint.password:
            raise CommandError(_("MQTT_URL must hold the ingester's user name and password "
                                 "(mqtts://user:password@host:8883)."))
        if not mosquitto.valid_username(endpoint.username):
            raise CommandError(_("The ingester's user name cannot be written to a password file."))
        return mosquitto.Account(endpoint.username, mosquitto.password_hash(endpoint.password))
