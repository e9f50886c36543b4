"""The public disclosure pages (/public/institutions/, issue 16 §9): open without signing in,
filter, map, each institution's page — and nothing personal on any of them."""

import json
import re

import pytest
from django.urls import reverse

from kangyang.institutions.tests import public_world

DIRECTORY = "/public/institutions/"
MAP = "/public/institutions/map.json"


@pytest.fixture
def world(admin, worker_a, worker_b, community_a, community_b):
    return public_world.build(admin=admin, worker_a=worker_a, worker_b=worker_b,
                              community_a=community_a, community_b=community_b)


def listed(response) -> set[int]:
    return {int(n) for n in re.findall(r'data-institution="(\d+)"', response.content.decode())}


def marked(client, query: str = "") -> set[int]:
    response = client.get(f"{MAP}?{query}")
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


def ids(*institutions) -> set[int]:
    return {i.pk for i in institutions}


def test_the_urls_are_the_issues():
    assert reverse("public_institutions:directory") == DIRECTORY
    assert reverse("public_institutions:map") == MAP
    assert reverse("public_institutions:detail", args=[7]) == "/public/institutions/7/"


def test_no_public_page_shows_a_name_an_id_a_phone_or_an_address_of_anyone(client, world, subdistrict_1):
    """Every public page, rendered for an anonymous visitor, in both languages: none of the
    residents' names, ID numbers (full or masked), phones or addresses, nor the names of the
    organisation's contact, its staff, the inspectors, the assessors or the person responsible
    for a hazard, nor the contact's phone."""
    filters = ["", "kind=care_home", "kind=meal_point", f"subdistrict={subdistrict_1.code}", "beds=1", "stars=3",
               "stars=5", "band=lt2000", "band=2000_3999", "band=4000_5999", "band=ge6000", "page=2",
               f"kind=care_home&subdistrict={subdistrict_1.code}&beds=1&stars=1&band=2000_3999"]
    pages = [f"{DIRECTORY}?{q}" for q in filters] + [f"{MAP}?{q}" for q in filters]
    pages += [f"{DIRECTORY}{i.pk}/" for i in world["open"] + [world["closed"]]] + [f"{DIRECTORY}999999/"]
    seen = []
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 404), url
            assert "/accounts/login" not in response.get("Location", ""), url
            seen.append((url, response.content.decode()))
    secrets = public_world.secrets()
    leaks = [(url, s) for url, body in seen for s in secrets if s in body]
    assert leaks == []
    # The pages do say what is public: the institutions, their fees, the organisation and its status.
    home = dict(seen)[f"{DIRECTORY}{world['home'].pk}/"]
    for public in ("康宁颐养院", "康宁养老服务有限公司", "0791-86661234", "桃花路88号", "赣民养备2024001",
                   "2,500.00", "3,800.00", "助餐", "认知症照护", "西湖区人民医院"):
        assert public in home, public
    assert "inspector" not in dict(seen)[f"{DIRECTORY}{world['home'].pk}/"].lower().split("<main>")[1]


def test_the_directory_opens_without_signing_in_in_chinese_with_the_language_switch(client, world):
    response = client.get(DIRECTORY)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body and 'name="language" value="en"' in body
    assert listed(response) == ids(*world["open"])  # the closed one is not listed
    assert "private" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert 'src="/static/js/public_directory.js"' in body or "public_directory" in body
    assert "<script>" not in body and "style=" not in body  # the Content-Security-Policy allows neither


def test_the_detail_page_says_fees_rating_inspections_and_credit_in_words(client, world, settings):
    client.cookies["django_language"] = "en"
    home = world["home"]
    body = client.get(f"{DIRECTORY}{home.pk}/").content.decode()
    assert re.search(r'data-field="beds_available">\s*0\s*<', body)  # 3 beds, 3 open stays
    assert re.search(r'data-field="beds_total">\s*3\s*<', body)
    assert "3 stars" in body and "Example scorecard, not the official weights" in body
    assert "example scorecard, not the official weights" in body  # on the history's row too
    # The published inspection: the problems by area, no note or summary.
    assert "problems found, to be put right" in body
    assert "Safety risks (GB 38600-2019): 2" in body and "Fire safety: 1" in body and "Food" not in body.split(
        'id="inspection-results"')[1].split("</table>")[0]
    assert "床边无护栏" not in body and "热水无标识" not in body
    # The organisation's status in words; the other organisation is on the blacklist.
    assert re.search(r'data-field="credit">\s*good · not on the blacklist', body)
    day_care = client.get(f"{DIRECTORY}{world['day_care'].pk}/").content.decode()
    assert re.search(r'data-field="credit">\s*good · <strong>on the blacklist</strong>', day_care)
    assert "not rated" in day_care.lower() and "No inspection result published yet." in day_care
    # The township home's inspection is not published: nothing of it shows.
    township = client.get(f"{DIRECTORY}{world['township'].pk}/").content.decode()
    assert "serious problems found" not in township and "No inspection result published yet." in township
    assert re.search(r'data-field="beds_available">\s*40\s*<', township)  # the one stay has ended


