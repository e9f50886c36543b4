"""No surface gives back an elder's full ID number without the audited reveal (issue 10).

The masked ID number (360103********0026) hides exactly the eight birth-date digits, so a
birth date shown beside it, or beside any ID characters past the region code, is the whole
number. For every persona that may see elders without revealing, every page, htmx stream,
export (.xlsx, .csv), PDF and API operation that answers GET is fetched in a world where
each kind of record exists (elders, contacts, assessments, payment rolls, alarms, devices,
orders), and its text must hold neither a full ID number nor an elder's birth date (in any
usual format) together with that elder's ID characters.

The surfaces are discovered from the URL patterns and the OpenAPI document; a route whose
parameter this test cannot fill fails the test, so a new surface cannot slip past it.
"""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.apps import apps
from openpyxl import load_workbook
from pypdf import PdfReader

from kangyang.accounts.tests.test_no_leaks import _api_operations, _patterns
from kangyang.alarms.tests.conftest import alarm_a, alarm_b, now, pendant_a, pendant_b  # noqa: F401
from kangyang.assessment.tests.conftest import sign_new  # noqa: F401
from kangyang.registry.models import Elder
from kangyang.services import actions as services
from kangyang.services.tests.conftest import (  # noqa: F401
    catalogue, carer, home_provider, local, meal, tomorrow,
)
from kangyang.allowances.tests.conftest import generate, last_month, longevity, this_month  # noqa: F401

# Personas that see elders without revealing: staff of an area, the providers serving them,
# the elder and her family (conftest.py).
VIEWERS = ["admin", "subdistrict", "worker_a", "operator", "provider", "caregiver", "elder", "family"]
SKIP_PREFIXES = ("admin/", "api/", "i18n/", "accounts/", "static/")
# The one file made to carry full ID numbers: the bank file of a bank batch, for the bank
# (only after approval, downloaded by whom allowances.actions allows, audited).
FULL_ID_ALLOWED = {"allowances/payouts/<int:batch_id>/file/"}

# URL parameter → (model, field) whose values fill it: every object of the world is tried.
PARAMS = {
    "elder_id": ("registry.Elder", "pk"),
    "job_id": ("registry.ImportJob", "pk"),
    "member_id": ("registry.HouseholdMember", "pk"),
    "assessment_id": ("assessment.Assessment", "pk"),
    "roll_id": ("allowances.PaymentRoll", "pk"),
    "policy_id": ("allowances.Policy", "pk"),
    "line_id": ("allowances.PaymentLine", "pk"),
    "batch_id": ("allowances.PayoutBatch", "pk"),
    "application_id": ("allowances.Application", "pk"),
    "objection_id": ("allowances.Objection", "pk"),
    "check_id": ("allowances.SurvivalCheck", "pk"),
    "alarm_id": ("alarms.Alarm", "pk"),
    "device_id": ("alarms.Device", "device_id"),
    "caregiver_id": ("services.Caregiver", "pk"),
    "service_visit_id": ("services.ServiceVisit", "pk"),
    "settlement_id": ("services.Settlement", "pk"),
    "complaint_id": ("services.Complaint", "pk"),
    "order_id": ("services.Order", "pk"),
    "recurrence_id": ("services.Recurrence", "pk"),
    "provider_id": ("services.Provider", "pk"),
    "item_id": ("services.ServiceItem", "pk"),
    "code": ("regions.Region", "code"),
    "user_id": ("accounts.User", "pk"),
    "organisation_id": ("accounts.Organisation", "pk"),
    # issue 16 §9: the public page of an institution
    "institution_id": ("institutions.Institution", "pk"),
    "version": ("indicators.TargetSet", "version"),
    "entry_id": ("indicators.ManualValue", "pk"),
    # issue 14 (elder app): paying the elder's share
    "payment_id": ("payments.Payment", "pk"),
    "ref": ("payments.Payment", "provider_ref"),
    # issue 15: the time bank
    "account_id": ("timebank.Account", "pk"),
    # issue 15 (care visits): visit records and follow-ups
    "visit_id": ("visits.CareVisit", "pk"),
    "follow_up_id": ("visits.FollowUp", "pk"),
    # issue 15 §4: care calls
    "call_id": ("visits.CareCall", "pk"),
    # issue 15 (care visits): the plan's lines and pairings
    "due_id": ("visits.VisitDue", "pk"),
    "pairing_id": ("visits.Pairing", "pk"),
    "activity_id": ("timebank.Activity", "pk"),  # the community's activity page (tbpages)
    # issue 16: hazards and their photos
    "hazard_id": ("institutions.Hazard", "pk"),
    "photo_id": ("institutions.HazardPhoto", "pk"),
    # issue 16 §5: random inspections
    "pool_id": ("institutions.InspectorPool", "pk"),
    "plan_id": ("institutions.InspectionPlan", "pk"),
    "inspection_id": ("institutions.Inspection", "pk"),
    # issue 16 §4: star rating
    "review_id": ("institutions.RatingReview", "pk"),
    # issue 16 (institutions register): institutions, residents' stays, fees
    "institution_id": ("institutions.Institution", "pk"),
    "stay_id": ("institutions.Resident", "pk"),
    "fee_id": ("institutions.Fee", "pk"),
    # issue 17 §6: referrals and home sickbeds
    "referral_id": ("health.Referral", "pk"),
    "sickbed_id": ("health.Sickbed", "pk"),
    # issue 17 (health: contracts): family-doctor teams and contracts
    "team_id": ("health.Team", "pk"),
    "contract_id": ("health.Contract", "pk"),
    # issue 17 §4: follow-ups
    "followup_id": ("health.FollowUp", "pk"),
    # issue 17 §5: health alerts
    "alert_id": ("health.HealthAlert", "pk"),
    # issue 17 (health records): an elder's conditions, medicines and disabilities
    "condition_id": ("health.Condition", "pk"),
    "medication_id": ("health.Medication", "pk"),
    "disability_id": ("health.Disability", "pk"),
}
SLUGS = {"step": ["review"], "category": ["alone"],
         "token": ["an-unknown-card-token-000000"]}  # portal:card (a real one would sign in)
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\{(\w+)\}")


