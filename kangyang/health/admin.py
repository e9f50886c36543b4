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


# -- followups --
# A rule set is published, never edited: adding one in the admin goes through publish_rule_set
# (its structure checked, the old set deactivated, the processes' cache cleared); a published one
# is read-only, since follow-ups and readings name it.
from django import forms  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = ["version", "source", "rules"]

    def clean_rules(self):
        from kangyang.health.actions.followups import check_rules

        rules = self.cleaned_data["rules"]
        try:
            check_rules(rules)
        except ValidationError as e:
            raise ValidationError(e.message_dict.get("rules", e.messages)) from None
        return rules


def _rule_set_read_only(self, request, obj=None):
    return ["version", "source", "rules", "active", "published_at"] if obj is not None else ["published_at"]


def _publish_rule_set(self, request, obj, form, change):
    from kangyang.health.actions.followups import publish_rule_set

    if change:
        return
    published = publish_rule_set(form.cleaned_data["rules"], version=form.cleaned_data["version"],
                                 source=form.cleaned_data["source"], by=request.user)
    obj.pk, obj.active, obj.published_at = published.pk, published.active, published.published_at


RuleSetAdmin.form = RuleSetForm
RuleSetAdmin.get_readonly_fields = _rule_set_read_only
RuleSetAdmin.save_model = _publish_rule_set
