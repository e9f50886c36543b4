"""Time `kangyang seed --elders N` on the configured database and print the figures.

    python bench/seed_elders.py [N] [--seed S]          (N defaults to 100000)

Uses DATABASE_URL (SQLite in KANGYANG_DATA_DIR when unset) and migrates it first. Prints
elders/s, rows/s (elders + households + contacts + health records) and peak RSS.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kangyang.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("elders", type=int, nargs="?", default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from kangyang.regions.models import Household
    from kangyang.registry.models import Contact, Elder, HealthRecord

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
    call_command("migrate", interactive=False, verbosity=0)

    def counts():
        return [m.objects.count() for m in (Elder, Household, Contact, HealthRecord)]

    before = counts()
    started = time.perf_counter()
    call_command("seed", elders=args.elders, seed=args.seed)
    elapsed = time.perf_counter() - started
    after = counts()
    added = [a - b for a, b in zip(after, before)]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(f"elders added:        {added[0]:>10,}  (now {after[0]:,})")
    print(f"households added:    {added[1]:>10,}")
    print(f"contacts added:      {added[2]:>10,}")
    print(f"health records:      {added[3]:>10,}")
    print(f"time:                {elapsed:>10.1f} s")
    print(f"elders/s:            {added[0] / elapsed:>10,.0f}")
    print(f"rows/s (all tables): {sum(added) / elapsed:>10,.0f}")
    print(f"peak RSS:            {peak_mib:>10,.0f} MiB")


if __name__ == "__main__":
    main()
