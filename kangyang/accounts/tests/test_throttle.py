"""Throttling of failed sign-ins: per account and address, per account, per address; atomic."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kangyang.accounts import actions
from kangyang.accounts.models import User
from kangyang.audit.models import AuditEntry

PASSWORD = "kangyang-demo"


def sign_in(client, username, password=PASSWORD, ip="192.0.2.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_for_one_user_do_not_lock_out_another_user_from_the_same_address(client, worker_a, worker_b):
    for _ in range(5):
        sign_in(client, "worker_a", "wrong-password")
    sign_in(client, "worker_a")
    assert not signed_in(client)
    sign_in(client, "worker_b")
    assert signed_in(client)


def test_the_locked_user_still_signs_in_from_another_address(client, worker_a):
    for _ in range(5):
        sign_in(client, "worker_a", "wrong-password")
    sign_in(client, "worker_a", ip="198.51.100.7")
    assert signed_in(client)


def test_an_account_guessed_at_from_many_addresses_is_locked_at_its_own_cap(client, worker_a, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 6
    for i in range(6):
        sign_in(client, "worker_a", "wrong-password", ip=f"203.0.113.{i}")
    sign_in(client, "worker_a", ip="203.0.113.99")
    assert not signed_in(client)


def test_an_address_guessing_at_many_usernames_is_locked_at_its_own_cap(client, worker_a, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for i in range(8):
        sign_in(client, f"guess{i}", "wrong-password")
    sign_in(client, "worker_a")
    assert not signed_in(client)
    assert AuditEntry.objects.filter(verb="login.throttled").count() == 1


def test_a_right_password_forgets_the_account_s_failures(client, worker_a):
    for _ in range(4):
        sign_in(client, "worker_a", "wrong-password")
    sign_in(client, "worker_a")
    client.post("/accounts/logout/")
    for _ in range(4):
        sign_in(client, "worker_a", "wrong-password")
    sign_in(client, "worker_a")
    assert signed_in(client)


def test_the_lock_ends_after_the_lockout_period(client, worker_a, settings):
    from datetime import timedelta

    from kangyang.accounts.models import SignInCounter

    for _ in range(5):
        sign_in(client, "worker_a", "wrong-password")
    SignInCounter.objects.update(updated_at=SignInCounter.objects.first().updated_at - settings.LOGIN_LOCKOUT
                                 - timedelta(seconds=1))
    sign_in(client, "worker_a")
    assert signed_in(client)


def test_attempts_in_flight_count_before_their_password_is_checked(worker_a):
    """Five reserved attempts whose password check has not ended yet already fill the limit."""
    for _ in range(5):
        actions.reserve_attempt("worker_a", "192.0.2.1")
    with pytest.raises(ValidationError) as refused:
        actions.reserve_attempt("worker_a", "192.0.2.1")
    assert refused.value.code == "throttled"
    actions.reserve_attempt("worker_b", "192.0.2.1")  # another user from the address is not held up


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
def test_forty_parallel_wrong_passwords_cause_at_most_limit_password_checks(tree, settings, monkeypatch):
    User.objects.create_user("target", password=PASSWORD, role="community_worker")
    real = actions.authenticate
    checks = []
    lock = threading.Lock()
    barrier = threading.Barrier(40)

    def counting_authenticate(request, **credentials):
        with lock:
            checks.append(1)
        return real(request, **credentials)

    monkeypatch.setattr(actions, "authenticate", counting_authenticate)
    outcomes = []

    def attempt():
        try:
            barrier.wait(timeout=30)
            actions.sign_in(None, username="target", password="wrong-password", ip="192.0.2.50")
        except Exception as e:  # the refusals are what we count
            with lock:
                outcomes.append(getattr(e, "code", type(e).__name__))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 40
    assert 1 <= len(checks) <= settings.LOGIN_FAILURE_LIMIT
    assert outcomes.count("invalid_login") == len(checks)
    assert outcomes.count("throttled") == 40 - len(checks)
