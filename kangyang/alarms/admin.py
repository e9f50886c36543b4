"""Back office only: look at devices and refused messages. Alarms are handled in the console,
through alarms/actions/, so they are read-only here."""

from django.contrib import admin

from kangyang.alarms.models import Alarm, BadMessage, Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["device_id", "kind", "vendor", "model", "region_code", "status", "last_seen_at", "battery"]
    list_filter = ["kind", "status", "vendor"]
    search_fields = ["device_id"]
    readonly_fields = ["region_code", "last_seen_at", "battery", "status", "offline_since", "last_test_alarm_at"]
    raw_id_fields = ["elder", "household"]


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "source", "status", "outcome", "region_code", "received_at", "escalation_tier"]
    list_filter = ["status", "type", "source", "outcome"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BadMessage)
class BadMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "reason", "device_id", "topic", "payload_size"]
    list_filter = ["reason"]
    search_fields = ["device_id"]

    def has_change_permission(self, request, obj=None):
        return False
