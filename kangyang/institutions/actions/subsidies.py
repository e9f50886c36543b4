"""Operating subsidies for institutions (issue 16 §8): rates, monthly rolls per district,
approval and payment.

The rules (README "Institutions: standards, indicators and subsidies"):

* A roll covers one district and one calendar month (Asia/Shanghai); there is one per district
  and month. Generating it again while it is a draft computes it afresh from the records (the
  same records give the same lines); an approved or paid roll is never recomputed.
* Rates: the rate in force on the month's first day, of the district itself before one of the
  city above it (queries.subsidies.rates_in_force).
* Construction subsidy (建设补贴): once, on the roll of the month a newly built residential
  institution (care home, township home, subdistrict centre, embedded home; construction
  "new") opened (`opened_on`), per bed it has (`beds_total`). Where a nursing-bed rate exists
  its nursing beds are paid at it and the other beds at the general rate. A rebuilt
  institution's added beds are not recorded anywhere, so they are not paid by the roll.
* Operating subsidy (运营补贴): per occupied bed-month of each resident in the district's
  residential institutions, at the rate of the resident's capability level (their latest valid
  assessment on the month's last day; a rate for "any level" covers the levels without their
  own rate, and residents not assessed); a nursing-bed rate before a general one for a resident
  in a nursing bed. A part month counts by days: bed-days in the month (admission day counted,
  leaving day not) ÷ days in the month; a resident admitted on the 20th of a 30-day month and
  staying counts 11/30 = 0.37 of a bed-month. Quantities are summed per line (institution,
  kind, level, rate) and rounded to 2 decimals; amount = quantity × rate, rounded to the fen
  (half up). A resident no rate covers is left out.
* A roll of the running month is a draft that counts the stays as if they went on to its end;
  it is approved once its month is over.
* Who: the bureau admin whose area covers the district (scope.manages_subsidies_of) generates,
  approves (draft → approved) and marks paid (approved → paid). Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.institutions.models import SubsidyLine, SubsidyRate, SubsidyRoll
from kangyang.institutions.queries import subsidies as Q

CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def compute_lines(district_code: str, month: dt.date) -> list[SubsidyLine]:
    """The lines a roll of the district and month holds (unsaved, without their roll)."""
    _first, _last, days = Q.month_bounds(month)
    rates = Q.rates_in_force(district_code, month)
    lines: list[SubsidyLine] = []

    construction = SubsidyRate.Kind.CONSTRUCTION
    general, nursing = rates.get((construction, None, False)), rates.get((construction, None, True))
    for institution in Q.opened_new(district_code, month).order_by("region_code", "name", "id"):
        parts = []
        if nursing is not None:
            parts.append((nursing, institution.beds_nursing))
            if general is not None:
                parts.append((general, institution.beds_total - institution.beds_nursing))
        elif general is not None:
            parts.append((general, institution.beds_total))
        for rate, beds in parts:
            if beds > 0:
                quantity = Decimal(beds)
                lines.append(SubsidyLine(institution=institution, rate=rate, kind=construction, care_level=None,
                                         quantity=quantity, amount=_money(quantity * rate.amount)))

    bed_days: dict[tuple, int] = defaultdict(int)
    for stay in Q.occupied_bed_days(district_code, month):
        rate = Q.operating_rate(rates, level=stay.level, nursing=stay.bed == "nursing")
        if rate is not None:
            bed_days[(stay.institution_id, stay.level, rate)] += stay.days
    for (institution_id, level, rate), total in sorted(
            bed_days.items(), key=lambda kv: (kv[0][0], -1 if kv[0][1] is None else kv[0][1], kv[0][2].pk)):
        quantity = _money(Decimal(total) / days)
        if quantity > 0:
            lines.append(SubsidyLine(institution_id=institution_id, rate=rate, kind=SubsidyRate.Kind.OPERATING,
                                     care_level=level, quantity=quantity, amount=_money(quantity * rate.amount)))
    return lines


def _first_of(month: dt.date) -> dt.date:
    return month.replace(day=1)


def generate_roll(district, month: dt.date, by) -> SubsidyRoll:
    """The district's roll of the month, computed (again, while a draft) from the records."""
    if district.level != "district":
        raise ValidationError(_("A subsidy roll is made for a district."), code="not_district")
    if not scope.manages_subsidies_of(by, district.code):
        raise PermissionDenied
    month = _first_of(month)
    if month > _first_of(timezone.localdate()):
        raise ValidationError(_("A roll cannot be made for a month still to come."), code="future")
    return _make(district, month, by)


