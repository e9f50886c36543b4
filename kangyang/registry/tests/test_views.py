"""The registry pages, through the test client, as each persona."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kangyang.audit.models import AuditEntry
from kangyang.lib import residentid
from kangyang.registry import actions
from kangyang.registry.models import Elder, ImportJob

LIST = "/registry/elders/"
HTMX = {"HTTP_HX_REQUEST": "true"}
# Message texts are asserted in English, whatever the zh-Hans catalogue holds.
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ID_A = "360103194503120026"  # elder_in_a
ID_B = "360103193807150019"  # elder_in_b
NEW_ID = "360103195001010024"  # valid, registered nowhere


def detail(elder) -> str:
    return f"/registry/elders/{elder.pk}/"


@pytest.fixture
def elders(elder_in_a, elder_in_b):
    return elder_in_a, elder_in_b


def new_elder_post(community, **extra) -> dict:
    data = {
        "name": "赵秀英", "id_number": NEW_ID, "phone": "13912345678", "community": community.pk,
        "compound": "", "address": "桃花小区1栋101", "living_arrangement": "spouse",
        "categories": ["empty_nest"],
    }
    data.update(extra)
    return data


# -- who sees what in the list -------------------------------------------------------------
def test_worker_sees_elders_of_their_community_only(client, worker_a, elders):
    client.force_login(worker_a)
    page = client.get(LIST).text
    assert "张桂兰" in page
    assert "李建国" not in page


@pytest.mark.parametrize("term", ["张桂", "张桂兰", "zgl", "ZG", "0026", ID_A, "13807911234", "138 0791 1234"])
def test_worker_finds_an_elder_of_their_community_by_any_search_term(client, worker_a, elders, term):
    client.force_login(worker_a)
    assert "张桂兰" in client.get(LIST, {"q": term}).text


@pytest.mark.parametrize("term", ["李建", "ljg", "0019", ID_B, "13907919876"])
def test_worker_cannot_find_an_elder_of_another_community_by_any_search_term(client, worker_a, elders, term):
    client.force_login(worker_a)
    page = client.get(LIST, {"q": term}).text
    assert "李建国" not in page
    assert "张桂兰" not in page


def test_worker_gets_404_for_an_elder_of_another_community(client, worker_a, elders):
    client.force_login(worker_a)
    _a, b = elders
    assert client.get(detail(b)).status_code == 404


def test_subdistrict_officer_sees_their_subdistrict_and_not_the_other(client, subdistrict, elders):
    a, b = elders
    client.force_login(subdistrict)
    page = client.get(LIST).text
    assert "张桂兰" in page and "李建国" not in page
    assert client.get(detail(a)).status_code == 200
    assert client.get(detail(b)).status_code == 404


def test_bureau_admin_sees_the_whole_district(client, admin, elders):
    _a, b = elders
    client.force_login(admin)
    page = client.get(LIST).text
    assert "张桂兰" in page and "李建国" in page
    assert client.get(detail(b)).status_code == 200


def test_operator_reads_every_card_but_cannot_change_one(client, operator, elders):
    a, _b = elders
    client.force_login(operator)
    assert "李建国" in client.get(LIST).text
    page = client.get(detail(a)).text
    assert "张桂兰" in page and f"/registry/elders/{a.pk}/edit/" not in page
    assert client.get(f"/registry/elders/{a.pk}/edit/").status_code == 403
    assert client.post(f"/registry/elders/{a.pk}/edit/", new_elder_post(a.community, id_number="")).status_code == 403
    assert client.post(f"/registry/elders/{a.pk}/status/", {"status": "moved_out", "status_date": "2024-01-01"}).status_code == 403
    assert client.get("/registry/elders/new/").status_code == 403
    a.refresh_from_db()
    assert a.name == "张桂兰" and a.status == Elder.Status.ACTIVE


@pytest.mark.parametrize("persona", ["provider", "caregiver", "volunteer", "inspector"])
def test_roles_without_registry_access_see_no_elder(client, request, elders, persona):
    a, b = elders
    client.force_login(request.getfixturevalue(persona))
    page = client.get(LIST)
    assert page.status_code == 200
    assert "张桂兰" not in page.text and "李建国" not in page.text
    assert client.get(detail(a)).status_code == 404
    assert client.get(detail(b)).status_code == 404
    assert client.get("/registry/elders/export/").status_code == 403


def test_elder_sees_only_their_own_record(client, elder, elders):
    a, b = elders
    client.force_login(elder)
    page = client.get(LIST).text
    assert "张桂兰" in page and "李建国" not in page
    assert client.get(detail(a)).status_code == 200
    assert client.get(detail(b)).status_code == 404


def test_family_member_sees_their_mothers_record_only(client, family, elders):
    a, b = elders
    client.force_login(family)
    page = client.get(LIST).text
    assert "张桂兰" in page and "李建国" not in page
    assert client.get(detail(a)).status_code == 200
    assert client.get(detail(b)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, elders):
    assert client.get(LIST)["Location"].startswith("/accounts/login/")
    assert client.get("/")["Location"] == LIST


# -- filters, fragment, pagination ---------------------------------------------------------
def test_filters_narrow_the_list(client, admin, elders):
    client.force_login(admin)
    assert "张桂兰" not in client.get(LIST, {"category": "disabled"}).text
    assert "李建国" in client.get(LIST, {"category": "disabled"}).text
    assert "李建国" not in client.get(LIST, {"community": "360103001001"}).text
    assert "张桂兰" in client.get(LIST, {"age_band": "80-89"}).text
    assert "张桂兰" not in client.get(LIST, {"age_band": "60-69"}).text
    assert "张桂兰" not in client.get(LIST, {"status": "deceased"}).text


def test_worker_filtering_by_a_community_outside_their_area_finds_nothing(client, worker_a, elders):
    client.force_login(worker_a)
    page = client.get(LIST, {"community": "360103002001"}).text
    assert "张桂兰" not in page and "李建国" not in page


def test_community_filter_offers_only_communities_the_user_sees(client, worker_a, elders):
    client.force_login(worker_a)
    page = client.get(LIST).text
    assert "桃花社区" in page and "朝阳社区" not in page


def test_htmx_request_gets_only_the_table(client, worker_a, elders):
    client.force_login(worker_a)
    r = client.get(LIST, {"q": "zgl", "community": "", "status": ""}, **HTMX)
    assert "<html" not in r.text and "张桂兰" in r.text
    assert r["HX-Push-Url"] == f"{LIST}?q=zgl"  # the address bar shows only the filters in use
    assert "<html" in client.get(LIST, {"q": "zgl"}).text
    assert "HX-Request" in r["Vary"]


def test_list_pages_by_fifty_and_keeps_the_filters(client, worker_a, community_a):
    rows = []
    for i in range(51):
        rid = residentid.parse(residentid.make("360103", dt.date(1950, 1, 1), 100 + i))
        rows.append(actions.build_elder(name=f"测试{i:02d}", rid=rid, community=community_a, categories=["alone"]))
    Elder.objects.bulk_create(rows)
    client.force_login(worker_a)
    page = client.get(LIST, {"category": "alone"}).text
    assert page.count("/registry/elders/") - page.count("/registry/elders/export") >= 50
    assert "?category=alone&page=2" in page
    second = client.get(LIST, {"category": "alone", "page": 2}).text
    assert "测试50" in second and "测试00" not in second


# -- no full ID number on any page --------------------------------------------------------
def test_no_page_shows_the_full_id_number_or_phone(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    pages = [
        client.get(LIST).text, client.get(LIST, **HTMX).text, client.get(LIST, {"q": "0026"}, **HTMX).text,
        client.get(detail(a)).text, client.get(f"/registry/elders/{a.pk}/edit/").text,
        client.get(f"/registry/elders/{a.pk}/health/").text,
    ]
    for page in pages:
        assert ID_A not in page
        assert "13807911234" not in page
    assert a.id_number_masked in pages[0]


# -- reveal --------------------------------------------------------------------------------
def test_reveal_needs_a_reason(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/reveal/", {"reason": ""}, **HTMX)
    assert r.status_code == 200 and ID_A not in r.text
    assert 'id="reveal"' in r.text and "errorlist" in r.text
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_FULL).exists()


def test_worker_reveals_the_full_number_with_a_reason_and_it_is_audited(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/reveal/", {"reason": "办理高龄津贴"}, **HTMX)
    assert r.status_code == 200
    assert ID_A in r.text and "13807911234" in r.text and "<html" not in r.text
    assert "no-store" in r["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_FULL, verb="elder.reveal")
    assert (entry.actor, entry.target_id, entry.note) == (worker_a, str(a.pk), "办理高龄津贴")


def test_reveal_without_javascript_shows_the_whole_page(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/reveal/", {"reason": "核对身份"})
    assert "<html" in r.text and ID_A in r.text


def test_reveal_is_refused_outside_the_area_and_to_the_family(client, worker_b, family, elders):
    a, _b = elders
    client.force_login(worker_b)
    assert client.post(f"/registry/elders/{a.pk}/reveal/", {"reason": "核对身份"}).status_code == 404
    client.force_login(family)
    assert "Show full number" not in client.get(detail(a), **EN).text
    assert client.post(f"/registry/elders/{a.pk}/reveal/", {"reason": "核对身份"}).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_FULL).exists()


# -- create and edit -----------------------------------------------------------------------
def test_worker_registers_an_elder(client, worker_a, community_a):
    client.force_login(worker_a)
    r = client.post("/registry/elders/new/", new_elder_post(community_a))
    elder = Elder.objects.get(name="赵秀英")
    assert r["Location"] == detail(elder)
    assert (elder.sex, elder.birth_date.isoformat(), elder.categories) == ("F", "1950-01-01", ["empty_nest"])
    assert AuditEntry.objects.filter(verb="elder.create", target_id=str(elder.pk)).exists()


def test_register_with_an_invalid_id_number_shows_the_error_and_creates_nothing(client, worker_a, community_a):
    client.force_login(worker_a)
    r = client.post("/registry/elders/new/", new_elder_post(community_a, id_number="360103195001010023"), **EN)
    assert r.status_code == 200
    assert "check character is wrong" in r.text
    assert not Elder.objects.filter(name="赵秀英").exists()


def test_register_with_a_birth_date_that_contradicts_the_id_number_is_refused(client, worker_a, community_a):
    client.force_login(worker_a)
    r = client.post("/registry/elders/new/", new_elder_post(community_a, birth_date="1950-02-02"), **EN)
    assert "does not match the ID number" in r.text
    assert not Elder.objects.filter(name="赵秀英").exists()


def test_register_an_id_number_already_in_the_workers_community_names_the_record(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post("/registry/elders/new/", new_elder_post(a.community, id_number=ID_A), **EN)
    assert "already registered" in r.text and "张桂兰" in r.text
    assert Elder.objects.count() == 2


def test_register_an_id_number_of_another_community_does_not_name_the_record(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post("/registry/elders/new/", new_elder_post(a.community, id_number=ID_B), **EN)
    assert "already registered in another community" in r.text
    assert "李建国" not in r.text
    assert Elder.objects.count() == 2


def test_worker_cannot_register_an_elder_in_another_community(client, worker_a, elders):
    _a, b = elders
    client.force_login(worker_a)
    r = client.post("/registry/elders/new/", new_elder_post(b.community))
    assert r.status_code == 200 and "errorlist" in r.text
    assert not Elder.objects.filter(name="赵秀英").exists()


def test_edit_keeps_the_id_number_when_left_blank_and_audits_the_changes(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/edit/", new_elder_post(
        a.community, name="张桂英", id_number="", phone="13800000001", compound=a.compound_id,
        address=a.address, living_arrangement="alone", categories=["alone", "disabled"],
    ))
    assert r["Location"] == detail(a)
    a.refresh_from_db()
    assert a.name == "张桂英" and a.id_number_masked == "360103********0026" and a.phone_masked == "138****0001"
    entry = AuditEntry.objects.get(verb="elder.update")
    assert entry.changes["name"] == ["张桂兰", "张桂英"]
    assert entry.changes["phone"] == "changed"
    assert entry.changes["categories"] == [["empty_nest", "alone"], ["empty_nest", "alone", "disabled"]]
    history = client.get(detail(a), **EN).text
    assert "张桂兰 → 张桂英" in history
    assert "phone: changed" in history
    assert "13800000001" not in history


def test_edit_with_a_duplicate_id_number_is_refused(client, admin, elders):
    a, _b = elders
    client.force_login(admin)
    r = client.post(f"/registry/elders/{a.pk}/edit/", new_elder_post(a.community, name=a.name, id_number=ID_B), **EN)
    assert "already registered" in r.text
    a.refresh_from_db()
    assert a.id_number_masked.endswith("0026")


def test_worker_cannot_edit_an_elder_of_another_community(client, worker_a, elders):
    _a, b = elders
    client.force_login(worker_a)
    assert client.get(f"/registry/elders/{b.pk}/edit/").status_code == 404
    assert client.post(f"/registry/elders/{b.pk}/edit/", new_elder_post(b.community)).status_code == 404


def test_elder_cannot_edit_their_own_record(client, elder, elders):
    a, _b = elders
    client.force_login(elder)
    assert client.get(f"/registry/elders/{a.pk}/edit/").status_code == 403


# -- status, health, contacts --------------------------------------------------------------
def test_recording_a_death_needs_a_date(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/status/", {"status": "deceased", "status_date": ""}, **EN)
    assert r.status_code == 200 and "Enter the date of death or moving out" in r.text
    a.refresh_from_db()
    assert a.status == Elder.Status.ACTIVE


def test_worker_records_a_death_and_reverts_it(client, worker_a, elders, today):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/status/", {"status": "deceased", "status_date": today.isoformat()})
    assert r["Location"] == detail(a)
    a.refresh_from_db()
    assert (a.status, a.status_date) == (Elder.Status.DECEASED, today)
    client.post(f"/registry/elders/{a.pk}/status/", {"status": "active"})
    a.refresh_from_db()
    assert (a.status, a.status_date) == (Elder.Status.ACTIVE, None)


def test_worker_edits_the_health_summary(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/health/", {
        "chronic_conditions": "高血压", "allergies": "", "notes": "",
    })
    assert r["Location"] == detail(a)
    assert "高血压" in client.get(detail(a)).text
    entry = AuditEntry.objects.get(verb="elder.health")
    assert entry.changes["chronic_conditions"] == "changed"


def test_the_health_form_leaves_the_family_doctor_to_the_health_app(client, worker_a, elders):
    """The health app keeps the contract's fields and the last check-up: the form sets none of them."""
    from kangyang.registry.models import HealthRecord

    a, _b = elders
    signed = dt.date(2026, 3, 1)
    HealthRecord.objects.update_or_create(elder=a, defaults={
        "region_code": a.region_code, "family_doctor_contract": True, "family_doctor": "刘敏",
        "contract_signed_on": signed, "last_checkup_on": signed})
    client.force_login(worker_a)
    client.post(f"/registry/elders/{a.pk}/health/", {
        "chronic_conditions": "高血压", "allergies": "", "family_doctor_contract": "", "family_doctor": "x",
        "contract_signed_on": "", "last_checkup_on": "", "notes": "",
    })
    health = HealthRecord.objects.get(elder=a)
    assert (health.chronic_conditions, health.family_doctor_contract, health.family_doctor) == ("高血压", True, "刘敏")
    assert (health.contract_signed_on, health.last_checkup_on) == (signed, signed)


