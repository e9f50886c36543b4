"""Writes of the health app's contracts topic: signing, renewing and ending family-doctor
contracts (家庭医生签约), the registry's health summary kept in step with them, the health
centre's resident counts, and the renewal reminders (a daily pass of the worker).

Rules of a contract:
* the team must serve the elder's area (its `area_code` a prefix of the elder's region code) and
  be active; the package must be offered;
* the term is a year by default (from the day signed, until the day before the same date a
  year later); an elder has at most one contract in force on any day — a contract whose term
  overlaps one not ended is refused;
* a renewal starts the day after the old contract's end and names it (`renewed_from`);
* ending early keeps the contract, with the day and the reason.

The registry's summary (registry.HealthRecord: family_doctor_contract, family_doctor,
contract_signed_on) is recomputed after each write from the contract in force today.

Renewal reminders: at KANGYANG_CONTRACT_RENEWAL_DAYS, 7 and 0 days before `ends_on` (the
licences' thresholds, accounts/licences.py), once per contract and threshold (ContractReminder),
to the team's members with an account and to the elder's own account, through notify.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import licences, scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.health.models import Contract, ContractReminder, ResidentCount, ServicePackage, Team
from kangyang.health.models.contracts import valid_on

log = logging.getLogger("kangyang.health.contracts")

MAX_END_REASON = 200



def team_of(by, elder, day: dt.date | None = None) -> Team | None:
    """The recorder's team that holds the elder's contract in force on `day` (or else today): the
    team a check-up, follow-up, screening or referral she records is made by; None for anyone
    else (an area worker recording what she was told)."""
    teams = scope.team_ids(by)
    if not teams:
        return None
    mine = Contract.objects.filter(elder=elder, team_id__in=teams).select_related("team").order_by("-starts_on", "pk")
    today = timezone.localdate()
    contract = mine.filter(valid_on(day or today)).first() or (mine.filter(valid_on(today)).first() if day else None)
    return contract.team if contract else None

def _bad(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def default_end(starts_on: dt.date, years: int = 1) -> dt.date:
    """The day before the same date `years` later (29 February → 28 February)."""
    try:
        same = starts_on.replace(year=starts_on.year + years)
    except ValueError:
        same = starts_on.replace(year=starts_on.year + years, day=28) + dt.timedelta(days=1)
    return same - dt.timedelta(days=1)


def serves(team: Team, region_code: str) -> bool:
    """Whether the team serves a community: its area's code (or leading digits) begins the region code."""
    return bool(team.area_code) and region_code.startswith(_area_prefix(team.area_code))


def teams_serving(region_code: str):
    """The active teams whose area covers a community (its own, its subdistrict's, its district's)."""
    codes = {region_code, region_code[:9] + "000", region_code[:6] + "000000", region_code[:4] + "0" * 8}
    return Team.objects.filter(active=True, area_code__in=codes).select_related("institution").order_by("name")


def _area_prefix(code: str) -> str:
    """A region code's meaningful digits (a subdistrict 360103001000 → 360103001)."""
    from kangyang.regions import codes

    return codes.prefix(code) if len(code) == 12 else code


def _check(elder, team: Team, package: ServicePackage, starts_on: dt.date, ends_on: dt.date, *,
           exclude: int | None = None) -> None:
    if not team.active:
        raise _bad("team", _("This family-doctor team is no longer active."))
    if not serves(team, elder.region_code):
        raise _bad("team", _("This team does not serve the elder's community."), "area")
    if not package.active:
        raise _bad("package", _("This service package is no longer offered."))
    if ends_on < starts_on:
        raise _bad("ends_on", _("The contract cannot end before it starts."))
    overlapping = Contract.objects.filter(elder=elder, starts_on__lte=ends_on, ends_on__gte=starts_on).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=starts_on))
    if exclude:
        overlapping = overlapping.exclude(pk=exclude)
    if overlapping.exists():
        raise _bad("starts_on", _("The elder already has a contract in force in this term: end it or renew it."),
                    "overlap")


