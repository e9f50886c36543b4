"""Every change to capability assessments. Views, the API, the sheet import and tests call these.

Who may assess. Staff whose area covers the elder: `scope.can_edit(user, elder.region_code)`,
that is the bureau admin, the subdistrict officer and the community workers of the elder's
area. The account that starts and signs an assessment answers for it in the audit log; the
two assessors the standard asks for are recorded by name, because the staff of a
third-party assessment agency often have no account here.

The life of an assessment. `start_assessment` opens a draft; `save_answers` fills it in,
as often and in as small parts as the tablet sends; `sign_assessment` scores it with the
standard (scoring.score) and seals it. A signed assessment is never changed (the model
refuses too): a correction is a new assessment. `record_assessment` does all three in one
transaction, for the API. `import_legacy_assessment` keeps an MZ/T 039-2013 level as history;
it is never a current GB/T 42195 level (queries.valid_assessments filters by standard).
"""

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.assessment import constants, scoring
from kangyang.assessment.models import Assessment, ReassessmentRequest
from kangyang.assessment.standard import ITEMS, ITEMS_BY_CODE, PREVIOUS_STANDARD, STANDARD
from kangyang.audit.actions import record
from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto, residentid, sheets
from kangyang.registry import actions as registry_actions, categories as registry_categories
from kangyang.registry.models import Elder

# ICD-10 codes as hospitals write them: a letter, two digits, and an optional subdivision
# (WHO: F03.9; the Chinese clinical edition adds more: I10.x00x002).
ICD10 = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,10})?$")
MAX_DIAGNOSES = 30


# -- helpers -------------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1 → 28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _check_can_assess(by, elder: Elder) -> None:
    if not scope.can_edit(by, elder.region_code):
        raise PermissionDenied


def _check_draft(assessment: Assessment) -> None:
    if assessment.status == Assessment.Status.SIGNED:
        raise ValidationError(
            _("This assessment is signed and cannot be changed: start a new assessment to correct it."),
            code="signed",
        )


def _locked(assessment: Assessment) -> Assessment:
    """The row as stored, locked until the end of the transaction (PostgreSQL), so that two
    saves from one tablet never lose each other's answers."""
    fresh = Assessment.objects.select_for_update().get(pk=assessment.pk)
    for f in Assessment._meta.concrete_fields:
        setattr(assessment, f.attname, getattr(fresh, f.attname))
    return assessment


def clean_answers(answers: Mapping[str, object]) -> dict[str, int | None]:
    """Item code → points, each checked against the item's own options. A value given as
    text ("3", from a form) is read as a number; None or "" clears the answer."""
    errors: dict[str, ValidationError] = {}
    clean: dict[str, int | None] = {}
    for code, value in answers.items():
        item = ITEMS_BY_CODE.get(code)
        if item is None:
            errors[code] = ValidationError(_("There is no item %(code)s.") % {"code": code}, code="unknown_item")
            continue
        if value is None or value == "":
            clean[code] = None
            continue
        if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or item.option(value) is None:
            errors[code] = ValidationError(
                _("Item %(code)s (%(name)s) takes 0 to %(max)d points, not %(value)s.")
                % {"code": code, "name": item.zh, "max": item.max_points, "value": value},
                code="out_of_range",
            )
            continue
        clean[code] = value
    if errors:
        raise ValidationError(errors)
    return clean