def _make(district, month: dt.date, by) -> SubsidyRoll:
    """generate_roll without the checks of who and when (the demo's rolls)."""
    with transaction.atomic():
        roll, created = SubsidyRoll.objects.get_or_create(
            region=district, month=month, defaults={"region_code": district.code})
        roll = SubsidyRoll.objects.select_for_update().get(pk=roll.pk)
        if roll.status != SubsidyRoll.Status.DRAFT:
            raise ValidationError(_("This roll is already approved; it is not made again."), code="not_draft")
        lines = compute_lines(district.code, month)
        roll.lines.all().delete()
        for line in lines:
            line.roll = roll
        SubsidyLine.objects.bulk_create(lines)
        roll.total = sum((line.amount for line in lines), Decimal(0))
        roll.line_count = len(lines)
        roll.generated_at = timezone.now()
        roll.save(update_fields=["total", "line_count", "generated_at"])
        record(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.CHANGE, roll,
               verb="subsidy_roll.generate", changes={"month": month.isoformat(), "lines": roll.line_count,
                                                      "total": str(roll.total)})
    return roll


def approve_roll(roll: SubsidyRoll, by) -> SubsidyRoll:
    if not scope.manages_subsidies_of(by, roll.region_code):
        raise PermissionDenied
    if Q.month_bounds(roll.month)[1] >= timezone.localdate():
        raise ValidationError(_("A roll is approved once its month is over."), code="month_running")
    return _approve(roll, by)


def _approve(roll: SubsidyRoll, by) -> SubsidyRoll:
    with transaction.atomic():
        roll = SubsidyRoll.objects.select_for_update().get(pk=roll.pk)
        if roll.status != SubsidyRoll.Status.DRAFT:
            raise ValidationError(_("Only a draft roll can be approved."), code="not_draft")
        roll.status = SubsidyRoll.Status.APPROVED
        roll.approved_by = by
        roll.approved_at = timezone.now()
        roll.save(update_fields=["status", "approved_by", "approved_at"])
        record(by, AuditEntry.Action.CHANGE, roll, verb="subsidy_roll.approve", changes={"total": str(roll.total)})
    return roll


def mark_paid(roll: SubsidyRoll, by) -> SubsidyRoll:
    if not scope.manages_subsidies_of(by, roll.region_code):
        raise PermissionDenied
    return _pay(roll, by)


def _pay(roll: SubsidyRoll, by) -> SubsidyRoll:
    with transaction.atomic():
        roll = SubsidyRoll.objects.select_for_update().get(pk=roll.pk)
        if roll.status != SubsidyRoll.Status.APPROVED:
            raise ValidationError(_("Only an approved roll can be marked paid."), code="not_approved")
        roll.status = SubsidyRoll.Status.PAID
        roll.paid_at = timezone.now()
        roll.save(update_fields=["status", "paid_at"])
        record(by, AuditEntry.Action.CHANGE, roll, verb="subsidy_roll.paid", changes={"total": str(roll.total)})
    return roll


def add_rate(*, by, region, kind: str, amount: Decimal, valid_from: dt.date, care_level: int | None = None,
             nursing_only: bool = False, valid_until: dt.date | None = None) -> SubsidyRate:
    """A new rate of a district or city (a changed rate is a new one from its date; end the old
    one with valid_until)."""
    if not scope.manages_subsidies_of(by, region.code):
        raise PermissionDenied
    if region.level not in ("city", "district"):
        raise ValidationError(_("Rates are set for a city or a district."), code="level")
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError(_("A rate ends after it starts."), code="dates")
    if kind == SubsidyRate.Kind.CONSTRUCTION and care_level is not None:
        raise ValidationError(_("The construction subsidy does not depend on a capability level."), code="level")
    rate = SubsidyRate.objects.create(region=region, region_code=region.code, kind=kind, care_level=care_level,
                                      nursing_only=nursing_only, amount=amount, valid_from=valid_from,
                                      valid_until=valid_until)
    record(by, AuditEntry.Action.CREATE, rate, verb="subsidy_rate.add",
           changes={"kind": kind, "amount": str(amount), "care_level": care_level})
    return rate


def roll_xlsx(roll: SubsidyRoll, *, by) -> bytes:
    """The roll as a sheet: institutions only, no personal data. Audited."""
    from kangyang.institutions.exports_subsidies import roll_sheet

    data = roll_sheet(roll, by=by)
    record(by, AuditEntry.Action.EXPORT, roll, verb="subsidy_roll.export", changes={"rows": roll.line_count})
    return data
