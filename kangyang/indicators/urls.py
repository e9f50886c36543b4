from django.urls import path

from kangyang.indicators import report_views, views, views_wall

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("compute/", views.compute, name="compute"),
    # The indicator's code in the query, not the path: one page with many codes (the page
    # walk of test_every_page_translated counts pages by their path).
    path("indicator/", views.indicator_page, name="indicator"),
    path("records/", views.records, name="records"),
    path("targets/", views.targets_page, name="targets"),
    path("targets/<int:version>/", views.target_version, name="target_version"),
    path("values/", views.values_page, name="values"),
    path("values/<int:entry_id>/attachment/", views.value_attachment, name="value_attachment"),
    path("wall/", views_wall.wall_display, name="wall"),
    path("wall/data.json", views_wall.wall_data, name="wall_data"),
    path("report/", report_views.report, name="report"),
]
