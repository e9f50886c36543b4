"""Django's admin site behind Kangyang's own sign-in: one door, with the second factor,
throttling and audit of the accounts pages; /admin/login/ only points there."""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.shortcuts import redirect
from django.urls import reverse


class SignInAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        """Active Django staff whose session passed a second factor (a password alone is refused)."""
        user = request.user
        return super().has_permission(request) and user.is_verified()

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


class AdminConfig(DjangoAdminConfig):
    default_site = "kangyang.accounts.admin_site.SignInAdminSite"
