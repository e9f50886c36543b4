"""`kangyang serve`: the web pages and the API, over ASGI with uvicorn."""

import warnings

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_PORT = 8000


class Command(BaseCommand):
    help = gettext_lazy(
        "Serve the web pages and the API (uvicorn, ASGI) until Ctrl-C. Static files are served "
        "by the application itself (whitenoise), so collectstatic is not needed. Migrations are "
        "not run: use `kangyang migrate`, or `kangyang demo`."
    )

    def add_arguments(self, parser):
        parser.description = str(self.help)  # argparse needs a str, not a lazy one
        parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                            help=_("TCP port (default %(default)s)."))
        parser.add_argument("--host", default="127.0.0.1",
                            help=_("Address to listen on (default %(default)s). Another "
                                   "address must also be in KANGYANG_ALLOWED_HOSTS."))

    def handle(self, *args, port: int, host: str, **options):
        import uvicorn

        self.check_migrations()  # a warning only: serve only serves
        self.stdout.write(_("Serving on http://%(host)s:%(port)d/ (Ctrl-C to stop)") % {
            "host": host, "port": port})
        self.stdout.flush()
        # Whitenoise hands Django a file iterator that is synchronous; under ASGI Django warns
        # about it on each static file. It is served all the same.
        warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
        # Django has no ASGI lifespan support; "off" spares a misleading warning per start.
        uvicorn.run(
            "kangyang.asgi:application", host=host, port=port, lifespan="off",
            log_level="info" if options["verbosity"] >= 1 else "warning",
            # No access log: search terms (phone and ID numbers) travel in query strings,
            # and logs never hold personal data (README).
            access_log=False, server_header=False,
        )
