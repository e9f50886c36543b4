from django.conf import settings
from django.core.management.base import BaseCommand

from kangyang.lib.storage import reencrypt_stored_files, stored_file_names
from kangyang.registry.actions import rotate_field_keys
from kangyang.registry.imports.files import reencrypt_import_files
from kangyang.registry.models import ImportJob


class Command(BaseCommand):
    help = (
        "Re-encrypt protected personal fields under the first key of KANGYANG_FIELD_KEY and "
        "recompute lookup hashes. Set KANGYANG_FIELD_KEY=new,old first; drop the old key after."
    )

    def handle(self, *args, **options):
        if len(settings.FIELD_KEYS) < 2:
            self.stderr.write("KANGYANG_FIELD_KEY holds one key: put the new key first, then the old one.")
            raise SystemExit(2)
        count = rotate_field_keys()
        self.stdout.write(f"re-encrypted {count} elder records under the current key")
        files = reencrypt_import_files()
        self.stdout.write(f"re-encrypted {files} import files under the current key")
        others = reencrypt_stored_files(stored_file_names(skip=(ImportJob,)))  # e.g. survival photos
        self.stdout.write(f"re-encrypted {others} other stored files under the current key")
