from django.urls import path

from kangyang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("survival/", views.survival, name="survival"),
    # The app shell (views/shell.py): elder mode, settings, and the progressive web app.
    path("elder-mode/", views.elder_mode_switch, name="elder_mode"),
    path("settings/", views.app_settings, name="settings"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("offline/", views.offline, name="offline"),
]
