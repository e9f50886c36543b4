from django.urls import path

from kangyang.allowances import payout_views as payouts, views

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
    path("rolls/<int:roll_id>/credit/", views.credit, name="credit"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("policies/<int:policy_id>/versions/new/", views.version_create, name="version_create"),
    path("recovery/", views.recovery_list, name="recovery"),
    path("recovery/<int:line_id>/settle/", views.settle, name="settle"),
    path("elders/<int:elder_id>/account/", views.payee_account, name="payee_account"),
    path("payouts/", payouts.batch_list, name="batches"),
    path("payouts/held/", payouts.held_list, name="held"),
    path("payouts/held/<int:line_id>/correct/", payouts.correct, name="correct"),
    path("payouts/<int:batch_id>/", payouts.batch_detail, name="batch"),
    path("payouts/<int:batch_id>/file/", payouts.download, name="batch_file"),
    path("payouts/<int:batch_id>/paid/", payouts.record_paid, name="batch_paid"),
    path("payouts/<int:batch_id>/return/", payouts.import_return, name="batch_return"),
    path("applications/", payouts.application_list, name="applications"),
    path("applications/<int:application_id>/<str:step>/", payouts.application_step, name="application_step"),
    path("notice/", payouts.notice_board, name="notice"),
    path("survival/", payouts.survival_list, name="survival"),
    path("survival/<int:elder_id>/record/", payouts.record_survival, name="record_survival"),
]
