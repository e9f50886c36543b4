"""Back office only: look at the catalogue, providers and their caregivers. Orders, visits
and statements change only through services/actions.py, so they are read-only here."""

from django.contrib import admin

from kangyang.services.models import Caregiver, Order, Provider, ServiceItem, Settlement, ServiceVisit


class ReadOnly(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnly):
    list_display = ["code", "name", "category", "unit", "duration_minutes", "skill", "payable_by_text", "active"]
    list_filter = ["category", "active"]


@admin.register(Provider)
class ProviderAdmin(ReadOnly):
    list_display = ["organisation", "region_code", "licence_number", "active"]
    list_filter = ["active"]
    search_fields = ["organisation__name", "licence_number"]


@admin.register(Caregiver)
class CaregiverAdmin(ReadOnly):
    list_display = ["name", "provider", "level", "skills_text", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]


@admin.register(Order)
class OrderAdmin(ReadOnly):
    list_display = ["id", "item", "provider", "status", "region_code", "window_start", "price"]
    list_filter = ["status", "channel"]


@admin.register(ServiceVisit)
class VisitAdmin(ReadOnly):
    list_display = ["order", "caregiver", "checked_in_at", "checked_out_at", "check_in_distance_m", "review"]
    list_filter = ["review"]


@admin.register(Settlement)
class SettlementAdmin(ReadOnly):
    list_display = ["provider", "month", "order_count", "total", "allowance_total", "voucher_total", "self_total"]
