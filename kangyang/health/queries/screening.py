"""Reads of the health app's screening topic: an elder's screenings, referrals and home sickbeds,
the doctor's panel (positive screenings not yet referred, referrals awaiting their return, open
sickbeds) and the list of referrals. Staff reads of an elder's health data are audited here
(`audit_read`), so that pages and API audit alike."""

from django.db.models import Exists, OuterRef
from django.http import Http404

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.health import screening_tools
from kangyang.health.models import Referral, Screening, Sickbed
from kangyang.health.actions import audit_read as health_audit_read

PANEL_ROWS = 20
OPEN_REFERRAL = (Referral.Status.SENT, Referral.Status.RECEIVED)


def audit_read(user, *, verb: str, target=None, region_code: str = "", n: int | None = None) -> None:
    health_audit_read(user, target, verb=verb, region_code=region_code, changes={"n": n} if n is not None else None)


def screenings_for(user):
    return Screening.objects.visible_to(user).select_related("elder", "team")


def referrals_for(user, *, status: str = "", elder=None):
    qs = Referral.objects.visible_to(user).select_related("elder", "to_institution", "from_team")
    if status:
        qs = qs.filter(status=status)
    if elder is not None:
        qs = qs.filter(elder=elder)
    return qs


def sickbeds_for(user, *, open_only: bool = False):
    qs = Sickbed.objects.visible_to(user).select_related("elder", "institution")
    return qs.filter(closed_on__isnull=True) if open_only else qs


def _get(qs, pk):
    try:
        return qs.get(pk=pk)
    except (Referral.DoesNotExist, Sickbed.DoesNotExist, Screening.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def get_referral_for(user, referral_id) -> Referral:
    return _get(referrals_for(user), referral_id)


def get_sickbed_for(user, sickbed_id) -> Sickbed:
    return _get(sickbeds_for(user), sickbed_id)


def result_words(screening: Screening) -> str:
    """The result as people say it: "positive, further assessment advised" or "negative"."""
    from django.utils.translation import gettext as _

    return _("positive: further assessment advised") if screening.positive else _("negative")


def answer_rows(screening: Screening) -> list[tuple[str, str]]:
    """(question, answer) in words, for showing a screening."""
    tool = screening_tools.INSTRUMENTS.get(screening.tool)
    if tool is None:
        return []
    rows = []
    for item in tool.items:
        choice = item.choice(screening.answers.get(item.key))
        rows.append((str(item.text), str(choice.label) if choice else "—"))
    return rows


def elder_section(user, elder):
    """The screening part of an elder's health page (/health/elders/<id>/), already allowed to the user
    (scope.reads_health): a dict for health/elder/_screening.html, or None when there is nothing to show."""
    screenings = list(Screening.objects.filter(elder=elder).select_related("team")[:20])
    referrals = list(Referral.objects.filter(elder=elder).select_related("to_institution", "from_team")[:20])
    sickbeds = list(Sickbed.objects.filter(elder=elder).select_related("institution")[:20])
    writes = scope.writes_health(user, elder)
    if not (screenings or referrals or sickbeds or writes):
        return None
    audit_read(user, verb="health.screening.elder", target=elder, region_code=elder.region_code)
    for s in screenings:
        s.result_words = result_words(s)
        s.max_score = screening_tools.INSTRUMENTS[s.tool].max_score if s.tool in screening_tools.INSTRUMENTS else None
    return {
        "elder": elder, "screenings": screenings, "referrals": referrals, "sickbeds": sickbeds,
        "writes": writes, "open_sickbed": next((b for b in sickbeds if b.closed_on is None), None),
        "instruments": list(screening_tools.INSTRUMENTS.values()),
    }


def positive_unreferred(user):
    """Positive screenings of elders with no referral sent on or after the screening."""
    later = Referral.objects.filter(elder_id=OuterRef("elder_id"), referred_on__gte=OuterRef("screened_on"))
    return screenings_for(user).filter(positive=True).filter(~Exists(later))


def panel_section(user):
    """The screening part of the health panel (/health/) for this user: a dict for the template
    health/panel/_screening.html, or None when it has nothing for them."""
    if user.role != User.Role.DOCTOR or not scope.team_ids(user):
        return None
    positives = list(positive_unreferred(user)[:PANEL_ROWS])
    awaiting = list(referrals_for(user).filter(status__in=OPEN_REFERRAL).order_by("referred_on", "pk")[:PANEL_ROWS])
    sickbeds = list(sickbeds_for(user, open_only=True).order_by("opened_on", "pk")[:PANEL_ROWS])
    if not (positives or awaiting or sickbeds):
        return None
    audit_read(user, verb="health.screening.panel", n=len(positives) + len(awaiting) + len(sickbeds))
    return {"positives": positives, "awaiting": awaiting, "sickbeds": sickbeds}
