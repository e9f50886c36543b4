import pytest
from django.core.exceptions import ValidationError

from kangyang.regions import codes
from kangyang.regions.models import Compound, Region


@pytest.mark.parametrize("code, level", [
    ("360103000000", "district"), ("360103001000", "subdistrict"), ("360103001001", "community"),
])
def test_levels_follow_from_the_code(code, level):
    assert codes.level_of(code) == level


@pytest.mark.parametrize("code", ["36010300000", "3601030000000", "36010300000a", "360000000000", "360103000001"])
def test_malformed_codes_are_refused(code):
    with pytest.raises(ValidationError):
        codes.level_of(code)


def test_a_community_must_hang_under_its_own_subdistrict():
    codes.check_parent("360103001001", "360103001000")
    with pytest.raises(ValidationError):
        codes.check_parent("360103001001", "360103002000")
    with pytest.raises(ValidationError):
        codes.check_parent("360103001001", "360103000000")


CSV = (
    "区划代码,名称,纬度,经度\n"
    "360103001001,桃花社区,28.66,115.89\n"   # listed before its parents: order does not matter
    "360103000000,西湖区,,\n"
    "360103001000,南浦街道,,\n"
    "360103009001,孤儿社区,,\n"              # parent subdistrict missing
    "36010300100,坏代码,,\n"                 # 11 digits
    "360103001002,新洲社区,99,115\n"          # latitude out of range
)


def test_admin_imports_the_tree_from_csv_and_bad_rows_are_reported(client, admin):
    client.force_login(admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("tree.csv", CSV.encode(), content_type="text/csv")
    r = client.post("/regions/import/", {"kind": "regions", "file": upload})
    assert r.status_code == 200
    assert Region.objects.get(code="360103001001").parent.code == "360103001000"
    assert not Region.objects.filter(code__in=["360103009001", "360103001002"]).exists()
    for row in ("5", "6", "7"):
        assert f"<td>{row}</td>" in r.text
    # importing again adds nothing
    count = Region.objects.count()
    upload = SimpleUploadedFile("tree.csv", CSV.encode(), content_type="text/csv")
    client.post("/regions/import/", {"kind": "regions", "file": upload})
    assert Region.objects.count() == count


def test_compounds_import_updates_by_community_and_name(client, admin, community_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    data = "社区代码,小区名称,户数,纬度,经度\n360103001001,桃花小区,900,28.66,115.89\n360103001001,新小区,120,,\n999999999999,无效,1,,\n"
    client.post("/regions/import/", {"kind": "compounds", "file": SimpleUploadedFile("c.csv", data.encode())})
    assert Compound.objects.get(community=community_a, name="桃花小区").household_count == 900
    assert Compound.objects.filter(community=community_a).count() == 2


def test_only_the_bureau_admin_imports_the_tree(client, worker_a):
    client.force_login(worker_a)
    assert client.get("/regions/import/").status_code == 403


def test_worker_sees_their_community_and_its_parents_only(client, worker_a, community_b):
    client.force_login(worker_a)
    r = client.get("/regions/")
    assert "桃花社区" in r.text and "南浦街道" in r.text and "西湖区" in r.text
    assert "朝阳社区" not in r.text and "朝阳洲街道" not in r.text


# -- the city level (市—区—街道—社区) ------------------------------------------------------
def test_a_city_code_ends_its_county_part_in_00_and_its_districts_hang_under_it():
    assert codes.level_of("360100000000") == "city"
    assert codes.prefix("360100000000") == "3601"
    assert codes.parent_code_of("360103000000") == "360100000000"
    codes.check_parent("360103000000", "360100000000")
    codes.check_parent("360103000000", None)  # an installation of one district
    with pytest.raises(ValidationError):
        codes.check_parent("360103000000", "360200000000")  # 景德镇市 is not its city
    with pytest.raises(ValidationError):
        codes.check_parent("360100000000", "360000000000")


def test_a_city_bureau_sees_every_district_of_its_city_and_a_district_bureau_only_its_own(
        tree, elder_in_a, worker_a):
    from kangyang.accounts import scope
    from kangyang.accounts.models import User
    from kangyang.registry.actions import create_elder
    from kangyang.registry.models import Elder

    city = Region.objects.create(code="360100000000", name="南昌市", level="city")
    Region.objects.filter(pk=tree.pk).update(parent=city)
    qingyunpu = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=city)
    sub = Region.objects.create(code="360104001000", name="洪都街道", level="subdistrict", parent=qingyunpu)
    community = Region.objects.create(code="360104001001", name="洪都社区", level="community", parent=sub)
    other = create_elder(by=User.objects.create_user(
        username="worker_q", password="x" * 12, role="community_worker", region=community),
        name="胡秀英", id_number="360104194402020022", community=community)
    city_bureau = User.objects.create_user(username="city", password="x" * 12, role="bureau_admin", region=city)
    district_bureau = User.objects.create_user(username="xihu", password="x" * 12, role="bureau_admin", region=tree)

    assert set(Elder.objects.visible_to(city_bureau)) == {elder_in_a, other}
    assert set(Elder.objects.visible_to(district_bureau)) == {elder_in_a}
    assert scope.in_area(city_bureau, other.region_code) and not scope.in_area(district_bureau, other.region_code)
    # a district's staff see the city above them for context, not the other district
    visible = set(Region.objects.visible_to(district_bureau).values_list("code", flat=True))
    assert "360100000000" in visible and "360104000000" not in visible
    assert {"360103000000", "360104000000"} <= set(Region.objects.visible_to(city_bureau).values_list("code", flat=True))


def test_the_tree_import_takes_a_city_first_and_hangs_its_districts_under_it(client, admin):
    from kangyang.regions.imports import import_regions

    data = "区划代码,名称\n360104000000,青云谱区\n360100000000,南昌市\n".encode()
    result = import_regions(data, "tree.csv", by=admin)
    assert result.errors == [] and result.created == 2
    assert Region.objects.get(code="360104000000").parent.code == "360100000000"
