"""Who may do what with care visits (kangyang/visits): records and follow-ups, care calls, the
visit policy, plans and rate. Part of kangyang.accounts.scope, which re-exports it."""

from django.db.models import Q

from kangyang.accounts.scope import (
    EDITOR_ROLES, MODULE_ROLES, NOTHING, PERSONAL_ROLES, R, area_prefix, elder_filter, in_area, region_filter,
)


# -- issue 15 (care visits): who records visits and follow-ups (visitrec) -------------------------
# A care visit is recorded by whoever made it: the community workers of the elder's community
# and the officers of its subdistrict (any elder of their area), a helper currently paired with
# the elder (结对帮扶), and a visitor (volunteer, social worker) the month's plan assigned a visit
# to the elder. Elders and family members never record visits: a visit "through a neighbour or
# relative" is recorded by the worker who heard from them.
CARE_VISIT_STAFF_ROLES = {R.COMMUNITY_WORKER, R.SUBDISTRICT_OFFICER}
# The phone board of the app (/app/visits/): volunteers and community workers.
VISITOR_BOARD_ROLES = {R.VOLUNTEER, R.COMMUNITY_WORKER}
# How long after its due date a visit assigned to a visitor still lets them record it (a visit
# made late, or sent late from a phone that had no connection).
ASSIGNED_VISIT_GRACE_DAYS = 31


def records_care_visits_of(user, region_code: str) -> bool:
    """Community workers and subdistrict officers whose area covers the elder."""
    return bool(user.is_authenticated and user.is_active and user.role in CARE_VISIT_STAFF_ROLES
                and in_area(user, region_code))


def _visitor_of(user, elder_id, *, today=None):
    """A current pairing helper, or the visitor of a visit due of the elder (open,
    or due within the grace days)."""
    import datetime as dt

    from django.utils import timezone

    from kangyang.visits.models import Pairing, VisitDue

    today = today or timezone.localdate()
    paired = Pairing.objects.filter(elder_id=elder_id, helper=user, started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    if paired.exists():
        return True
    since = timezone.now() - dt.timedelta(days=ASSIGNED_VISIT_GRACE_DAYS)
    return VisitDue.objects.filter(elder_id=elder_id, visitor=user).exclude(status=VisitDue.Status.CANCELLED).filter(
        Q(status=VisitDue.Status.OPEN) | Q(due_by__gte=since)).exists()


def may_record_care_visit(user, elder) -> bool:
    """Record a care visit to this elder (see the rules above)."""
    if elder is None or not (user.is_authenticated and user.is_active) or user.role in PERSONAL_ROLES:
        return False
    if records_care_visits_of(user, elder.region_code):
        return True
    return _visitor_of(user, elder.pk)


def visited_elders_filter(user, *, path: str = "") -> Q:
    """Elders a visitor reaches through their work rather than an area: those they are paired
    with now, and those with a visit assigned to them (`path` prefixes the lookups)."""
    import datetime as dt

    from django.utils import timezone

    from kangyang.visits.models import Pairing, VisitDue

    if not (user.is_authenticated and user.is_active) or user.role in PERSONAL_ROLES:
        return NOTHING
    today = timezone.localdate()
    since = timezone.now() - dt.timedelta(days=ASSIGNED_VISIT_GRACE_DAYS)
    paired = Pairing.objects.filter(helper=user, started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)).values("elder_id")
    assigned = VisitDue.objects.filter(visitor=user).exclude(status=VisitDue.Status.CANCELLED).filter(
        Q(status=VisitDue.Status.OPEN) | Q(due_by__gte=since)).values("elder_id")
    return Q(**{f"{path}pk__in": paired}) | Q(**{f"{path}pk__in": assigned})


def care_visit_filter(user) -> Q:
    """Care visits a user may read: staff of the area (the hotline too), the visitor's own, the
    visits of the elders they visit now (the history before the next visit), and an elder's or
    family member's own elder's (what the elder app shows of them: when, how, by whom)."""
    if not (user.is_authenticated and user.is_active):
        return NOTHING
    if user.role in PERSONAL_ROLES:
        return elder_filter(user, path="elder__")
    return region_filter(user) | Q(visitor=user) | visited_elders_filter(user, path="elder__")


