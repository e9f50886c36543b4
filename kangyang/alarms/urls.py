from django.urls import path

from kangyang.alarms import views

app_name = "alarms"
urlpatterns = [
    path("console/", views.console, name="console"),
    path("console/queue/", views.queue, name="queue"),
    path("console/stream/", views.stream, name="stream"),
    path("<int:alarm_id>/", views.alarm_detail, name="detail"),
    path("<int:alarm_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:alarm_id>/act/", views.act, name="act"),
    path("<int:alarm_id>/note/", views.note, name="note"),
    path("<int:alarm_id>/resolve/", views.resolve, name="resolve"),
    path("<int:alarm_id>/reveal/", views.reveal, name="reveal"),
    path("hotline/", views.hotline, name="hotline"),
    path("hotline/elders/<int:elder_id>/", views.hotline_elder, name="hotline_elder"),
    path("hotline/elders/<int:elder_id>/raise/", views.hotline_raise, name="hotline_raise"),
    path("hotline/elders/<int:elder_id>/reveal/", views.hotline_reveal, name="hotline_reveal"),
    path("reports/", views.report, name="reports"),
]
