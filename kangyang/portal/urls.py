from django.urls import path

from kangyang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("survival/", views.survival, name="survival"),
    # the caregiver's view: today's route
    path("route/", views.route, name="route"),
]
