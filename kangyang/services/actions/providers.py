"""Providers, their service areas and prices, the catalogue, and caregivers with their
skills and shifts. The bureau registers providers and keeps the catalogue; a provider's
manager keeps its prices and caregivers."""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, phone as phones
from kangyang.regions.models import Region
from kangyang.services import queries
from kangyang.services.actions._common import invalid
from kangyang.services.models import Caregiver, Provider, ProviderPrice, ServiceArea, ServiceItem, Shift, Skill
from kangyang.allowances.actions import to_money
from kangyang.allowances.models import VOUCHER_KINDS

R = scope.R


def _check_manager(by, provider: Provider) -> None:
    """The provider's manager or the bureau; `by=None` is the installation itself (demo, seed)."""
    if by is not None and not (queries.manages(by, provider.pk) or scope.bureau_of(by, provider.region_code)):
        raise PermissionDenied


def _check_areas(areas: Iterable[Region]) -> list[Region]:
    areas = list({r.pk: r for r in areas}.values())
    if not areas:
        raise invalid("areas", _("Choose at least one region the provider serves."), "areas")
    if any(r.level not in ServiceArea.LEVELS for r in areas):
        raise invalid("areas", _("A provider serves districts, subdistricts or communities."), "area_level")
    return areas


def _check_not_barred(organisation: Organisation) -> None:
    """A blacklisted organisation gets no new purchased services anywhere (issue 16): no
    registration as a provider, no new prices or service areas while the bar holds."""
    if organisation.is_barred():
        raise invalid("organisation", _("%(name)s is blacklisted: it cannot take on new services while the "
                                        "blacklist holds.") % {"name": organisation.name}, "barred")


def _check_hours(opens_at: dt.time, closes_at: dt.time, open_days: str) -> None:
    if closes_at <= opens_at:
        raise invalid("closes_at", _("Closing time is after opening time."), "hours")
    if not open_days or any(d not in "1234567" for d in open_days):
        raise invalid("open_days", _("Give the weekdays it works as digits 1 (Monday) to 7 (Sunday)."), "open_days")


@transaction.atomic
def register_provider(*, by, organisation: Organisation, areas: Iterable[Region], licence_number: str = "",
                      licence_valid_until: dt.date | None = None, phone: str = "", address: str = "",
                      lat: float | None = None, lng: float | None = None, opens_at: dt.time = dt.time(7),
                      closes_at: dt.time = dt.time(20), open_days: str = "1234567") -> Provider:
    """The bureau contracts an organisation to deliver home services in some regions, all of
    them inside its own area (accounts/scope.py). An organisation is one provider."""
    areas = _check_areas(areas)
    if by is not None and not scope.can_register_provider(
            by, seat_code=organisation.region.code, area_codes=[r.code for r in areas]):
        raise PermissionDenied
    _check_not_barred(organisation)
    if Provider.objects.filter(organisation=organisation).exists():
        raise invalid("organisation", _("This organisation is already a provider."), "duplicate")
    if organisation.kind not in (Organisation.Kind.PROVIDER, Organisation.Kind.INSTITUTION, Organisation.Kind.MEAL_POINT):
        raise invalid("organisation", _("Only providers, institutions and meal points deliver home services."), "kind")
    _check_hours(opens_at, closes_at, open_days)
    provider = Provider.objects.create(
        organisation=organisation, region_code=organisation.region.code, licence_number=licence_number.strip(),
        licence_valid_until=licence_valid_until, phone=phone.strip(), address=address.strip(), lat=lat, lng=lng,
        opens_at=opens_at, closes_at=closes_at, open_days="".join(sorted(set(open_days))),
    )
    set_service_areas(provider, by=by, areas=areas, audit=False)
    record(by, AuditEntry.Action.CREATE, provider, verb="provider.register",
           changes={"organisation": organisation.pk, "areas": sorted(provider.areas.values_list("region_code", flat=True))})
    return provider


