"""The ledger in words, as the volunteer's page, the elder's card and the statements say it:
each movement with what it was for ("探访 王秀英", "兑换 助浴 × 1", "转赠给 张桂兰") and its
hours ("+1.5 小时"). The sources of a page of entries are looked up together, a query per kind."""

import dataclasses
import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.timebank.models import Account, Entry

K = Entry.Kind


def hours_number(minutes: int) -> float:
    """Minutes as hours, a number (statements): 90 → 1.5, 20 → 0.33."""
    return round(minutes / 60, 2)


def hours_figure(minutes: int) -> str:
    """"1.5", "12", "0.33": hours without a unit."""
    hours = minutes / 60
    return f"{hours:g}" if hours == round(hours, 2) else f"{hours:.2f}"


def hours_words(minutes: int) -> str:
    """"1.5 hours" (一个半小时 is not worth the grammar: "1.5 小时")."""
    return _("%(hours)s hours") % {"hours": hours_figure(minutes)}


def signed_hours_words(minutes: int) -> str:
    """"+1.5 hours", "−2 hours"."""
    sign = "+" if minutes > 0 else "−"
    return sign + hours_words(abs(minutes))


def balance_words(minutes: int) -> str:
    """The balance as a sentence: "You have 12.5 hours." """
    if minutes == 0:
        return _("You have no hours yet.")
    return _("You have %(hours)s hours.") % {"hours": hours_figure(minutes)}


@dataclasses.dataclass
class Line:
    """One movement as a person reads it."""

    entry: Entry
    when: dt.datetime  # local time
    kind: str  # the kind in words
    what: str  # what it was for, with whom
    hours: str  # signed, in words
    minutes: int  # signed
    balance_after: int
    after_words: str  # the balance after it, in words


def _ids(entries, prefix: str) -> set[int]:
    found = set()
    for e in entries:
        if e.source.startswith(prefix):
            try:
                found.add(int(e.source.split(":", 1)[1]))
            except ValueError:
                continue
    return found


def _sources(entries) -> dict[str, str]:
    """source → the person or thing it names, for the entries' sources."""
    from kangyang.services.models import Order, ServiceItem
    from kangyang.timebank.models import Attendance
    from kangyang.visits.models import CareVisit

    names: dict[str, str] = {}
    for pk, name in CareVisit.objects.filter(pk__in=_ids(entries, "care_visit:")).values_list("pk", "elder__name"):
        names[f"care_visit:{pk}"] = _("Visit to %(name)s") % {"name": name}
    for pk, name, item in Order.objects.filter(pk__in=_ids(entries, "order:")).values_list(
            "pk", "elder__name", "item__name"):
        names[f"order:{pk}"] = _("%(service)s for %(name)s") % {"service": item, "name": name}
    for pk, title in Attendance.objects.filter(pk__in=_ids(entries, "attendance:")).values_list(
            "pk", "activity__title"):
        names[f"attendance:{pk}"] = _("Activity: %(title)s") % {"title": title}
    codes = {e.source.split(":", 1)[1] for e in entries if e.source.startswith("service_item:")}
    for code, name in ServiceItem.objects.filter(code__in=codes).values_list("code", "name"):
        names[f"service_item:{code}"] = name
    return names


def _holders(entries) -> dict[int, str]:
    ids = {getattr(e, "counterpart_id", None) for e in entries} - {None}
    return {a.pk: str(a) for a in Account.objects.filter(pk__in=ids).select_related("elder")}


def describe(entries) -> list[Line]:
    """Each entry (from queries.history or queries.statement, with `counterpart_id`) in words."""
    entries = list(entries)
    sources = _sources(entries)
    holders = _holders(entries)
    lines = []
    for e in entries:
        other = holders.get(getattr(e, "counterpart_id", None), "")
        if e.kind == K.DEPOSIT:
            what = sources.get(e.source) or e.memo or _("Verified help")
        elif e.kind == K.REDEMPTION:
            what = _("Spent on %(service)s") % {"service": e.memo or sources.get(e.source) or e.source}
        elif e.kind == K.TRANSFER:
            what = (_("Transferred to %(name)s") if e.amount_minutes < 0 else _("Transferred from %(name)s")) % {
                "name": other}
        else:
            what = (_("Donated to %(name)s") if e.amount_minutes < 0 else _("Donated by %(name)s")) % {"name": other}
        lines.append(Line(entry=e, when=timezone.localtime(e.created_at), kind=str(Entry.Kind(e.kind).label),
                          what=what, hours=signed_hours_words(e.amount_minutes), minutes=e.amount_minutes,
                          balance_after=e.balance_after, after_words=hours_words(e.balance_after)))
    return lines


def masked_name(name: str) -> str:
    """An elder's name as a need nearby shows it before anyone took it: the family name only
    (王**); the visitor sees the rest on her visits board once the visit is hers."""
    name = name or ""
    return name[:1] + "*" * max(len(name) - 1, 1)
