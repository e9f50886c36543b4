"""Project-wide fixtures: test settings and the personas of CONTRACTS.md's demo accounts.

The region tree used by every test:
  360103000000 西湖区 (district)
  ├─ 360103001000 南浦街道 (subdistrict 1) ─ 360103001001 community A (+ compound A1)
  └─ 360103002000 朝阳洲街道 (subdistrict 2) ─ 360103002001 community B (+ compound B1)
"""

import datetime as dt

import pytest

from kangyang.lib.crypto import new_field_key

TEST_FIELD_KEY = new_field_key()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.FIELD_KEYS = [TEST_FIELD_KEY]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _clear_cache(db):
    from django.core.cache import cache

    cache.clear()


# -- region tree ---------------------------------------------------------------------------
@pytest.fixture
def district(db):
    from kangyang.regions.models import Region

    return Region.objects.create(code="360103000000", name="西湖区", level="district")


@pytest.fixture
def subdistrict_1(district):
    from kangyang.regions.models import Region

    return Region.objects.create(code="360103001000", name="南浦街道", level="subdistrict", parent=district)


@pytest.fixture
def subdistrict_2(district):
    from kangyang.regions.models import Region

    return Region.objects.create(code="360103002000", name="朝阳洲街道", level="subdistrict", parent=district)


@pytest.fixture
def community_a(subdistrict_1):
    from kangyang.regions.models import Compound, Region

    c = Region.objects.create(code="360103001001", name="桃花社区", level="community", parent=subdistrict_1)
    Compound.objects.create(community=c, name="桃花小区", lat=28.66, lng=115.89, household_count=800)
    return c


@pytest.fixture
def community_b(subdistrict_2):
    from kangyang.regions.models import Compound, Region

    c = Region.objects.create(code="360103002001", name="朝阳社区", level="community", parent=subdistrict_2)
    Compound.objects.create(community=c, name="朝阳新城", lat=28.64, lng=115.86, household_count=1200)
    return c


@pytest.fixture
def tree(district, community_a, community_b):
    """The whole test tree."""
    return district


# -- personas (CONTRACTS.md demo accounts) -------------------------------------------------
def _user(username, role, region=None, organisation=None, **extra):
    from kangyang.accounts.models import User

    return User.objects.create_user(
        username=username, password="kangyang-demo", role=role, region=region,
        organisation=organisation, full_name=username, **extra,
    )


@pytest.fixture
def admin(tree):
    """Bureau admin: the whole district."""
    return _user("admin", "bureau_admin", tree)


@pytest.fixture
def subdistrict(subdistrict_1, community_a):
    """Subdistrict officer: subdistrict 1 (community A), not subdistrict 2."""
    return _user("subdistrict", "subdistrict_officer", subdistrict_1)


@pytest.fixture
def worker_a(community_a):
    """Community worker of community A only."""
    return _user("worker_a", "community_worker", community_a)


@pytest.fixture
def worker_b(community_b):
    """Community worker of community B only."""
    return _user("worker_b", "community_worker", community_b)


@pytest.fixture
def operator(tree):
    """Hotline operator: reads any elder's card in the district, changes no record."""
    return _user("operator", "hotline_operator", tree)


@pytest.fixture
def provider_org(community_a):
    from kangyang.accounts.models import Organisation

    return Organisation.objects.create(name="康乐居家养老服务有限公司", kind="provider", region=community_a.parent)


@pytest.fixture
def provider(provider_org):
    """Provider manager: their organisation's work only; no registry access."""
    return _user("provider", "provider_manager", organisation=provider_org)


@pytest.fixture
def caregiver(provider_org):
    """Caregiver of that provider: their own tasks only; no registry access."""
    return _user("caregiver", "caregiver", organisation=provider_org)


@pytest.fixture
def volunteer(community_a):
    """Volunteer: their own time-bank account only; no registry access."""
    return _user("volunteer", "volunteer", community_a)


@pytest.fixture
def inspector(tree):
    """Inspector: institutions and inspections; no registry access."""
    return _user("inspector", "inspector", tree)


@pytest.fixture
def elder_in_a(worker_a, community_a):
    """An elder of community A (the `elder` persona's own record)."""
    from kangyang.registry.actions import create_elder

    return create_elder(
        by=worker_a, name="张桂兰", id_number="360103194503120026", community=community_a,
        phone="13807911234", address="桃花小区3栋2单元101", categories=["alone"],
        living_arrangement="alone", compound=community_a.compounds.first(),
    )


@pytest.fixture
def elder_in_b(worker_b, community_b):
    """An elder of community B."""
    from kangyang.registry.actions import create_elder

    return create_elder(
        by=worker_b, name="李建国", id_number="360103193807150019", community=community_b,
        phone="13907919876", address="朝阳新城5栋101", categories=["empty_nest", "disabled"],
    )


@pytest.fixture
def elder(elder_in_a):
    """The elder persona: signs in and sees only their own record."""
    user = _user("elder", "elder", elder_in_a.community)
    elder_in_a.user = user
    elder_in_a.save(update_fields=["user"])
    return user


@pytest.fixture
def family(elder_in_a, worker_a):
    """The elder's daughter: sees her mother's record only."""
    from kangyang.registry.actions import add_contact

    user = _user("family", "family")
    add_contact(elder_in_a, by=worker_a, name="王芳", relation="daughter", phone="13607915555",
                is_guardian=True, user=user)
    return user


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def api_token(client):
    """A function: persona → bearer header for the API."""

    def make(user) -> dict:
        r = client.post("/api/v1/auth/token", {"username": user.username, "password": "kangyang-demo"},
                        content_type="application/json")
        assert r.status_code == 200, r.content
        return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}

    return make


__all__ = ["dt"]