@transaction.atomic
def set_service_areas(provider: Provider, *, by, areas: Iterable[Region], audit: bool = True) -> Provider:
    """The regions the provider serves, replacing the earlier ones; the bureau's, inside its area."""
    areas = _check_areas(areas)
    if by is not None and not scope.can_register_provider(
            by, seat_code=provider.region_code, area_codes=[r.code for r in areas]):
        raise PermissionDenied
    _check_not_barred(provider.organisation)
    provider.areas.all().delete()
    ServiceArea.objects.bulk_create([ServiceArea(provider=provider, region=r, region_code=r.code) for r in areas])
    if audit:
        record(by, AuditEntry.Action.CHANGE, provider, verb="provider.areas",
               changes={"areas": sorted(r.code for r in areas)})
    return provider


# What update_provider changes; the areas have their own action (set_service_areas).
PROVIDER_FIELDS = ("licence_number", "licence_valid_until", "phone", "address", "lat", "lng",
                   "opens_at", "closes_at", "open_days", "active")


@transaction.atomic
def update_provider(provider: Provider, *, by, **changes) -> Provider:
    """The bureau changes a provider's hours, licence, contact or whether it is active;
    only the fields given change, and the audit entry lists them as [before, after]."""
    if by is not None and not scope.bureau_of(by, provider.region_code):
        raise PermissionDenied
    if unknown := set(changes) - set(PROVIDER_FIELDS):
        raise TypeError(f"update_provider() got unknown fields: {sorted(unknown)}")
    for field in ("licence_number", "phone", "address"):
        if field in changes:
            changes[field] = (changes[field] or "").strip()
    if "open_days" in changes:
        changes["open_days"] = "".join(sorted(set(changes["open_days"] or "")))
    _check_hours(changes.get("opens_at", provider.opens_at), changes.get("closes_at", provider.closes_at),
                 changes.get("open_days", provider.open_days))
    if ("lat" in changes) != ("lng" in changes) or (changes.get("lat") is None) != (changes.get("lng") is None):
        raise invalid("lat", _("Give both latitude and longitude, or neither."), "coord")
    diff = {f: [str(getattr(provider, f)), str(v)] for f, v in changes.items() if getattr(provider, f) != v}
    if not diff:
        return provider
    for field, value in changes.items():
        setattr(provider, field, value)
    provider.save(update_fields=list(changes))
    record(by, AuditEntry.Action.CHANGE, provider, verb="provider.update", changes=diff)
    return provider


@transaction.atomic
def add_service_item(*, by, code: str, name: str, category: str, unit: str, duration_minutes: int,
                     skill: str = "", payable_by: Iterable[str] = (), description: str = "",
                     position: int = 0) -> ServiceItem:
    """A new entry of the catalogue (the bureau's)."""
    if by is not None and not scope.is_bureau(by):
        raise PermissionDenied
    if category not in ServiceItem.Category.values:
        raise invalid("category", _("Unknown category."), "category")
    if unit not in ServiceItem.Unit.values:
        raise invalid("unit", _("Unknown unit."), "unit")
    if skill and skill not in Skill.values:
        raise invalid("skill", _("Unknown skill."), "skill")
    if not 1 <= duration_minutes <= 24 * 60:
        raise invalid("duration_minutes", _("Between 1 minute and a day."), "duration")
    payable = set(payable_by)
    if payable - set(VOUCHER_KINDS):
        raise invalid("payable_by", _("Only the service allowance and the consumption voucher pay for services."), "payable_by")
    if ServiceItem.objects.filter(code=code).exists():
        raise invalid("code", _("This code is taken."), "duplicate")
    item = ServiceItem(code=code, name=name.strip(), category=category, unit=unit, duration_minutes=duration_minutes,
                       skill=skill, description=description.strip(), position=position)
    item.payable_by = payable
    item.save()
    record(by, AuditEntry.Action.CREATE, item, verb="service_item.create", changes={"code": code})
    return item


@transaction.atomic
def set_price(provider: Provider, *, by, item: ServiceItem, price, active: bool = True) -> ProviderPrice:
    """What the provider charges for an item, per unit (or that it stops offering it)."""
    _check_manager(by, provider)
    if active:  # stopping an offer is always allowed
        _check_not_barred(provider.organisation)
    amount: Decimal = to_money(price, field="price")
    offer, created = ProviderPrice.objects.update_or_create(
        provider=provider, item=item, defaults={"price": amount, "active": active})
    record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, offer, verb="provider.price",
           region_code=provider.region_code, changes={"item": item.code, "price": str(amount), "active": active})
    return offer


