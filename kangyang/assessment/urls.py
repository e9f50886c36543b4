from django.urls import path

from kangyang.assessment import views

app_name = "assessment"
urlpatterns = [
    path("due/", views.due_list, name="due"),
    path("import/", views.legacy_import, name="import"),
    path("elders/<int:elder_id>/", views.history, name="history"),
    path("elders/<int:elder_id>/new/", views.start, name="start"),
    path("elders/<int:elder_id>/request/", views.request_reassessment, name="request"),
    path("<int:assessment_id>/", views.report_page, name="report"),
    path("<int:assessment_id>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:assessment_id>/step/<slug:step>/", views.step, name="step"),
    path("<int:assessment_id>/sign/", views.sign, name="sign"),
    path("<int:assessment_id>/discard/", views.discard, name="discard"),
]
