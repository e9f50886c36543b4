"""The care-call pages, mounted at /visits/calls/ (kangyang/urls.py)."""

from django.urls import path

from kangyang.visits.views import calls as views

app_name = "care_calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("<int:call_id>/dial/", views.dial, name="dial"),
    path("<int:call_id>/record/", views.record, name="record"),
    path("elders/<int:elder_id>/", views.elder_calls, name="elder"),
]
