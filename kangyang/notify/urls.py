from django.urls import path

from kangyang.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.delivery_log, name="log"),
    path("mine/", views.my_preference, name="preference"),
]