def sees_visit_details(user, visit) -> bool:
    """The findings and notes of a visit: not for the elder and her family (they see when, how
    and by whom); for everyone else who may read the visit."""
    return user.role not in PERSONAL_ROLES


def follow_up_filter(user) -> Q:
    """Follow-ups a user may read: staff of the area, and those the user opened."""
    if not (user.is_authenticated and user.is_active) or user.role in PERSONAL_ROLES:
        return NOTHING
    return region_filter(user) | Q(opened_by=user)


def may_open_follow_up(user, visit) -> bool:
    """The visitor who recorded the visit, or the area's community worker or officer."""
    return bool(user.is_authenticated and user.is_active and (
        visit.visitor_id == user.pk or records_care_visits_of(user, visit.region_code)))


def may_close_follow_up(user, follow_up) -> bool:
    """The area's community worker or officer (they see it through), or whoever opened it."""
    return bool(user.is_authenticated and user.is_active and (
        follow_up.opened_by_id == user.pk or records_care_visits_of(user, follow_up.region_code)))


def uses_visitor_board(user) -> bool:
    """The app's visitor board (/app/visits/): volunteers and community workers."""
    return bool(user.is_authenticated and user.is_active and user.role in VISITOR_BOARD_ROLES)
# -- issue 15 §4: care calls (关爱电话, kangyang/visits: actions/calls.py, views/calls.py) ------
# The hotline's operators call the elders living alone of their area on a schedule; the
# community worker may make (and record) the calls of her own community herself. Both see the
# call list and the calls' history of the elders of their area, and nobody else does: the
# provider, the caregiver and the volunteer have no business with the registry's phones.
CARE_CALL_ROLES = {R.HOTLINE_OPERATOR, R.COMMUNITY_WORKER}
MODULE_ROLES["care_calls"] = CARE_CALL_ROLES


def makes_care_calls(user) -> bool:
    """Whether the user works on care calls at all (the call list and its link)."""
    return bool(
        user.is_authenticated and user.is_active and (user.role in CARE_CALL_ROLES or user.is_superuser)
        and area_prefix(user) is not None
    )


def makes_care_calls_of(user, region_code: str) -> bool:
    """Take, dial and record a care call to an elder of the region (an operator of the area,
    the community's worker)."""
    return makes_care_calls(user) and in_area(user, region_code)


def care_call_filter(user, *, field: str = "region_code") -> Q:
    """Care calls a user may see: those of the elders of their area, for care-call roles."""
    if not makes_care_calls(user):
        return NOTHING
    return region_filter(user, field=field)
# -- issue 15 (care visits): the visit policy, the month's plans and the visit rate ------------------
# The plans, the rate and its lists are kept by the staff who keep the registry of an area: the
# community worker of the elder's community, and the subdistrict officer and bureau admin whose
# area covers it (EDITOR_ROLES). They make the plan, change a line's visitor, cancel a line, set
# a tier by hand and pair helpers. The hotline operator reads elder cards but plans no visits.
# A visitor (a community worker or a volunteer) also sees the care visits they made themselves.
VISIT_PLAN_ROLES = EDITOR_ROLES
MODULE_ROLES["visits"] = VISIT_PLAN_ROLES


def sees_visit_plans(user) -> bool:
    """The plans and rate pages at all (for which area: visit_plan_filter)."""
    return bool(user.is_authenticated and user.is_active and (user.role in VISIT_PLAN_ROLES or user.is_superuser)
                and area_prefix(user) is not None)


def visit_plan_filter(user, *, field: str = "region_code") -> Q:
    """Plan lines, profiles and pairings a user may see: their area's, for the planning staff."""
    if not sees_visit_plans(user):
        return NOTHING
    return region_filter(user, field=field)


def plans_visits_of(user, region_code: str) -> bool:
    """Make or change the plan, a tier or a pairing of an elder of this region."""
    return sees_visit_plans(user) and in_area(user, region_code)
