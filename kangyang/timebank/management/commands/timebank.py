"""`kangyang timebank verify`: re-check the whole time-bank ledger (CONTRACTS.md). Exit 0 with a
short summary when intact; exit 1 naming the first broken entry. `kangyang timebank digests`
publishes the daily digests not yet published (the worker does this by itself)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kangyang.timebank import actions, queries


class Command(BaseCommand):
    help = "The time bank: `verify` re-checks the whole ledger; `digests` publishes the daily digests due."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the hash chain, the transactions, the balances and the "
                                               "digests; exit 1 naming the first broken entry")
        verify.add_argument("--language", default=settings.LANGUAGE_CODE, help="zh-hans (default) or en")
        verify.add_argument("--chunk-size", type=int, default=20_000, help="entries read at a time")
        digests = sub.add_parser("digests", help="publish every day's digest not yet published, up to yesterday")
        digests.add_argument("--language", default=settings.LANGUAGE_CODE)

    def handle(self, *args, action: str, language: str, **options):
        with translation.override(language):
            if action == "digests":
                made = actions.publish_due_digests()
                self.stdout.write(_("Published %(n)d daily digests.") % {"n": made})
                return
            result = queries.verify(chunk_size=max(1000, options["chunk_size"]))
            if not result.ok:
                problem = result.problem
                where = []
                if problem.seq is not None:
                    where.append(_("entry %(seq)d") % {"seq": problem.seq})
                if problem.account_id is not None:
                    where.append(_("account %(account)d") % {"account": problem.account_id})
                raise CommandError(
                    _("The time-bank ledger is broken at %(where)s: %(what)s")
                    % {"where": ", ".join(where) or "-", "what": problem.message},
                    returncode=1,
                )
            self.stdout.write(
                _("The time-bank ledger is intact: %(entries)d entries in %(transactions)d transactions, "
                  "%(accounts)d accounts, %(digests)d daily digests, checked in %(seconds).1f s. "
                  "Last hash: %(hash)s")
                % {"entries": result.entries, "transactions": result.transactions, "accounts": result.accounts,
                   "digests": result.digests, "seconds": result.seconds, "hash": result.last_hash}
            )
