from django.urls import path

from kangyang.accounts import organisation_views as views

app_name = "organisations"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<int:organisation_id>/", views.organisation_detail, name="detail"),
    path("<int:organisation_id>/edit/", views.organisation_edit, name="edit"),
    path("<int:organisation_id>/licences/", views.add_licence, name="add_licence"),
    path("<int:organisation_id>/blacklist/", views.blacklist, name="blacklist"),
    path("<int:organisation_id>/lift/", views.lift, name="lift"),
]
