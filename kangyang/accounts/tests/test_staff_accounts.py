"""Staff accounts (issue 11): who makes, changes and deactivates whose account, through the
API (/api/v1/users), the pages (/accounts/staff/) and the .xlsx import; every change audited.

The tree: the test district (Xihu, 360103) under the city of Nanchang (3601), beside a
second district (Qingyunpu, 360104) with one subdistrict and one community.
"""

import io

import pytest
from openpyxl import Workbook, load_workbook

from kangyang.accounts import actions
from kangyang.accounts.models import ApiToken, Organisation, User
from kangyang.audit.models import AuditEntry
from kangyang.regions.models import Region

USERS = "/api/v1/users"
PASSWORD = "Lotus-river-42"


@pytest.fixture
def city(tree):
    """Nanchang above the test district, and a second district with a community."""
    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=tree.pk).update(parent=city)
    other = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    sub = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=other)
    Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=sub)
    return city


@pytest.fixture
def city_admin(city):
    """Bureau admin of the whole city."""
    return User.objects.create_user("city", password="kangyang-demo", role="bureau_admin", region=city)


@pytest.fixture
def other_org(city):
    """A provider registered in the other district."""
    return Organisation.objects.create(name="青云谱居家服务中心", kind="provider",
                                       region=Region.objects.get(code="360104000000"))


def create(client, headers, **body):
    return client.post(USERS, body, content_type="application/json", **headers)


def audited(verb: str, *, by: User, target: User) -> bool:
    return AuditEntry.objects.filter(verb=verb, actor=by, target_id=str(target.pk)).exists()


# -- the "must show": a new community worker sees only her community ---------------------------
def test_bureau_admin_creates_a_community_worker_who_sees_only_her_community(
        client, api_token, admin, community_a, elder_in_a, elder_in_b):
    r = create(client, api_token(admin), username="worker_c", password=PASSWORD, role="community_worker",
               region=community_a.code, full_name="陈静")

    assert r.status_code == 201, r.content
    body = r.json()
    account = User.objects.get(username="worker_c")
    assert body == {"id": account.pk, "username": "worker_c", "full_name": "陈静", "role": "community_worker",
                    "region": community_a.code, "organisation": None, "is_active": True,
                    "must_change_password": False, "temporary_password": None}
    assert audited("account.create", by=admin, target=account)

    token = client.post("/api/v1/auth/token", {"username": "worker_c", "password": PASSWORD},
                        content_type="application/json")
    assert token.status_code == 200, token.content
    elders = client.get("/api/v1/elders", HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}").json()
    assert [e["id"] for e in elders["items"]] == [elder_in_a.pk]


def test_an_account_made_without_a_password_gets_a_temporary_one_to_change_first(client, api_token, admin, community_a):
    r = create(client, api_token(admin), username="worker_c", role="community_worker", region=community_a.code)

    assert r.status_code == 201
    temporary = r.json()["temporary_password"]
    assert temporary and r.json()["must_change_password"] is True
    signed_in = client.post("/api/v1/auth/token", {"username": "worker_c", "password": temporary},
                            content_type="application/json")
    assert signed_in.json()["error"]["code"] == "password_change_required"
    assert temporary not in str(list(AuditEntry.objects.values_list("note", "changes")))


# -- nobody gives a wider area than their own -------------------------------------------------
@pytest.mark.parametrize("role,region", [
    ("bureau_admin", "360100000000"),        # the city itself
    ("bureau_admin", "360104000000"),        # the other district
    ("community_worker", "360104001001"),    # a community of the other district
    ("hotline_operator", "360100000000"),
])
def test_district_admin_gets_403_for_an_account_at_city_level_or_in_another_district(
        client, api_token, admin, city, role, region):
    r = create(client, api_token(admin), username="someone", password=PASSWORD, role=role, region=region)

    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert not User.objects.filter(username="someone").exists()


def test_district_admin_may_not_move_an_account_of_hers_to_another_district(client, api_token, admin, worker_a, city):
    r = client.patch(f"{USERS}/{worker_a.pk}", {"region": "360104001001"}, content_type="application/json",
                     **api_token(admin))

    assert r.status_code == 403
    worker_a.refresh_from_db()
    assert worker_a.region.code == "360103001001"


def test_city_bureau_creates_accounts_in_any_district(client, api_token, city_admin):
    headers = api_token(city_admin)

    assert create(client, headers, username="qyp_admin", password=PASSWORD, role="bureau_admin",
                  region="360104000000").status_code == 201
    assert create(client, headers, username="xihu_worker", password=PASSWORD, role="community_worker",
                  region="360103002001").status_code == 201
    assert create(client, headers, username="city_operator", password=PASSWORD, role="hotline_operator",
                  region="360100000000").status_code == 201


