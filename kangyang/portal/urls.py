from django.urls import path

from kangyang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("survival/", views.survival, name="survival"),
    # issue 14 (elder app): SOS, ordering, orders
    path("sos/", views.sos, name="sos"),
    path("sos/<int:alarm_id>/", views.sos_status, name="sos_status"),
    path("order/", views.order, name="order"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/rate/", views.order_rate, name="order_rate"),
    path("orders/<int:order_id>/complain/", views.order_complain, name="order_complain"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
]