def date_formats(d: dt.date) -> set[str]:
    """The ways a birth date is written on a page, in a sheet or in a PDF."""
    month = d.strftime("%B")
    return {
        f"{d:%Y-%m-%d}", f"{d:%Y%m%d}", f"{d:%Y/%m/%d}", f"{d:%Y.%m.%d}", f"{d:%m/%d/%Y}", f"{d:%d/%m/%Y}",
        f"{d:%d.%m.%Y}", f"{d.year}/{d.month}/{d.day}", f"{d.month}/{d.day}/{d.year}",
        f"{d.year}年{d.month}月{d.day}日", f"{d:%Y年%m月%d日}",
        f"{month} {d.day}, {d.year}", f"{month[:3]}. {d.day}, {d.year}", f"{d.day} {month} {d.year}",
    }


class Identities:
    """Every elder's ID number and the marks that betray it, to test texts against."""

    def __init__(self):
        self.elders = []
        for e in Elder.objects.all():
            number = e._id_number()
            self.elders.append((e, number, date_formats(e.birth_date)))

    def rebuilt(self, text: str, *, full_allowed: bool = False) -> list[str]:
        """What in `text` gives an ID number back: the number itself, or the birth date with
        any ID characters beyond the six of the region code (the last four, the mask)."""
        found = []
        for elder, number, dates in self.elders:
            if number in text and not full_allowed:
                found.append(f"{elder.name}'s full ID number")
            shown = [d for d in dates if d in text]
            if shown and number[-4:] in text:
                found.append(f"{elder.name}'s birth date {shown[0]} with the ID's last characters")
        return found


def body_text(response) -> str:
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in kind:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            " ".join(str(v) for v in row if v is not None)
            for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
        )
    if "pdf" in kind:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = content.decode("utf-8-sig", errors="replace")
    if "csv" in kind:
        return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(text)))
    return text


def fill(route: str) -> list[str]:
    """Every URL of `route` with its parameters filled from the objects of the world."""
    urls = [route]
    for converter, name, api_name in PARAM.findall(route):
        name = name or api_name
        if name in SLUGS:
            values = SLUGS[name]
        else:
            assert name in PARAMS, f"{route}: add the parameter {name!r} to PARAMS"
            label, field = PARAMS[name]
            values = [str(v) for v in apps.get_model(label).objects.values_list(field, flat=True)]
        token = f"{{{name}}}" if api_name else f"<{converter + ':' if converter else ''}{name}>"
        urls = [u.replace(token, v, 1) for u in urls for v in values]
    return urls