def _check_skills(skills: Iterable[str]) -> list[str]:
    skills = sorted(set(skills))
    if unknown := [s for s in skills if s not in Skill.values]:
        raise invalid("skills", _("Unknown skills: %(skills)s.") % {"skills": ", ".join(unknown)}, "skill")
    return skills


def _check_home(lat, lng) -> None:
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):
        raise invalid("home_lat", _("Give both latitude and longitude of the home base, or neither."), "coord")


@transaction.atomic
def add_caregiver(provider: Provider, *, by, name: str, skills: Iterable[str], phone: str = "",
                  level: int | None = None, certificate_number: str = "", home_lat: float | None = None,
                  home_lng: float | None = None, user=None, audit: bool = True) -> Caregiver:
    """A new caregiver of the provider, with the skills they may deliver."""
    _check_manager(by, provider)
    name = name.strip()
    if not name:
        raise invalid("name", _("Enter the caregiver's real name."), "required")
    if level is not None and level not in Caregiver.Level.values:
        raise invalid("level", _("Unknown qualification level."), "level")
    _check_home(home_lat, home_lng)
    if user is not None and (user.role != R.CAREGIVER or user.organisation_id != provider.organisation_id):
        raise invalid("user", _("The account is not a caregiver account of this provider."), "user")
    caregiver = Caregiver(provider=provider, region_code=provider.region_code, name=name, level=level,
                          certificate_number=certificate_number.strip(), home_lat=home_lat, home_lng=home_lng, user=user)
    caregiver.skills = _check_skills(skills)
    if phone.strip():
        number = phones.normalise(phone)
        caregiver.phone_encrypted, caregiver.phone_masked = crypto.encrypt(number), phones.mask(number)
    caregiver.save()
    if audit:
        record(by, AuditEntry.Action.CREATE, caregiver, verb="caregiver.create", changes={"skills": caregiver.skills})
    return caregiver


@transaction.atomic
def update_caregiver(caregiver: Caregiver, *, by, skills: Iterable[str] | None = None, level: int | None = None,
                     active: bool | None = None, home_lat: float | None = None, home_lng: float | None = None) -> Caregiver:
    """Change a caregiver's skills, level, home base or whether they work at all."""
    _check_manager(by, caregiver.provider)
    changes = {}
    if skills is not None:
        new = _check_skills(skills)
        changes["skills"] = [caregiver.skills, new]
        caregiver.skills = new
    if level is not None:
        if level not in Caregiver.Level.values:
            raise invalid("level", _("Unknown qualification level."), "level")
        changes["level"] = [caregiver.level, level]
        caregiver.level = level
    if active is not None:
        changes["active"] = [caregiver.active, active]
        caregiver.active = active
    if home_lat is not None or home_lng is not None:
        _check_home(home_lat, home_lng)
        caregiver.home_lat, caregiver.home_lng = home_lat, home_lng
        changes["home"] = "changed"  # a place, not kept in the log
    caregiver.save()
    record(by, AuditEntry.Action.CHANGE, caregiver, verb="caregiver.update", changes=changes)
    return caregiver


@transaction.atomic
def set_shifts(caregiver: Caregiver, *, by, shifts: Mapping[int, tuple[dt.time, dt.time]], audit: bool = True) -> Caregiver:
    """The caregiver's weekly hours: weekday (1 Monday … 7 Sunday) → (from, until), replacing
    the earlier ones; a weekday left out is a day off."""
    _check_manager(by, caregiver.provider)
    for weekday, (start, end) in shifts.items():
        if weekday not in range(1, 8):
            raise invalid("shifts", _("Weekdays are 1 (Monday) to 7 (Sunday)."), "weekday")
        if end <= start:
            raise invalid("shifts", _("A shift ends after it starts."), "hours")
    caregiver.shifts.all().delete()
    Shift.objects.bulk_create([Shift(caregiver=caregiver, weekday=d, starts_at=s, ends_at=e)
                               for d, (s, e) in sorted(shifts.items())])
    if audit:
        record(by, AuditEntry.Action.CHANGE, caregiver, verb="caregiver.shifts",
               changes={str(d): [s.strftime("%H:%M"), e.strftime("%H:%M")] for d, (s, e) in sorted(shifts.items())})
    return caregiver

