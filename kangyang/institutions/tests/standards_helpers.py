"""Builders shared by the standards, indicators and subsidies tests."""

from kangyang.institutions.models import Institution


def organisation(region, name="测试养老服务有限公司"):
    from kangyang.accounts.models import Organisation

    return Organisation.objects.get_or_create(name=name, defaults={"kind": "provider", "region": region})[0]


def institution(community, *, name, kind, org=None, **fields):
    """An institution saved with its region code (the register's actions set it in the app)."""
    fields.setdefault("ownership", Institution.Ownership.PRIVATE)
    fields.setdefault("operating_model", Institution.OperatingModel.PRIVATE_RUN)
    return Institution.objects.create(
        organisation=org or organisation(community.parent), community=community, region_code=community.code,
        name=name, kind=kind, **fields)
