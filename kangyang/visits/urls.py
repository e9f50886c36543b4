from django.urls import path

from kangyang.visits import views

app_name = "visits"
urlpatterns = [
    # the policy, the plans and the rate (views/plans.py)
    path("", views.plan, name="plan"),
    path("plan/make/", views.make_plan, name="make_plan"),
    path("due/<int:due_id>/assign/", views.assign, name="assign"),
    path("due/<int:due_id>/cancel/", views.cancel, name="cancel"),
    path("overdue/", views.overdue, name="overdue"),
    path("rate/", views.rate, name="rate"),
    path("rate/unvisited/", views.unvisited, name="unvisited"),
    path("elders/<int:elder_id>/", views.profile, name="profile"),
    path("elders/<int:elder_id>/tier/", views.set_tier, name="set_tier"),
    path("elders/<int:elder_id>/pairings/", views.add_pairing, name="add_pairing"),
    path("pairings/<int:pairing_id>/end/", views.end_pairing, name="end_pairing"),
]