@pytest.fixture
def world(admin, subdistrict, worker_a, worker_b, operator, provider, caregiver, elder, family,
          elder_in_a, elder_in_b, district, sign_new, alarm_a, alarm_b, longevity, generate,  # noqa: F811
          this_month, carer, meal, tomorrow):  # noqa: F811
    """One of each kind of record that shows an elder, for community A's elder and B's."""
    sign_new(elder_in_a)
    sign_new(elder_in_b, by=worker_b)
    generate(admin, longevity, this_month, district)
    services.place_order(by=family, elder=elder_in_a, item=meal, window_start=local(tomorrow, 11))
    return Identities()


def test_the_world_has_something_on_every_kind_of_surface(world):
    for label in ("assessment.Assessment", "allowances.PaymentLine", "alarms.Alarm", "services.Order"):
        assert apps.get_model(label).objects.exists(), label
    assert len(world.elders) >= 2


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_page_export_or_pdf_gives_an_id_number_back(client, request, world, viewer):
    client.force_login(request.getfixturevalue(viewer))
    # A list of the tiny world shows every row unfiltered; the search by the last four
    # characters shows the row found (and echoes the term, which alone gives nothing).
    tail = world.elders[0][1][-4:]
    seen = 0
    for route in _patterns():
        if route.startswith(SKIP_PREFIXES) or route.startswith("^"):
            continue
        if "<" in route:
            variants = [({}, {})]
        elif route.endswith("stream/"):
            variants = [({"after": "2000-01-01T00:00:00+00:00"}, {})]
        else:  # the page, its htmx fragment, and a search
            variants = [({}, {}), ({}, {"HTTP_HX_REQUEST": "true"}), ({"q": tail}, {})]
        for path in fill(route):
            for query, headers in variants:
                r = client.get("/" + path, query, **headers)
                if r.status_code != 200:
                    continue
                seen += 1
                found = world.rebuilt(body_text(r), full_allowed=route in FULL_ID_ALLOWED)
                assert not found, f"{viewer}: GET /{path}?{query} shows {found}"
    assert seen, f"{viewer} reached no page at all"


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_api_operation_gives_an_id_number_back(client, request, api_token, world, viewer):
    headers = api_token(request.getfixturevalue(viewer))
    searches = ["", *(number[-4:] for _e, number, _d in world.elders)]
    for method, path in _api_operations():
        if method != "GET":
            continue
        for url in fill(path):
            for q in searches if "{" not in path else [""]:
                r = client.get(url, {"q": q, "page_size": 200} if q else {"page_size": 200}, **headers)
                if r.status_code != 200:
                    continue
                found = world.rebuilt(r.content.decode())
                assert not found, f"{viewer}: GET {url}?q={q} shows {found}"


def test_no_api_answer_but_the_reveal_carries_a_birth_date():
    """Also the answers of writes (create, PATCH, status): the schema is the contract."""
    from kangyang.api import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})

    def expanded(node, seen=()) -> str:
        text = json.dumps(node)
        for ref in set(re.findall(r"#/components/schemas/(\w+)", text)) - set(seen):
            text += expanded(components.get(ref, {}), (*seen, ref))
        return text

    offenders = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status, answer in operation.get("responses", {}).items():
                if '"birth_date"' in expanded(answer) and not path.endswith("/reveal"):
                    offenders.append(f"{method.upper()} {path} → {status}")
    assert not offenders, offenders


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_identity_view_of_every_role_is_within_what_is_shown_without_a_reveal(request, elder_in_a, viewer):
    from kangyang.accounts import scope

    shown = scope.identity_view(request.getfixturevalue(viewer), elder_in_a)
    assert set(shown) <= set(scope.IDENTITY_SHOWN)
    assert not set(shown) & set(scope.IDENTITY_REVEALED)
    assert shown["age"] == elder_in_a.age() and shown["name"] == elder_in_a.name
    # the ID number's mask is for those who keep or read the record, not for providers
    assert ("id_number_masked" in shown) == (viewer not in ("provider", "caregiver"))