@transaction.atomic
def sign_contract(*, elder, team: Team, package: ServicePackage, signed_on: dt.date | None = None,
                  starts_on: dt.date | None = None, ends_on: dt.date | None = None, by=None,
                  renewed_from: Contract | None = None) -> Contract:
    """Sign a contract for the elder with the team. Term: from `starts_on` (the day signed) for a year."""
    signed_on = signed_on or timezone.localdate()
    starts_on = starts_on or signed_on
    ends_on = ends_on or default_end(starts_on)
    # One writer per elder at a time: the overlap check and the insert are not raced.
    type(elder).objects.select_for_update().filter(pk=elder.pk).first()
    _check(elder, team, package, starts_on, ends_on)
    contract = Contract.objects.create(elder=elder, team=team, package=package, signed_on=signed_on,
                                       starts_on=starts_on, ends_on=ends_on, renewed_from=renewed_from,
                                       signed_by=by if by is not None and by.is_authenticated else None)
    record(by, AuditEntry.Action.CREATE, contract, verb="health.contract.renew" if renewed_from else "health.contract.sign",
           changes={"team": team.pk, "package": package.pk, "starts_on": starts_on.isoformat(),
                    "ends_on": ends_on.isoformat()}, region_code=elder.region_code)
    sync_health_record(elder)
    return contract


def renew_contract(contract: Contract, *, by=None, package: ServicePackage | None = None,
                   signed_on: dt.date | None = None, team: Team | None = None) -> Contract:
    """A new contract from the day after the old one's end, for a year, naming it."""
    if contract.ended_on is not None:
        raise _bad("contract", _("A contract ended early cannot be renewed: sign a new one."), "ended")
    if Contract.objects.filter(renewed_from=contract).exists():
        raise _bad("contract", _("This contract has already been renewed."), "renewed")
    starts_on = contract.ends_on + dt.timedelta(days=1)
    return sign_contract(elder=contract.elder, team=team or contract.team, package=package or contract.package,
                         signed_on=signed_on or min(timezone.localdate(), starts_on), starts_on=starts_on,
                         by=by, renewed_from=contract)


@transaction.atomic
def end_contract(contract: Contract, *, reason: str, on: dt.date | None = None, by=None) -> Contract:
    """End a contract early, on `on` (today), for a reason; it is no longer in force from that day."""
    on = on or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise _bad("reason", _("Say why the contract ends."), "required")
    if "\x00" in reason:
        raise _bad("reason", _("The text contains a NUL character."))
    if len(reason) > MAX_END_REASON:
        raise _bad("reason", _("Keep the reason to %(n)d characters.") % {"n": MAX_END_REASON}, "max_length")
    contract = Contract.objects.select_for_update().select_related("elder").get(pk=contract.pk)  # two ends at once: one
    if contract.ended_on is not None:
        raise _bad("on", _("This contract has already ended."), "ended")
    if on < contract.starts_on or on > contract.ends_on:
        raise _bad("on", _("The day must fall within the contract's term."), "term")
    contract.ended_on, contract.end_reason = on, reason
    contract.save(update_fields=["ended_on", "end_reason"])
    record(by, AuditEntry.Action.CHANGE, contract, verb="health.contract.end",
           changes={"ended_on": on.isoformat()}, region_code=contract.elder.region_code)
    sync_health_record(contract.elder)
    return contract




def sync_health_record(elder, today: dt.date | None = None) -> None:
    """registry.HealthRecord's summary from the contract in force today (created if missing)."""
    from kangyang.registry.models import HealthRecord

    today = today or timezone.localdate()
    contract = (Contract.objects.filter(valid_on(today), elder=elder)
                .select_related("team__institution").order_by("-starts_on").first())
    if contract is None:
        values = {"family_doctor_contract": False, "family_doctor": "", "contract_signed_on": None}
    else:
        lead = contract.team.lead_doctor()
        name = f"{lead.name}（{contract.team.institution.name}）" if lead else contract.team.institution.name
        values = {"family_doctor_contract": True, "family_doctor": name[:100],
                  "contract_signed_on": contract.signed_on}
    HealthRecord.objects.update_or_create(elder=elder, defaults={"region_code": elder.region_code, **values})


