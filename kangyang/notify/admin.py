from django.contrib import admin

from kangyang.notify.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Back office: read-only (the delivery log page is the operators' view)."""

    list_display = ("created_at", "kind", "audience", "channel", "address_masked", "template", "status", "attempts")
    list_filter = ("status", "channel", "kind")
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name not in ("address_encrypted", "context_encrypted")]
    exclude = ("address_encrypted", "context_encrypted")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
