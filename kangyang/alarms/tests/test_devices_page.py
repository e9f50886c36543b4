"""The devices page (issue 12): who sees it, the list and the offline list, registering,
binding and unbinding (audited), and the vendor's sheet. Through the test client, and the
actions directly for their edge cases."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from kangyang.alarms import actions, device_import
from kangyang.alarms.models import Device
from kangyang.audit.models import AuditEntry

DEVICES = "/alarms/devices/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def district_2(db):
    """A second district with its own operator (the test tree is one district)."""
    from kangyang.accounts.models import User
    from kangyang.regions.models import Region

    d2 = Region.objects.create(code="360104000000", name="青云谱区", level="district")
    operator_2 = User.objects.create_user(username="operator_d2", password="kangyang-demo",
                                          role="hotline_operator", region=d2, full_name="赵接警")
    return d2, operator_2


@pytest.fixture
def silent(elder_in_b, worker_b):
    """A pendant not heard from for two hours (5-minute heartbeat): offline by the threshold."""
    device = actions.register_device(by=worker_b, device_id="P-B-SILENT", kind="sos_pendant", elder=elder_in_b)
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - dt.timedelta(hours=2), battery=12)
    return device


@pytest.fixture
def beating(pendant_a):
    actions.record_heartbeat(pendant_a, ts=timezone.now(), battery=88)
    return pendant_a


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- who sees the page ---------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["admin", "operator"])
def test_the_bureau_and_the_operators_see_the_areas_devices(client, request, persona, beating, silent, elder_in_a):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(DEVICES, **EN)
    assert page.status_code == 200
    assert 'data-device="P-A-001"' in page.text and 'data-device="P-B-SILENT"' in page.text
    assert "张桂兰" in page.text and elder_in_a.id_number_masked in page.text  # the masked ID only
    assert "360103194503120026" not in page.text
    assert 'href="/alarms/devices/"' in client.get("/alarms/console/").text  # the alarm tabs link it


@pytest.mark.parametrize("persona", ["worker_a", "provider", "caregiver", "elder", "subdistrict"])
def test_others_cannot_open_the_devices_page(client, request, persona, beating):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(DEVICES).status_code == 403
    assert client.get(f"{DEVICES}{beating.device_id}/").status_code == 403
    assert client.get(f"{DEVICES}import/template/").status_code == 403


def test_an_operator_of_another_district_sees_none_of_these_devices(client, district_2, beating, silent):
    _d2, operator_2 = district_2
    client.force_login(operator_2)
    page = client.get(DEVICES, **EN)
    assert page.status_code == 200 and "P-A-001" not in page.text and "P-B-SILENT" not in page.text
    assert client.get(f"{DEVICES}{beating.device_id}/").status_code == 404


def test_the_offline_list_holds_the_silent_devices_only(client, operator, beating, silent):
    client.force_login(operator)
    page = client.get(DEVICES, {"state": "offline"}, **EN)
    assert 'data-device="P-B-SILENT"' in page.text and 'data-device="P-A-001"' not in page.text
    assert 'data-offline-count="1"' in page.text
    row = page.text.split('data-device="P-B-SILENT"')[1].split("</tr>")[0]
    assert 'data-state="offline"' in row and "12%" in row


def test_times_are_shown_in_shanghai_time(client, operator, pendant_a):
    Device.objects.filter(pk=pendant_a.pk).update(last_seen_at=dt.datetime(2025, 6, 1, 2, 30, tzinfo=dt.UTC))
    client.force_login(operator)
    assert "2025-06-01 10:30" in client.get(DEVICES, **EN).text


def test_the_last_alarm_of_each_device_is_shown(client, operator, alarm_a):
    client.force_login(operator)
    row = client.get(DEVICES, **EN).text.split('data-device="P-A-001"')[1].split("</tr>")[0]
    assert timezone.localtime(alarm_a.received_at).strftime("%Y-%m-%d %H:%M") in row


def test_an_operator_may_not_register_bind_or_import(client, operator, pendant_a, elder_in_b):
    client.force_login(operator)
    assert "Register a device" not in client.get(DEVICES, **EN).text
    assert client.post(f"{DEVICES}register/", {"device_id": "X-1", "kind": "sos_pendant"}).status_code == 403
    assert client.post(f"{DEVICES}{pendant_a.device_id}/unbind/", {"note": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(verb__in=["device.register", "device.unbind"], actor=operator).exists()


# -- registering -------------------------------------------------------------------------------
def test_the_admin_registers_a_device_for_an_elder_and_sees_its_password_once(client, admin, elder_in_a):
    client.force_login(admin)
    page = client.post(f"{DEVICES}register/", {
        "device_id": "867530012345678", "kind": "watch", "vendor": "康联智能", "model": "KY-W2",
        "elder": "360103194503120026"}, **EN)
    assert page.status_code == 200 and "Cache-Control" in page and "no-cache" in page["Cache-Control"]
    device = Device.objects.get(device_id="867530012345678")
    assert device.elder == elder_in_a and device.mqtt_password_hash
    password = page.text.split('class="password">')[1].split("<")[0]
    assert len(password) >= 16 and password not in device.mqtt_password_hash
    assert password not in client.get(f"{DEVICES}{device.device_id}/").text
    assert AuditEntry.objects.filter(verb="device.register", actor=admin, target_id=str(device.pk)).exists()


def test_a_device_without_an_elder_is_kept_in_stock_in_the_admins_area(client, admin, tree):
    client.force_login(admin)
    client.post(f"{DEVICES}register/", {"device_id": "STOCK-1", "kind": "sos_pendant"})
    device = Device.objects.get(device_id="STOCK-1")
    assert device.elder is None and device.region_code == tree.code
    assert 'data-device="STOCK-1"' in client.get(DEVICES, {"state": "unbound"}).text


def test_registering_an_unknown_elder_is_refused_on_the_form(client, admin):
    client.force_login(admin)
    page = client.post(f"{DEVICES}register/", {"device_id": "X-2", "kind": "sos_pendant", "elder": "999999"}, **EN)
    assert page.status_code == 400 and "No elder in your area" in page.text
    assert not Device.objects.filter(device_id="X-2").exists()


# -- binding -------------------------------------------------------------------------------------
def test_bind_and_unbind_are_audited(client, admin, elder_in_a, tree):
    stock = actions.register_device(by=admin, device_id="STOCK-2", kind="sos_button", area=tree)
    client.force_login(admin)
    response = client.post(f"{DEVICES}STOCK-2/bind/", {"elder": str(elder_in_a.pk), "note": "installed"})
    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.elder == elder_in_a and stock.region_code == elder_in_a.region_code
    assert stock.household == elder_in_a.household
    bound = AuditEntry.objects.get(verb="device.bind", actor=admin)
    assert bound.changes["elder"] == [None, elder_in_a.pk] and bound.note == "installed"

    client.post(f"{DEVICES}STOCK-2/unbind/", {"note": "moved away"})
    stock.refresh_from_db()
    assert stock.elder is None and stock.household is None and stock.region_code == elder_in_a.region_code
    unbound = AuditEntry.objects.get(verb="device.unbind", actor=admin)
    assert unbound.changes["elder"] == [elder_in_a.pk, None] and unbound.note == "moved away"


def test_a_device_bound_to_another_elder_must_be_unbound_first(admin, pendant_a, elder_in_b):
    with pytest.raises(ValidationError) as e:
        actions.bind_device(pendant_a, by=admin, elder=elder_in_b)
    assert e.value.code == "bound_elsewhere"
    assert actions.bind_device(pendant_a, by=admin, elder=pendant_a.elder) == pendant_a  # same elder: nothing
    assert not AuditEntry.objects.filter(verb="device.bind").exists()


def test_binding_needs_both_places_in_the_callers_area(worker_a, elder_in_b, community_a):
    stock = actions.register_device(by=worker_a, device_id="STOCK-A", kind="sos_pendant", area=community_a)
    with pytest.raises(PermissionDenied):
        actions.bind_device(stock, by=worker_a, elder=elder_in_b)


def test_unbinding_a_device_with_no_elder_is_refused(admin, tree):
    stock = actions.register_device(by=admin, device_id="STOCK-3", kind="sos_pendant", area=tree)
    with pytest.raises(ValidationError):
        actions.unbind_device(stock, by=admin)


def test_an_unbound_devices_alarm_waits_with_no_elder(admin, pendant_a, now):
    actions.unbind_device(pendant_a, by=admin, note="returned")
    alarm, created = actions.raise_alarm(source="device", type="sos", device=pendant_a, msg_id="u-1", now=now)
    assert created and alarm.elder is None and alarm.region_code == pendant_a.region_code


# -- the vendor's sheet ----------------------------------------------------------------------------
def test_the_template_has_the_headers_and_the_kind_words(client, admin):
    client.force_login(admin)
    response = client.get(f"{DEVICES}import/template/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["设备清单"][1]] == device_import.TEMPLATE_HEADERS
    assert "呼救挂件" in str(book["设备清单"].data_validations.dataValidation[0].formula1)


def test_an_import_registers_the_good_rows_and_reports_each_bad_one(client, admin, elder_in_a, elder_in_b, pendant_a):
    sheet = xlsx([
        device_import.TEMPLATE_HEADERS,
        ["IMP-1", "呼救挂件", "康联智能", "KY-P1", "360103194503120026", "", "2025-03-01"],
        ["IMP-2", "smoke", "", "", "", "", ""],  # no elder: in stock
        ["IMP-3", "冰箱", "", "", "", "", ""],  # unknown kind
        ["IMP-4", "watch", "", "", "360103194503120027", "", ""],  # bad ID number
        ["IMP-1", "watch", "", "", "", "", ""],  # twice in the sheet
        [pendant_a.device_id, "sos_pendant", "", "", "", "", ""],  # already registered
        [867530012345679, "智能手表", "", "", "", elder_in_b.pk, "2025/4/31"],  # a number cell; bad date
        ["IMP-5", "watch", "", "", "", elder_in_b.pk, ""],
    ])
    client.force_login(admin)
    page = client.post(f"{DEVICES}import/", {"file": SimpleUploadedFile("vendor.xlsx", sheet)}, **EN)
    assert page.status_code == 200
    assert 'data-import-registered="3"' in page.text and 'data-import-existing="1"' in page.text
    assert 'data-import-rejected="4"' in page.text
    for row in (4, 5, 6, 8):
        assert f'data-rejected-row="{row}"' in page.text
    assert "Unknown device kind" in page.text and "also on row 2" in page.text and "is not a date" in page.text
    assert Device.objects.get(device_id="IMP-1").elder == elder_in_a
    assert Device.objects.get(device_id="IMP-1").installed_on == dt.date(2025, 3, 1)
    assert Device.objects.get(device_id="IMP-2").elder is None
    assert Device.objects.get(device_id="IMP-5").elder == elder_in_b
    assert not Device.objects.filter(device_id__in=["IMP-3", "IMP-4", "867530012345679"]).exists()
    assert page.text.count('data-credentials="') == 3  # each new device's password, once
    entry = AuditEntry.objects.get(verb="device.import", actor=admin)
    assert sorted(entry.changes["registered"]) == ["IMP-1", "IMP-2", "IMP-5"] and entry.changes["rejected"] == 4

    again = client.post(f"{DEVICES}import/", {"file": SimpleUploadedFile("vendor.xlsx", sheet)}, **EN)
    assert 'data-import-registered="0"' in again.text and 'data-import-existing="4"' in again.text
    assert Device.objects.filter(device_id__startswith="IMP-").count() == 3


def test_an_import_without_the_kind_column_is_refused_whole(client, admin):
    client.force_login(admin)
    page = client.post(f"{DEVICES}import/", {"file": SimpleUploadedFile("v.xlsx", xlsx([["设备编号"], ["Z-1"]]))}, **EN)
    assert page.status_code == 400 and "Missing columns" in page.text
    assert not Device.objects.filter(device_id="Z-1").exists()


def test_an_import_names_no_elder_outside_the_importers_area(district_2, elder_in_a):
    from kangyang.accounts.models import User

    d2, _operator = district_2
    admin_2 = User.objects.create_user(username="admin_d2", password="x", role="bureau_admin", region=d2)
    with translation.override("en"):
        result = device_import.import_devices(by=admin_2, filename="v.xlsx", data=xlsx([
            ["设备编号", "设备类型", "老人身份证号"], ["D2-1", "watch", "360103194503120026"], ["D2-2", "watch", ""],
        ]))
    assert [r.device_id for r in result.registered] == ["D2-2"]
    assert result.rejected[0].number == 2 and "No elder in your area" in " ".join(result.rejected[0].errors)
