"""Passwords (change, reset by the bureau admin), API tokens (list, revoke, logout), session
timeouts and the Content-Security-Policy."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from kangyang.accounts.middleware import SIGNED_IN_AT
from kangyang.accounts.models import ApiToken, User
from kangyang.audit.models import AuditEntry

PASSWORD = "kangyang-demo"


def token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# -- passwords ------------------------------------------------------------------------------
def test_worker_changes_her_password_with_the_old_one(client, worker_a):
    secret = token(client, "worker_a").json()["token"]
    client.force_login(worker_a)
    r = client.post("/accounts/password/", {"old_password": "wrong-one-here", "new_password1": "Lotus-river-42",
                                            "new_password2": "Lotus-river-42"})
    assert r.status_code == 200
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Lotus-river-42",
                                            "new_password2": "Lotus-river-42"})
    assert r.status_code == 302
    worker_a.refresh_from_db()
    assert worker_a.check_password("Lotus-river-42")
    assert client.get("/registry/elders/").status_code == 200  # this session stays
    assert client.get("/api/v1/regions", **bearer(secret)).status_code == 401  # tokens end
    assert AuditEntry.objects.filter(actor=worker_a, verb="password.change").exists()


def test_a_new_password_must_pass_django_s_validators(client, worker_a):
    client.force_login(worker_a)
    r = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "short",
                                            "new_password2": "short"})
    assert r.status_code == 200
    worker_a.refresh_from_db()
    assert worker_a.check_password(PASSWORD)


def test_bureau_admin_resets_a_password_and_the_worker_must_change_it_first(client, admin, worker_a):
    client.force_login(admin)
    r = client.post(f"/accounts/staff/{worker_a.pk}/reset-password/")
    temporary = r.context["temporary"]
    assert temporary in r.text
    assert AuditEntry.objects.filter(actor=admin, verb="password.reset", target_id=str(worker_a.pk)).exists()
    assert temporary not in "".join(AuditEntry.objects.values_list("note", flat=True))

    client.logout()
    assert token(client, "worker_a", temporary).json()["error"]["code"] == "password_change_required"
    client.post("/accounts/login/", {"username": "worker_a", "password": temporary})
    r = client.get("/registry/elders/")
    assert r.status_code == 302 and r["Location"] == "/accounts/password/"
    client.post("/accounts/password/", {"old_password": temporary, "new_password1": "Lotus-river-42",
                                        "new_password2": "Lotus-river-42"})
    assert client.get("/registry/elders/").status_code == 200
    assert not User.objects.get(pk=worker_a.pk).must_change_password


def test_the_old_password_stops_working_after_a_reset(client, admin, worker_a):
    client.force_login(admin)
    client.post(f"/accounts/staff/{worker_a.pk}/reset-password/")
    assert token(client, "worker_a").status_code == 401


# -- API tokens -----------------------------------------------------------------------------
def test_worker_lists_her_tokens_and_revokes_one_on_the_tokens_page(client, worker_a, operator):
    token(client, "worker_a")
    other = token(client, "operator").json()["token"]
    client.force_login(worker_a)
    mine = ApiToken.objects.get(user=worker_a)
    theirs = ApiToken.objects.get(user=operator)
    assert client.get("/accounts/tokens/").context["tokens"][0] == mine
    assert client.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    client.post(f"/accounts/tokens/{mine.pk}/revoke/")
    assert not ApiToken.objects.filter(user=worker_a).exists()
    assert client.get("/api/v1/regions", **bearer(other)).status_code == 200
    assert AuditEntry.objects.filter(actor=worker_a, verb="token.revoke").exists()


def test_api_lists_revokes_and_logs_out_tokens(client, worker_a, operator):
    first = token(client, "worker_a").json()["token"]
    second = token(client, "worker_a").json()["token"]
    token(client, "operator")
    listed = client.get("/api/v1/auth/tokens", **bearer(first)).json()
    assert len(listed) == 2 and sum(t["current"] for t in listed) == 1
    assert {"id", "created_at", "last_used_at", "expires_at"} <= set(listed[0])

    theirs = ApiToken.objects.get(user=operator)
    r = client.delete(f"/api/v1/auth/tokens/{theirs.pk}", **bearer(first))
    assert r.status_code == 404 and ApiToken.objects.filter(pk=theirs.pk).exists()

    second_id = ApiToken.objects.get(digest=ApiToken.digest_of(second)).pk
    assert client.delete(f"/api/v1/auth/tokens/{second_id}", **bearer(first)).status_code == 204
    assert client.get("/api/v1/regions", **bearer(second)).status_code == 401

    assert client.post("/api/v1/auth/logout", **bearer(first)).status_code == 204
    assert client.get("/api/v1/regions", **bearer(first)).status_code == 401


# -- sessions -------------------------------------------------------------------------------
def test_a_session_lasts_the_idle_minutes_from_the_last_request(client, worker_a, settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60 == 30 * 60
    client.post("/accounts/login/", {"username": "worker_a", "password": PASSWORD})
    client.get("/registry/elders/")
    session = Session.objects.get(session_key=client.session.session_key)
    assert abs((session.expire_date - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=30)


def test_an_idle_session_ends(client, worker_a):
    client.post("/accounts/login/", {"username": "worker_a", "password": PASSWORD})
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    r = client.get("/registry/elders/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_a_busy_session_still_ends_after_the_absolute_cap(client, worker_a, settings):
    client.post("/accounts/login/", {"username": "worker_a", "password": PASSWORD})
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - settings.SESSION_MAX_HOURS * 3600 - 1
    session.save()
    r = client.get("/registry/elders/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


# -- Content-Security-Policy ----------------------------------------------------------------
@pytest.mark.parametrize("path", ["/accounts/login/", "/registry/elders/", "/api/v1/regions"])
def test_every_response_carries_a_content_security_policy(client, worker_a, path):
    client.force_login(worker_a)
    policy = client.get(path)["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
