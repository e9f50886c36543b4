from django.urls import path

from kangyang.timebank import views

app_name = "timebank"

urlpatterns = [
    # The public page of daily digests (no sign-in).
    path("digests/", views.digests, name="digests"),
    # The community's pages (views.py): confirm hours, activities, accounts, statements.
    path("", views.confirm, name="confirm"),
    path("confirm/", views.confirm_hours, name="confirm_hours"),
    path("activities/", views.activities, name="activities"),
    path("activities/<int:activity_id>/", views.activity, name="activity"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<int:account_id>/statement.xlsx", views.account_statement, name="account_statement"),
    path("statement.xlsx", views.community_statement, name="community_statement"),
]
