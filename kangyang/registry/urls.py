from django.urls import path

from kangyang.registry import views

app_name = "registry"
urlpatterns = [
    path("elders/", views.elder_list, name="list"),
    path("elders/new/", views.elder_create, name="create"),
    path("elders/export/", views.export, name="export"),
    path("elders/<int:elder_id>/", views.elder_detail, name="detail"),
    path("elders/<int:elder_id>/edit/", views.elder_edit, name="edit"),
    path("elders/<int:elder_id>/reveal/", views.reveal, name="reveal"),
    path("elders/<int:elder_id>/status/", views.elder_status, name="status"),
    path("elders/<int:elder_id>/health/", views.health, name="health"),
    path("elders/<int:elder_id>/contacts/", views.add_contact, name="add_contact"),
    path("elders/<int:elder_id>/members/", views.add_member, name="add_member"),
    path("elders/<int:elder_id>/members/<int:member_id>/remove/", views.remove_member, name="remove_member"),
    path("elders/<int:elder_id>/household/confirm/", views.confirm_household, name="confirm_household"),
    path("elders/<int:elder_id>/categories/override/", views.override_category, name="override_category"),
    path("elders/<int:elder_id>/categories/<slug:category>/override/remove/", views.remove_override,
         name="remove_override"),
    path("imports/", views.import_start, name="import"),
    path("imports/template/", views.import_template, name="import_template"),
    path("imports/<int:job_id>/", views.import_job, name="import_job"),
    path("imports/<int:job_id>/errors/", views.import_errors, name="import_errors"),
]
