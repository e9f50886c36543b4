"""What the audit log's codes mean, in words: each app says it in its own `audit_labels`
module, found the way the admin finds `admin.py`, so that the audit app imports no app above
it. A module may define any of:

    VERBS   {"payment_roll.approve": _("approved a payment roll")}   what was done
    TARGETS {"allowances.paymentroll": callable(obj) -> str}          a record named in words
    FIELDS  {"rows": _("rows")}                                      a change that is no model field
    VALUES  {"member": callable(set of raw values) -> {raw: words}}  values named in bulk

A code nobody names falls back to the entry's action (created, changed, …); a record to its
model's name and its own text; a field to its model field's name.
"""

import importlib
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.utils.translation import gettext_lazy as _

MODULE = "audit_labels"

# Changes many apps record under the same name.
COMMON_FIELDS = {
    "rows": _("rows"), "errors": _("rows with errors"), "created": _("rows created"),
    "updated": _("rows updated"), "processed": _("rows processed"), "rejected": _("rows rejected"),
    "existing": _("rows already there"), "total": _("total"), "month": _("month"), "n": _("count"),
    "filter": _("filter"), "search": _("search"), "status": _("status"), "name": _("name"),
    "code": _("code"), "kind": _("kind"), "region": _("region"), "amount": _("amount"),
}


@dataclass
class Labels:
    verbs: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    fields: dict = field(default_factory=lambda: dict(COMMON_FIELDS))
    values: dict = field(default_factory=dict)


def _chained(first, second):
    return lambda values: {**second(values), **first(values)}


@cache
def labels() -> Labels:
    """Every installed app's audit_labels, merged (read once per process)."""
    found = Labels()
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.{MODULE}")
        except ModuleNotFoundError as e:
            if e.name != f"{config.name}.{MODULE}":
                raise  # the module exists but imports something missing
            continue
        found.verbs.update(getattr(module, "VERBS", {}))
        found.targets.update(getattr(module, "TARGETS", {}))
        found.fields.update(getattr(module, "FIELDS", {}))
        for key, resolver in getattr(module, "VALUES", {}).items():
            # Two apps may name values of the same key (a policy's kind, a licence's kind):
            # each resolver names the values it knows.
            found.values[key] = _chained(found.values[key], resolver) if key in found.values else resolver
    return found
