from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from kangyang.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="registry:list"), name="home"),
    path("accounts/", include("kangyang.accounts.urls")),
    path("regions/", include("kangyang.regions.urls")),
    path("registry/", include("kangyang.registry.urls")),
    path("assessment/", include("kangyang.assessment.urls")),
    path("allowances/", include("kangyang.subsidies.urls")),
    path("alarms/", include("kangyang.alarms.urls")),
    path("audit/", include("kangyang.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
