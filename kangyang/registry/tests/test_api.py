"""/api/v1/elders through the test client, persona by persona.

The rules under test: a list never holds an elder outside the caller's scope; any
record outside scope answers 404; a visible record the caller may not change answers
403; the full ID number and phone appear only in the answer to /reveal, which is
audited.
"""

import datetime as dt

import pytest
from django.utils import translation

from kangyang.audit.models import AuditEntry
from kangyang.lib import residentid
from kangyang.registry.models import Elder

URL = "/api/v1/elders"
ID_A, PHONE_A = "360103194503120026", "13807911234"  # elder_in_a (conftest)
ID_B, PHONE_B = "360103193807150019", "13907919876"  # elder_in_b (conftest)
NEW_ID = "360103195001010024"  # valid, not registered: a woman born 1950-01-01
COMMUNITY_A, COMMUNITY_B = "360103001001", "360103002001"


@pytest.fixture
def both(elder_in_a, elder_in_b):
    """One elder in each community."""
    return elder_in_a, elder_in_b


def zh(message: str) -> str:
    """What the zh-Hans catalogue makes of an English message (itself, until translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def listed(client, headers, query=""):
    r = client.get(f"{URL}{query}", **headers)
    assert r.status_code == 200, r.content
    return sorted(item["name"] for item in r.json()["items"])


def post(client, url, body, headers, **extra):
    return client.post(url, body, content_type="application/json", **headers, **extra)


def patch(client, url, body, headers, **extra):
    return client.patch(url, body, content_type="application/json", **headers, **extra)


def new_elder(**overrides):
    return {"name": "赵秀英", "id_number": NEW_ID, "community": COMMUNITY_A, "phone": "13807910001",
            "address": "桃花小区1栋101", **overrides}


def assert_no_full_numbers(response):
    text = response.content.decode()
    for secret in (ID_A, ID_B, NEW_ID, PHONE_A, PHONE_B, "13807910001"):
        assert secret not in text


# -- list: who sees whom -----------------------------------------------------------------------
def test_worker_lists_only_the_elders_of_their_community(client, api_token, worker_a, both):
    r = client.get(URL, **api_token(worker_a))

    assert [item["name"] for item in r.json()["items"]] == ["张桂兰"]
    assert r.json()["count"] == 1


def test_other_worker_lists_only_the_elders_of_their_community(client, api_token, worker_b, both):
    assert listed(client, api_token(worker_b)) == ["李建国"]


def test_subdistrict_officer_lists_only_the_elders_of_their_subdistrict(client, api_token, subdistrict, both):
    assert listed(client, api_token(subdistrict)) == ["张桂兰"]


def test_admin_lists_the_elders_of_the_whole_district(client, api_token, admin, both):
    assert listed(client, api_token(admin)) == ["张桂兰", "李建国"]


def test_operator_lists_the_elders_of_the_whole_district(client, api_token, operator, both):
    assert listed(client, api_token(operator)) == ["张桂兰", "李建国"]


@pytest.mark.parametrize("persona", ["provider", "caregiver", "volunteer", "inspector"])
def test_non_registry_staff_list_no_elders_when_elders_exist(client, api_token, request, persona, both):
    r = client.get(URL, **api_token(request.getfixturevalue(persona)))

    assert r.json() == {"items": [], "count": 0}


def test_elder_lists_only_their_own_record(client, api_token, elder, both):
    assert listed(client, api_token(elder)) == ["张桂兰"]


def test_family_lists_only_their_relative(client, api_token, family, both):
    assert listed(client, api_token(family)) == ["张桂兰"]


def test_admin_list_shows_no_full_id_or_phone_when_listing(client, api_token, admin, both):
    r = client.get(URL, **api_token(admin))

    item = next(i for i in r.json()["items"] if i["name"] == "张桂兰")
    assert item["id_number_masked"] == "360103********0026"
    assert item["phone_masked"] == "138****1234"
    assert "id_number" not in item and "phone" not in item
    assert_no_full_numbers(r)


def test_anonymous_caller_gets_401_for_the_list(client, both):
    r = client.get(URL)

    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"


# -- list: search, filters, pages --------------------------------------------------------------
@pytest.mark.parametrize("term", ["张", "zgl", "0026", ID_A, PHONE_A])
def test_admin_finds_an_elder_by_any_search_term(client, api_token, admin, both, term):
    assert listed(client, api_token(admin), f"?q={term}") == ["张桂兰"]


def test_worker_finds_nobody_when_searching_for_an_elder_outside_their_community(client, api_token, worker_a, both):
    assert listed(client, api_token(worker_a), f"?q={ID_B}") == []


def test_admin_filters_elders_by_community(client, api_token, admin, both):
    assert listed(client, api_token(admin), f"?community={COMMUNITY_B}") == ["李建国"]


def test_admin_filters_elders_by_subdistrict_code(client, api_token, admin, both):
    assert listed(client, api_token(admin), "?community=360103001000") == ["张桂兰"]


def test_worker_finds_nobody_when_filtering_by_another_community(client, api_token, worker_a, both):
    assert listed(client, api_token(worker_a), f"?community={COMMUNITY_B}") == []


def test_admin_filters_elders_by_category(client, api_token, admin, both):
    assert listed(client, api_token(admin), "?category=disabled") == ["李建国"]


def test_admin_filters_elders_by_status(client, api_token, admin, worker_b, both, today):
    from kangyang.registry.actions import set_elder_status

    set_elder_status(both[1], by=worker_b, status="deceased", on=today)

    assert listed(client, api_token(admin), "?status=deceased") == ["李建国"]
    assert listed(client, api_token(admin), "?status=active") == ["张桂兰"]


def test_admin_filters_elders_by_age_band(client, api_token, admin, worker_a, community_a, both, today):
    from kangyang.registry.actions import create_elder

    born = dt.date(today.year - 65, 1, 1)
    create_elder(by=worker_a, name="钱六", id_number=residentid.make("360103", born, 11), community=community_a)

    assert listed(client, api_token(admin), "?age_band=60-69") == ["钱六"]


@pytest.mark.parametrize("query", ["?status=asleep", "?category=rich", "?age_band=20-29", "?community=3601"])
def test_admin_gets_422_when_a_filter_value_is_unknown(client, api_token, admin, both, query):
    r = client.get(f"{URL}{query}", **api_token(admin))

    assert r.status_code == 422
    assert query[1:].split("=")[0] in r.json()["error"]["fields"]


def test_admin_pages_through_elders(client, api_token, admin, both):
    headers = api_token(admin)

    first = client.get(f"{URL}?page_size=1", **headers).json()
    second = client.get(f"{URL}?page_size=1&page=2", **headers).json()

    assert first["count"] == second["count"] == 2
    assert {first["items"][0]["name"], second["items"][0]["name"]} == {"张桂兰", "李建国"}


def test_admin_gets_422_when_page_size_is_over_200(client, api_token, admin, both):
    r = client.get(f"{URL}?page_size=201", **api_token(admin))

    assert r.status_code == 422
    assert "page_size" in r.json()["error"]["fields"]


# -- detail ------------------------------------------------------------------------------------
def test_worker_reads_an_elder_of_their_community_with_health_and_masked_numbers(
    client, api_token, worker_a, elder_in_a, community_a
):
    r = client.get(f"{URL}/{elder_in_a.id}", **api_token(worker_a))

    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "张桂兰"
    assert body["sex"] == "F"
    assert "birth_date" not in body  # beside the masked ID number, it would complete it
    assert body["age"] == elder_in_a.age()
    assert body["community"] == COMMUNITY_A and body["community_name"] == "桃花社区"
    # Living alone: 独居 and, with no child near, 空巢 (registry.categories).
    assert body["categories"] == ["empty_nest", "alone"] and body["living_arrangement"] == "alone"
    assert body["status"] == "active" and body["status_date"] is None
    assert body["health"]["family_doctor_contract"] is False
    assert body["id_number_masked"] == "360103********0026"
    assert_no_full_numbers(r)


def test_worker_gets_404_for_an_elder_of_another_community(client, api_token, worker_a, elder_in_b):
    r = client.get(f"{URL}/{elder_in_b.id}", **api_token(worker_a))

    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": zh("Not found."), "fields": {}}}


def test_worker_gets_the_same_404_for_an_elder_that_does_not_exist(client, api_token, worker_a, elder_in_b):
    headers = api_token(worker_a)
    outside = client.get(f"{URL}/{elder_in_b.id}", **headers)
    missing = client.get(f"{URL}/{elder_in_b.id + 1000}", **headers)

    assert (missing.status_code, missing.json()) == (outside.status_code, outside.json())


def test_subdistrict_officer_gets_404_for_an_elder_of_the_other_subdistrict(client, api_token, subdistrict, elder_in_b):
    assert client.get(f"{URL}/{elder_in_b.id}", **api_token(subdistrict)).status_code == 404


def test_provider_gets_404_for_any_elder(client, api_token, provider, elder_in_a):
    assert client.get(f"{URL}/{elder_in_a.id}", **api_token(provider)).status_code == 404


def test_elder_reads_their_own_record_with_health(client, api_token, elder, elder_in_a):
    r = client.get(f"{URL}/{elder_in_a.id}", **api_token(elder))

    assert r.status_code == 200
    assert r.json()["health"] is not None
    assert_no_full_numbers(r)


def test_elder_gets_404_for_another_elder(client, api_token, elder, elder_in_b):
    assert client.get(f"{URL}/{elder_in_b.id}", **api_token(elder)).status_code == 404


def test_family_reads_their_relative_with_health(client, api_token, family, elder_in_a):
    r = client.get(f"{URL}/{elder_in_a.id}", **api_token(family))

    assert r.status_code == 200
    assert r.json()["health"] is not None


def test_family_gets_404_for_an_elder_who_is_not_their_relative(client, api_token, family, elder_in_b):
    assert client.get(f"{URL}/{elder_in_b.id}", **api_token(family)).status_code == 404


def test_anonymous_caller_gets_401_for_an_elder(client, elder_in_a):
    assert client.get(f"{URL}/{elder_in_a.id}").status_code == 401


# -- create ------------------------------------------------------------------------------------
def test_worker_registers_an_elder_in_their_community(client, api_token, worker_a, community_a):
    r = post(client, URL, new_elder(categories=["alone", "disabled"], living_arrangement="alone"), api_token(worker_a))

    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "赵秀英"
    assert body["sex"] == "F" and body["age"] == Elder.objects.get(pk=body["id"]).age()
    assert body["id_number_masked"] == "360103********0024"
    assert body["phone_masked"] == "138****0001"
    assert body["categories"] == ["empty_nest", "alone", "disabled"]  # 空巢 follows from living alone
    assert body["community"] == COMMUNITY_A
    assert_no_full_numbers(r)
    elder = Elder.objects.get(pk=body["id"])
    assert AuditEntry.objects.filter(target_id=str(elder.pk), action=AuditEntry.Action.CREATE).exists()


def test_worker_registers_an_elder_in_a_compound_of_their_community(client, api_token, worker_a, community_a):
    compound = community_a.compounds.get()

    r = post(client, URL, new_elder(compound=compound.id), api_token(worker_a))

    assert r.status_code == 201, r.content
    assert (r.json()["compound"], r.json()["compound_name"]) == (compound.id, "桃花小区")


def test_worker_gets_422_on_compound_when_it_lies_in_another_community(client, api_token, worker_a, community_b):
    r = post(client, URL, new_elder(compound=community_b.compounds.get().id), api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["compound"]
    assert not Elder.objects.exists()


def test_worker_gets_404_when_registering_an_elder_in_another_community(client, api_token, worker_a, community_b):
    r = post(client, URL, new_elder(community=COMMUNITY_B), api_token(worker_a))

    assert r.status_code == 404
    assert not Elder.objects.exists()


def test_provider_gets_404_when_registering_an_elder(client, api_token, provider, community_a):
    assert post(client, URL, new_elder(), api_token(provider)).status_code == 404


def test_operator_gets_403_when_registering_an_elder_in_their_district(client, api_token, operator, community_a):
    r = post(client, URL, new_elder(), api_token(operator))

    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
    assert not Elder.objects.exists()


def test_elder_gets_403_when_registering_someone_in_their_own_community(client, api_token, elder, community_a):
    assert post(client, URL, new_elder(), api_token(elder)).status_code == 403


@pytest.mark.parametrize("code", ["360103001999", "360103000000", "360103001000"])
def test_worker_gets_422_on_community_when_the_code_names_no_community(client, api_token, worker_a, code):
    r = post(client, URL, new_elder(community=code), api_token(worker_a))

    assert r.status_code == 422
    assert r.json()["error"]["code"] == "unknown_community"
    assert list(r.json()["error"]["fields"]) == ["community"]


def test_worker_gets_422_on_community_when_the_code_is_malformed(client, api_token, worker_a):
    r = post(client, URL, new_elder(community="3601"), api_token(worker_a))

    assert r.status_code == 422
    assert "community" in r.json()["error"]["fields"]


def test_worker_gets_422_on_id_number_when_the_check_character_is_wrong(client, api_token, worker_a):
    r = post(client, URL, new_elder(id_number=NEW_ID[:-1] + "9"), api_token(worker_a), HTTP_ACCEPT_LANGUAGE="en")

    assert r.status_code == 422
    error = r.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == "id_check"
    assert list(error["fields"]) == ["id_number"]
    assert error["message"] == "The ID number's check character is wrong; please check the number."


def test_worker_gets_the_id_number_message_in_simplified_chinese_by_default(client, api_token, worker_a):
    r = post(client, URL, new_elder(id_number="12345"), api_token(worker_a))

    assert r.status_code == 422
    assert r.json()["error"]["message"] == zh("A resident ID number has 18 characters; this one has %(n)d.") % {"n": 5}


def test_worker_gets_422_on_birth_date_when_it_disagrees_with_the_id_number(client, api_token, worker_a):
    r = post(client, URL, new_elder(birth_date="1950-01-02"), api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["birth_date"]


def test_worker_gets_422_on_phone_when_it_is_not_a_phone_number(client, api_token, worker_a):
    r = post(client, URL, new_elder(phone="12345"), api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["phone"]
    assert not Elder.objects.exists()


def test_worker_gets_422_on_categories_when_a_category_is_unknown(client, api_token, worker_a):
    r = post(client, URL, new_elder(categories=["rich"]), api_token(worker_a))

    assert r.status_code == 422
    assert any(key.startswith("categories") for key in r.json()["error"]["fields"])


def test_worker_gets_422_on_name_when_it_is_missing(client, api_token, worker_a):
    body = new_elder()
    del body["name"]

    r = post(client, URL, body, api_token(worker_a))

    assert r.status_code == 422
    assert "name" in r.json()["error"]["fields"]


def test_worker_gets_422_on_name_when_it_is_blank(client, api_token, worker_a):
    r = post(client, URL, new_elder(name="  "), api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["name"]


def test_worker_gets_409_naming_the_record_when_registering_an_id_number_twice(client, api_token, worker_a, elder_in_a):
    r = post(client, URL, new_elder(id_number=ID_A), api_token(worker_a))

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate"
    assert "id_number" in r.json()["error"]["fields"]
    assert "张桂兰" in r.json()["error"]["message"]
    assert_no_full_numbers(r)


def test_worker_gets_409_without_a_name_when_the_id_number_is_registered_elsewhere(
    client, api_token, worker_b, elder_in_a, community_b
):
    r = post(client, URL, new_elder(id_number=ID_A, community=COMMUNITY_B), api_token(worker_b))

    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate_elsewhere"
    assert "张桂兰" not in r.content.decode()


def test_anonymous_caller_gets_401_when_registering_an_elder(client, community_a):
    r = client.post(URL, new_elder(), content_type="application/json")

    assert r.status_code == 401
    assert not Elder.objects.exists()


# -- update ------------------------------------------------------------------------------------
def test_worker_changes_the_address_of_an_elder_of_their_community(client, api_token, worker_a, elder_in_a):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"address": "桃花小区9栋901"}, api_token(worker_a))

    assert r.status_code == 200
    assert r.json()["address"] == "桃花小区9栋901"
    assert r.json()["name"] == "张桂兰"  # fields not sent stay as they were
    entry = AuditEntry.objects.filter(target_id=str(elder_in_a.pk), verb="elder.update").get()
    assert entry.changes["address"] == ["桃花小区3栋2单元101", "桃花小区9栋901"]


def test_worker_changes_the_id_number_and_sees_only_the_new_masked_form(client, api_token, worker_a, elder_in_a):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"id_number": NEW_ID}, api_token(worker_a))

    assert r.status_code == 200
    assert r.json()["id_number_masked"] == "360103********0024"
    assert r.json()["age"] == Elder.objects.get(pk=elder_in_a.pk).age()
    assert_no_full_numbers(r)


def test_worker_clears_the_phone_with_null(client, api_token, worker_a, elder_in_a):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"phone": None, "categories": None}, api_token(worker_a))

    assert r.status_code == 200
    assert r.json()["phone_masked"] == ""
    # Clearing removes the manual categories; those the household record decides stay.
    assert r.json()["categories"] == ["empty_nest", "alone"]


def test_worker_gets_422_on_name_when_trying_to_empty_it(client, api_token, worker_a, elder_in_a):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"name": None}, api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["name"]
    elder_in_a.refresh_from_db()
    assert elder_in_a.name == "张桂兰"


def test_worker_gets_422_on_id_number_when_changing_it_to_an_invalid_one(client, api_token, worker_a, elder_in_a):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"id_number": "360103194503120027"}, api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["id_number"]


def test_worker_gets_409_when_changing_the_id_number_to_one_registered_elsewhere(
    client, api_token, worker_a, elder_in_a, elder_in_b
):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"id_number": ID_B}, api_token(worker_a))

    assert r.status_code == 409
    assert "李建国" not in r.content.decode()


def test_worker_gets_404_when_changing_an_elder_of_another_community(client, api_token, worker_a, elder_in_b):
    r = patch(client, f"{URL}/{elder_in_b.id}", {"address": "x"}, api_token(worker_a))

    assert r.status_code == 404
    elder_in_b.refresh_from_db()
    assert elder_in_b.address == "朝阳新城5栋101"


def test_worker_gets_404_when_moving_their_elder_to_another_community(client, api_token, worker_a, elder_in_a, community_b):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"community": COMMUNITY_B}, api_token(worker_a))

    assert r.status_code == 404
    elder_in_a.refresh_from_db()
    assert elder_in_a.region_code == COMMUNITY_A


def test_admin_moves_an_elder_to_another_community(client, api_token, admin, elder_in_a, community_b):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"community": COMMUNITY_B}, api_token(admin))

    assert r.status_code == 200, r.content
    assert r.json()["community"] == COMMUNITY_B
    assert r.json()["community_name"] == "朝阳社区"
    assert r.json()["compound"] is None  # 桃花小区 is not in community B


def test_admin_moves_an_elder_to_a_compound_of_the_new_community(client, api_token, admin, elder_in_a, community_b):
    compound_b = community_b.compounds.get()

    r = patch(client, f"{URL}/{elder_in_a.id}", {"community": COMMUNITY_B, "compound": compound_b.id}, api_token(admin))

    assert r.status_code == 200, r.content
    assert (r.json()["compound"], r.json()["compound_name"]) == (compound_b.id, "朝阳新城")


def test_admin_gets_422_on_compound_when_it_lies_in_another_community(client, api_token, admin, elder_in_a, community_b):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"compound": community_b.compounds.get().id}, api_token(admin))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["compound"]


def test_operator_gets_403_when_changing_an_elder(client, api_token, operator, elder_in_a):
    r = patch(client, f"{URL}/{elder_in_a.id}", {"address": "x"}, api_token(operator))

    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_elder_gets_403_when_changing_their_own_record(client, api_token, elder, elder_in_a):
    assert patch(client, f"{URL}/{elder_in_a.id}", {"address": "x"}, api_token(elder)).status_code == 403


def test_family_gets_403_when_changing_their_relative(client, api_token, family, elder_in_a):
    assert patch(client, f"{URL}/{elder_in_a.id}", {"address": "x"}, api_token(family)).status_code == 403


# -- status ------------------------------------------------------------------------------------
def test_worker_records_the_death_of_an_elder_of_their_community(client, api_token, worker_a, elder_in_a, today):
    body = {"status": "deceased", "date": today.isoformat(), "note": "家属告知"}

    r = post(client, f"{URL}/{elder_in_a.id}/status", body, api_token(worker_a))

    assert r.status_code == 200
    assert r.json()["status"] == "deceased"
    assert r.json()["status_date"] == today.isoformat()
    assert AuditEntry.objects.filter(target_id=str(elder_in_a.pk), verb="elder.status", note="家属告知").exists()


def test_worker_gets_422_on_status_date_when_recording_a_death_without_a_date(client, api_token, worker_a, elder_in_a):
    r = post(client, f"{URL}/{elder_in_a.id}/status", {"status": "deceased"}, api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["status_date"]


def test_worker_gets_422_when_the_date_is_in_the_future(client, api_token, worker_a, elder_in_a, today):
    body = {"status": "moved_out", "date": (today + dt.timedelta(days=1)).isoformat()}

    r = post(client, f"{URL}/{elder_in_a.id}/status", body, api_token(worker_a))

    assert r.status_code == 422


def test_worker_gets_422_when_the_status_is_unknown(client, api_token, worker_a, elder_in_a):
    r = post(client, f"{URL}/{elder_in_a.id}/status", {"status": "asleep"}, api_token(worker_a))

    assert r.status_code == 422
    assert "status" in r.json()["error"]["fields"]


def test_worker_gets_404_when_changing_the_status_of_an_elder_of_another_community(
    client, api_token, worker_a, elder_in_b, today
):
    body = {"status": "deceased", "date": today.isoformat()}

    r = post(client, f"{URL}/{elder_in_b.id}/status", body, api_token(worker_a))

    assert r.status_code == 404
    elder_in_b.refresh_from_db()
    assert elder_in_b.status == "active"


def test_operator_gets_403_when_changing_the_status_of_an_elder(client, api_token, operator, elder_in_a, today):
    body = {"status": "deceased", "date": today.isoformat()}

    assert post(client, f"{URL}/{elder_in_a.id}/status", body, api_token(operator)).status_code == 403


# -- reveal ------------------------------------------------------------------------------------
def test_worker_reveals_the_full_numbers_and_the_reveal_is_audited(client, api_token, worker_a, elder_in_a):
    r = post(client, f"{URL}/{elder_in_a.id}/reveal", {"reason": "办理高龄津贴"}, api_token(worker_a))

    assert r.status_code == 200
    assert r.json() == {"id_number": ID_A, "phone": PHONE_A, "birth_date": "1945-03-12"}
    assert "no-store" in r["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.VIEW_FULL, verb="elder.reveal")
    assert (entry.actor, entry.target_id, entry.note) == (worker_a, str(elder_in_a.pk), "办理高龄津贴")


def test_operator_reveals_the_full_numbers_of_an_elder_in_their_district(client, api_token, operator, elder_in_b):
    r = post(client, f"{URL}/{elder_in_b.id}/reveal", {"reason": "报警回拨"}, api_token(operator))

    assert r.status_code == 200
    assert r.json()["id_number"] == ID_B


def test_worker_gets_422_on_reason_when_revealing_without_one(client, api_token, worker_a, elder_in_a):
    r = post(client, f"{URL}/{elder_in_a.id}/reveal", {"reason": " "}, api_token(worker_a))

    assert r.status_code == 422
    assert list(r.json()["error"]["fields"]) == ["reason"]
    assert_no_full_numbers(r)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_FULL).exists()


def test_worker_gets_404_when_revealing_an_elder_of_another_community(client, api_token, worker_a, elder_in_b):
    r = post(client, f"{URL}/{elder_in_b.id}/reveal", {"reason": "好奇"}, api_token(worker_a))

    assert r.status_code == 404
    assert_no_full_numbers(r)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_FULL).exists()


@pytest.mark.parametrize("persona", ["elder", "family"])
def test_personal_accounts_get_403_when_revealing_the_full_numbers(client, api_token, request, persona, elder_in_a):
    r = post(client, f"{URL}/{elder_in_a.id}/reveal", {"reason": "查看"}, api_token(request.getfixturevalue(persona)))

    assert r.status_code == 403
    assert_no_full_numbers(r)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.VIEW_FULL).exists()


def test_anonymous_caller_gets_401_when_revealing(client, elder_in_a):
    r = client.post(f"{URL}/{elder_in_a.id}/reveal", {"reason": "x"}, content_type="application/json")

    assert r.status_code == 401
    assert_no_full_numbers(r)


# -- the published contract --------------------------------------------------------------------
def test_openapi_document_offers_the_full_id_number_only_from_reveal(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

    holding_full_id = sorted(name for name, s in schemas.items() if "id_number" in s.get("properties", {}))
    # Inputs take a number the caller already has (registering, correcting, admitting an elder
    # to an institution); the only output that gives one is the audited reveal.
    assert set(holding_full_id) <= {"ElderIn", "ElderPatch", "AdmitIn", "RevealOut"}
    assert "id_number" not in schemas["ElderOut"]["properties"]
    assert "phone" not in schemas["ElderOut"]["properties"]


def test_admin_list_costs_the_same_queries_when_there_are_more_elders(
    client, api_token, admin, worker_a, community_a, both
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kangyang.registry.actions import create_elder

    headers = api_token(admin)
    client.get(URL, **headers)  # the token's first use stamps last_used_at
    with CaptureQueriesContext(connection) as two:
        client.get(URL, **headers)
    for seq in range(3):
        number = residentid.make("360103", dt.date(1940, 5, 1 + seq), 30 + seq)
        create_elder(by=worker_a, name=f"孙{seq}", id_number=number, community=community_a,
                     compound=community_a.compounds.get())
    with CaptureQueriesContext(connection) as five:
        r = client.get(URL, **headers)

    assert r.json()["count"] == 5
    assert len(five) == len(two)