def clean_diagnoses(values) -> list[str]:
    """ICD-10 codes, upper case, each once, in the order given; a list or text separated by
    commas, semicolons or spaces."""
    if isinstance(values, str):
        values = re.split(r"[\s,，;；、]+", values)
    codes: list[str] = []
    for value in values:
        code = str(value).strip().upper()
        if not code:
            continue
        if not ICD10.match(code):
            raise ValidationError(
                {"diagnoses": ValidationError(
                    _("“%(code)s” is not an ICD-10 code (a letter and two digits, e.g. F01 or I10).")
                    % {"code": value}, code="icd10")}
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_DIAGNOSES:
        raise ValidationError({"diagnoses": _("At most %(n)d diagnoses.") % {"n": MAX_DIAGNOSES}})
    return codes


def due_date(*, assessed_on: dt.date, reason: str, final_level: int, previous_level: int | None) -> dt.date:
    """When a signed assessment runs out: after settings.ASSESSMENT_VALID_MONTHS (12); after
    ASSESSMENT_SHORT_VALID_MONTHS (6) instead when it was an immediate re-assessment or its
    final level moved by constants.LEVEL_JUMP (2) or more from the previous one."""
    months = constants.valid_months()
    unstable = reason == Assessment.Reason.IMMEDIATE or (
        previous_level is not None and abs(final_level - previous_level) >= constants.LEVEL_JUMP
    )
    if unstable:
        months = min(months, constants.short_valid_months())
    return add_months(assessed_on, months)


# -- a GB/T 42195 assessment ---------------------------------------------------------------
@transaction.atomic
def start_assessment(
    elder: Elder, *, by, reason: str, assessed_on: dt.date | None = None, place: str = "",
    assessor_1: str = "", assessor_2: str = "", informant: str = "", informant_relation: str = "",
) -> Assessment:
    """Open a draft assessment of an elder who is alive and registered here."""
    _check_can_assess(by, elder)
    assessed_on = assessed_on or timezone.localdate()
    errors = {}
    if elder.status != Elder.Status.ACTIVE:
        errors["elder"] = ValidationError(
            _("%(name)s is recorded as %(status)s: no new assessment.")
            % {"name": elder.name, "status": elder.get_status_display()}, code="inactive")
    if reason not in Assessment.Reason.values:
        errors["reason"] = ValidationError(_("Choose a reason for the assessment."), code="reason")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = ValidationError(_("The date of assessment cannot be in the future."),
                                                code="future")
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.create(
        elder=elder, region_code=elder.region_code, standard=STANDARD, reason=reason,
        assessed_on=assessed_on, place=place.strip(), assessor_1=assessor_1.strip(),
        assessor_2=assessor_2.strip(), informant=informant.strip(),
        informant_relation=informant_relation.strip(), created_by=by,
    )
    record(by, AuditEntry.Action.CREATE, assessment, verb="assessment.start")
    return assessment


@transaction.atomic
def save_answers(
    assessment: Assessment, *, by, answers: Mapping[str, object] | None = None,
    diagnoses=None, coma: bool | None = None, risk_events_30d: Mapping[str, object] | None = None,
    special_care: str | None = None,
) -> Assessment:
    """Save part of a draft: only what is given changes (None = unchanged), so a tablet may
    send one step, or one answer, at a time. A signed assessment is refused."""
    _check_can_assess(by, assessment.elder)
    _locked(assessment)
    _check_draft(assessment)
    changed: list[str] = []
    if answers:
        merged = dict(assessment.answers)
        for code, value in clean_answers(answers).items():
            if value is None:
                merged.pop(code, None)
            else:
                merged[code] = value
        if merged != assessment.answers:
            changed += sorted(c for c in set(merged) | set(assessment.answers)
                              if merged.get(c) != assessment.answers.get(c))
            # Kept in the standard's order, for people reading the stored JSON.
            assessment.answers = {i.code: merged[i.code] for i in ITEMS if i.code in merged}
    if diagnoses is not None:
        codes = clean_diagnoses(diagnoses)
        if codes != assessment.diagnoses:
            assessment.diagnoses = codes
            changed.append("diagnoses")
    if coma is not None and bool(coma) != assessment.coma:
        assessment.coma = bool(coma)
        changed.append("coma")
    if risk_events_30d is not None:
        events = {**assessment.risk_events_30d, **scoring.check_risk_events(risk_events_30d)}
        if events != assessment.risk_events_30d:
            assessment.risk_events_30d = events
            changed.append("risk_events_30d")
    if special_care is not None and special_care.strip() != assessment.special_care:
        assessment.special_care = special_care.strip()
        changed.append("special_care")
    if not changed:
        return assessment
    assessment.save(update_fields=["answers", "diagnoses", "coma", "risk_events_30d", "special_care"])
    # Which answers changed, never their values: they are health data.
    record(by, AuditEntry.Action.CHANGE, assessment, verb="assessment.save",
           changes={key: "changed" for key in changed})
    return assessment


def missing_items(assessment: Assessment) -> list:
    return [item for item in ITEMS if item.code not in assessment.answers]


@transaction.atomic
def sign_assessment(assessment: Assessment, *, by) -> Assessment:
    """Score a complete draft with the standard and seal it. Refused, naming them, while any
    of the 26 items is unanswered, and without the names of both assessors."""
    _check_can_assess(by, assessment.elder)
    _locked(assessment)
    _check_draft(assessment)
    errors: dict[str, ValidationError] = {}
    for item in missing_items(assessment):
        errors[item.code] = ValidationError(
            _("Item %(code)s (%(name)s) is not answered.") % {"code": item.code, "name": item.zh},
            code="missing_item")
    # GB/T 42195-2022: each assessment is made by two assessors together.
    for key in ("assessor_1", "assessor_2"):
        if not getattr(assessment, key):
            errors[key] = ValidationError(_("Enter the names of both assessors."), code="assessors")
    if errors:
        raise ValidationError(errors)
    stack = bool(getattr(settings, "ASSESSMENT_STACK_RAISES", False))
    result = scoring.score(
        assessment.answers, coma=assessment.coma, diagnoses=assessment.diagnoses,
        risk_events_30d=assessment.risk_events_30d, stack_raises=stack,
    )
    previous = (
        Assessment.objects.signed()
        .filter(elder_id=assessment.elder_id, standard=STANDARD, assessed_on__lte=assessment.assessed_on)
        .exclude(pk=assessment.pk).order_by("-assessed_on", "-signed_at", "-id").first()
    )
    assessment.dimension_scores = result.dimensions
    assessment.total = result.total
    assessment.preliminary_level = result.preliminary_level
    assessment.final_level = result.final_level
    assessment.level_change_reasons = result.reasons
    assessment.stack_raises = stack
    assessment.valid_until = due_date(
        assessed_on=assessment.assessed_on, reason=assessment.reason, final_level=result.final_level,
        previous_level=previous.final_level if previous else None,
    )
    assessment.status = Assessment.Status.SIGNED
    assessment.signed_at = timezone.now()
    assessment.signed_by = by
    assessment.save()
    ReassessmentRequest.objects.filter(
        elder_id=assessment.elder_id, fulfilled_by__isnull=True, requested_on__lte=assessment.assessed_on,
    ).update(fulfilled_by=assessment)
    record(by, AuditEntry.Action.CHANGE, assessment, verb="assessment.sign",
           changes={"status": [Assessment.Status.DRAFT, Assessment.Status.SIGNED]})
    refresh_elder_categories([assessment.elder_id], by=by)
    return assessment


def latest_signed_facts(elder_ids) -> dict[int, dict]:
    """Elder id → the registry's category facts from that elder's latest signed GB/T 42195
    assessment (registry.categories.from_assessment), for the elders that have one. One
    query per call, ordered so that the first row of each elder is the latest."""
    facts: dict[int, dict] = {}
    rows = (
        Assessment.objects.signed().filter(standard=STANDARD, elder_id__in=elder_ids)
        .order_by("elder_id", "-assessed_on", "-signed_at", "-id")
        .values_list("elder_id", "pk", "final_level", "diagnoses", "assessed_on")
    )
    for elder_id, pk, level, diagnoses, assessed_on in rows.iterator(chunk_size=5000):
        if elder_id in facts or level is None:
            continue
        dementia = [code for code in diagnoses if scoring.diagnosis_reasons([code]) == ["dementia"]]
        facts[elder_id] = registry_categories.from_assessment(
            level=level, dementia=dementia, assessment_id=pk,
            on=assessed_on,
        )
    return facts


def refresh_elder_categories(elder_ids, *, by=None, batch: int = 2000) -> int:
    """Put 失能 and 失智 of these elders in line with their latest signed GB/T 42195
    assessment (registry.actions.set_assessment_categories). With `by`, changes are audited
    as theirs. A few queries per `batch` elders. Returns how many elders changed."""
    ids = sorted(set(elder_ids))
    changed = 0
    for start in range(0, len(ids), batch):
        facts = latest_signed_facts(ids[start:start + batch])
        if facts:
            changed += registry_actions.set_assessment_categories(facts, by=by)
    return changed


@transaction.atomic
def record_assessment(
    elder: Elder, *, by, reason: str, assessed_on: dt.date | None = None, place: str = "",
    assessor_1: str = "", assessor_2: str = "", informant: str = "", informant_relation: str = "",
    answers: Mapping[str, object], diagnoses=(), coma: bool = False,
    risk_events_30d: Mapping[str, object] | None = None, special_care: str = "",
) -> Assessment:
    """A complete assessment in one call (third-party agencies, the API): started, answered,
    scored and signed, or nothing stored at all."""
    assessment = start_assessment(
        elder, by=by, reason=reason, assessed_on=assessed_on, place=place, assessor_1=assessor_1,
        assessor_2=assessor_2, informant=informant, informant_relation=informant_relation,
    )
    save_answers(assessment, by=by, answers=answers, diagnoses=list(diagnoses), coma=coma,
                 risk_events_30d=risk_events_30d or {}, special_care=special_care)
    return sign_assessment(assessment, by=by)


@transaction.atomic
def discard_draft(assessment: Assessment, *, by) -> None:
    """Throw away an unsigned draft (started by mistake). A signed assessment stays forever."""
    _check_can_assess(by, assessment.elder)
    _locked(assessment)
    _check_draft(assessment)
    record(by, AuditEntry.Action.CHANGE, assessment, verb="assessment.discard")
    assessment.delete()


@transaction.atomic
def request_reassessment(elder: Elder, *, by, reason: str) -> ReassessmentRequest:
    """The elder's status changed: put them on the due list now. Their current level stays
    valid until the new assessment is signed, which fulfils the request. Asking again while
    a request is open changes nothing."""
    _check_can_assess(by, elder)
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": ValidationError(_("Say what changed."), code="reason")})
    if elder.status != Elder.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s is recorded as %(status)s: no new assessment.")
            % {"name": elder.name, "status": elder.get_status_display()}, code="inactive")
    open_request = ReassessmentRequest.objects.filter(elder=elder, fulfilled_by__isnull=True).first()
    if open_request is not None:
        return open_request
    request = ReassessmentRequest.objects.create(
        elder=elder, region_code=elder.region_code, reason=reason, requested_by=by,
    )
    record(by, AuditEntry.Action.CREATE, request, verb="assessment.request", note=reason)
    return request