def test_district_admin_neither_lists_nor_reads_the_city_s_or_another_district_s_accounts(
        client, api_token, admin, city_admin, worker_a):
    qyp = actions.create_account(by=city_admin, username="qyp_worker", role="community_worker",
                                 region=Region.objects.get(code="360104001001"), password=PASSWORD)[0]
    headers = api_token(admin)

    listed = {u["username"] for u in client.get(USERS, **headers).json()["items"]}
    assert "worker_a" in listed and "qyp_worker" not in listed and "city" not in listed
    assert client.get(f"{USERS}/{qyp.pk}", **headers).status_code == 404
    assert client.get(f"{USERS}/{city_admin.pk}", **headers).status_code == 404
    assert client.post(f"{USERS}/{city_admin.pk}/deactivate", **headers).status_code == 404
    city_listed = {u["username"] for u in client.get(USERS, {"region": "360104000000"}, **api_token(city_admin)).json()["items"]}
    assert city_listed == {"qyp_worker"}


def test_nobody_deactivates_or_moves_their_own_account(client, api_token, admin):
    headers = api_token(admin)

    assert client.post(f"{USERS}/{admin.pk}/deactivate", **headers).status_code == 403
    r = client.patch(f"{USERS}/{admin.pk}", {"role": "community_worker", "region": "360103001001"},
                     content_type="application/json", **headers)
    assert r.status_code == 403
    admin.refresh_from_db()
    assert admin.is_active and admin.role == "bureau_admin"


def test_a_superuser_is_never_managed_here(client, api_token, admin, tree):
    root = User.objects.create_superuser("root", password=PASSWORD, region=tree, role="bureau_admin")

    assert client.post(f"{USERS}/{root.pk}/deactivate", **api_token(admin)).status_code == 404


# -- subdistrict officers and provider managers ----------------------------------------------
def test_subdistrict_officer_manages_community_workers_of_her_subdistrict_only(
        client, api_token, subdistrict, community_a, community_b, operator):
    headers = api_token(subdistrict)

    assert create(client, headers, username="worker_c", password=PASSWORD, role="community_worker",
                  region=community_a.code).status_code == 201
    assert create(client, headers, username="worker_d", password=PASSWORD, role="community_worker",
                  region=community_b.code).status_code == 403
    assert create(client, headers, username="officer2", password=PASSWORD, role="subdistrict_officer",
                  region=community_a.parent.code).status_code == 403
    assert client.get(f"{USERS}/{operator.pk}", **headers).status_code == 404


def test_provider_manager_creates_caregivers_of_her_own_organisation_only(
        client, api_token, provider, provider_org, other_org, community_a):
    headers = api_token(provider)

    r = create(client, headers, username="caregiver2", password=PASSWORD, role="caregiver",
               organisation=provider_org.pk)
    assert r.status_code == 201 and r.json()["organisation"] == provider_org.pk
    assert create(client, headers, username="caregiver3", password=PASSWORD, role="caregiver",
                  organisation=other_org.pk).status_code == 403
    assert create(client, headers, username="manager2", password=PASSWORD, role="provider_manager",
                  organisation=provider_org.pk).status_code == 403
    assert create(client, headers, username="worker_c", password=PASSWORD, role="community_worker",
                  region=community_a.code).status_code == 403
    caregiver2 = User.objects.get(username="caregiver2")
    assert client.post(f"{USERS}/{caregiver2.pk}/deactivate", **headers).status_code == 200
    assert audited("account.deactivate", by=provider, target=caregiver2)


def test_roles_without_accounts_to_manage_are_refused(client, api_token, worker_a, community_a):
    r = create(client, api_token(worker_a), username="x", password=PASSWORD, role="community_worker",
               region=community_a.code)
    assert r.status_code == 403
    assert client.get(USERS, **api_token(worker_a)).status_code == 403


# -- input that does not fit ----------------------------------------------------------------
@pytest.mark.parametrize("body,field", [
    ({"role": "community_worker"}, "region"),
    ({"role": "community_worker", "region": "360103000000"}, "region"),   # a district, not a community
    ({"role": "community_worker", "region": "360103009009"}, "region"),   # no such region
    ({"role": "caregiver"}, "organisation"),
    ({"role": "elder", "region": "360103001001"}, "role"),
    ({"role": "community_worker", "region": "360103001001", "password": "short"}, "password"),
    ({"role": "community_worker", "region": "360103001001", "username": "bad name!"}, "username"),
])
def test_input_that_does_not_fit_the_role_is_a_422_naming_the_field(client, api_token, admin, body, field):
    payload = {"username": "worker_c", "password": PASSWORD, **body}
    r = create(client, api_token(admin), **payload)

    assert r.status_code == 422, r.content
    assert field in r.json()["error"]["fields"]


