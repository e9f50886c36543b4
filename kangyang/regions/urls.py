from django.urls import path

from kangyang.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("import/", views.tree_import, name="import"),
]
