"""Apps whose label changed, old label → new label.

A database made before a rename holds the old label in places Django does not rename:
the applied-migration records, the content types (and through them the permissions), the
table names and the import paths of queued background tasks. `kangyang migrate` carries
those over before it migrates (kangyang/ops/upgrades.py). The audit log keeps the old
label as it was written (it is append-only); audit searches match both (audit/queries.py).
"""

RENAMED_APPS: dict[str, str] = {
    # 0.5.0: 高龄津贴/护理补贴/服务补贴 are allowances (GLOSSARY.md); "subsidy" is the
    # construction and operating subsidies paid to institutions.
    "subsidies": "allowances",
}

# Models renamed inside an app, old `app.model` label → new (lower case, as the audit log writes
# them); Django renames their tables in the app's migrations.
RENAMED_MODELS: dict[str, str] = {
    # 0.5.0: the verified home visit is a service visit; "visit" alone is for care visits.
    "services.visit": "services.servicevisit",
    "services.visitflag": "services.servicevisitflag",
}


def former_labels(label: str) -> list[str]:
    """The labels an app had before, newest first: `former_labels("allowances") == ["subsidies"]`."""
    found, current = [], label
    while True:
        older = [old for old, new in RENAMED_APPS.items() if new == current and old not in found]
        if not older:
            return found
        found += older
        current = older[0]


def former_model_labels(model_label: str) -> list[str]:
    """`app.model` labels a model had before its app was renamed (lower case, as the audit log
    writes them): `former_model_labels("allowances.paymentroll") == ["subsidies.paymentroll"]`."""
    app, sep, model = model_label.partition(".")
    if not sep:
        return []
    return [f"{old}.{model}" for old in former_labels(app)]
