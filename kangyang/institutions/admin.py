"""The admin site's pages of the supervision of institutions. Each topic registers its own
models with their own ModelAdmin; the loop at the end, which must stay last, lists every other
model of the app plainly.

Star rating: the bureau configures scorecards (sections inline; a section's items inline on the
section's page). Thresholds and the veto cap are validated (forms.rating.ScorecardAdminForm)."""

from django.apps import apps
from django.contrib import admin

from kangyang.institutions.forms.rating import ScorecardAdminForm
from kangyang.institutions.models import (
    CentralisedCareWish, Conflict, DocumentWarning, Drill, Fee, InspectionPlan, InspectorPool, Institution,
    Resident, Scorecard, ScorecardItem, ScorecardSection, Staffing,
)


# -- register --
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


# -- inspections -- (back office only: the draw and the inspections go through the pages and actions)
@admin.register(InspectorPool)
class InspectorPoolAdmin(admin.ModelAdmin):
    list_display = ["name", "region_code", "published_at"]
    filter_horizontal = ["inspectors"]


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):
    list_display = ["inspector", "organisation", "reason", "declared_on"]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "region_code", "year", "status", "seed", "drawn_at"]
    readonly_fields = ["seed", "target_pool", "inspector_pool", "conflicts", "result", "drawn_at", "drawn_by",
                       "status", "published_at"]


# -- rating --
class ScorecardSectionInline(admin.TabularInline):
    model = ScorecardSection
    extra = 0
    show_change_link = True


class ScorecardItemInline(admin.TabularInline):
    model = ScorecardItem
    extra = 0


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    form = ScorecardAdminForm
    list_display = ["name", "version", "is_example", "veto_cap", "active", "created_at"]
    list_filter = ["is_example", "active"]
    inlines = [ScorecardSectionInline]


@admin.register(ScorecardSection)
class ScorecardSectionAdmin(admin.ModelAdmin):
    list_display = ["name", "scorecard", "order"]
    list_filter = ["scorecard"]
    inlines = [ScorecardItemInline]


# Keep last: every other model of the app a topic did not register itself, as a plain list.
for _model in apps.get_app_config("institutions").get_models():
    if not admin.site.is_registered(_model):
        admin.site.register(_model)
