from django.urls import path

from kangyang.services import views

app_name = "services"
urlpatterns = [
    path("", views.index, name="index"),
    # the provider's back office
    path("board/", views.board, name="board"),
    path("caregivers/", views.caregiver_list, name="caregivers"),
    path("caregivers/new/", views.caregiver_create, name="caregiver_create"),
    path("caregivers/<int:caregiver_id>/", views.caregiver_edit, name="caregiver_edit"),
    path("routes/", views.routes, name="routes"),
    path("routes/plan/", views.plan_day, name="plan_day"),
    path("flags/", views.flags, name="flags"),
    path("visits/<int:service_visit_id>/review/", views.review, name="review"),
    path("settlement/", views.settlement, name="settlement"),
    path("settlement/issue/", views.issue, name="issue"),
    path("settlements/<int:settlement_id>/statement.xlsx", views.statement, name="statement"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/close/", views.close_complaint, name="close_complaint"),
    # the bureau's provider register
    path("providers/", views.provider_list, name="providers"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:provider_id>/", views.provider_edit, name="provider"),
    path("providers/<int:provider_id>/prices/", views.provider_prices, name="provider_prices"),
    # an order, and the steps on it
    path("orders/<int:order_id>/", views.order_detail, name="order"),
    path("orders/<int:order_id>/assign/", views.assign, name="assign"),
    path("orders/<int:order_id>/cancel/", views.cancel, name="cancel"),
    path("orders/<int:order_id>/confirm/", views.confirm, name="confirm"),
    path("orders/<int:order_id>/complaint/", views.complain, name="complain"),
    # the caregiver's phone
    path("route/", views.route, name="route"),
    path("orders/<int:order_id>/accept/", views.accept, name="accept"),
    path("orders/<int:order_id>/decline/", views.decline, name="decline"),
    path("orders/<int:order_id>/on-my-way/", views.travel, name="travel"),
    path("orders/<int:order_id>/check-in/", views.check_in, name="check_in"),
    path("orders/<int:order_id>/check-out/", views.check_out, name="check_out"),
    path("orders/<int:order_id>/nobody-home/", views.nobody_home, name="nobody_home"),
    # ordering by phone
    path("phone/", views.phone, name="phone"),
    path("elders/<int:elder_id>/", views.elder_page, name="elder"),
    path("elders/<int:elder_id>/quote/", views.quote, name="quote"),
    path("elders/<int:elder_id>/place/", views.place, name="place"),
]
