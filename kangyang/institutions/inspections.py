"""Random inspections (双随机、一公开) without the database: the checklist as data, and the draw.

The draw
========

Anyone holding a plan's published seed and frozen pools can re-run its draw, in any language,
with SHA-256 alone (no random-number generator whose state depends on a library version):

Inputs: `seed` (text), the target pool (each institution's id, its organisation's id and
whether it is *due*: not inspected on site in the plan's year, nor already planned to be), the
inspector pool (user ids), the conflicts of interest (pairs inspector id × organisation id),
`target_count` and `inspectors_per_target` (k).

    key(text) = the lowercase hex SHA-256 of the UTF-8 text

1. Targets. Order the due institutions by key(f"{seed}:target:{id}"), then the others by the
   same key; take the first `target_count` of that list (all of them when the pool is
   smaller). So every institution not yet inspected on site this year is drawn before any
   that has been: a plan that draws at least as many as are due covers them all, which is
   how every institution is inspected on site at least once a year.
2. Inspectors. Round r (r = 0, 1, 2, …) is the whole inspector pool ordered by
   key(f"{seed}:inspectors:{r}:{id}"); the rounds laid end to end form a queue. For each
   drawn target in the order of step 1, walk the queue from its front and take the first k
   inspectors who have no conflict with the target's organisation and are not already taken
   for this target; each one taken leaves the queue, those passed over stay where they are
   (they come first for the next target). When the queue runs out, append the next round.
   So the load is spread evenly (without conflicts, every inspector is drawn once a round;
   one passed over for a conflict keeps their turn), and the pairs change from round to round.
3. The result is the list of {"institution": id, "inspectors": [ids in the order taken]} in
   the order of step 1.

The draw is refused, in words, when the inspector pool has fewer than k inspectors without
a conflict for a drawn institution (`DrawRefused`).

`key` is written with `str(id)` of the integer ids in decimal, and ids are compared as
integers where the pools are sorted; seeds are the plan's `seed` field as stored.
"""

import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["CHECKLIST", "ITEMS", "SECTIONS", "Item", "Section", "DrawRefused", "draw", "key"]


# -- the checklist ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    code: str
    name: str  # lazy translation


@dataclass(frozen=True)
class Section:
    code: str
    name: str
    items: tuple[Item, ...]


# Codes are stable (they are stored in Answer.item and Hazard.item); names are translated.
CHECKLIST: tuple[Section, ...] = (
    # GB 38600-2019 养老机构服务安全基本规范, 5.x: the nine safety risks to assess and prevent.
    Section("risk", gettext_lazy("Safety risks (GB 38600-2019)"), (
        Item("risk.choking", gettext_lazy("Choking: risk assessed, meals supervised, texture-modified diets")),
        Item("risk.wrong_intake", gettext_lazy("Wrong food or medicine: medicines kept, checked and given by name")),
        Item("risk.pressure_injury", gettext_lazy("Pressure injury: risk assessed, turning and skin checks recorded")),
        Item("risk.scalds", gettext_lazy("Scalds: hot water and heating devices safe, bathing water checked")),
        Item("risk.bed_fall", gettext_lazy("Falls from bed: bed rails and low beds where assessed")),
        Item("risk.falls", gettext_lazy("Falls: non-slip floors, handrails, lighting, risk assessed")),
        Item("risk.wandering", gettext_lazy("Wandering off: exits watched, residents at risk identified")),
        Item("risk.harm", gettext_lazy("Harm to self or others: risk assessed, dangerous objects kept away")),
        Item("risk.activities", gettext_lazy("Accidents in activities: activities assessed and supervised")),
    )),
    Section("fire", gettext_lazy("Fire safety"), (
        Item("fire.exits", gettext_lazy("Escape routes and exits clear, signs lit")),
        Item("fire.equipment", gettext_lazy("Extinguishers, alarms and sprinklers in date and working")),
        Item("fire.electrics", gettext_lazy("No overloaded sockets, no charging of e-bikes indoors")),
        Item("fire.drills", gettext_lazy("Fire drills held and recorded, staff know the plan")),
    )),
    Section("food", gettext_lazy("Food safety"), (
        Item("food.licence", gettext_lazy("Food business licence and staff health certificates valid")),
        Item("food.storage", gettext_lazy("Raw and cooked food kept apart, fridges at temperature")),
        Item("food.samples", gettext_lazy("Samples of each meal kept for 48 hours")),
    )),
    Section("records", gettext_lazy("Records"), (
        Item("records.contracts", gettext_lazy("Service contracts signed with every resident")),
        Item("records.assessments", gettext_lazy("Capability assessments on admission and when care needs change")),
        Item("records.care_logs", gettext_lazy("Care and shift records kept")),
        Item("records.incidents", gettext_lazy("Incidents recorded and reported")),
    )),
)

SECTIONS: dict[str, Section] = {s.code: s for s in CHECKLIST}
ITEMS: dict[str, Item] = {i.code: i for s in CHECKLIST for i in s.items}


def section_of(item_code: str) -> str:
    return item_code.split(".", 1)[0]


# -- the draw ------------------------------------------------------------------------------------
class DrawRefused(ValueError):
    """The pools cannot give a result that keeps the rules; the message says why, in words."""


def key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def draw(*, seed: str, targets: list[dict], inspectors: list[int], conflicts: list, target_count: int,
         inspectors_per_target: int) -> list[dict]:
    """The draw of the module docstring. `targets`: dicts with "institution", "organisation"
    and "due"; `conflicts`: pairs [inspector id, organisation id]. Pure and deterministic."""
    k = inspectors_per_target
    if k < 1:
        raise DrawRefused(_("Each institution needs at least one inspector."))
    if target_count < 0:
        raise DrawRefused(_("The number of institutions to draw cannot be negative."))
    pool = sorted(set(int(i) for i in inspectors))
    if len(pool) < k:
        raise DrawRefused(
            _("The inspector pool has %(n)d inspectors; each institution needs %(k)d.") % {"n": len(pool), "k": k})
    barred: dict[int, set[int]] = {}
    for inspector, organisation in conflicts:
        barred.setdefault(int(organisation), set()).add(int(inspector))

    # 1. Targets: the due ones first, each group in the order of its key.
    def order(t):
        return (0 if t["due"] else 1, key(f"{seed}:target:{int(t['institution'])}"))

    chosen = sorted(targets, key=order)[:target_count]

    short = []
    for t in chosen:
        free = len(pool) - len(barred.get(int(t["organisation"]), set()) & set(pool))
        if free < k:
            short.append(str(t["institution"]))
    if short:
        raise DrawRefused(_(
            "Too few inspectors without a conflict of interest: institutions %(ids)s need %(k)d each. "
            "Add inspectors to the pool or draw fewer per institution.") % {"ids": ", ".join(short), "k": k})

    # 2. Inspectors: a queue of rounds, each the pool in the order of its round's key.
    queue: list[int] = []
    rounds = 0

    def next_round() -> None:
        nonlocal rounds
        queue.extend(sorted(pool, key=lambda i: key(f"{seed}:inspectors:{rounds}:{i}")))
        rounds += 1

    result = []
    for t in chosen:
        no = barred.get(int(t["organisation"]), set())
        taken: list[int] = []
        pos = 0
        while len(taken) < k:
            if pos >= len(queue):
                next_round()
            inspector = queue[pos]
            if inspector in no or inspector in taken:
                pos += 1
                continue
            taken.append(inspector)
            del queue[pos]
        result.append({"institution": int(t["institution"]), "inspectors": taken})
    return result
