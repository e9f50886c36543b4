"""Vulnerability categories that follow from data, and why an elder has each category.

Three kinds of category (README "Registry"):

* derived from the latest signed GB/T 42195 assessment: 失能 `disabled` when its final level
  is 1 or more (轻度, 中度, 重度 or 完全失能: every loss of capability), 失智
  `cognitively_impaired` when it records a dementia diagnosis (ICD-10 F00–F03). The elder's
  assessment history of MZ/T 039-2013 results is history only and derives nothing. An
  assessment past its re-assessment date still counts: it is the latest fact we have, and
  the due list asks for a new one. 重残 `severely_disabled` is a disability certificate
  (grades 1–2), not 重度失能, so it stays manual;
* derived from the household record: 独居 `alone`: the living arrangement says alone and no
  recorded living member lives with the elder; 空巢 `empty_nest` (the civil-affairs usage,
  无子女或子女不在身边): not in an institution and no living child lives with the elder, so
  every elder living alone is empty-nest too (a child in the same community visits, but the
  nest is empty: the visit plans ask for these elders); 孤寡
  `without_family`: no living spouse and no living child, once the household is recorded
  (a member entered, or the record confirmed complete);
* manual: everything else (低保, 低收入, 特困, 优抚对象, 留守, 重残, 计划生育特殊家庭), and a
  derivable category while there are no data for it.

A derived value wins over a manual one; a manual override (with a reason, audited) wins
over both. The functions here are pure: registry.actions loads the data, calls them and
stores the result in `categories_text` (the filter column), `derived_categories` (the facts)
and `category_overrides`.
"""

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _, gettext_lazy

from kangyang.registry.models import CATEGORY_ORDER, Elder, HouseholdMember

C = Elder.Category
L = Elder.LivingArrangement
M = HouseholdMember

ASSESSMENT_DERIVED = (C.DISABLED, C.COGNITIVELY_IMPAIRED)
HOUSEHOLD_DERIVED = (C.ALONE, C.EMPTY_NEST, C.WITHOUT_FAMILY)
DERIVED = frozenset(ASSESSMENT_DERIVED + HOUSEHOLD_DERIVED)
# A child living here fills the nest (see the module docstring: not "in the same community").
NEAR = {M.Residence.WITH_ELDER}
# GB/T 42195-2022 C.3 level names (the same words as assessment.standard.LEVEL_NAMES, which
# the registry may not import: assessment depends on registry).
LEVEL_LABELS = {
    0: gettext_lazy("intact"), 1: gettext_lazy("mild loss"), 2: gettext_lazy("moderate loss"),
    3: gettext_lazy("severe loss"), 4: gettext_lazy("complete loss"),
}


def from_assessment(*, level: int, dementia: Iterable[str], on: dt.date, assessment_id: int) -> dict:
    """The assessment-derived facts of one signed GB/T 42195 assessment."""
    dementia = sorted(dementia)
    facts = {"source": "assessment", "on": on.isoformat(), "id": assessment_id}
    return {
        C.DISABLED.value: {**facts, "value": level >= 1, "level": level},
        C.COGNITIVELY_IMPAIRED.value: {**facts, "value": bool(dementia), "codes": dementia},
    }


