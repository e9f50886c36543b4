"""Back office of the institutions app. Each topic registers its own models here.

Star rating: the bureau configures scorecards (sections inline; a section's items inline on the
section's page). Thresholds and the veto cap are validated (forms.rating.ScorecardAdminForm)."""

from django.contrib import admin

from kangyang.institutions.forms.rating import ScorecardAdminForm
from kangyang.institutions.models import Scorecard, ScorecardItem, ScorecardSection


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