def test_a_taken_username_is_a_409_whatever_its_case(client, api_token, admin, worker_a, community_a):
    r = create(client, api_token(admin), username="Worker_A", password=PASSWORD, role="community_worker",
               region=community_a.code)
    assert r.status_code == 409
    assert "username" in r.json()["error"]["fields"]


# -- deactivation ---------------------------------------------------------------------------
def test_a_deactivated_account_cannot_sign_in_or_use_its_tokens_or_session(client, api_token, admin, worker_a):
    worker_headers = api_token(worker_a)
    admin_headers = api_token(admin)
    session = type(client)()
    session.force_login(worker_a)

    r = client.post(f"{USERS}/{worker_a.pk}/deactivate", **admin_headers)

    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get("/api/v1/elders", **worker_headers).status_code == 401
    assert not ApiToken.objects.filter(user=worker_a).exists()
    refused = client.post("/api/v1/auth/token", {"username": "worker_a", "password": "kangyang-demo"},
                          content_type="application/json")
    assert refused.status_code == 401
    assert session.get("/registry/elders/")["Location"].startswith("/accounts/login/")
    assert audited("account.deactivate", by=admin, target=worker_a)

    assert client.post(f"{USERS}/{worker_a.pk}/reactivate", **admin_headers).json()["is_active"] is True
    assert audited("account.reactivate", by=admin, target=worker_a)
    assert client.get("/api/v1/elders", **worker_headers).status_code == 401  # revoked tokens stay revoked
    assert api_token(worker_a)


def test_patch_changes_role_and_area_and_is_audited(client, api_token, admin, worker_a, subdistrict_2, provider_org):
    headers = api_token(admin)

    r = client.patch(f"{USERS}/{worker_a.pk}", {"role": "subdistrict_officer", "region": subdistrict_2.code,
                                                "full_name": "王敏"}, content_type="application/json", **headers)
    assert r.status_code == 200, r.content
    assert r.json()["role"] == "subdistrict_officer" and r.json()["region"] == subdistrict_2.code
    entry = AuditEntry.objects.get(verb="account.update", target_id=str(worker_a.pk))
    assert entry.changes["role"] == ["community_worker", "subdistrict_officer"]
    assert entry.changes["full_name"] == "changed" and "王敏" not in str(entry.changes)

    r = client.patch(f"{USERS}/{worker_a.pk}", {"role": "caregiver", "organisation": provider_org.pk},
                     content_type="application/json", **headers)
    assert r.json()["region"] is None and r.json()["organisation"] == provider_org.pk


# -- pages ----------------------------------------------------------------------------------
def test_bureau_admin_creates_edits_and_deactivates_an_account_on_the_pages(client, admin, community_a, community_b):
    client.force_login(admin)
    assert client.get("/accounts/staff/new/").status_code == 200

    r = client.post("/accounts/staff/new/", {"username": "worker_c", "full_name": "陈静", "role": "community_worker",
                                            "region": community_a.pk})
    assert r.status_code == 200 and r.context["temporary"] in r.text  # shown once
    account = User.objects.get(username="worker_c")
    assert account.must_change_password

    r = client.post(f"/accounts/staff/{account.pk}/edit/", {"full_name": "陈静", "role": "community_worker",
                                                            "region": community_b.pk})
    assert r.status_code == 302
    account.refresh_from_db()
    assert account.region == community_b

    client.post(f"/accounts/staff/{account.pk}/deactivate/")
    account.refresh_from_db()
    assert not account.is_active
    page = client.get("/accounts/staff/", {"active": "no"})
    assert [row["user"] for row in page.context["rows"]] == [account]
    assert {e.verb for e in AuditEntry.objects.filter(target_id=str(account.pk))} >= {
        "account.create", "account.update", "account.deactivate"}


def test_provider_manager_sees_her_caregivers_on_the_accounts_page(client, provider, caregiver, worker_a):
    client.force_login(provider)
    page = client.get("/accounts/staff/")
    assert [row["user"] for row in page.context["rows"]] == [caregiver]
    assert list(page.context["form"].fields["role"].choices)[1:] == [("caregiver", User.Role.CAREGIVER.label)]


