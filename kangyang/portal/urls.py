from django.urls import path

from kangyang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("survival/", views.survival, name="survival"),
    # The app shell (views/shell.py): elder mode, settings, and the progressive web app.
    path("elder-mode/", views.elder_mode_switch, name="elder_mode"),
    path("settings/", views.app_settings, name="settings"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("offline/", views.offline, name="offline"),
    # issue 14 (elder app), the family's part: what they were told, and paying the elder's share.
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/push/", views.push, name="push"),
    path("orders/<int:order_id>/pay/", views.pay_order, name="pay_order"),
    path("pay/fake/<str:ref>/", views.pay_fake, name="pay_fake"),
    path("pay/<int:payment_id>/", views.payment, name="payment"),
    # issue 14 (elder app): SOS, ordering, orders
    path("sos/", views.sos, name="sos"),
    path("sos/<int:alarm_id>/", views.sos_status, name="sos_status"),
    path("order/", views.order, name="order"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<int:order_id>/rate/", views.order_rate, name="order_rate"),
    path("orders/<int:order_id>/complain/", views.order_complain, name="order_complain"),
    path("orders/<int:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    # the caregiver's view: today's route
    path("route/", views.route, name="route"),
    # the visitor's view (issue 15): today's care visits, recorded on the phone
    path("visits/", views.visits, name="visits"),
    path("visits/record/", views.visit_record, name="visit_record"),
    path("visits/follow-ups/<int:follow_up_id>/close/", views.follow_up_close, name="follow_up_close"),
    # issue 15 (time bank): the volunteer's balance, history, needs nearby, spending and giving
    path("timebank/", views.timebank, name="timebank"),
    path("timebank/register/", views.timebank_register, name="timebank_register"),
    path("timebank/take/", views.timebank_take, name="timebank_take"),
    path("timebank/spend/", views.timebank_spend, name="timebank_spend"),
    path("timebank/give/", views.timebank_give, name="timebank_give"),
    # issue 17 (health records): the elder's and family's own health page
    path("health/", views.health, name="health"),
    path("health/consent/", views.health_consent, name="health_consent"),
    # Signing in and family bindings (views/sign_in.py, views/binding.py).
    path("login/", views.app_login, name="login"),
    path("login/code/", views.app_login_code, name="login_code"),
    path("card/<str:token>/", views.card, name="card"),
    path("family/bind/", views.bind, name="bind"),
    path("family/requests/", views.binding_requests, name="binding_requests"),
    # The community's side, from the elder's registry page (staff layout).
    path("elders/<int:elder_id>/card/", views.elder_card, name="elder_card"),
    path("elders/<int:elder_id>/family/", views.elder_family, name="elder_family"),
]
