from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kangyang.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from kangyang.accounts.signals import create_cache_table, note_sign_in_time

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="kangyang-cache-table")
        user_logged_in.connect(note_sign_in_time, dispatch_uid="kangyang-signed-in-at")
