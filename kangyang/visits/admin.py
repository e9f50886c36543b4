"""Back office: the bureau edits the visit policy (tiers: who is in each, how often, which
modes count) here; the change is audited. Pairings are listed read-only: they change through
actions (the elder's visit profile page)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.visits.actions.tiers import check_policy
from kangyang.visits.models import Pairing, Tier


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = ["code", "name", "rank", "interval_days", "event_within_hours", "criteria", "counted_modes"]

    def clean(self):
        data = super().clean()
        if "criteria" in data and "counted_modes" in data:
            try:
                check_policy(criteria=data["criteria"], counted_modes=data["counted_modes"])
            except ValidationError as e:
                for field, errors in e.error_dict.items():
                    self.add_error(field, errors)
        return data


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    form = TierForm
    list_display = ["rank", "code", "name", "interval_days", "event_within_hours", "counted_modes"]
    ordering = ["rank"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(request.user, AuditEntry.Action.CHANGE if change else AuditEntry.Action.CREATE, obj,
               verb="tier.change" if change else "tier.create",
               changes={f: [None, str(form.cleaned_data.get(f))] for f in form.changed_data})

    def has_delete_permission(self, request, obj=None):
        return False  # profiles and plans point at tiers; change a tier instead


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["elder", "helper", "kind", "started_on", "ended_on", "region_code"]
    list_filter = ["kind"]
    search_fields = ["elder__name", "helper__username", "helper__full_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