# -- resident counts --------------------------------------------------------------------------
def record_resident_count(*, region, as_of: dt.date, residents: int, contracted: int, by=None) -> ResidentCount:
    """The health centre's figures for a community on a day (a second report of the day replaces the first)."""
    from kangyang.regions.models import Region

    if region.level != Region.Level.COMMUNITY:
        raise _bad("region", _("Resident counts are given per community."))
    if residents < 0 or contracted < 0:
        raise _bad("residents", _("Counts cannot be negative."))
    if contracted > residents:
        raise _bad("contracted", _("There cannot be more residents with a contract than residents."))
    if as_of > timezone.localdate():
        raise _bad("as_of", _("The day cannot be in the future."))
    count, _created = ResidentCount.objects.update_or_create(
        region=region, as_of=as_of, defaults={"residents": residents, "contracted": contracted,
                                              "reported_by": by if by is not None and by.is_authenticated else None,
                                              "reported_at": timezone.now()})
    record(by, AuditEntry.Action.CREATE, count, verb="health.resident_count",
           changes={"residents": residents, "contracted": contracted, "as_of": as_of.isoformat()},
           region_code=region.code)
    return count


# -- renewal reminders (daily) ----------------------------------------------------------------
def threshold_due(days_left: int) -> int | None:
    return licences.threshold_due(days_left, first=settings.KANGYANG_CONTRACT_RENEWAL_DAYS)


def remind_renewals_once(today: dt.date | None = None) -> int:
    """One pass: remind of each contract in force, not renewed, whose threshold is due today and
    not reminded yet. Returns how many reminders."""
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=licences.CATCH_UP_DAYS)
    end = today + dt.timedelta(days=settings.KANGYANG_CONTRACT_RENEWAL_DAYS)
    contracts = (Contract.objects.filter(ends_on__range=(start, end), ended_on__isnull=True, renewal__isnull=True)
                 .select_related("elder__user", "team__institution").order_by("pk"))
    return sum(_remind(c, today=today) for c in contracts)


@transaction.atomic
def _remind(contract: Contract, *, today: dt.date) -> bool:
    from kangyang.notify import actions as notify
    from kangyang.notify import queries as notify_queries
    from kangyang.notify.models import Kind

    threshold = threshold_due((contract.ends_on - today).days)
    if threshold is None:
        return False
    try:
        with transaction.atomic():  # the claim: a second pass or worker finds it taken
            reminder = ContractReminder.objects.create(contract=contract, days_before=threshold)
    except IntegrityError:
        return False
    context = {"elder": contract.elder.name, "team": contract.team.name, "date": contract.ends_on.isoformat()}
    people = [(m.user, "doctor") for m in contract.team.members.select_related("user")
              if m.user is not None and m.user.is_active]
    user = getattr(contract.elder, "user", None)
    if user is not None and user.is_active:
        people.append((user, "elder"))
    told = 0
    for person, audience in people:
        queued = notify.notify(notify_queries.recipient_for(person, audience=audience),
                               template="health.contract_renewal", context=context, kind=Kind.HEALTH,
                               key=f"health_contract:{contract.pk}:{threshold}:user:{person.pk}",
                               region_code=contract.elder.region_code)
        told += bool(queued)
    record(None, AuditEntry.Action.CREATE, reminder, verb="health.contract_reminder",
           changes={"threshold": threshold, "ends_on": contract.ends_on.isoformat(), "recipients": told},
           region_code=contract.elder.region_code)
    log.info("contract %d ends %s: %d-day reminder to %d people", contract.pk, contract.ends_on, threshold, told)
    return True
