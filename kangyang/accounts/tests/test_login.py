from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.audit.models import AuditEntry


def _code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the phone shows; a later step's code, because a code is accepted once."""
    drift = device.drift + steps_ahead
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift):06d}"


def test_worker_signs_in_and_reaches_the_elder_list(client, worker_a):
    r = client.post("/accounts/login/", {"username": "worker_a", "password": "kangyang-demo"})
    assert r.status_code == 302
    assert client.get("/registry/elders/").status_code == 200
    assert AuditEntry.objects.filter(action="login", actor=worker_a).exists()


def test_wrong_password_is_refused_in_chinese_by_default(client, worker_a):
    r = client.post("/accounts/login/", {"username": "worker_a", "password": "nope-nope-nope"})
    assert r.status_code == 200
    assert "用户名或密码错误" in r.text or "Wrong username or password" in r.text
    assert AuditEntry.objects.filter(action="login_failed").count() == 1


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, worker_a, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "worker_a", "password": "wrong-password"})
    r = client.post("/accounts/login/", {"username": "worker_a", "password": "kangyang-demo"})
    assert r.status_code == 200 and "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock(client, worker_a, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post("/accounts/login/", {"username": "worker_a", "password": "wrong-password"})
    r = client.post("/accounts/login/", {"username": "worker_a", "password": "kangyang-demo"})
    assert r.status_code == 302


def test_pages_need_a_signed_in_user(client, db):
    r = client.get("/registry/elders/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_staff_turns_on_two_factor_and_then_needs_a_code(client, worker_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off after a wrong code
    client.force_login(worker_a)
    client.post("/accounts/two-factor/", {"step": "start"})
    device = TOTPDevice.objects.get(user=worker_a, confirmed=False)
    page = client.get("/accounts/two-factor/")
    assert "<svg" in page.text  # the QR code to scan
    client.post("/accounts/two-factor/", {"step": "confirm", "token": "000000" if _code(device) != "000000" else "111111"})
    device.refresh_from_db()
    assert not device.confirmed
    client.post("/accounts/two-factor/", {"step": "confirm", "token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    client.logout()

    r = client.post("/accounts/login/", {"username": "worker_a", "password": "kangyang-demo"})
    assert r.status_code == 302 and "/otp/" in r["Location"]
    assert "_auth_user_id" not in client.session
    client.post("/accounts/login/otp/", {"token": "12345a"})
    assert "_auth_user_id" not in client.session
    device.refresh_from_db()
    r = client.post("/accounts/login/otp/", {"token": _code(device, steps_ahead=1)})
    assert r.status_code == 302 and client.session["_auth_user_id"] == str(worker_a.pk)


def test_elders_cannot_turn_on_two_factor(client, elder):
    client.force_login(elder)
    client.post("/accounts/two-factor/", {"step": "start"})
    assert not TOTPDevice.objects.filter(user=elder).exists()


def test_login_redirect_refuses_foreign_hosts(client, worker_a):
    r = client.post("/accounts/login/?next=https://evil.example/", {"username": "worker_a", "password": "kangyang-demo"})
    assert r["Location"] == "/"