# -- MZ/T 039-2013 history -----------------------------------------------------------------
@transaction.atomic
def import_legacy_assessment(
    elder: Elder, *, by, assessed_on: dt.date, level: int, place: str = "", assessor_1: str = "",
    assessor_2: str = "", note: str = "",
) -> Assessment:
    """Keep a past MZ/T 039-2013 result (level 0–3) as history: signed, marked imported,
    never a current level. The same elder, date and standard twice is refused as a duplicate."""
    _check_can_assess(by, elder)
    errors = {}
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= constants.PREVIOUS_MAX_LEVEL:
        errors["level"] = ValidationError(
            _("An MZ/T 039-2013 level is 0, 1, 2 or 3, not %(value)s.") % {"value": level}, code="level")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = ValidationError(_("The date of assessment cannot be in the future."),
                                                code="future")
    if errors:
        raise ValidationError(errors)
    if Assessment.objects.filter(elder=elder, standard=PREVIOUS_STANDARD, assessed_on=assessed_on).exists():
        raise ValidationError(
            _("An MZ/T 039-2013 assessment of %(date)s is already recorded for this elder.")
            % {"date": assessed_on.isoformat()}, code="already_imported")
    assessment = Assessment.objects.create(
        elder=elder, region_code=elder.region_code, standard=PREVIOUS_STANDARD,
        reason=Assessment.Reason.OTHER, assessed_on=assessed_on, place=place.strip(),
        assessor_1=assessor_1.strip(), assessor_2=assessor_2.strip(), final_level=level,
        status=Assessment.Status.SIGNED, signed_at=timezone.now(), signed_by=by, imported=True,
        note=note, created_by=by,
    )
    record(by, AuditEntry.Action.IMPORT, assessment, verb="assessment.import")
    return assessment


