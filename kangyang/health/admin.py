"""The health app in Django's admin: the reference data a bureau keeps (medical institutions,
teams, service packages, rule sets); the elders' records are kept on the health pages."""

from django.contrib import admin

from kangyang.health.models import MedicalInstitution, RuleSet, ServicePackage, Team, TeamMember


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "institution", "area_code", "active"]
    list_filter = ["active"]
    search_fields = ["name", "area_code"]
    inlines = [TeamMemberInline]


@admin.register(MedicalInstitution)
class MedicalInstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "region_code"]
    list_filter = ["kind", "level"]
    search_fields = ["name", "region_code"]


@admin.register(ServicePackage)
class ServicePackageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "fee_yuan", "active"]


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["version", "active", "published_at"]
    readonly_fields = ["published_at"]
