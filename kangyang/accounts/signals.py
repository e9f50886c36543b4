import time

from django.core.management import call_command


def create_cache_table(sender, using="default", **kwargs):
    """The database cache needs its table; create it after migrating."""
    call_command("createcachetable", database=using, verbosity=0)


def note_sign_in_time(sender, request, user, **kwargs):
    """The start of the session's absolute lifetime (SESSION_MAX_HOURS)."""
    from kangyang.accounts.middleware import SIGNED_IN_AT

    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())
