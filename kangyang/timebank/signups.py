"""Taking a need nearby from the volunteer's app page: an open visit due without a visitor (the
volunteer becomes its visitor) or an activity of her area (she signs up).

Rules:
- Only a volunteer with a time-bank account (registered with her real name) takes a need, and
  only one of her own area (accounts.scope.takes_needs_of).
- A visit due is taken once: the first volunteer to take it is its visitor, by a conditional
  UPDATE (works the same on SQLite and PostgreSQL, no lock); the second is told someone else
  took it.
- An activity is signed up for once per volunteer, before it ends. A sign-up earns nothing by
  itself: hours come from the organiser's confirmation (actions.confirm_attendance) and the
  community worker's deposit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.timebank.models import Account, Activity, ActivitySignup


def _account_of(by: User) -> Account:
    account = Account.objects.filter(user=by, kind=Account.Kind.VOLUNTEER).first()
    if account is None:
        raise ValidationError(_("Register as a volunteer first: real name, birth date and phone."), code="no_account")
    return account


@transaction.atomic
def take_visit_due(due, *, by: User):
    """The volunteer becomes the visitor of an open visit due that has none. Taking one she
    already has changes nothing."""
    from kangyang.visits.models import VisitDue

    if not scope.takes_needs_of(by, due.region_code):
        raise PermissionDenied
    _account_of(by)
    if due.visitor_id == by.pk:
        return due
    taken = VisitDue.objects.filter(pk=due.pk, status=VisitDue.Status.OPEN, visitor__isnull=True).update(visitor=by)
    if not taken:  # another volunteer (or the community worker) was first, or it is settled
        raise ValidationError(_("This visit has been taken by someone else or is no longer open."), code="taken")
    due.visitor = by
    record(by, "update", verb="visit_due.take", target=due, region_code=due.region_code,
           changes={"visitor": by.pk})
    return due


def sign_up(activity: Activity, *, by: User) -> ActivitySignup:
    """The volunteer signs up for an activity of her area that has not ended. Signing up twice
    returns the first sign-up."""
    if not scope.takes_needs_of(by, activity.region_code):
        raise PermissionDenied
    account = _account_of(by)
    if activity.ends_at <= timezone.now():
        raise ValidationError(_("This activity is over."), code="over")
    existing = ActivitySignup.objects.filter(activity=activity, account=account).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            signup = ActivitySignup.objects.create(activity=activity, account=account)
            record(by, "create", verb="timebank_activity.sign_up", target=activity,
                   region_code=activity.region_code, changes={"account": account.pk})
    except IntegrityError:  # the same volunteer, twice at once
        return ActivitySignup.objects.get(activity=activity, account=account)
    return signup
