"""The registry's audit codes in words (kangyang/audit/labels.py); also the elder page's
"Recent changes", which shows the same entries."""

from django.utils.translation import gettext_lazy as _

from kangyang.registry.models import Elder, HealthRecord, HouseholdMember

VERBS = {
    "elder.create": _("registered"),
    "elder.update": _("edited"),
    "elder.status": _("status changed"),
    "elder.health": _("health record edited"),
    "elder.contact_add": _("contact added"),
    "elder.import": _("imported"),
    "elder.categories": _("categories derived again"),
    "elder.category_override": _("category corrected"),
    "elder.category_override_removed": _("category correction removed"),
    "elder.member_add": _("household member added"),
    "elder.member_remove": _("household member removed"),
    "elder.household_confirm": _("household record confirmed"),
    "elder.reveal": _("viewed the full ID number and phone"),
    "elder.export": _("exported elder records"),
    "elder.import_errors.download": _("downloaded the rows an import refused"),
}

FIELDS = {
    **{f.name: f.verbose_name for f in HealthRecord._meta.fields if f.name not in ("id", "elder")},
    "id_number": _("ID number"),
    "phone": _("phone"),
    "categories": _("vulnerability categories"),
    "contact": _("contact"),
    "contacts": _("contacts"),
    "override": _("correction"),
    "member": _("household member"),
}


def members(values) -> dict:
    """"child:True:same_city" (relation:alive:residence, as recorded) → in words."""
    relations, residences = dict(HouseholdMember.Relation.choices), dict(HouseholdMember.Residence.choices)
    shown = {}
    for value in values:
        relation, _sep, rest = str(value).partition(":")
        alive, _sep, residence = rest.partition(":")
        words = [str(relations.get(relation, relation))]
        words.append(str(_("alive") if alive == "True" else _("deceased")))
        if residence:
            words.append(str(residences.get(residence, residence)))
        shown[value] = "，".join(words)
    return shown


def elder_names(ids) -> dict:
    return dict(Elder.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", "name"))


def categories(codes) -> dict:
    return {c: label for c, label in Elder.Category.choices if c in codes}


VALUES = {"member": members, "elder": elder_names, "categories": categories}
