"""/api/v1/regions: each persona sees their area of the tree and the nodes above it."""

from django.utils import translation

from kangyang.regions.models import Region

DISTRICT, SUB_1, SUB_2, COMMUNITY_A, COMMUNITY_B = (
    "360103000000", "360103001000", "360103002000", "360103001001", "360103002001",
)


def codes_listed(client, headers, query=""):
    r = client.get(f"/api/v1/regions{query}", **headers)
    assert r.status_code == 200, r.content
    return [item["code"] for item in r.json()["items"]]


def zh(message: str) -> str:
    """What the zh-Hans catalogue makes of an English message (itself, until translated)."""
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_admin_lists_every_region_of_the_district(client, api_token, admin):
    assert codes_listed(client, api_token(admin)) == [DISTRICT, SUB_1, COMMUNITY_A, SUB_2, COMMUNITY_B]


def test_operator_lists_every_region_of_the_district(client, api_token, operator):
    assert codes_listed(client, api_token(operator)) == [DISTRICT, SUB_1, COMMUNITY_A, SUB_2, COMMUNITY_B]


def test_worker_lists_their_community_and_the_nodes_above_it(client, api_token, worker_a, community_b):
    assert codes_listed(client, api_token(worker_a)) == [DISTRICT, SUB_1, COMMUNITY_A]


def test_subdistrict_officer_lists_their_subdistrict_but_not_the_other(client, api_token, subdistrict, community_b):
    assert codes_listed(client, api_token(subdistrict)) == [DISTRICT, SUB_1, COMMUNITY_A]


def test_provider_lists_no_regions(client, api_token, provider, tree):
    r = client.get("/api/v1/regions", **api_token(provider))

    assert r.json() == {"items": [], "count": 0}


def test_elder_lists_only_their_own_community(client, api_token, elder, community_b):
    assert codes_listed(client, api_token(elder)) == [COMMUNITY_A]


def test_admin_filters_regions_by_level(client, api_token, admin):
    assert codes_listed(client, api_token(admin), "?level=community") == [COMMUNITY_A, COMMUNITY_B]


def test_admin_filters_regions_by_parent(client, api_token, admin):
    assert codes_listed(client, api_token(admin), f"?parent={DISTRICT}") == [SUB_1, SUB_2]


def test_worker_gets_nothing_when_filtering_by_a_parent_outside_their_area(client, api_token, worker_a, community_b):
    assert codes_listed(client, api_token(worker_a), f"?parent={SUB_2}") == []


def test_admin_gets_422_when_the_parent_filter_is_not_a_region_code(client, api_token, admin):
    r = client.get("/api/v1/regions?parent=3601", **api_token(admin))

    assert r.status_code == 422
    assert "parent" in r.json()["error"]["fields"]


def test_admin_gets_422_when_the_level_filter_is_unknown(client, api_token, admin):
    r = client.get("/api/v1/regions?level=province", **api_token(admin))

    assert r.status_code == 422
    assert "level" in r.json()["error"]["fields"]


def test_worker_reads_their_community_with_parent_code_and_coordinates(client, api_token, worker_a, community_a):
    Region.objects.filter(pk=community_a.pk).update(lat=28.66, lng=115.89)

    r = client.get(f"/api/v1/regions/{COMMUNITY_A}", **api_token(worker_a))

    assert r.status_code == 200
    assert r.json() == {
        "code": COMMUNITY_A, "name": "桃花社区", "level": "community", "parent": SUB_1,
        "lat": 28.66, "lng": 115.89,
    }


def test_worker_reads_the_district_above_them_with_a_null_parent(client, api_token, worker_a):
    r = client.get(f"/api/v1/regions/{DISTRICT}", **api_token(worker_a))

    assert r.status_code == 200
    assert r.json()["parent"] is None
    assert r.json()["level"] == "district"


def test_worker_gets_404_for_a_community_of_another_subdistrict(client, api_token, worker_a, community_b):
    r = client.get(f"/api/v1/regions/{COMMUNITY_B}", **api_token(worker_a))

    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_worker_gets_the_same_404_for_a_region_that_does_not_exist(client, api_token, worker_a, community_b):
    headers = api_token(worker_a)
    outside = client.get(f"/api/v1/regions/{COMMUNITY_B}", **headers)
    missing = client.get("/api/v1/regions/360103009009", **headers)

    assert (missing.status_code, missing.json()) == (outside.status_code, outside.json())


def test_provider_gets_404_for_any_region(client, api_token, provider, community_a):
    assert client.get(f"/api/v1/regions/{COMMUNITY_A}", **api_token(provider)).status_code == 404


def test_anonymous_caller_gets_401_for_a_region(client, community_a):
    r = client.get(f"/api/v1/regions/{COMMUNITY_A}")

    assert r.status_code == 401
    assert set(r.json()["error"]) == {"code", "message", "fields"}


# -- pagination ----------------------------------------------------------------------------
def test_admin_pages_through_regions_with_page_and_page_size(client, api_token, admin):
    headers = api_token(admin)

    first = client.get("/api/v1/regions?page_size=2", **headers).json()
    third = client.get("/api/v1/regions?page_size=2&page=3", **headers).json()

    assert first["count"] == third["count"] == 5
    assert [i["code"] for i in first["items"]] == [DISTRICT, SUB_1]
    assert [i["code"] for i in third["items"]] == [COMMUNITY_B]


def test_admin_gets_200_items_at_most_when_asking_for_page_size_200(client, api_token, admin):
    r = client.get("/api/v1/regions?page_size=200", **api_token(admin))

    assert r.status_code == 200
    assert r.json()["count"] == 5


def test_admin_gets_422_when_page_size_is_over_200(client, api_token, admin):
    r = client.get("/api/v1/regions?page_size=201", **api_token(admin))

    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid"
    assert "page_size" in r.json()["error"]["fields"]


def test_admin_gets_422_when_page_is_zero(client, api_token, admin):
    r = client.get("/api/v1/regions?page=0", **api_token(admin))

    assert r.status_code == 422
    assert "page" in r.json()["error"]["fields"]


def test_admin_gets_an_empty_page_past_the_end(client, api_token, admin):
    r = client.get("/api/v1/regions?page=9", **api_token(admin))

    assert r.json() == {"items": [], "count": 5}


# -- the error message follows Accept-Language -----------------------------------------------
def test_worker_gets_the_404_message_in_english_when_asking_for_en(client, api_token, worker_a, community_b):
    r = client.get(f"/api/v1/regions/{COMMUNITY_B}", HTTP_ACCEPT_LANGUAGE="en", **api_token(worker_a))

    assert r.json()["error"]["message"] == "Not found."


def test_worker_gets_the_404_message_in_simplified_chinese_by_default(client, api_token, worker_a, community_b):
    r = client.get(f"/api/v1/regions/{COMMUNITY_B}", **api_token(worker_a))

    assert r.json()["error"]["message"] == zh("Not found.")


def test_worker_gets_the_422_message_in_the_language_asked_for(client, api_token, worker_a):
    headers = api_token(worker_a)

    en = client.get("/api/v1/regions?page_size=201", HTTP_ACCEPT_LANGUAGE="en", **headers)
    zh_hans = client.get("/api/v1/regions?page_size=201", HTTP_ACCEPT_LANGUAGE="zh-Hans", **headers)

    assert en.json()["error"]["message"] == "The request is not valid."
    assert zh_hans.json()["error"]["message"] == zh("The request is not valid.")
