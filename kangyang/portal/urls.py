from django.urls import path

from kangyang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("survival/", views.survival, name="survival"),
    # issue 14 (elder app), the family's part: what they were told, and paying the elder's share.
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/push/", views.push, name="push"),
    path("orders/<int:order_id>/pay/", views.pay_order, name="pay_order"),
    path("pay/fake/<str:ref>/", views.pay_fake, name="pay_fake"),
    path("pay/<int:payment_id>/", views.payment, name="payment"),
]
