"""Signing in to the app (/app/login/): a code by SMS, the elder's QR card, username and password."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from kangyang.audit.models import AuditEntry
from kangyang.lib import crypto
from kangyang.notify.models import Delivery
from kangyang.portal import sign_in
from kangyang.portal.models import ElderCard, SignInCode

ELDER_PHONE = "13807911234"  # elder_in_a's, the `elder` persona's record
DAUGHTER_PHONE = "13607915555"  # the `family` persona's, as the elder's contact
NOBODY_PHONE = "13900000000"


def sent_codes(number: str) -> list[str]:
    """The codes the SMS transport was given for a number, oldest first (the delivery log)."""
    codes = []
    for d in Delivery.objects.filter(template="sign_in.code").order_by("pk"):
        if crypto.decrypt(d.address_encrypted) == number:
            codes.append(json.loads(crypto.decrypt(d.context_encrypted))["code"])
    return codes


def ask(client, number: str, **extra):
    return client.post("/app/login/", {"how": "code", "phone": number}, **extra)


def type_code(client, code: str, **extra):
    return client.post("/app/login/code/", {"code": code}, **extra)


def signed_in_as(client):
    response = client.get("/app/")
    return response.wsgi_request.user if response.status_code == 200 else None


# -- codes -------------------------------------------------------------------------------------------
def test_the_right_code_signs_the_elder_in_and_lands_on_the_app(client, elder):
    response = ask(client, ELDER_PHONE)
    assert response.status_code == 302 and response.url == "/app/login/code/"
    page = client.get("/app/login/code/").text
    assert "138****1234" in page and ELDER_PHONE not in page
    [code] = sent_codes(ELDER_PHONE)
    assert re.fullmatch(r"\d{6}", code)
    stored = SignInCode.objects.get()
    assert code not in stored.code_hash and stored.phone_hash != ELDER_PHONE  # hashed, both
    assert stored.expires_at - stored.created_at == dt.timedelta(minutes=5)
    response = type_code(client, code)
    assert response.status_code == 302 and response.url == "/app/"
    assert signed_in_as(client) == elder
    assert AuditEntry.objects.filter(verb="login.sms_code", actor=elder).exists()
    # Used once only.
    with pytest.raises(sign_in.SignInRefused):
        sign_in.verify_code(ELDER_PHONE, code, ip=None)


def test_a_code_signs_in_the_family_account_of_a_contact_with_that_number(client, family):
    ask(client, DAUGHTER_PHONE)
    [code] = sent_codes(DAUGHTER_PHONE)
    assert type_code(client, code).url == "/app/"
    assert signed_in_as(client) == family


def test_a_wrong_code_says_so_with_the_tries_left_and_five_wrong_tries_end_the_code(client, elder):
    ask(client, ELDER_PHONE)
    [code] = sent_codes(ELDER_PHONE)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    page = type_code(client, wrong).text
    assert "验证码不对" in page or "not right" in page
    assert "4" in page
    for _i in range(4):
        type_code(client, wrong)
    response = type_code(client, code)  # the right one, after five wrong tries
    assert response.status_code == 200 and signed_in_as(client) is None
    assert SignInCode.objects.get().attempts == 5
    assert AuditEntry.objects.filter(verb="login.sms_code_failed").count() == 5


def test_an_expired_code_is_refused(client, elder):
    ask(client, ELDER_PHONE)
    [code] = sent_codes(ELDER_PHONE)
    SignInCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = type_code(client, code)
    assert response.status_code == 200 and signed_in_as(client) is None
    with pytest.raises(sign_in.SignInRefused) as refused:
        sign_in.verify_code(ELDER_PHONE, code, ip=None)
    assert refused.value.code == "expired"


def a_minute_passes(number: str) -> None:
    from django.core.cache import cache

    cache.delete(f"signin:resend:{sign_in._phone_key(crypto.lookup_hash(number))}")


def test_one_code_a_minute_and_five_an_hour_per_number(client, elder):
    assert ask(client, ELDER_PHONE).status_code == 302
    again = ask(client, ELDER_PHONE)
    assert again.status_code == 200 and 'role="alert"' in again.text
    assert len(sent_codes(ELDER_PHONE)) == 1
    for n in range(2, 6):
        a_minute_passes(ELDER_PHONE)
        assert ask(client, ELDER_PHONE).status_code == 302
        assert len(sent_codes(ELDER_PHONE)) == n
    a_minute_passes(ELDER_PHONE)
    sixth = ask(client, ELDER_PHONE)
    assert sixth.status_code == 200 and 'role="alert"' in sixth.text
    assert len(sent_codes(ELDER_PHONE)) == 5
    # Only the latest code works.
    codes = sent_codes(ELDER_PHONE)
    if codes[0] != codes[-1]:
        assert type_code(client, codes[0]).status_code == 200
    assert type_code(client, codes[-1]).status_code == 302


def test_an_address_asking_for_many_numbers_is_stopped(client, db):
    answers = [ask(client, f"1390000{n:04d}").status_code for n in range(sign_in.CODES_PER_ADDRESS_HOUR + 2)]
    assert answers[: sign_in.CODES_PER_ADDRESS_HOUR] == [302] * sign_in.CODES_PER_ADDRESS_HOUR
    assert answers[-1] == 200


def test_the_answer_never_tells_whether_a_number_has_an_account(client, elder):
    with_account = ask(client, ELDER_PHONE)
    page_with = client.get("/app/login/code/").text
    other = type(client)()
    without = ask(other, NOBODY_PHONE)
    page_without = other.get("/app/login/code/").text
    assert with_account.status_code == without.status_code == 302
    def same(page, masked):
        return re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", page).replace(masked, "X")

    assert same(page_with, "138****1234") == same(page_without, "139****0000")
    assert sent_codes(NOBODY_PHONE) == []  # no SMS to a number without an account
    assert SignInCode.objects.count() == 2  # but a code row either way
    # A guess for the number without an account is "wrong" like any other, never "no account".
    page = type_code(other, "123456").text
    assert "不对" in page or "not right" in page


@pytest.mark.parametrize("value", ["138\x0007911234", "1" * 100_000, "abc", "", "+86 138 0791 1234 5", "0791-8888888"])
def test_bad_numbers_get_a_clear_error_never_a_500(client, value, db):
    response = ask(client, value)
    if "\x00" in value:  # refused before any view, in words (lib/middleware.py)
        assert response.status_code == 400 and "NUL" in response.text
        return
    assert response.status_code == 200
    assert 'role="alert"' in response.text or "errorlist" in response.text
    assert not SignInCode.objects.exists()


@pytest.mark.parametrize("value", ["12\x003456", "9" * 100_000, "一二三四五六", "12345678901234567890"])
def test_bad_codes_get_a_clear_error_never_a_500(client, elder, value):
    ask(client, ELDER_PHONE)
    response = type_code(client, value)
    if "\x00" in value:
        assert response.status_code == 400 and "NUL" in response.text
    else:
        assert response.status_code == 200 and "errorlist" in response.text
    assert signed_in_as(client) is None


def test_the_code_page_without_a_number_goes_back_to_the_sign_in_page(client, db):
    assert client.get("/app/login/code/").url == "/app/login/"


def test_a_number_used_by_two_accounts_is_told_to_use_the_password_after_a_right_code(client, elder, family,
                                                                                         elder_in_a, worker_a):
    from kangyang.accounts.models import User
    from kangyang.registry.actions import add_contact

    son = User.objects.create_user("son", password="x", role="family")
    add_contact(elder_in_a, by=worker_a, name="王强", relation="son", phone=DAUGHTER_PHONE, user=son)
    ask(client, DAUGHTER_PHONE)
    [code] = sent_codes(DAUGHTER_PHONE)
    page = type_code(client, code).text
    assert "用户名和密码" in page or "username and password" in page
    assert signed_in_as(client) is None


def test_a_code_never_signs_in_a_staff_account(client, worker_a, elder_in_a):
    worker_a.role = "elder"  # an elder account that opens the admin site: no code for it
    worker_a.is_staff = True
    worker_a.save()
    elder_in_a.user = worker_a
    elder_in_a.save(update_fields=["user"])
    ask(client, ELDER_PHONE)
    assert sent_codes(ELDER_PHONE) == []


# -- the card ----------------------------------------------------------------------------------------
def test_the_worker_prints_a_card_that_signs_the_elder_in_and_a_new_one_revokes_it(client, worker_a, elder_in_a):
    client.force_login(worker_a)
    response = client.post(f"/app/elders/{elder_in_a.pk}/card/", {"action": "print"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "<svg" in response.text and elder_in_a.name in response.text and "12349" in response.text
    card, token = sign_in.print_card(elder_in_a, by=worker_a)  # as the view does; the token shown once
    assert ElderCard.objects.filter(elder=elder_in_a, revoked_at__isnull=True).get() == card
    assert card.digest != token and token not in card.digest
    elder_in_a.refresh_from_db()
    account = elder_in_a.user
    assert account.role == "elder" and not account.has_usable_password()  # made for her
    client.logout()

    response = client.get(f"/app/card/{token}/")
    assert response.status_code == 302 and response.url == "/app/"
    assert signed_in_as(client) == account
    assert AuditEntry.objects.filter(verb="login.card", actor=account).exists()
    assert AuditEntry.objects.filter(verb="app_card.print", actor=worker_a).count() == 2

    client.logout()
    _new, new_token = sign_in.print_card(elder_in_a, by=worker_a)
    old = client.get(f"/app/card/{token}/")
    assert old.status_code == 410 and ("不再有效" in old.text or "no longer valid" in old.text)
    assert signed_in_as(client) is None
    assert AuditEntry.objects.filter(verb="login.card_revoked").exists()
    assert client.get(f"/app/card/{new_token}/").url == "/app/"


def test_an_unknown_card_says_so_in_words(client, db):
    for token in ["x" * 32, "not a token", "a" * 5000, "%E4%B8%AD" * 10]:
        response = client.get(f"/app/card/{token}/")
        assert response.status_code == 404
        assert "<h1>" in response.text
    assert client.get("/app/card/%00%00/").status_code == 400
    assert signed_in_as(client) is None


def test_revoking_the_card_on_the_elder_page(client, worker_a, elder_in_a):
    _card, token = sign_in.print_card(elder_in_a, by=worker_a)
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/").text
    assert f"/app/elders/{elder_in_a.pk}/card/" in page
    assert client.post(f"/app/elders/{elder_in_a.pk}/card/", {"action": "revoke"}).status_code == 302
    client.logout()
    assert client.get(f"/app/card/{token}/").status_code == 410
    assert AuditEntry.objects.filter(verb="app_card.revoke", actor=worker_a).exists()


def test_only_staff_who_keep_the_record_print_cards(client, worker_b, operator, family, elder, elder_in_a):
    for user, status in ((worker_b, 404), (operator, 403), (family, 403), (elder, 403)):
        client.force_login(user)
        assert client.post(f"/app/elders/{elder_in_a.pk}/card/", {"action": "print"}).status_code == status, user
    assert not ElderCard.objects.exists()


# -- username and password ---------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["elder", "family"])
def test_the_elder_and_family_sign_in_with_their_password_at_the_app(client, persona, request):
    user = request.getfixturevalue(persona)
    response = client.post("/app/login/", {"how": "password", "pw-username": user.username,
                                           "pw-password": "kangyang-demo"})
    assert response.status_code == 302 and response.url == "/app/"
    assert signed_in_as(client) == user


def test_a_wrong_password_is_refused_in_words(client, elder):
    response = client.post("/app/login/", {"how": "password", "pw-username": "elder", "pw-password": "nope"})
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert signed_in_as(client) is None


def test_staff_land_where_home_sends_them(client, worker_a):
    response = client.post("/app/login/", {"how": "password", "pw-username": "worker_a",
                                           "pw-password": "kangyang-demo"})
    assert response.url == "/"


def test_staff_keep_their_second_factor(client, worker_a, two_factor_enforced):
    response = client.post("/app/login/", {"how": "password", "pw-username": "worker_a",
                                           "pw-password": "kangyang-demo"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/enrol/")
    assert client.get("/registry/elders/").status_code == 302  # no session yet


def test_the_sign_in_page_is_phone_first_with_big_buttons(client, db):
    page = client.get("/app/login/").text
    assert page.index('name="phone"') < page.index('name="pw-username"')
    assert page.count('class="button main"') >= 2
    assert 'type="tel"' in page


def test_the_card_carries_the_apps_public_address_whatever_address_it_was_printed_from(settings):
    """A card is printed at the community's desk (an intranet address, a proxy) and scanned at
    home: its QR code holds KANGYANG_PUBLIC_URL's address."""
    settings.PUBLIC_URL = "https://kangyang.example.gov.cn"
    assert sign_in.card_url("abc123") == "https://kangyang.example.gov.cn/app/card/abc123/"
