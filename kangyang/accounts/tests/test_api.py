"""POST /api/v1/auth/token: passwords, throttling, two-factor, and what a token opens."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kangyang.accounts.models import ApiToken
from kangyang.audit.models import AuditEntry

TOKEN_URL = "/api/v1/auth/token"


def sign_in(client, username, password="kangyang-demo", **extra):
    body = {"username": username, "password": password, **extra}
    return client.post(TOKEN_URL, body, content_type="application/json")


@pytest.fixture
def two_factor_device(worker_a):
    """worker_a has turned on two-factor sign-in."""
    return TOTPDevice.objects.create(user=worker_a, name="authenticator", confirmed=True)


def test_worker_gets_a_token_when_the_password_is_right(client, worker_a):
    r = sign_in(client, "worker_a")

    assert r.status_code == 200
    body = r.json()
    assert body["token"] and body["expires_at"]
    assert ApiToken.objects.filter(user=worker_a, digest=ApiToken.digest_of(body["token"])).exists()


def test_token_is_stored_only_as_its_digest_when_issued(client, worker_a):
    secret = sign_in(client, "worker_a").json()["token"]

    assert not ApiToken.objects.filter(digest=secret).exists()
    assert AuditEntry.objects.filter(actor=worker_a, action=AuditEntry.Action.TOKEN).count() == 1


def test_worker_is_refused_with_401_when_the_password_is_wrong(client, worker_a):
    r = sign_in(client, "worker_a", "not-the-password")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_login"
    assert "token" not in r.json()


def test_unknown_user_is_refused_like_a_wrong_password(client, worker_a):
    wrong_password = sign_in(client, "worker_a", "not-the-password").json()["error"]
    unknown_user = sign_in(client, "nobody", "kangyang-demo").json()["error"]

    assert unknown_user == wrong_password


def test_worker_is_throttled_with_429_after_five_failures_even_with_the_right_password(client, worker_a):
    for _ in range(5):
        assert sign_in(client, "worker_a", "not-the-password").status_code == 401

    r = sign_in(client, "worker_a")

    assert r.status_code == 429
    assert r.json()["error"]["code"] == "throttled"


def test_worker_is_not_throttled_after_four_failures(client, worker_a):
    for _ in range(4):
        sign_in(client, "worker_a", "not-the-password")

    assert sign_in(client, "worker_a").status_code == 200


def test_failed_sign_ins_are_written_to_the_audit_log(client, worker_a):
    sign_in(client, "worker_a", "not-the-password")

    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, note="worker_a").count() == 1


def test_two_factor_user_is_refused_with_401_when_the_code_is_missing(client, worker_a, two_factor_device):
    r = sign_in(client, "worker_a")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "otp_required"
    assert "otp" in r.json()["error"]["fields"]


def test_two_factor_user_is_refused_when_the_code_is_wrong(client, worker_a, two_factor_device):
    right = f"{totp(two_factor_device.bin_key):06d}"
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    r = sign_in(client, "worker_a", otp=wrong)

    assert r.status_code == 401
    assert not ApiToken.objects.filter(user=worker_a).exists()


def test_two_factor_user_gets_a_token_with_the_current_code(client, worker_a, two_factor_device):
    r = sign_in(client, "worker_a", otp=f"{totp(two_factor_device.bin_key):06d}")

    assert r.status_code == 200
    assert r.json()["token"]


def test_token_request_without_a_password_is_422(client, worker_a):
    r = client.post(TOKEN_URL, {"username": "worker_a"}, content_type="application/json")

    assert r.status_code == 422
    assert "password" in r.json()["error"]["fields"]


def test_anonymous_caller_gets_401_without_a_token(client, tree):
    r = client.get("/api/v1/regions")

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


def test_caller_gets_401_with_a_made_up_token(client, tree):
    r = client.get("/api/v1/regions", HTTP_AUTHORIZATION="Bearer made-up")

    assert r.status_code == 401


def test_deactivated_worker_gets_401_with_a_token_issued_before(client, api_token, worker_a):
    headers = api_token(worker_a)
    worker_a.is_active = False
    worker_a.save(update_fields=["is_active"])

    assert client.get("/api/v1/regions", **headers).status_code == 401