def test_staff_reading_the_health_summary_is_audited(client, api_token, worker_a, elders):
    from kangyang.registry.models import HealthRecord

    a, _b = elders
    HealthRecord.objects.update_or_create(elder=a, defaults={"region_code": a.region_code, "chronic_conditions": "高血压"})
    reads = AuditEntry.objects.filter(verb="health.record.read", actor=worker_a, target_id=str(a.pk))
    client.force_login(worker_a)
    assert "高血压" in client.get(detail(a)).text
    assert reads.count() == 1
    assert client.get(f"/api/v1/elders/{a.pk}", **api_token(worker_a)).json()["health"]["chronic_conditions"] == "高血压"
    assert reads.count() == 2


def test_health_summary_is_hidden_from_staff_outside_health_scope(client, provider, elders):
    a, _b = elders
    client.force_login(provider)
    assert client.get(f"/registry/elders/{a.pk}/health/").status_code == 404


def test_family_sees_the_health_summary_but_not_the_history(client, family, elders):
    a, _b = elders
    client.force_login(family)
    page = client.get(detail(a), **EN).text
    assert "Health summary" in page
    assert "Recent changes" not in page and "Edit health summary" not in page


def test_worker_adds_a_contact_in_call_order(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/contacts/", {
        "name": "王强", "relation": "son", "phone": "13607916666", "priority": "",
    })
    assert r["Location"] == detail(a)
    page = client.get(detail(a)).text
    assert "王强" in page and "136****6666" in page and "13607916666" not in page


