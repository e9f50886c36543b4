from django.urls import path

from kangyang.timebank import views

app_name = "timebank"

urlpatterns = [
    path("digests/", views.digests, name="digests"),
]
