"""Reads of the health app's contracts topic: the teams a user may read, a team's contracted
elders, an elder's contracts, the per-community contract rates, and the panel's section."""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.health.models import Contract, ResidentCount, Team
from kangyang.health.models.contracts import valid_on

ENDING_WITHIN_DAYS = 30


def teams_for(user):
    """The family-doctor teams whose lists the user may read, with their counts of contracts in force."""
    today = timezone.localdate()
    return (Team.objects.filter(scope.team_filter(user)).select_related("institution")
            .annotate(contracted=Count("contracts", filter=valid_on(today, "contracts__"), distinct=True))
            .order_by("area_code", "name"))


def contracts_for(user):
    """Contracts the user may read (scope.contract_filter)."""
    return (Contract.objects.filter(scope.contract_filter(user))
            .select_related("elder", "team__institution", "package", "renewed_from"))


def team_contracts(team, *, q: str = "", today: dt.date | None = None):
    """The team's contracts in force today, by the elder's name (part of the name or its initials)."""
    today = today or timezone.localdate()
    rows = (team.contracts.filter(valid_on(today)).select_related("elder", "package")
            .order_by("elder__name_initials", "elder__name"))
    q = (q or "").replace("\x00", "").strip()
    if q:
        rows = rows.filter(Q(elder__name__icontains=q) | Q(elder__name_initials__icontains=q.upper()))
    return rows


def ending_soon(contracts, *, today: dt.date | None = None, days: int = ENDING_WITHIN_DAYS):
    """Contracts in force ending within `days` days and not renewed yet."""
    today = today or timezone.localdate()
    return (contracts.filter(valid_on(today), ends_on__lte=today + dt.timedelta(days=days))
            .filter(renewal__isnull=True).order_by("ends_on", "pk"))


def community_rates(user, *, today: dt.date | None = None) -> list[dict]:
    """Per community of the user's area: elders (alive, registered) aged 65+, key groups and
    priority elders with and without a contract in force today (the indicators' rules), and the
    latest resident counts."""
    from kangyang.health import indicators
    from kangyang.indicators.registry import Period, Query
    from kangyang.regions.models import Region

    today = today or timezone.localdate()
    communities = list(Region.objects.filter(scope.region_tree_filter(user), level=Region.Level.COMMUNITY)
                       .order_by("code")) if scope.reads_contract_rates(user) else []
    if not communities:
        return []
    q = Query(communities[0].code, Period(today.year, today.month))
    from kangyang.registry.indicators import aged, elders

    contracted = indicators._contracted(q)
    base = elders(q).filter(region_code__in=[c.code for c in communities])
    groups = {"aged": aged(65)(q), "key": indicators._key_group(q), "priority": indicators._priority(q)}
    annotations = {}
    for name, where in groups.items():
        annotations[f"{name}_n"] = Count("pk", filter=where & contracted, distinct=True)
        annotations[f"{name}_d"] = Count("pk", filter=where, distinct=True)
    rows = {r["region_code"]: r for r in base.order_by().values("region_code").annotate(**annotations)}
    counts = {}
    for count in ResidentCount.objects.filter(region__in=communities, as_of__lte=today).order_by("region_id", "-as_of"):
        counts.setdefault(count.region_id, count)
    out = []
    for community in communities:
        row = rows.get(community.code, {})
        item = {"community": community, "count": counts.get(community.pk)}
        for name in groups:
            n, d = row.get(f"{name}_n", 0), row.get(f"{name}_d", 0)
            item[name] = {"n": n, "d": d, "rate": (100 * n / d) if d else None}
        c = item["count"]
        item["all"] = ({"n": c.contracted, "d": c.residents, "rate": 100 * c.contracted / c.residents if c.residents else None}
                       if c else None)
        item["cells"] = [item["aged"], item["key"], item["priority"], item["all"]]
        out.append(item)
    return out


def panel_section(user):
    """The contracts part of the health panel (/health/) for this user: a dict for the template
    health/panel/_contracts.html, or None when it has nothing for them."""
    if not user.is_authenticated:
        return None
    if user.role == scope.R.DOCTOR:
        teams = list(teams_for(user))
        if not teams:
            return None
        ending = list(ending_soon(Contract.objects.filter(team__in=teams).select_related("elder", "team", "package")))
        return {"kind": "team", "teams": teams, "ending": ending, "days": ENDING_WITHIN_DAYS}
    if scope.reads_contract_rates(user):
        teams = teams_for(user)
        return {"kind": "area", "teams": teams.count()}
    return None


def elder_section(user, elder):
    """The contracts part of an elder's health page (/health/elders/<id>/), already allowed to the user
    (scope.reads_health): a dict for health/elder/_contracts.html, or None when there is nothing to show."""
    today = timezone.localdate()
    history = list(Contract.objects.filter(elder=elder).select_related("team__institution", "package", "renewal"))
    if not scope.reads_health(user, elder):
        history = []  # a team member offering a contract (scope.may_sign_for) sees no other health data
    current = next((c for c in history if c.starts_on <= today <= c.ends_on
                    and (c.ended_on is None or c.ended_on > today)), None)
    from kangyang.health.actions.contracts import teams_serving

    signable = [t for t in teams_serving(elder.region_code) if scope.manages_contracts_of(user, t, elder)]
    manages = current is not None and scope.manages_contracts_of(user, current.team, elder)
    renewable = manages and current.ended_on is None and not hasattr_renewal(current)
    if not history and not signable:
        return None
    from kangyang.health.forms.contracts import EndForm, RenewForm, SignForm

    return {
        "elder": elder, "current": current, "history": history, "today": today,
        "sign_form": SignForm(teams=signable, prefix="sign") if signable and current is None else None,
        "renew_form": RenewForm(prefix="renew") if renewable else None,
        "end_form": EndForm(prefix="end") if manages and current.ended_on is None else None,
    }


def hasattr_renewal(contract) -> bool:
    try:
        return contract.renewal is not None
    except Contract.DoesNotExist:
        return False


__all__ = ["teams_for", "contracts_for", "team_contracts", "ending_soon", "community_rates", "panel_section",
           "elder_section"]
