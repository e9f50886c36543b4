from django.core.management import call_command


def create_cache_table(sender, using="default", **kwargs):
    """The database cache (sign-in throttling) needs its table; create it after migrating."""
    call_command("createcachetable", database=using, verbosity=0)
