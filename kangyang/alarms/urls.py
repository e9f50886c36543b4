from django.urls import path

from kangyang.alarms import device_views, views

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
    path("devices/", device_views.device_list, name="devices"),
    path("devices/register/", device_views.register, name="device_register"),
    path("devices/import/", device_views.import_sheet, name="device_import"),
    path("devices/import/template/", device_views.import_template, name="device_import_template"),
    path("devices/<str:device_id>/", device_views.device_detail, name="device"),
    path("devices/<str:device_id>/bind/", device_views.bind, name="device_bind"),
    path("devices/<str:device_id>/unbind/", device_views.unbind, name="device_unbind"),
]
