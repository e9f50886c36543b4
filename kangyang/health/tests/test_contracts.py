"""Family-doctor contracts: the actions' rules, the registry's summary kept in step, who may
sign and read (scope), the pages, the API, the renewal reminders (once each) and the worker's
daily health pass."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from kangyang.accounts.models import User
from kangyang.audit.models import AuditEntry
from kangyang.health.actions import contracts as actions
from kangyang.health.models import Contract, ContractReminder, ResidentCount, Team
from kangyang.health.tests.contract_helpers import contract_for, package, team
from kangyang.notify.models import Delivery
from kangyang.registry.models import HealthRecord

pytestmark = pytest.mark.django_db


def _doctor(username, t: Team | None = None) -> User:
    user = User.objects.create_user(username=username, password="kangyang-demo", role="doctor", full_name=username,
                                    email=f"{username}@example.org")
    if t is not None:
        t.members.create(function="doctor", name=username, user=user)
    return user


@pytest.fixture
def team_a(community_a):
    return team(community_a.code, name="南浦一队", doctor="刘敏")


@pytest.fixture
def team_b(community_b):
    return team(community_b.code, name="朝阳一队")


@pytest.fixture
def doctor_a(team_a):
    return _doctor("doctor_a", team_a)


@pytest.fixture
def doctor_b(team_b):
    return _doctor("doctor_b", team_b)


# -- actions ---------------------------------------------------------------------------------
def test_a_contract_runs_a_year_and_fills_the_health_summary(elder_in_a, team_a, doctor_a, today):
    contract = actions.sign_contract(elder=elder_in_a, team=team_a, package=package(), signed_on=today, by=doctor_a)
    assert (contract.starts_on, contract.ends_on) == (today, actions.default_end(today))
    assert contract.ends_on == today.replace(year=today.year + 1) - dt.timedelta(days=1) or today.month == 2
    health = HealthRecord.objects.get(elder=elder_in_a)
    assert health.family_doctor_contract and health.contract_signed_on == today
    assert health.family_doctor == f"刘敏（{team_a.institution.name}）"
    assert AuditEntry.objects.filter(verb="health.contract.sign", actor=doctor_a).count() == 1


def test_a_leap_day_term_ends_on_the_28th():
    assert actions.default_end(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert actions.default_end(dt.date(2025, 3, 1)) == dt.date(2026, 2, 28)


def test_an_overlapping_contract_is_refused_naming_the_field(elder_in_a, team_a, today):
    contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=100))
    other = team(elder_in_a.region_code[:9] + "000", name="街道队")
    with pytest.raises(ValidationError) as e:
        actions.sign_contract(elder=elder_in_a, team=other, package=package(), signed_on=today)
    assert e.value.error_dict["starts_on"][0].code == "overlap"
    # Once it ended early, a new one may be signed from that day.
    actions.end_contract(Contract.objects.get(elder=elder_in_a), reason="换团队", on=today)
    assert actions.sign_contract(elder=elder_in_a, team=other, package=package(), signed_on=today).team == other


def test_a_team_of_another_area_is_refused(elder_in_a, team_b, today):
    with pytest.raises(ValidationError) as e:
        actions.sign_contract(elder=elder_in_a, team=team_b, package=package(), signed_on=today)
    assert e.value.error_dict["team"][0].code == "area"


def test_a_subdistrict_team_serves_its_communities(elder_in_a, community_a):
    subdistrict_team = team(community_a.code[:9] + "000", name="街道队")
    assert actions.serves(subdistrict_team, elder_in_a.region_code)
    assert contract_for(elder_in_a, with_team=subdistrict_team).team == subdistrict_team


def test_renewal_starts_the_day_after_and_names_the_old_one(elder_in_a, team_a, today):
    old = contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=350))
    new = actions.renew_contract(old)
    assert new.starts_on == old.ends_on + dt.timedelta(days=1) and new.renewed_from == old
    assert new.ends_on == actions.default_end(new.starts_on)
    with pytest.raises(ValidationError) as e:
        actions.renew_contract(old)
    assert "contract" in e.value.error_dict


def test_ending_early_clears_the_summary_and_keeps_the_reason(elder_in_a, team_a, today):
    contract = contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=10))
    with pytest.raises(ValidationError) as e:
        actions.end_contract(contract, reason="  ")
    assert "reason" in e.value.error_dict
    actions.end_contract(contract, reason="搬家", on=today)
    contract.refresh_from_db()
    assert (contract.ended_on, contract.end_reason) == (today, "搬家")
    assert not Contract.objects.valid_on(today).filter(elder=elder_in_a).exists()
    health = HealthRecord.objects.get(elder=elder_in_a)
    assert not health.family_doctor_contract and health.family_doctor == ""
    with pytest.raises(ValidationError):
        actions.renew_contract(contract)


def test_resident_counts_are_checked(community_a, worker_a, today):
    with pytest.raises(ValidationError) as e:
        actions.record_resident_count(region=community_a, as_of=today, residents=10, contracted=11, by=worker_a)
    assert "contracted" in e.value.error_dict
    actions.record_resident_count(region=community_a, as_of=today, residents=100, contracted=54, by=worker_a)
    actions.record_resident_count(region=community_a, as_of=today, residents=100, contracted=60, by=worker_a)
    assert ResidentCount.objects.get(region=community_a).contracted == 60


# -- reminders -------------------------------------------------------------------------------
@override_settings(KANGYANG_CONTRACT_RENEWAL_DAYS=30)
def test_reminders_go_once_at_each_threshold(elder, elder_in_a, team_a, doctor_a, today):
    User.objects.filter(pk=elder.pk).update(email="elder@example.org")
    contract = contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=300))
    ends = contract.ends_on
    assert actions.remind_renewals_once(ends - dt.timedelta(days=31)) == 0
    assert actions.remind_renewals_once(ends - dt.timedelta(days=30)) == 1
    assert actions.remind_renewals_once(ends - dt.timedelta(days=30)) == 0  # a second pass: nobody twice
    assert actions.remind_renewals_once(ends - dt.timedelta(days=20)) == 0
    assert actions.remind_renewals_once(ends - dt.timedelta(days=7)) == 1
    assert actions.remind_renewals_once(ends) == 1
    assert actions.remind_renewals_once(ends) == 0
    assert sorted(ContractReminder.objects.values_list("days_before", flat=True)) == [0, 7, 30]
    deliveries = Delivery.objects.filter(template="health.contract_renewal", kind="health")
    # To the team's member with an account and the elder's own account, at three thresholds.
    assert {d.key.rsplit(":", 1)[1] for d in deliveries} == {str(doctor_a.pk), str(elder.pk)}
    assert deliveries.filter(key__endswith=f":user:{doctor_a.pk}").count() == 3


def test_a_renewed_or_ended_contract_is_not_reminded(elder_in_a, elder_in_b, team_a, team_b, doctor_a, today):
    a = contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=360))
    actions.renew_contract(a)
    b = contract_for(elder_in_b, with_team=team_b, on=today - dt.timedelta(days=360))
    actions.end_contract(b, reason="去世", on=today)
    assert actions.remind_renewals_once(today) == 0


@pytest.mark.django_db(transaction=True)
def test_the_workers_health_pass_runs_the_reminders(elder_in_a, team_a, doctor_a, today):
    from kangyang.ops import housekeeping

    contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=360))
    assert actions.remind_renewals_once in housekeeping.HEALTH_DAILY
    assert housekeeping.health_once(today=today) == 1
    assert housekeeping.health_once(today=today) == 0


# -- scope -----------------------------------------------------------------------------------
def test_who_manages_and_reads_a_teams_contracts(elder_in_a, team_a, team_b, doctor_a, doctor_b, admin,
                                                 worker_a, worker_b, caregiver, provider):
    from kangyang.accounts import scope

    contract = contract_for(elder_in_a, with_team=team_a)
    assert scope.manages_contracts_of(doctor_a, team_a, elder_in_a)
    assert scope.manages_contracts_of(admin, team_a, elder_in_a)
    for user in (doctor_b, worker_a, caregiver, provider):
        assert not scope.manages_contracts_of(user, team_a, elder_in_a)
    assert scope.reads_team(doctor_a, team_a) and scope.reads_team(worker_a, team_a)
    assert not scope.reads_team(doctor_a, team_b) and not scope.reads_team(worker_b, team_a)
    for user in (doctor_b, caregiver, provider, worker_b):
        assert not scope.reads_team(user, team_a)
        assert not Contract.objects.filter(scope.contract_filter(user), pk=contract.pk).exists()
    assert Contract.objects.filter(scope.contract_filter(doctor_a), pk=contract.pk).exists()
    assert Contract.objects.filter(scope.contract_filter(worker_a), pk=contract.pk).exists()


def test_a_community_worker_reads_the_subdistrict_team_serving_her(worker_a, worker_b, community_a):
    from kangyang.accounts import scope

    wide = team(community_a.code[:9] + "000", name="街道队")
    assert scope.reads_team(worker_a, wide) and not scope.reads_team(worker_b, wide)


def test_a_wide_teams_page_shows_a_worker_only_her_own_communitys_elders(client, worker_a, elder_in_a, elder_in_b,
                                                                           community_a):
    wide = team(community_a.code[:6] + "000000", name="区队")
    contract_for(elder_in_a, with_team=wide)
    contract_for(elder_in_b, with_team=wide)
    client.force_login(worker_a)
    page = client.get(f"/health/teams/{wide.pk}/").content.decode()
    assert f'data-elder="{elder_in_a.pk}"' in page
    assert f'data-elder="{elder_in_b.pk}"' not in page and elder_in_b.name not in page


# -- pages -----------------------------------------------------------------------------------
def test_the_doctors_panel_and_team_page(client, elder_in_a, team_a, doctor_a, today):
    contract = contract_for(elder_in_a, with_team=team_a, on=today - dt.timedelta(days=350))
    client.force_login(doctor_a)
    panel = client.get("/health/").content.decode()
    assert f'data-team="{team_a.pk}"' in panel and 'data-contracted="1"' in panel
    assert f'data-renew="{contract.pk}"' in panel
    page = client.get(f"/health/teams/{team_a.pk}/").content.decode()
    assert f'data-elder="{elder_in_a.pk}"' in page
    assert client.get(f"/health/teams/{team_a.pk}/?q=ZZZ").content.decode().count("data-elder=") == 0
    assert AuditEntry.objects.filter(verb="health.contracts.read", actor=doctor_a).exists()
    r = client.post(f"/health/contracts/{contract.pk}/renew/", {"next": "/health/"})
    assert r.status_code == 302 and Contract.objects.filter(renewed_from=contract).exists()


def test_a_doctor_of_another_team_gets_no_team_page(client, team_a, doctor_b, elder_in_a):
    contract = contract_for(elder_in_a, with_team=team_a)
    client.force_login(doctor_b)
    assert client.get(f"/health/teams/{team_a.pk}/").status_code == 404
    assert client.post(f"/health/contracts/{contract.pk}/end/", {"end-reason": "x"}).status_code == 404
    assert client.get(f"/health/elders/{elder_in_a.pk}/contracts/").status_code == 404


def test_the_elders_page_signs_and_ends(client, elder_in_a, team_a, doctor_a, today):
    package()
    client.force_login(doctor_a)
    # Not yet her team's elder: the page offers the contract and shows no other health data.
    page = client.get(f"/health/elders/{elder_in_a.pk}/contracts/").content.decode()
    assert 'data-form="sign"' in page and "data-contract=" not in page
    r = client.post(f"/health/elders/{elder_in_a.pk}/contracts/sign/", {
        "sign-team": team_a.pk, "sign-package": package().pk, "sign-signed_on": (today - dt.timedelta(days=5)).isoformat()})
    assert r.status_code == 302
    contract = Contract.objects.get(elder=elder_in_a)
    page = client.get(f"/health/elders/{elder_in_a.pk}/contracts/").content.decode()
    assert f'data-current="{contract.pk}"' in page and 'data-form="end"' in page and 'data-form="renew"' in page
    r = client.post(f"/health/contracts/{contract.pk}/end/", {"end-reason": "搬家"})
    assert r.status_code == 302
    contract.refresh_from_db()
    assert contract.ended_on == today


def test_the_community_worker_signs_nothing_but_sees_rates(client, worker_a, elder_in_a, team_a, community_a, today):
    contract_for(elder_in_a, with_team=team_a)
    client.force_login(worker_a)
    page = client.get(f"/health/elders/{elder_in_a.pk}/contracts/").content.decode()
    assert "data-current" in page and 'data-form="sign"' not in page and 'data-form="end"' not in page
    assert client.get("/health/").status_code == 200
    assert client.get("/health/teams/").status_code == 200
    r = client.post("/health/contracts/rates/", {"region": community_a.pk, "as_of": today.isoformat(),
                                                 "residents": 200, "contracted": 108})
    assert r.status_code == 302
    rates = client.get("/health/contracts/rates/").content.decode()
    assert 'data-n="108" data-d="200"' in rates
    assert 'data-n="1" data-d="1"' in rates  # 张桂兰, aged 65+, contracted


def test_an_admin_signs_from_the_elders_page(client, admin, elder_in_a, team_a, today):
    package()
    client.force_login(admin)
    page = client.get(f"/health/elders/{elder_in_a.pk}/contracts/").content.decode()
    assert 'data-form="sign"' in page
    r = client.post(f"/health/elders/{elder_in_a.pk}/contracts/sign/", {
        "sign-team": team_a.pk, "sign-package": package().pk, "sign-signed_on": today.isoformat()})
    assert r.status_code == 302 and Contract.objects.valid_on(today).filter(elder=elder_in_a).count() == 1


def test_a_caregiver_and_a_provider_see_no_health_pages(client, caregiver, provider, team_a):
    for user in (caregiver, provider):
        client.force_login(user)
        assert client.get("/health/teams/").status_code == 403
        assert client.get(f"/health/teams/{team_a.pk}/").status_code == 403


# -- API -------------------------------------------------------------------------------------
def test_the_api_signs_lists_renews_and_ends(client, api_token, elder_in_a, team_a, doctor_a, today):
    package()
    h = api_token(doctor_a)
    r = client.post("/api/v1/health/contracts", {"elder": elder_in_a.pk, "team": team_a.pk, "package": "basic"},
                    content_type="application/json", **h)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["in_force"] and body["ends_on"] == actions.default_end(today).isoformat()
    again = client.post("/api/v1/health/contracts", {"elder": elder_in_a.pk, "team": team_a.pk, "package": "basic"},
                        content_type="application/json", **h)
    assert again.status_code in (400, 409, 422) and "starts_on" in again.json()["error"]["fields"]
    listed = client.get(f"/api/v1/health/contracts?elder={elder_in_a.pk}&valid=true", **h).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    teams = client.get("/api/v1/health/teams", **h).json()
    assert [t["id"] for t in teams["items"]] == [team_a.pk] and teams["items"][0]["contracted"] == 1
    renewed = client.post(f"/api/v1/health/contracts/{body['id']}/renew", {}, content_type="application/json", **h)
    assert renewed.status_code == 201 and renewed.json()["renewed_from"] == body["id"]
    ended = client.post(f"/api/v1/health/contracts/{body['id']}/end", {"reason": "搬家"},
                        content_type="application/json", **h)
    assert ended.status_code == 200 and ended.json()["ended_on"] == today.isoformat()
    assert AuditEntry.objects.filter(verb="health.contracts.read", actor=doctor_a).exists()


def test_the_api_hides_other_teams_and_refuses_hostile_input(client, api_token, elder_in_a, team_a, doctor_b,
                                                             caregiver, worker_a):
    contract = contract_for(elder_in_a, with_team=team_a)
    for user in (doctor_b, caregiver):
        h = api_token(user)
        assert client.get("/api/v1/health/contracts", **h).json()["count"] == 0
        assert client.post(f"/api/v1/health/contracts/{contract.pk}/end", {"reason": "x"},
                           content_type="application/json", **h).status_code == 404
    h = api_token(worker_a)
    assert client.get("/api/v1/health/contracts", **h).json()["count"] == 1
    assert client.post(f"/api/v1/health/contracts/{contract.pk}/end", {"reason": "x"},
                       content_type="application/json", **h).status_code == 403
    for bad in ({"elder": 2**70, "team": 1, "package": "basic"}, {"elder": "x", "team": 1, "package": "b"},
                {"elder": 1, "team": 1, "package": "ba\x00sic"},
                {"elder": 1, "team": 1, "package": "basic", "signed_on": "2025-02-30"}):
        r = client.post("/api/v1/health/contracts", bad, content_type="application/json", **h)
        assert 400 <= r.status_code < 500 and "error" in r.json()
    assert client.get("/api/v1/health/contracts?elder=99999999999999999999", **h).status_code == 422
    assert client.post(f"/api/v1/health/contracts/{contract.pk}/end", {"reason": "a\x00"},
                       content_type="application/json", **h).status_code in (400, 403, 422)
