from django.contrib import admin

from kangyang.institutions.models import Conflict, InspectionPlan, InspectorPool


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