def test_a_closed_or_unknown_institution_is_a_404_in_words(client, world):
    client.cookies["django_language"] = "en"
    for url in (f"{DIRECTORY}{world['closed'].pk}/", f"{DIRECTORY}999999/", f"{DIRECTORY}0/",
                f"{DIRECTORY}{2**64}/", f"{DIRECTORY}99999999999999999999999999/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "There is no such institution" in response.content.decode(), url
    client.cookies["django_language"] = "zh-hans"
    assert "<h1" in client.get(f"{DIRECTORY}999999/").content.decode()


def test_the_filters_choose_the_institutions(client, world, subdistrict_1, subdistrict_2):
    home, township, day_care, meal = world["home"], world["township"], world["day_care"], world["meal"]
    cases = {
        "kind=care_home": ids(home),
        "kind=day_care_centre": ids(day_care),
        f"subdistrict={subdistrict_1.code}": ids(home, township),
        f"subdistrict={subdistrict_2.code}": ids(day_care, meal),
        "beds=1": ids(township),  # the care home is full; the others have no beds
        "stars=3": ids(home, township),
        "stars=4": ids(township),
        "band=lt2000": ids(township),
        "band=2000_3999": ids(home),  # by its lowest monthly fee, 2,500
        "band=4000_5999": set(),
        "band=ge6000": set(),  # only the closed home charges 7,000
        f"subdistrict={subdistrict_1.code}&stars=1&beds=1": ids(township),
        "kind=care_home&beds=": ids(home),  # an empty value is no filter
        "unknown=1&kind=": ids(home, township, day_care, meal),  # an unknown parameter is ignored
    }
    for query, expected in cases.items():
        response = client.get(f"{DIRECTORY}?{query}")
        assert response.status_code == 200, query
        assert listed(response) == expected, query
        # The map has the same institutions, those with a location.
        assert marked(client, query) == expected - ids(meal), query


def test_the_map_data_carries_public_fields_only(client, world):
    response = client.get(MAP)
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    items = {i["id"]: i for i in response.json()["items"]}
    assert set(items) == ids(world["home"], world["township"], world["day_care"])
    assert set(items[world["home"].pk]) == {"id", "name", "kind", "kind_label", "lat", "lng", "beds_available", "stars"}
    assert items[world["home"].pk]["beds_available"] == 0 and items[world["township"].pk]["beds_available"] == 40
    assert items[world["home"].pk]["stars"] == 3 and items[world["home"].pk]["lat"] == pytest.approx(28.661)


def test_the_directory_pages(client, world, community_a, settings, monkeypatch):
    from kangyang.institutions.views import public

    monkeypatch.setattr(public, "PER_PAGE", 2)
    first, second = client.get(DIRECTORY), client.get(f"{DIRECTORY}?page=2")
    assert len(listed(first)) == 2 and len(listed(second)) == 2 and not listed(first) & listed(second)
    assert "page=2" in first.content.decode()
    # A page beyond the last, or not a number: the last or the first, never an error.
    assert listed(client.get(f"{DIRECTORY}?page=99999999999999999999")) == listed(second)
    assert listed(client.get(f"{DIRECTORY}?page=abc")) == listed(first)
    filtered = client.get(f"{DIRECTORY}?kind=care_home&page=1").content.decode()
    assert "kind=care_home" in filtered


@pytest.mark.parametrize("query", [
    "beds=abc", "stars=9", "stars=-1", "stars=1.5", "stars=99999999999999999999999", "kind=castle",
    "subdistrict=360103001001", "subdistrict=999999999999", "subdistrict=abc", "band=cheap", "kind=%27%3B--",
    "stars=%E2%98%85", "kind[]=care_home&kind=x",
])
def test_hostile_filters_are_a_400_in_words_never_a_500(client, world, query):
    client.cookies["django_language"] = "en"
    response = client.get(f"{DIRECTORY}?{query}")
    assert response.status_code == 400, query
    assert "These filters cannot be used" in response.content.decode()
    response = client.get(f"{MAP}?{query}")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize("query", ["kind=care%00home", "page=%00", "beds=1%00"])
def test_a_nul_byte_is_refused(client, world, query):
    for url in (DIRECTORY, MAP):
        assert client.get(f"{url}?{query}").status_code == 400


def test_only_get_and_head(client, world):
    assert client.post(DIRECTORY).status_code in (403, 405)  # CSRF or method: never handled
    assert client.head(DIRECTORY).status_code == 200
    assert client.delete(f"{DIRECTORY}{world['home'].pk}/").status_code == 405


def test_the_directory_asks_the_database_a_few_questions_whatever_the_number(client, world,
                                                                           django_assert_max_num_queries):
    client.get(DIRECTORY)  # the subdistricts of the filter are cached from here on
    with django_assert_max_num_queries(4):  # session-free: the cache, the count, the page
        response = client.get(f"{DIRECTORY}?stars=1&beds=1&band=lt2000")
    assert response.status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(MAP).status_code == 200


def test_the_sign_in_page_links_the_directory(client):
    assert f'href="{DIRECTORY}"' in client.get("/accounts/login/").content.decode()


def test_json_is_not_html_escaped_away(client, world):
    data = json.loads(client.get(MAP).content)
    assert any(i["name"] == "康宁颐养院" for i in data["items"])
