"""Back office of the institutions app. Each topic registers its own models here.

Star rating: the bureau configures scorecards (sections inline; a section's items inline on the
section's page). Thresholds and the veto cap are validated (forms.rating.ScorecardAdminForm)."""

from django.contrib import admin

from kangyang.institutions.forms.rating import ScorecardAdminForm
from kangyang.institutions.models import (
    Conflict, InspectionPlan, InspectorPool, Scorecard, ScorecardItem, ScorecardSection,
)


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