def from_household(*, arrangement: str, members: Iterable[tuple[str, bool, str]], recorded: bool) -> dict:
    """The household-derived facts, from the living arrangement and the members given as
    (relation, alive, residence). A category with no data is left out."""
    members = list(members)
    recorded = recorded or bool(members)
    living = [(relation, residence) for relation, alive, residence in members if alive]
    children = [residence for relation, residence in living if relation == M.Relation.CHILD]
    facts: dict[str, dict] = {}
    someone_home = any(residence == M.Residence.WITH_ELDER for _relation, residence in living)
    if arrangement:
        facts[C.ALONE.value] = {
            "source": "household", "value": arrangement == L.ALONE and not someone_home, "why": "arrangement",
        }
    if arrangement == L.INSTITUTION or arrangement == L.CHILDREN:
        facts[C.EMPTY_NEST.value] = {"source": "household", "value": False, "why": "arrangement"}
    elif recorded and (children or arrangement in (L.ALONE, L.SPOUSE)):
        near = any(r in NEAR for r in children)
        facts[C.EMPTY_NEST.value] = {"source": "household", "value": not near, "why": "children"}
    elif arrangement in (L.ALONE, L.SPOUSE):
        facts[C.EMPTY_NEST.value] = {"source": "household", "value": True, "why": "arrangement"}
    if recorded:
        spouse = any(relation == M.Relation.SPOUSE for relation, _r in living)
        facts[C.WITHOUT_FAMILY.value] = {
            "source": "household", "value": not spouse and not children, "why": "members",
        }
    return facts


def in_force(current: Iterable[str], derived: dict, overrides: dict) -> list[str]:
    """The categories in force: an override, else the data, else the manual value."""
    chosen = set(current)
    for category in DERIVED:
        decided = overrides.get(category) or derived.get(category)
        if decided is None:
            continue
        if decided["value"]:
            chosen.add(category)
        else:
            chosen.discard(category)
    return sorted(chosen, key=CATEGORY_ORDER.__getitem__)


def apply(elder: Elder) -> bool:
    """Put the categories in force on the elder (unsaved); whether they changed."""
    before = elder.categories_text
    elder.categories = in_force(elder.categories, elder.derived_categories, elder.category_overrides)
    return elder.categories_text != before


def manual_choices(elder: Elder | None) -> list[str]:
    """Categories a person sets by hand on this elder: every non-derivable one, and a
    derivable one while there are no data for it (the data decide the others; an override
    corrects them)."""
    derived = elder.derived_categories if elder is not None else {}
    return [c for c in C.values if c not in DERIVED or c not in derived]


def _reason(category: str, facts: dict) -> str:
    if facts["source"] == "assessment":
        if category == C.DISABLED:
            return _("%(level)s per the signed assessment of %(date)s") % {
                "level": LEVEL_LABELS.get(facts["level"], facts["level"]), "date": facts["on"]}
        if facts["value"]:
            return _("dementia diagnosed (%(codes)s) per the signed assessment of %(date)s") % {
                "codes": ", ".join(facts["codes"]), "date": facts["on"]}
        return _("no dementia diagnosis in the signed assessment of %(date)s") % {"date": facts["on"]}
    if category == C.ALONE:
        return _("lives alone per household record") if facts["value"] else _(
            "does not live alone per household record")
    if category == C.EMPTY_NEST:
        if facts["why"] == "children":
            return _("no child lives with the elder, per household record") \
                if facts["value"] else _("a child lives with the elder, per household record")
        return _("lives alone or with a spouse only, per household record") if facts["value"] else _(
            "lives with children or in an institution, per household record")
    return _("no living spouse and no living child, per household record") if facts["value"] else _(
        "has a living spouse or child, per household record")


def details(elder: Elder) -> list[dict]:
    """Every category in force, and every derived one an override cleared, as
    {code, label, in_force, source ("assessment", "household", "override", "manual"), reason,
    and for an override: by, at, and the reason the data gave}."""
    rows = []
    current = set(elder.categories)
    for code in C.values:
        override = elder.category_overrides.get(code)
        facts = elder.derived_categories.get(code)
        if code not in current and override is None:
            continue
        row = {"code": code, "label": str(C(code).label), "in_force": code in current}
        if override is not None:
            row.update(source="override", reason=override["reason"], by=override.get("by_name", ""),
                       at=override.get("at", ""),
                       data_reason=_reason(code, facts) if facts else "")
        elif facts is not None:
            row.update(source=facts["source"], reason=_reason(code, facts))
        else:
            row.update(source="manual", reason=_("recorded by hand"))
        rows.append(row)
    return rows