# The sheet's columns (a file format shared between offices, so Chinese in every language).
LEGACY_COLUMNS = {
    "身份证号": "id_number", "身份证号码": "id_number", "公民身份号码": "id_number", "id number": "id_number",
    "评估日期": "assessed_on", "日期": "assessed_on", "date": "assessed_on",
    "等级": "level", "能力等级": "level", "评估等级": "level", "level": "level",
}
LEGACY_LEVEL_WORDS = {zh: level for level, (_en, zh) in constants.PREVIOUS_LEVEL_NAMES.items()}
# A date typed in any of the ways Chinese offices type one; Excel dates arrive as
# "2021-05-03 00:00:00".
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00(?::00)?)?$")


@dataclass
class LegacyImport:
    """What a sheet import did: rows added, rows already there, and each refused row."""

    created: int = 0
    already: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _parse_date(text: str) -> dt.date:
    m = DATE_PATTERN.match(text.strip())
    if m is None and re.fullmatch(r"\d{8}", text.strip()):
        m = re.match(r"(\d{4})(\d{2})(\d{2})", text.strip())
    if m is None:
        raise ValueError(text)
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _parse_level(text: str) -> int:
    text = text.strip()
    if text in LEGACY_LEVEL_WORDS:
        return LEGACY_LEVEL_WORDS[text]
    m = re.fullmatch(r"(\d)\s*级?", text)
    if m is None:
        raise ValueError(text)
    return int(m.group(1))


