"""Fixtures of the random-inspection tests: institutions of the test district, a published pool
of four inspectors (the `inspector` persona among them), a plan of the district."""

import datetime as dt

import pytest

from kangyang.accounts.models import Organisation, User
from kangyang.institutions.actions import inspections as actions
from kangyang.institutions.models import Institution


def make_institution(community, organisation, name: str, kind: str = "care_home") -> Institution:
    return Institution.objects.create(
        organisation=organisation, name=name, kind=kind, ownership="private", operating_model="private_run",
        community=community, region_code=community.code, beds_total=50, beds_nursing=30)


def make_inspector(username: str, region) -> User:
    user = User.objects.create_user(username=username, role="inspector", region=region, full_name=username)
    return user


@pytest.fixture
def organisations(community_a):
    return [Organisation.objects.create(name=f"养老服务机构{i}", kind="institution", region=community_a.parent)
            for i in range(3)]


@pytest.fixture
def institutions(community_a, community_b, organisations):
    """Six care homes, two per organisation, in both communities."""
    return [make_institution(community_a if i % 2 else community_b, organisations[i % 3], f"颐养院{i}")
            for i in range(6)]


@pytest.fixture
def pool(admin, inspector, tree):
    pool = actions.create_pool(by=admin, name="西湖区检查人员名录库", region=tree)
    for user in [inspector, *(make_inspector(f"insp{i}", tree) for i in range(3))]:
        actions.add_inspector(pool, by=admin, inspector=user)
    actions.publish_pool(pool, by=admin)
    return pool


@pytest.fixture
def plan(admin, pool, tree, institutions, today):
    return actions.create_plan(by=admin, name="2026年双随机抽查", region=tree, year=today.year, pool=pool,
                               target_count=4, inspectors_per_target=2, due_by=today + dt.timedelta(days=60))
