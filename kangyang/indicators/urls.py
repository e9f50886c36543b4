from django.urls import path

from kangyang.indicators import report_views, views_wall

app_name = "indicators"
urlpatterns = [
    path("wall/", views_wall.wall_display, name="wall"),
    path("wall/data.json", views_wall.wall_data, name="wall_data"),
    path("report/", report_views.report, name="report"),
]