def test_a_contact_with_a_bad_phone_is_refused(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{a.pk}/contacts/", {"name": "王强", "relation": "son", "phone": "12345"})
    assert r.status_code == 200 and "errorlist" in r.text
    assert not a.contacts.filter(name="王强").exists()


# -- language ------------------------------------------------------------------------------
def test_pages_are_in_simplified_chinese_by_default(client, worker_a, elders):
    client.force_login(worker_a)
    assert '<html lang="zh-hans">' in client.get(LIST).text


def test_worker_switches_to_english(client, worker_a, elders):
    client.force_login(worker_a)
    r = client.post("/i18n/setlang/", {"language": "en", "next": LIST})
    assert r["Location"] == LIST
    page = client.get(LIST).text
    assert '<html lang="en">' in page
    assert "Export this list" in page and "New elder" in page


def test_accept_language_header_selects_english(client, worker_a, elders):
    client.force_login(worker_a)
    assert '<html lang="en">' in client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").text


# -- import and export ---------------------------------------------------------------------
def sheet(*rows) -> io.BytesIO:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号", "社区", "联系电话"])
    for row in rows:
        workbook.active.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "花名册.xlsx"
    return out


def test_worker_imports_a_small_sheet(client, worker_a, elders):
    a, _b = elders
    client.force_login(worker_a)
    page = client.get("/registry/imports/")
    assert page.status_code == 200 and "/registry/imports/template/" in page.text
    upload = sheet(
        ["赵秀英", NEW_ID, a.community.code, "13912345678"],  # added
        ["张桂兰", ID_A, a.community.code, ""],                # already registered
        ["钱多多", "360103195001010023", a.community.code, ""],  # wrong check character
    )
    r = client.post("/registry/imports/", {"file": upload})
    job = ImportJob.objects.get()
    assert r["Location"] == f"/registry/imports/{job.pk}/"
    assert (job.status, job.created_count, job.existing_count, job.error_count) == ("done", 1, 1, 1)
    assert Elder.objects.filter(name="赵秀英", community=a.community).exists()

    page = client.get(r["Location"]).text
    assert "<progress" in page and 'hx-trigger="every 1s"' not in page  # done: no more polling
    assert f"/registry/imports/{job.pk}/errors/" in page
    fragment = client.get(r["Location"], **HTMX).text
    assert "<html" not in fragment and "<progress" in fragment
    errors = client.get(f"/registry/imports/{job.pk}/errors/")
    assert errors.status_code == 200
    rejected = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    assert "钱多多" in [c.value for row in rejected.iter_rows() for c in row]


def test_a_running_import_polls_for_its_progress(client, worker_a, tmp_path):
    job = ImportJob.objects.create(created_by=worker_a, filename="x.xlsx", status="running",
                                   total_rows=200, processed_rows=50)
    client.force_login(worker_a)
    page = client.get(f"/registry/imports/{job.pk}/").text
    assert 'hx-trigger="every 1s"' in page and 'value="25"' in page


def test_an_import_is_seen_only_by_its_uploader_and_the_bureau_admin(client, worker_a, worker_b, admin):
    job = ImportJob.objects.create(created_by=worker_a, filename="x.xlsx", status="done")
    client.force_login(worker_b)
    assert client.get(f"/registry/imports/{job.pk}/").status_code == 404
    assert client.get(f"/registry/imports/{job.pk}/errors/").status_code == 404
    client.force_login(admin)
    assert client.get(f"/registry/imports/{job.pk}/").status_code == 200


def test_a_file_that_is_not_a_workbook_is_refused_on_the_form(client, worker_a, community_a):
    client.force_login(worker_a)
    upload = io.BytesIO(b"not a workbook")
    upload.name = "list.xlsx"
    r = client.post("/registry/imports/", {"file": upload})
    assert r.status_code == 200 and "errorlist" in r.text
    assert not ImportJob.objects.exists()


def test_operator_cannot_import(client, operator, tree):
    client.force_login(operator)
    assert client.get("/registry/imports/").status_code == 403
    assert client.get("/registry/imports/template/").status_code == 403


def test_import_template_downloads(client, worker_a, community_a):
    client.force_login(worker_a)
    r = client.get("/registry/imports/template/")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in r["Content-Disposition"]
    assert load_workbook(io.BytesIO(r.content)).worksheets


def test_export_holds_only_the_workers_elders_and_is_audited(client, worker_a, elders):
    client.force_login(worker_a)
    r = client.get("/registry/elders/export/")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    today = timezone.localdate().strftime("%Y%m%d")
    assert r["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('长者名单')}-{today}.xlsx"
    cells = [c.value for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows() for c in row]
    assert "张桂兰" in cells and "李建国" not in cells
    assert ID_A not in cells
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, actor=worker_a).exists()


def test_export_follows_the_list_filters(client, admin, elders):
    client.force_login(admin)
    r = client.get("/registry/elders/export/", {"category": "disabled"})
    cells = [c.value for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows() for c in row]
    assert "李建国" in cells and "张桂兰" not in cells


def test_history_shows_a_change_keyed_by_a_reverse_relation_without_crashing(client, worker_a, elder_in_a):
    """Other apps record changes against the elder under keys such as `contacts`."""
    from kangyang.audit.actions import record

    record(worker_a, "change", elder_in_a, verb="elder.contact_add", changes={"contacts": "changed"})
    client.force_login(worker_a)
    assert client.get(f"/registry/elders/{elder_in_a.pk}/").status_code == 200


def test_worker_records_door_access_notes_shown_on_the_alarm_card_and_audited_without_value(
    client, worker_a, operator, elder_in_a
):
    from kangyang.audit.models import AuditEntry

    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{elder_in_a.pk}/edit/", {
        "name": elder_in_a.name, "community": elder_in_a.community_id, "address": elder_in_a.address,
        "compound": elder_in_a.compound_id or "", "living_arrangement": "alone", "categories": ["alone"],
        "door_access_notes": "钥匙在302邻居处，门禁码 4711",
    })
    assert r.status_code == 302
    elder_in_a.refresh_from_db()
    assert elder_in_a.door_access_notes == "钥匙在302邻居处，门禁码 4711"
    entry = AuditEntry.objects.filter(verb="elder.update").latest("id")
    assert entry.changes["door_access_notes"] == "changed" and "4711" not in str(entry.changes)
    assert "门禁码 4711" in client.get(f"/registry/elders/{elder_in_a.pk}/").text
