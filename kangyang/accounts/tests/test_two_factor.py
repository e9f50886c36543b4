"""Enforced two-factor sign-in: who must have it, enrolment, recovery codes, resets, the
admin site, and demo mode (the only place where demo accounts skip it)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.accounts import scope
from kangyang.accounts.models import ApiToken, User
from kangyang.audit.models import AuditEntry

PASSWORD = "kangyang-demo"
REQUIRED = ["admin", "subdistrict", "worker_a", "operator", "provider", "caregiver", "inspector"]
NOT_REQUIRED = ["volunteer", "elder", "family"]


def code_of(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def sign_in(client, username, password=PASSWORD, next_url=""):
    suffix = f"?next={next_url}" if next_url else ""
    return client.post(f"/accounts/login/{suffix}", {"username": username, "password": password})


def token(client, username, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", {"username": username, "password": password, **extra},
                       content_type="application/json")


@pytest.fixture
def enrolled(worker_a):
    """worker_a has an authenticator app and recovery codes."""
    from kangyang.accounts.actions import new_recovery_codes

    device = TOTPDevice.objects.create(user=worker_a, name="authenticator", confirmed=True)
    return device, new_recovery_codes(worker_a)


@pytest.fixture
def personas(request):
    def get(name):
        return request.getfixturevalue(name)
    return get


@pytest.mark.parametrize("name", REQUIRED)
def test_staff_role_is_sent_to_enrolment_after_the_password(client, personas, name, two_factor_enforced):
    user = personas(name)
    r = sign_in(client, name)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/enrol/")
    assert "_auth_user_id" not in client.session
    assert client.get("/registry/elders/")["Location"].startswith("/accounts/login/")
    assert scope.two_factor_required(user)


@pytest.mark.parametrize("name", REQUIRED)
def test_staff_role_without_a_second_factor_gets_no_api_token(client, personas, name, two_factor_enforced):
    personas(name)
    r = token(client, name)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "two_factor_enrolment_required"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("name", REQUIRED)
def test_a_password_only_session_of_a_staff_role_reaches_no_page(client, personas, name, two_factor_enforced):
    client.force_login(personas(name))
    r = client.get("/services/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/enrol/?next=%2Fservices%2F")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("name", NOT_REQUIRED)
def test_volunteers_elders_and_families_sign_in_with_a_password(client, personas, name, two_factor_enforced):
    personas(name)
    r = sign_in(client, name)
    assert r.status_code == 302 and "_auth_user_id" in client.session
    assert token(client, name).status_code == 200


def test_superusers_and_admin_site_staff_always_need_a_second_factor(db, two_factor_enforced):
    root = User.objects.create_superuser("root", password=PASSWORD)
    clerk = User.objects.create_user("clerk", password=PASSWORD, role="volunteer", is_staff=True)
    assert scope.two_factor_required(root) and scope.two_factor_required(clerk)


def test_a_new_staff_member_enrols_sees_recovery_codes_once_and_then_needs_a_code(
        client, worker_a, two_factor_enforced, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    r = sign_in(client, "worker_a", next_url="/alarms/")
    page = client.get(r["Location"])
    assert "<svg" in page.text
    device = TOTPDevice.objects.get(user=worker_a, confirmed=False)
    r = client.post("/accounts/login/enrol/?next=/alarms/", {"token": code_of(device)})
    assert r.status_code == 302 and r["Location"].startswith("/accounts/two-factor/recovery-codes/")
    codes = StaticDevice.objects.get(user=worker_a).token_set.values_list("token", flat=True)
    shown = client.get(r["Location"]).text
    assert len(codes) == 10 and all(c in shown for c in codes)
    assert not any(c in client.get(r["Location"]).text for c in codes)  # once
    assert client.get("/registry/elders/").status_code == 200
    assert AuditEntry.objects.filter(actor=worker_a, verb="otp.enable").exists()

    client.post("/accounts/logout/")
    r = sign_in(client, "worker_a")
    assert r["Location"].startswith("/accounts/login/otp/")
    r = client.post(r["Location"], {"token": code_of(device, steps_ahead=1)})
    assert r.status_code == 302 and "_auth_user_id" in client.session


def test_a_recovery_code_signs_in_once(client, worker_a, enrolled, two_factor_enforced):
    _device, codes = enrolled
    sign_in(client, "worker_a")
    r = client.post("/accounts/login/otp/", {"token": codes[0].upper()})
    assert r.status_code == 302 and "_auth_user_id" in client.session
    assert AuditEntry.objects.filter(verb="otp.recovery_code_used").count() == 1
    client.post("/accounts/logout/")
    sign_in(client, "worker_a")
    r = client.post("/accounts/login/otp/", {"token": codes[0]})
    assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_the_api_takes_a_recovery_code_as_otp_once(client, worker_a, enrolled, two_factor_enforced):
    _device, codes = enrolled
    assert token(client, "worker_a").json()["error"]["code"] == "otp_required"
    assert token(client, "worker_a", otp=codes[1]).status_code == 200
    assert token(client, "worker_a", otp=codes[1]).status_code == 401


def test_a_required_role_cannot_turn_two_factor_off(client, worker_a, enrolled, two_factor_enforced):
    device, _codes = enrolled
    client.force_login(worker_a)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    client.post("/accounts/two-factor/", {"step": "disable"})
    assert TOTPDevice.objects.filter(user=worker_a, confirmed=True).exists()


def test_bureau_admin_resets_a_worker_s_second_factor_and_the_worker_enrols_again(
        client, admin, worker_a, provider, enrolled, two_factor_enforced):
    admin_device = TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    client.force_login(admin)
    session = client.session
    session["otp_device_id"] = admin_device.persistent_id
    session.save()
    page = client.get("/accounts/staff/")
    assert "worker_a" in page.text and "provider" in page.text
    r = client.post(f"/accounts/staff/{worker_a.pk}/reset-two-factor/")
    assert r.status_code == 302
    assert not TOTPDevice.objects.filter(user=worker_a).exists()
    assert not StaticDevice.objects.filter(user=worker_a).exists()
    assert AuditEntry.objects.filter(actor=admin, verb="otp.reset", target_id=str(worker_a.pk)).exists()
    client.logout()
    assert sign_in(client, "worker_a")["Location"].startswith("/accounts/login/enrol/")


def test_a_worker_cannot_open_the_accounts_page_or_reset_anyone(client, worker_a, admin):
    client.force_login(worker_a)
    assert client.get("/accounts/staff/").status_code == 403
    assert client.post(f"/accounts/staff/{admin.pk}/reset-two-factor/").status_code == 403


def test_a_subdistrict_level_admin_sees_no_account_outside_their_area(admin, worker_a, worker_b, subdistrict_1):
    from kangyang.accounts.queries import accounts_for

    admin.region = subdistrict_1
    admin.save(update_fields=["region"])
    usernames = set(accounts_for(admin).values_list("username", flat=True))
    assert "worker_a" in usernames and "worker_b" not in usernames


def test_the_reset_command_resets_and_audits(worker_a, enrolled):
    out = StringIO()
    call_command("reset_two_factor", "worker_a", stdout=out)
    assert not TOTPDevice.objects.filter(user=worker_a).exists()
    assert AuditEntry.objects.filter(verb="otp.reset", target_id=str(worker_a.pk), actor=None).exists()


# -- the admin site -------------------------------------------------------------------------
@pytest.fixture
def root(db):
    """The installer's superuser, with an authenticator app."""
    user = User.objects.create_superuser("root", password="root-password-1")
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user, device