def _row_errors(e: ValidationError) -> str:
    return "; ".join(e.messages)


@transaction.atomic
def import_legacy_sheet(*, by, data: bytes, filename: str) -> LegacyImport:
    """MZ/T 039-2013 results from an .xlsx or .csv sheet with the columns 身份证号, 评估日期 and
    等级 (0–3 or 能力完好 … 重度失能). Elders are found by ID number among those of the user's
    area; a row that cannot be used is reported with its reason and the others are kept."""
    if not scope.can_import(by):
        raise PermissionDenied
    outcome = LegacyImport()
    rows = sheets.read_rows(data, filename, aliases=LEGACY_COLUMNS, required={"id_number", "assessed_on", "level"})
    for number, row in rows:
        try:
            rid = residentid.parse(row.get("id_number", ""))
        except ValidationError as e:
            outcome.errors.append((number, _row_errors(e)))
            continue
        elder = (
            Elder.objects.visible_to(by).filter(id_number_hash=crypto.lookup_hash(rid.number)).first()
        )
        if elder is None or not scope.can_edit(by, elder.region_code):
            outcome.errors.append((number, _("No elder with this ID number is registered in your area.")))
            continue
        try:
            assessed_on = _parse_date(row.get("assessed_on", ""))
        except ValueError:
            outcome.errors.append((number, _("“%(value)s” is not a date (write 2021-05-03).")
                                   % {"value": row.get("assessed_on", "")}))
            continue
        try:
            level = _parse_level(row.get("level", ""))
        except ValueError:
            outcome.errors.append((number, _("“%(value)s” is not an MZ/T 039-2013 level (0–3).")
                                   % {"value": row.get("level", "")}))
            continue
        try:
            with transaction.atomic():
                import_legacy_assessment(elder, by=by, assessed_on=assessed_on, level=level,
                                         note=_("Imported from %(file)s, row %(row)d.")
                                         % {"file": filename, "row": number})
        except ValidationError as e:
            if getattr(e, "code", None) == "already_imported":
                outcome.already += 1
            else:
                outcome.errors.append((number, _row_errors(e)))
            continue
        outcome.created += 1
    return outcome
