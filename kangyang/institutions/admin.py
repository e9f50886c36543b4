"""The admin site's pages of the supervision of institutions: simple lists of every model of
the app (the register's in full below; the other topics' models by the loop at the end, which
must stay last so that a topic's own ModelAdmin, registered above it, wins)."""

from django.apps import apps
from django.contrib import admin

from kangyang.institutions.models import (
    CentralisedCareWish, DocumentWarning, Drill, Fee, Institution, Resident, Staffing,
)


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class StaffingInline(admin.TabularInline):
    model = Staffing
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "organisation", "region_code", "beds_total", "beds_nursing", "stars")
    list_filter = ("kind", "ownership", "operating_model", "medical")
    search_fields = ("name", "region_code")
    raw_id_fields = ("organisation", "community")
    readonly_fields = ("region_code",)
    inlines = [FeeInline, StaffingInline]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ("id", "institution", "elder_id", "bed", "admitted_on", "left_on", "left_reason", "centralised_care")
    list_filter = ("bed", "left_reason", "centralised_care")
    raw_id_fields = ("institution", "elder", "recorded_by")


@admin.register(Drill)
class DrillAdmin(admin.ModelAdmin):
    list_display = ("institution", "kind", "held_on", "participants")
    list_filter = ("kind",)
    raw_id_fields = ("institution",)


@admin.register(CentralisedCareWish)
class CentralisedCareWishAdmin(admin.ModelAdmin):
    list_display = ("elder_id", "willing", "recorded_on")
    raw_id_fields = ("elder", "recorded_by")


@admin.register(DocumentWarning)
class DocumentWarningAdmin(admin.ModelAdmin):
    list_display = ("institution", "document", "expires", "threshold", "recipients", "sent_at")
    list_filter = ("document",)


admin.site.register([Fee, Staffing])


# Keep last: every other model of the app a topic did not register itself, as a plain list.
for _model in apps.get_app_config("institutions").get_models():
    if not admin.site.is_registered(_model):
        admin.site.register(_model)