def test_admin_login_sends_to_the_accounts_sign_in(client, db):
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_totp_superuser_is_refused_at_the_admin_with_the_password_alone(client, root, two_factor_enforced):
    user, device = root
    r = sign_in(client, "root", "root-password-1", next_url="/admin/")
    assert r["Location"].startswith("/accounts/login/otp/")
    assert client.get("/admin/").status_code == 302
    # Even a session that holds the password alone (no second step) is turned away.
    client.force_login(user)
    r = client.get("/admin/accounts/user/")
    assert r.status_code == 302 and "/accounts/login/otp/" in r["Location"]
    # With the code, the admin opens.
    sign_in(client, "root", "root-password-1")
    client.post("/accounts/login/otp/", {"token": code_of(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_refuses_an_unverified_session_by_itself(rf, root):
    from django.contrib import admin

    user, _device = root
    request = rf.get("/admin/")
    request.user = user
    user.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    user.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_admin_sign_in_failures_are_throttled_and_audited(client, root, settings, two_factor_enforced):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        r = sign_in(client, "root", "wrong-password", next_url="/admin/")
        assert r.status_code == 200
    assert AuditEntry.objects.filter(action="login_failed", verb="login.failed", note="root").count() == 5
    r = sign_in(client, "root", "root-password-1", next_url="/admin/")
    assert r.status_code == 200 and "/otp/" not in r.get("Location", "")
    assert AuditEntry.objects.filter(verb="login.throttled", note="root").count() == 1


# -- demo mode ------------------------------------------------------------------------------
BANNER = re.compile(r'class="demo-banner"')


def test_in_a_demo_database_demo_accounts_skip_the_second_factor_and_every_page_says_so(client, worker_a):
    assert BANNER.search(client.get("/accounts/login/").text)
    r = sign_in(client, "worker_a")
    assert r.status_code == 302 and "_auth_user_id" in client.session
    assert BANNER.search(client.get("/registry/elders/").text)
    assert token(client, "worker_a").status_code == 200


def test_outside_a_demo_database_there_is_no_banner_and_no_waiver(client, worker_a, two_factor_enforced):
    assert worker_a.is_demo_account
    assert not BANNER.search(client.get("/accounts/login/").text)
    assert sign_in(client, "worker_a")["Location"].startswith("/accounts/login/enrol/")


def test_in_a_demo_database_an_account_the_demo_did_not_make_needs_its_second_factor(client, worker_a):
    User.objects.filter(pk=worker_a.pk).update(is_demo_account=False)
    assert sign_in(client, "worker_a")["Location"].startswith("/accounts/login/enrol/")


def test_a_superuser_is_never_waived_even_in_a_demo_database(client, root):
    assert sign_in(client, "root", "root-password-1")["Location"].startswith("/accounts/login/otp/")
