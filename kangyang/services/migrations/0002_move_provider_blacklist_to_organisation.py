"""The blacklist moves from the provider to its organisation (accounts.Organisation), where
every module reads it: each blacklisted provider's bar becomes its organisation's, with an
entry in the organisation's blacklist history (the decision's author is not known here)."""

from django.db import migrations


def move_to_organisation(apps, schema_editor):
    Provider = apps.get_model("services", "Provider")
    Organisation = apps.get_model("accounts", "Organisation")
    BlacklistEntry = apps.get_model("accounts", "BlacklistEntry")
    for provider in Provider.objects.filter(blacklisted_at__isnull=False).iterator():
        organisation = Organisation.objects.get(pk=provider.organisation_id)
        if organisation.blacklisted_at is not None:
            continue
        reason = provider.blacklist_reason or "-"
        organisation.blacklisted_at = provider.blacklisted_at
        organisation.blacklisted_until = None
        organisation.blacklist_reason = reason
        organisation.save(update_fields=["blacklisted_at", "blacklisted_until", "blacklist_reason"])
        BlacklistEntry.objects.create(organisation=organisation, reason=reason,
                                      decided_on=provider.blacklisted_at.date(), created_at=provider.blacklisted_at)


def move_back(apps, schema_editor):
    Provider = apps.get_model("services", "Provider")
    for provider in Provider.objects.select_related("organisation").filter(
            organisation__blacklisted_at__isnull=False):
        provider.blacklisted_at = provider.organisation.blacklisted_at
        provider.blacklist_reason = provider.organisation.blacklist_reason
        provider.save(update_fields=["blacklisted_at", "blacklist_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_organisation_register_licences_blacklist"),
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_to_organisation, move_back),
    ]
