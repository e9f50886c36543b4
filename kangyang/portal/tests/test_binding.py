"""Family bindings: asked by the family member, effective only with consent (the elder's in the
app, or the community's recorded by the worker), refused, removed; every step audited."""

import re

import pytest

from kangyang.accounts.models import User
from kangyang.audit.models import AuditEntry
from kangyang.portal import binding as bindings
from kangyang.portal.models import Binding
from kangyang.registry.models import Contact

ELDER_PHONE = "13807911234"  # elder_in_a (张桂兰), the `elder` persona's record
SON_PHONE = "13907917777"


@pytest.fixture
def son(db):
    """A family account not bound to anyone yet."""
    return User.objects.create_user("son", password="kangyang-demo", role="family", full_name="王强")


def ask_by_phone(client, **over):
    data = {"elder_phone": ELDER_PHONE, "elder_name": "张桂兰", "relation": "son", "family_name": "王强",
            "family_phone": SON_PHONE, **over}
    return client.post("/app/family/bind/", data)


def sees(client, elder_record) -> bool:
    """Whether the signed-in account sees the elder on its own page."""
    return f'data-elder="{elder_record.pk}"' in client.get("/app/").text


def test_the_elder_approves_in_her_app_and_only_then_the_family_member_sees_her(client, son, elder, elder_in_a):
    client.force_login(son)
    response = ask_by_phone(client)
    assert response.status_code == 302
    request = Binding.objects.get()
    assert request.elder == elder_in_a and request.status == "pending" and request.via == "phone"
    assert request.family_phone_masked == "139****7777" and SON_PHONE not in request.family_phone_encrypted
    assert not sees(client, elder_in_a)
    assert "张桂兰" in client.get("/app/family/bind/").text  # his own request, as he typed it

    client.force_login(elder)
    page = client.get("/app/family/requests/").text
    assert f'data-binding="{request.pk}"' in page and "王强" in page
    response = client.post("/app/family/requests/", {"binding": request.pk, "decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.consent_by == "elder" and request.consent_how == "app"
    assert request.contact.user == son and request.contact.elder == elder_in_a

    client.force_login(son)
    assert sees(client, elder_in_a)
    verbs = set(AuditEntry.objects.filter(target_id=str(elder_in_a.pk)).values_list("verb", flat=True))
    assert {"binding.ask", "binding.approve", "elder.contact_add"} <= verbs


def test_an_existing_contact_with_his_number_is_linked_not_copied(client, son, elder, elder_in_a, worker_a):
    from kangyang.registry.actions import add_contact

    contact = add_contact(elder_in_a, by=worker_a, name="王强", relation="son", phone=SON_PHONE)
    client.force_login(son)
    ask_by_phone(client)
    bindings.approve(Binding.objects.get(), by=elder)
    contact.refresh_from_db()
    assert contact.user == son
    assert elder_in_a.contacts.filter(name="王强").count() == 1


def test_the_worker_records_the_communitys_consent_on_the_elder_page(client, son, worker_a, elder_in_a):
    client.force_login(son)
    ask_by_phone(client)
    request = Binding.objects.get()
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/").text
    assert f'data-binding="{request.pk}"' in page
    response = client.post(f"/app/elders/{elder_in_a.pk}/family/", {
        "binding": request.pk, "decision": "approve", "consent_by": "guardian", "consent_how": "in_person",
        "consent_at": "2026-03-02T10:30", "note": "女儿王芳在社区办公室当面同意"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == worker_a
    assert (request.consent_by, request.consent_how) == ("guardian", "in_person")
    assert request.consent_at.isoformat().startswith("2026-03-02T02:30")  # 10:30 in Shanghai, kept in UTC
    entry = AuditEntry.objects.get(verb="binding.approve")
    assert entry.actor == worker_a and entry.changes["consent_by"] == "guardian"
    client.force_login(son)
    assert sees(client, elder_in_a)
    # The elder's page says who consented, how and when.
    client.force_login(worker_a)
    page = client.get(f"/registry/elders/{elder_in_a.pk}/").text
    assert "2026-03-02 10:30" in page


def test_the_worker_must_say_how_the_consent_was_given(client, son, worker_a, elder_in_a):
    client.force_login(son)
    ask_by_phone(client)
    request = Binding.objects.get()
    client.force_login(worker_a)
    client.post(f"/app/elders/{elder_in_a.pk}/family/", {"binding": request.pk, "decision": "approve",
                                                         "consent_by": "community", "consent_how": ""})
    request.refresh_from_db()
    assert request.status == "pending"
    client.force_login(son)
    assert not sees(client, elder_in_a)


def test_refused_requests_bind_nothing(client, son, elder, elder_in_a):
    client.force_login(son)
    ask_by_phone(client)
    request = Binding.objects.get()
    client.force_login(elder)
    client.post("/app/family/requests/", {"binding": request.pk, "decision": "refuse"})
    request.refresh_from_db()
    assert request.status == "refused"
    assert not elder_in_a.contacts.filter(user=son).exists()
    client.force_login(son)
    assert not sees(client, elder_in_a)
    assert AuditEntry.objects.filter(verb="binding.refuse", actor=elder).exists()
    with pytest.raises(Exception):
        bindings.approve(request, by=elder)  # answered already


def test_the_elder_sees_and_removes_bindings(client, elder, family, elder_in_a):
    client.force_login(elder)
    page = client.get("/app/family/requests/").text
    assert f'data-family="{family.pk}"' in page
    client.post("/app/family/requests/", {"step": "remove", "family": family.pk})
    assert not elder_in_a.contacts.filter(user=family).exists()
    assert elder_in_a.contacts.filter(name="王芳").exists()  # still a person to call
    client.force_login(family)
    assert not sees(client, elder_in_a)
    assert AuditEntry.objects.filter(verb="binding.revoke", actor=elder).exists()


def test_the_worker_revokes_a_binding(client, worker_a, family, elder_in_a):
    client.force_login(worker_a)
    client.post(f"/app/elders/{elder_in_a.pk}/family/", {"step": "remove", "family": family.pk})
    client.force_login(family)
    assert not sees(client, elder_in_a)


def test_a_binding_code_from_the_elders_app(client, son, elder, elder_in_a):
    client.force_login(elder)
    page = client.post("/app/family/requests/", {"step": "code"}).text
    code = re.search(r"data-code>(\d{6})<", page).group(1)
    client.force_login(son)
    ask_by_phone(client, elder_phone="", elder_name="", code="000000" if code != "000000" else "222222")
    assert not Binding.objects.exists()
    ask_by_phone(client, elder_phone="", elder_name="", code=code)
    request = Binding.objects.get()
    assert request.elder == elder_in_a and request.via == "code" and request.status == "pending"
    bindings.approve(request, by=elder)
    assert sees(client, elder_in_a)


def test_a_family_member_binds_to_several_elders(client, son, elder, elder_in_a, elder_in_b, worker_b):
    client.force_login(son)
    ask_by_phone(client)
    ask_by_phone(client, elder_phone="13907919876", elder_name="李建国")
    first, second = Binding.objects.order_by("pk")
    bindings.approve(first, by=elder)
    client.force_login(worker_b)
    client.post(f"/app/elders/{elder_in_b.pk}/family/", {"binding": second.pk, "decision": "approve",
                                                         "consent_by": "elder", "consent_how": "phone"})
    client.force_login(son)
    assert sees(client, elder_in_a) and sees(client, elder_in_b)


def test_asking_tells_nothing_about_who_is_registered(client, son):
    client.force_login(son)
    matched = ask_by_phone(client)
    unmatched = ask_by_phone(client, elder_name="不存在")
    assert matched.status_code == unmatched.status_code == 302
    rows = list(Binding.objects.order_by("pk"))
    assert [r.status for r in rows] == ["pending", "pending"] and rows[1].elder is None
    page = client.get("/app/family/bind/").text
    assert page.count("data-binding=") == 2


def test_a_worker_of_another_community_cannot_consent_or_print(client, son, worker_b, elder_in_a):
    client.force_login(son)
    ask_by_phone(client)
    request = Binding.objects.get()
    client.force_login(worker_b)
    response = client.post(f"/app/elders/{elder_in_a.pk}/family/", {
        "binding": request.pk, "decision": "approve", "consent_by": "community", "consent_how": "in_person"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"
    assert client.post(f"/app/elders/{elder_in_a.pk}/card/", {"action": "print"}).status_code == 404
    with pytest.raises(Exception):
        bindings.approve(request, by=worker_b, consent_by="community", consent_how="in_person")


def test_nobody_else_answers_the_elders_requests(client, son, family, elder_in_a, elder_in_b):
    other = User.objects.create_user("other-elder", password="x", role="elder")
    elder_in_b.user = other
    elder_in_b.save(update_fields=["user"])
    client.force_login(son)
    ask_by_phone(client)
    request = Binding.objects.get()
    for user in (other, family):
        client.force_login(user)
        client.post("/app/family/requests/", {"binding": request.pk, "decision": "approve"})
    request.refresh_from_db()
    assert request.status == "pending"
    assert not Contact.objects.filter(user=son).exists()


@pytest.mark.parametrize("field,value", [
    ("elder_phone", "138\x0007911234"), ("elder_name", "x" * 100_000), ("family_phone", "abc"),
    ("relation", "boss"), ("code", "9" * 50_000)])
def test_bad_input_gets_a_clear_error_never_a_500(client, son, field, value):
    client.force_login(son)
    response = ask_by_phone(client, **{field: value})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "errorlist" in response.text
    assert not Binding.objects.exists()


def test_only_family_accounts_ask_and_only_the_elder_answers(client, elder, worker_a, family):
    client.force_login(elder)
    assert client.get("/app/family/bind/").status_code == 403
    client.force_login(family)
    assert client.get("/app/family/requests/").status_code == 403
    client.logout()
    assert client.get("/app/family/bind/").url.startswith("/app/login/")