def test_a_district_admin_s_form_offers_no_region_outside_her_district(client, admin, city):
    client.force_login(admin)
    offered = {r.code for r in client.get("/accounts/staff/new/").context["form"].fields["region"].queryset}
    assert "360103001001" in offered and "360100000000" not in offered and "360104001001" not in offered


# -- import ---------------------------------------------------------------------------------
def _sheet(rows) -> io.BytesIO:
    wb = Workbook()
    sheet = wb.active
    sheet.append(["用户名", "姓名", "角色", "区划代码", "机构"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    data.name = "staff.xlsx"
    return data


def test_import_creates_the_good_rows_and_reports_the_bad_one_by_row_number(client, admin, community_a, provider_org, city):
    client.force_login(admin)
    upload = _sheet([
        ["zhang_min", "张敏", "社区工作者", "360103001001", ""],
        ["li_hong", "李红", "护理员", "", str(provider_org.pk)],
        ["wang_qiang", "王强", "社区工作者", "360104001001", ""],    # another district: refused
        ["zhao_li", "赵丽", "caregiver", "", provider_org.name],
    ])

    r = client.post("/accounts/staff/import/", {"file": upload})

    result = r.context["result"]
    assert [a.username for a, _t in result.created] == ["zhang_min", "li_hong", "zhao_li"]
    assert [row for row, _reason in result.errors] == [4]
    assert all(t in r.text for _a, t in result.created)
    assert not User.objects.filter(username="wang_qiang").exists()
    assert User.objects.get(username="li_hong").organisation == provider_org
    assert AuditEntry.objects.filter(verb="accounts.import", actor=admin, changes__created=3).exists()
    assert AuditEntry.objects.filter(verb="account.create", actor=admin).count() == 3


def test_the_import_template_has_the_columns_and_imports_as_it_is(client, admin, community_a):
    client.force_login(admin)
    r = client.get("/accounts/staff/import/template/")
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["用户名", "姓名", "角色", "区划代码", "机构"]
    upload = io.BytesIO(r.content)
    upload.name = "template.xlsx"
    result = client.post("/accounts/staff/import/", {"file": upload}).context["result"]
    assert [a.username for a, _t in result.created] == ["zhang_min"]
    assert [row for row, _reason in result.errors] == [3]  # the example organisation is not registered


def test_provider_manager_makes_a_caregiver_on_the_page_with_her_organisation_offered_alone(
        client, provider, provider_org, other_org):
    client.force_login(provider)
    form = client.get("/accounts/staff/new/").context["form"]
    assert list(form.fields["organisation"].queryset) == [provider_org] and "region" not in form.fields

    client.post("/accounts/staff/new/", {"username": "caregiver2", "role": "caregiver",
                                         "organisation": provider_org.pk, "password": PASSWORD})
    assert User.objects.get(username="caregiver2").organisation == provider_org


def test_subdistrict_officer_resets_the_password_of_her_community_worker_only(client, subdistrict, worker_a, worker_b):
    client.force_login(subdistrict)
    assert client.post(f"/accounts/staff/{worker_a.pk}/reset-password/").status_code == 200
    assert client.post(f"/accounts/staff/{worker_b.pk}/reset-password/").status_code == 404
    assert audited("password.reset", by=subdistrict, target=worker_a)


def test_a_refusal_says_why(client, api_token, admin, city):
    r = create(client, {**api_token(admin), "HTTP_ACCEPT_LANGUAGE": "en"}, username="someone",
               password=PASSWORD, role="bureau_admin", region="360100000000")
    assert "wider than yours" in r.json()["error"]["message"]


STAFF = {"admin", "subdistrict", "worker_a", "worker_b", "operator", "provider", "caregiver", "volunteer", "inspector"}


@pytest.mark.parametrize("persona,manages", [
    ("admin", STAFF),                        # never the elder or her daughter
    ("subdistrict", {"worker_a"}),           # her subdistrict's community workers only
    ("provider", {"caregiver"}),             # her organisation's caregivers only
    ("worker_a", set()), ("operator", set()), ("caregiver", set()), ("inspector", set()),
    ("volunteer", set()), ("elder", set()), ("family", set()),
])
def test_each_persona_manages_exactly_these_accounts(request, persona, manages, family, elder):
    from kangyang.accounts.queries import accounts_for

    for name in STAFF:
        request.getfixturevalue(name)
    viewer = User.objects.get(username=persona)
    assert set(accounts_for(viewer).values_list("username", flat=True)) == manages
