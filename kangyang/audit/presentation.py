"""The audit log in words, for pages: who (name and role), what (a sentence per code), which
record (its name, not `accounts.user:50`) and what changed (old → new, personal values masked
as accounts.scope says). Presentation only: the entries stay exactly as they were written."""

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.labels import labels
from kangyang.audit.models import AuditEntry
from kangyang.lib.renamed_apps import RENAMED_APPS, RENAMED_MODELS

NONE = "—"


@dataclass
class Change:
    label: str
    old: str | None  # None: only that it changed is shown (a protected value)
    new: str | None
    single: bool = False  # one value, not a pair: shown as "label: new"


@dataclass
class Line:
    entry: AuditEntry
    who: str
    role: str
    what: str
    record: str
    changes: list[Change]


def current_type(target_type: str) -> str:
    """The `app.model` label a record has now: entries written before an app was renamed keep
    its old label (the log is append-only), e.g. `subsidies.paymentroll` → `allowances.paymentroll`,
    `services.visit` → `services.servicevisit`."""
    app_label, dot, model_name = target_type.partition(".")
    moved = f"{RENAMED_APPS.get(app_label, app_label)}{dot}{model_name}"
    return RENAMED_MODELS.get(moved, moved)


def _model(target_type: str):
    try:
        return apps.get_model(current_type(target_type))
    except (LookupError, ValueError):
        return None


def _records(entries) -> dict[tuple[str, str], str]:
    """(target_type, target_id) → the record in words, loading each type's records at once."""
    ids = defaultdict(set)
    for e in entries:
        if e.target_type:
            ids[e.target_type].add(e.target_id)
    named = {}
    targets = labels().targets
    for target_type, pks in ids.items():
        model = _model(target_type)
        if model is None:
            named.update({(target_type, pk): f"{target_type} {pk}" for pk in pks})
            continue
        kind = str(model._meta.verbose_name)
        found = {str(obj.pk): obj for obj in model._base_manager.filter(pk__in=list(pks))}
        for pk in pks:
            obj = found.get(pk)
            if obj is None:  # removed since (a household member entered by mistake)
                named[(target_type, pk)] = _("%(kind)s no. %(id)s (removed)") % {"kind": kind, "id": pk}
            elif current_type(target_type) in targets:
                named[(target_type, pk)] = str(targets[current_type(target_type)](obj))
            else:
                named[(target_type, pk)] = f"{kind} {obj}"
    return named


def _field(model, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _field_label(model, key: str) -> str:
    f = _field(model, key)
    if f is not None and hasattr(f, "verbose_name"):  # reverse relations have none
        return str(f.verbose_name)
    return str(labels().fields.get(key, key))


def _pairs(entry: AuditEntry):
    """(key, old, new, single) for each recorded change. A change is a list [old, new]; what a
    creation, an export or an import records are values of their own (a list of two skills
    is not old → new)."""
    pairs_kept = entry.action not in (AuditEntry.Action.CREATE, AuditEntry.Action.EXPORT, AuditEntry.Action.IMPORT)
    for key, value in (entry.changes or {}).items():
        if pairs_kept and isinstance(value, list) and len(value) == 2:
            yield key, value[0], value[1], False
        else:
            yield key, None, value, True


def _want(wanted: dict, resolvers: dict, key: str, values: list) -> None:
    """Collect the values of `key` a resolver names, looking into lists and into records kept
    as dicts (a policy's bands: {"means": "low_income", …})."""
    for value in values:
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, dict):
                for k, v in item.items():
                    _want(wanted, resolvers, k, [v])
            elif key in resolvers and item not in (None, ""):
                wanted[key].add(item)


def _resolved(entries) -> dict[str, dict]:
    """For the fields an app names in bulk (codes → region names, ids → names): raw value → words."""
    wanted = defaultdict(set)
    resolvers = labels().values
    for e in entries:
        for key, old, new, _single in _pairs(e):
            _want(wanted, resolvers, key, [old, new])
    return {key: resolvers[key](values) for key, values in wanted.items()}


def _show(model, key: str, value, resolved: dict) -> str:
    if value in (None, "", []):
        return NONE
    if isinstance(value, list):
        return "、".join(_show(model, key, v, resolved) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value == "changed":
        return _("changed")
    if key in resolved and value in resolved[key]:
        return str(resolved[key][value])
    f = _field(model, key)
    choices = getattr(f, "flatchoices", None) or getattr(getattr(f, "base_field", None), "flatchoices", None)
    if choices:
        return str(dict(choices).get(value, value))
    if isinstance(value, dict):
        return "; ".join(f"{_field_label(model, k)}: {_show(model, k, v, resolved)}" for k, v in value.items())
    return str(value)


def _change(model, key: str, old, new, single: bool, resolved: dict) -> Change:
    label = _field_label(model, key)
    hidden, masked = scope.AUDIT_HIDDEN, scope.AUDIT_MASKED
    if key in hidden:
        return Change(label, None, None)
    if key in masked:
        mask = masked[key]
        old, new = (mask(v) if isinstance(v, str) and v and v != "changed" else v for v in (old, new))
    if single:
        return Change(label, "", _show(model, key, new, resolved), single=True)
    return Change(label, _show(model, key, old, resolved), _show(model, key, new, resolved))


def describe(entries) -> list[Line]:
    """One line in words per audit entry, in the order given."""
    entries = list(entries)
    records = _records(entries)
    resolved = _resolved(entries)
    verbs = labels().verbs
    lines = []
    for e in entries:
        actor = e.actor
        model = _model(e.target_type) if e.target_type else None
        lines.append(Line(
            entry=e,
            who=str(actor) if actor is not None else (e.actor_username or _("the platform")),
            role=actor.get_role_display() if actor is not None else "",
            what=str(verbs.get(e.verb, e.get_action_display())),
            record=records.get((e.target_type, e.target_id), ""),
            changes=[_change(model, key, old, new, single, resolved)
                     for key, old, new, single in _pairs(e)],
        ))
    return lines
