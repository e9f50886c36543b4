from django.urls import path

from kangyang.allowances import views

app_name = "allowances"
urlpatterns = [
    path("rolls/", views.roll_list, name="rolls"),
    path("rolls/runs/", views.runs, name="runs"),
    path("rolls/generate/", views.generate, name="generate"),
    path("rolls/approve/", views.approve_many, name="approve_many"),
    path("rolls/<int:roll_id>/", views.roll_detail, name="roll"),
    path("rolls/<int:roll_id>/approve/", views.approve, name="approve"),
    path("rolls/<int:roll_id>/return/", views.return_roll, name="return"),
    path("rolls/<int:roll_id>/regenerate/", views.regenerate, name="regenerate"),
    path("rolls/<int:roll_id>/export/", views.export_roll, name="export"),
    path("rolls/<int:roll_id>/bank/", views.bank_file, name="bank_file"),
    path("rolls/<int:roll_id>/credit/", views.credit, name="credit"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("policies/<int:policy_id>/versions/new/", views.version_create, name="version_create"),
    path("recovery/", views.recovery_list, name="recovery"),
    path("recovery/<int:line_id>/settle/", views.settle, name="settle"),
    path("elders/<int:elder_id>/account/", views.payee_account, name="payee_account"),
]
