"""Back office only, and read-only: hours move only through timebank/actions.py, and the
ledger is append-only (the models and the database refuse changes)."""

from django.contrib import admin

from kangyang.timebank.models import Account, Activity, Digest, Entry


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnly):
    list_display = ["id", "kind", "system_code", "real_name", "region_code", "balance_minutes", "opened_at"]
    list_filter = ["kind"]
    exclude = ["birth_date"]


@admin.register(Entry)
class EntryAdmin(ReadOnly):
    list_display = ["seq", "txn", "account", "kind", "amount_minutes", "balance_after", "source", "created_at"]
    list_filter = ["kind"]


@admin.register(Digest)
class DigestAdmin(ReadOnly):
    list_display = ["day", "last_seq", "last_hash", "entries"]


@admin.register(Activity)
class ActivityAdmin(ReadOnly):
    list_display = ["title", "region_code", "organiser", "starts_at", "ends_at"]
