"""Every write of the time bank. Each movement of hours is one transaction of two ledger
entries summing to zero, appended to the chain inside one database transaction (`_post`).

Rules:
- Volunteers register with real name, birth date (at least KANGYANG_TIMEBANK_MIN_AGE) and phone.
- Hours are deposited only for verified help, each source once, when a community worker whose
  area covers the help confirms it: a completed care visit by the volunteer (visits app), a
  confirmed home-service order the volunteer delivered as a provider's caregiver (services app;
  a caregiver account is a provider's paid worker, so this only pays a volunteer whose own
  sign-in account a provider — e.g. a volunteer organisation — registered as its caregiver), or
  an activity whose organiser confirmed the volunteer came.
- Time is counted in minutes, one hour of service is one hour (一时一币): a visit's or order's
  time (start to end) is rounded to the nearest quarter hour, a half quarter (7.5 minutes) up;
  help shorter than 7.5 minutes earns nothing and is refused.
- Hours are spent on services of the catalogue (their minutes per unit × quantity) by a holder at
  least KANGYANG_TIMEBANK_REDEEM_MIN_AGE old; transferred to the holder's family (an elder who
  lists the volunteer as spouse, child or relative) or donated to a vulnerable elder the
  volunteer visits or is paired with, each within its yearly limit; no person's balance goes below zero or above KANGYANG_TIMEBANK_CAP_HOURS.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts import scope
from kangyang.accounts.models import User
from kangyang.audit.actions import record
from kangyang.lib import crypto, phone as phones
from kangyang.registry.models import Contact, Elder
from kangyang.timebank import chain
from kangyang.timebank.models import Account, Activity, Attendance, ChainHead, Digest, Entry

logger = logging.getLogger(__name__)

K = Entry.Kind
QUARTER = 15
# The family an elder may receive a volunteer's hours from (registry contacts).
FAMILY_RELATIONS = (Contact.Relation.SPOUSE, Contact.Relation.SON, Contact.Relation.DAUGHTER,
                    Contact.Relation.RELATIVE)
# Most minutes one movement may carry (a sanity bound for input: 10,000 hours).
MAX_MINUTES = 600_000


def quarter_hours(duration: dt.timedelta) -> int:
    """Minutes of help, rounded to the nearest quarter hour (7.5 minutes and more round up)."""
    seconds = max(0, int(duration.total_seconds()))
    quarter = QUARTER * 60
    return (seconds + quarter // 2) // quarter * QUARTER


def _age(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


# -- accounts ---------------------------------------------------------------------------------

@transaction.atomic
def open_volunteer_account(user: User, *, real_name: str, birth_date: dt.date, phone: str,
                           region_code: str = "", by: User) -> Account:
    """Register a volunteer in the time bank: real name, birth date (at least the minimum age)
    and phone. The volunteer herself, or the registry staff of her area."""
    real_name = (real_name or "").strip()
    if user.role != User.Role.VOLUNTEER:
        raise ValidationError(_("Only a volunteer's sign-in account can hold volunteer hours."), code="not_volunteer")
    region_code = region_code or (user.region.code if user.region_id else "")
    if not region_code:
        raise ValidationError({"region": ValidationError(_("Say which community the volunteer serves in."), code="required")})
    if by.pk != user.pk and not scope.registers_volunteers_of(by, region_code):
        raise PermissionDenied
    errors: dict[str, ValidationError] = {}
    if not real_name:
        errors["real_name"] = ValidationError(_("Give the volunteer's real name."), code="required")
    today = timezone.localdate()
    if birth_date > today:
        errors["birth_date"] = ValidationError(_("The birth date is in the future."), code="invalid")
    elif _age(birth_date, today) < settings.TIMEBANK_MIN_AGE:
        errors["birth_date"] = ValidationError(
            _("Volunteers register from the age of %(age)d.") % {"age": settings.TIMEBANK_MIN_AGE}, code="too_young")
    try:
        number = phones.normalise(phone or "")
    except ValidationError as e:
        errors["phone"] = e
        number = ""
    if errors:
        raise ValidationError(errors)
    if Account.objects.filter(user=user).exists():
        raise ValidationError(_("This volunteer has a time-bank account already."), code="duplicate")
    account = Account.objects.create(
        kind=Account.Kind.VOLUNTEER, user=user, real_name=real_name, birth_date=birth_date,
        phone_encrypted=crypto.encrypt(number), phone_hash=crypto.lookup_hash(number),
        phone_masked=phones.mask(number), region_code=region_code, opened_by=by,
    )
    record(by, "create", verb="timebank_account.open", target=account, region_code=region_code)
    return account


def open_elder_account(elder: Elder, *, by: User | None = None) -> Account:
    """The elder's account (made the first time it is needed: hours transferred, donated)."""
    account = Account.objects.filter(elder=elder).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            account = Account.objects.create(kind=Account.Kind.ELDER, elder=elder, region_code=elder.region_code,
                                             opened_by=by)
    except IntegrityError:  # opened at the same moment by another request
        return Account.objects.get(elder=elder)
    record(by, "create", verb="timebank_account.open", target=account, region_code=elder.region_code)
    return account


def _system_account(code: str) -> Account:
    account = Account.objects.filter(system_code=code).first()
    if account is None:
        account = Account.objects.create(kind=Account.Kind.SYSTEM, system_code=code)
    return account


# -- the ledger -------------------------------------------------------------------------------

def _locked_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a database emptied since its migration (test suites)
        ChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": chain.GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _post(*, kind: str, debit: Account, credit: Account, minutes: int, source: str, memo: str,
          by: User | None, now: dt.datetime | None = None) -> list[Entry]:
    """Append one transaction: `minutes` from `debit` to `credit`. Locks the chain head (so the
    chain is written one transaction at a time), then both accounts, then checks the balance
    and the cap on the locked rows. Call inside transaction.atomic."""
    if not (0 < minutes <= MAX_MINUTES):
        raise ValidationError(_("The number of minutes is out of range."), code="invalid")
    head = _locked_head()
    locked = {a.pk: a for a in Account.objects.select_for_update().filter(pk__in=[debit.pk, credit.pk]).order_by("pk")}
    d, c = locked[debit.pk], locked[credit.pk]
    if d.pk == c.pk:
        raise ValidationError(_("Hours cannot move to the same account."), code="invalid")
    if d.is_person and d.balance_minutes < minutes:
        raise ValidationError(
            _("Not enough hours: the balance is %(balance)s, this needs %(needed)s.")
            % {"balance": hours_text(d.balance_minutes), "needed": hours_text(minutes)},
            code="insufficient",
        )
    cap = settings.TIMEBANK_CAP_HOURS
    if c.is_person and cap is not None and c.balance_minutes + minutes > cap * 60:
        raise ValidationError(
            _("An account may hold at most %(cap)d hours; this would make %(after)s.")
            % {"cap": cap, "after": hours_text(c.balance_minutes + minutes)},
            code="cap",
        )
    now = now or timezone.now()  # `now` given only by the demo, writing a history in order
    by_id = by.pk if by is not None and by.is_authenticated else None
    seq, prev = head.last_seq, head.last_hash
    txn = seq + 1
    entries = []
    for account, amount in ((d, -minutes), (c, minutes)):
        seq += 1
        account.balance_minutes += amount
        digest = chain.entry_hash(prev, seq, txn, account.pk, amount, kind, source, memo, now, by_id,
                                  account.balance_minutes)
        entries.append(Entry(seq=seq, txn=txn, account_id=account.pk, amount_minutes=amount, kind=kind,
                             source=source, memo=memo, created_at=now, created_by_id=by_id,
                             balance_after=account.balance_minutes, prev_hash=prev, hash=digest))
        prev = digest
    Entry.objects.bulk_create(entries)
    for account in (d, c):
        Account.objects.filter(pk=account.pk).update(balance_minutes=account.balance_minutes)
    ChainHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=prev)
    debit.balance_minutes, credit.balance_minutes = d.balance_minutes, c.balance_minutes
    return entries


def hours_text(minutes: int) -> str:
    """"2.5 h" — minutes as hours for messages."""
    hours = minutes / 60
    return _("%(hours)s h") % {"hours": f"{hours:g}" if hours == round(hours, 2) else f"{hours:.2f}"}


def _deposit(account: Account, *, minutes: int, source: str, memo: str, region_code: str, by: User,
             now: dt.datetime | None = None) -> list[Entry]:
    if not scope.confirms_hours_of(by, region_code):
        raise PermissionDenied
    if account.kind != Account.Kind.VOLUNTEER:
        raise ValidationError(_("Hours are deposited into volunteers' accounts only."), code="invalid")
    if minutes <= 0:
        raise ValidationError(_("Less than a quarter of an hour of help earns no hours."), code="too_short")
    with transaction.atomic():
        _locked_head()  # deposits of one source are checked one at a time
        if Entry.objects.filter(kind=K.DEPOSIT, source=source).exists():
            raise ValidationError(_("These hours have been deposited already."), code="duplicate")
        issued = _system_account(Account.System.ISSUED)
        entries = _post(kind=K.DEPOSIT, debit=issued, credit=account, minutes=minutes, source=source, memo=memo, by=by,
                        now=now)
        record(by, "create", verb="timebank.deposit", target=account, region_code=region_code,
               changes={"minutes": minutes, source.partition(":")[0]: int(source.partition(":")[2]),
                        "seq": entries[-1].seq})
    return entries


def _volunteer_account_of(user: User | None) -> Account:
    account = Account.objects.filter(user=user, kind=Account.Kind.VOLUNTEER).first() if user else None
    if account is None:
        raise ValidationError(_("The volunteer has no time-bank account: register her first."), code="no_account")
    return account


def deposit_for_care_visit(visit, *, by: User, now: dt.datetime | None = None) -> list[Entry]:
    """Deposit the hours of a completed care visit into its visitor's account (the visitor a
    registered volunteer), confirmed by the community worker of the elder's area. Once per visit."""
    from kangyang.visits.models import CareVisit

    if not scope.confirms_hours_of(by, visit.region_code):
        raise PermissionDenied
    if visit.status != CareVisit.Status.DONE or visit.ended_at is None:
        raise ValidationError(_("Only a completed visit with its end time earns hours."), code="wrong_status")
    account = _volunteer_account_of(visit.visitor)
    return _deposit(account, minutes=quarter_hours(visit.ended_at - visit.started_at), source=f"care_visit:{visit.pk}",
                    memo="", region_code=visit.region_code, by=by, now=now)


def deposit_for_order(order, *, by: User) -> list[Entry]:
    """Deposit the hours of a home-service order a volunteer delivered as a provider's caregiver:
    the order confirmed (or settled), its checked-in to checked-out time. Once per order."""
    from kangyang.services.models import Order

    if not scope.confirms_hours_of(by, order.region_code):
        raise PermissionDenied
    if order.status not in (Order.Status.CONFIRMED, Order.Status.SETTLED):
        raise ValidationError(_("Only a confirmed order earns hours."), code="wrong_status")
    caregiver_user = order.caregiver.user if order.caregiver_id else None
    if caregiver_user is None or caregiver_user.role != User.Role.VOLUNTEER:
        raise ValidationError(_("This order was not delivered by a volunteer."), code="not_volunteer")
    visit = getattr(order, "service_visit", None)
    if visit is None or visit.checked_out_at is None:
        raise ValidationError(_("The order has no check-in and check-out to count hours from."), code="wrong_status")
    account = _volunteer_account_of(caregiver_user)
    return _deposit(account, minutes=quarter_hours(visit.checked_out_at - visit.checked_in_at),
                    source=f"order:{order.pk}", memo="", region_code=order.region_code, by=by)


@transaction.atomic
def create_activity(*, title: str, region_code: str, starts_at: dt.datetime, ends_at: dt.datetime, by: User,
                    place: str = "", description: str = "") -> Activity:
    """A volunteer activity, organised by a community worker or subdistrict officer of the area."""
    if not scope.organises_activities_of(by, region_code):
        raise PermissionDenied
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = ValidationError(_("Give the activity a title."), code="required")
    if ends_at <= starts_at:
        errors["ends_at"] = ValidationError(_("The activity must end after it starts."), code="invalid")
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(title=title, region_code=region_code, organiser=by, starts_at=starts_at,
                                       ends_at=ends_at, place=place, description=description)
    record(by, "create", verb="timebank_activity.create", target=activity, region_code=region_code)
    return activity


@transaction.atomic
def confirm_attendance(activity: Activity, *, account: Account, by: User, minutes: int | None = None) -> Attendance:
    """The organiser confirms a volunteer came, and for how long (at most the activity's length;
    by default all of it, rounded to the quarter hour)."""
    if by.pk != activity.organiser_id:
        raise PermissionDenied
    if account.kind != Account.Kind.VOLUNTEER:
        raise ValidationError(_("Only volunteers' attendance earns hours."), code="invalid")
    length = quarter_hours(activity.ends_at - activity.starts_at)
    minutes = length if minutes is None else minutes
    if not 0 < minutes <= max(length, QUARTER):
        raise ValidationError({"minutes": ValidationError(
            _("Between one minute and the activity's length (%(hours)s).") % {"hours": hours_text(length)},
            code="invalid")})
    if Attendance.objects.filter(activity=activity, account=account).exists():
        raise ValidationError(_("This volunteer's attendance is confirmed already."), code="duplicate")
    attendance = Attendance.objects.create(activity=activity, account=account, minutes=minutes, confirmed_by=by)
    record(by, "create", verb="timebank_attendance.confirm", target=activity, region_code=activity.region_code,
           changes={"account": account.pk, "minutes": minutes})
    return attendance


def deposit_for_attendance(attendance: Attendance, *, by: User, now: dt.datetime | None = None) -> list[Entry]:
    """Deposit an attendance its organiser confirmed, confirmed by the community worker of the
    activity's area. Once per attendance."""
    activity = attendance.activity
    return _deposit(attendance.account, minutes=attendance.minutes, source=attendance.source,
                    memo=activity.title[:200], region_code=activity.region_code, by=by, now=now)


# -- spending ---------------------------------------------------------------------------------

def redeem(account: Account, *, item, quantity: int = 1, by: User, memo: str = "",
           now: dt.datetime | None = None) -> list[Entry]:
    """Spend hours on a service of the catalogue: its minutes per unit × quantity, from a
    holder at least the redemption age (the holder's own age, whoever asks for her)."""
    if not scope.redeems_from(by, account):
        raise PermissionDenied
    if not item.active:
        raise ValidationError({"item": ValidationError(_("This service is no longer offered."), code="invalid")})
    if not 1 <= quantity <= 100:
        raise ValidationError({"quantity": ValidationError(_("Between 1 and 100."), code="invalid")})
    age = account.age()
    if age is None or age < settings.TIMEBANK_REDEEM_MIN_AGE:
        raise ValidationError(
            _("Hours are spent on services from the age of %(age)d.") % {"age": settings.TIMEBANK_REDEEM_MIN_AGE},
            code="too_young",
        )
    minutes = item.duration_minutes * quantity
    with transaction.atomic():
        _locked_head()
        redeemed = _system_account(Account.System.REDEEMED)
        entries = _post(kind=K.REDEMPTION, debit=account, credit=redeemed, minutes=minutes,
                        source=f"service_item:{item.code}"[:64], memo=(memo or f"{item.name} × {quantity}")[:200], by=by,
                        now=now)
        record(by, "create", verb="timebank.redeem", target=account, region_code=account.region_code,
               changes={"item": item.code, "quantity": quantity, "minutes": minutes, "seq": entries[0].seq})
    return entries


def _given_this_year(account: Account, kind: str) -> int:
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate().replace(month=1, day=1), dt.time.min))
    total = Entry.objects.filter(account=account, kind=kind, amount_minutes__lt=0, created_at__gte=start).aggregate(
        total=Sum("amount_minutes"))["total"]
    return -(total or 0)


def _give(account: Account, *, to_elder: Elder, minutes: int, kind: str, limit_hours: int | None, by: User,
          memo: str, now: dt.datetime | None = None) -> list[Entry]:
    if not scope.holds_timebank_account(by, account):
        raise PermissionDenied
    if not isinstance(minutes, int) or not 0 < minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": ValidationError(_("A whole number of minutes above zero."), code="invalid")})
    with transaction.atomic():
        _locked_head()
        if limit_hours is not None and _given_this_year(account, kind) + minutes > limit_hours * 60:
            raise ValidationError(
                _("At most %(limit)d hours a year may be given this way; %(given)s given so far this year.")
                % {"limit": limit_hours, "given": hours_text(_given_this_year(account, kind))},
                code="limit",
            )
        to = open_elder_account(to_elder, by=by)
        entries = _post(kind=kind, debit=account, credit=to, minutes=minutes, source=f"account:{to.pk}",
                        memo=(memo or "")[:200], by=by, now=now)
        record(by, "create", verb=f"timebank.{kind}", target=account, region_code=account.region_code,
               changes={"to": to.pk, "minutes": minutes, "seq": entries[0].seq})
    return entries


def is_family_of(account: Account, elder: Elder) -> bool:
    """Whether the elder lists the volunteer as spouse, child or relative (registry contacts):
    by her sign-in account bound to the contact, or by the phone number she registered with."""
    if account.kind != Account.Kind.VOLUNTEER:
        return False
    same = Q(user_id=account.user_id)
    if account.phone_hash:
        same |= Q(phone_hash=account.phone_hash)
    return elder.contacts.filter(same, relation__in=FAMILY_RELATIONS).exists()


def not_a_recipient(kind: str) -> ValidationError:
    """The refusal for an elder who may not receive these hours from this account, the same
    whether the elder exists or not (so that it tells nothing of elders one does not know)."""
    if kind == K.TRANSFER:
        message, code = _("Hours are transferred only to an elder of the volunteer's own family."), "not_family"
    else:
        message, code = _("Hours are donated only to a vulnerable elder the volunteer visits or is paired with."), \
            "not_recipient"
    return ValidationError({"elder": ValidationError(message, code=code)})


def helps(account: Account, elder: Elder) -> bool:
    """Whether the volunteer visits the elder (a completed care visit) or is paired with her."""
    from kangyang.visits.models import CareVisit, Pairing

    if account.kind != Account.Kind.VOLUNTEER:
        return False
    today = timezone.localdate()
    return (CareVisit.objects.filter(elder=elder, visitor_id=account.user_id, status=CareVisit.Status.DONE).exists()
            or Pairing.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today), elder=elder,
                                      helper_id=account.user_id).exists())


def transfer_to_family(account: Account, *, to_elder: Elder, minutes: int, by: User, memo: str = "",
                       now: dt.datetime | None = None) -> list[Entry]:
    """The holder transfers hours to an elder of her family, within the yearly limit."""
    if not scope.holds_timebank_account(by, account):
        raise PermissionDenied
    if not is_family_of(account, to_elder) or to_elder.status != Elder.Status.ACTIVE:
        raise not_a_recipient(K.TRANSFER)
    return _give(account, to_elder=to_elder, minutes=minutes, kind=K.TRANSFER,
                 limit_hours=settings.TIMEBANK_TRANSFER_LIMIT_HOURS, by=by, memo=memo, now=now)


def donate(account: Account, *, to_elder: Elder, minutes: int, by: User, memo: str = "",
           now: dt.datetime | None = None) -> list[Entry]:
    """The holder donates hours to a vulnerable elder (one with a vulnerability category) she
    visits or is paired with, within the yearly limit. Only elders she helps: a volunteer sees
    nothing of the registry, and which elders are vulnerable is not hers to find out."""
    if not scope.holds_timebank_account(by, account):
        raise PermissionDenied
    if not helps(account, to_elder) or not to_elder.categories or to_elder.status != Elder.Status.ACTIVE:
        raise not_a_recipient(K.DONATION)
    return _give(account, to_elder=to_elder, minutes=minutes, kind=K.DONATION,
                 limit_hours=settings.TIMEBANK_DONATION_LIMIT_HOURS, by=by, memo=memo, now=now)


# -- daily digests ----------------------------------------------------------------------------

def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return start, end


def publish_digest(day: dt.date, *, today: dt.date | None = None) -> Digest:
    """Publish the last entry and hash of a day that is over (local time). Publishing a day
    twice returns the first digest unchanged."""
    existing = Digest.objects.filter(day=day).first()
    if existing is not None:
        return existing
    if day >= (today or timezone.localdate()):
        raise ValidationError(_("A day's digest is published once the day is over."), code="invalid")
    start, end = _day_bounds(day)
    last = Entry.objects.filter(created_at__lt=end).order_by("-seq").values_list("seq", "hash").first()
    count = Entry.objects.filter(created_at__gte=start, created_at__lt=end).count()
    last_seq, last_hash = last or (0, chain.GENESIS)
    try:
        with transaction.atomic():
            digest = Digest.objects.create(day=day, last_seq=last_seq, last_hash=last_hash, entries=count)
    except IntegrityError:  # another worker published it at the same moment
        return Digest.objects.get(day=day)
    return digest


def publish_due_digests(*, today: dt.date | None = None, most: int = 400) -> int:
    """Publish every day's digest not yet published, from the ledger's first day (or the day
    after the last digest) to yesterday; returns how many were published."""
    today = today or timezone.localdate()
    last = Digest.objects.order_by("-day").values_list("day", flat=True).first()
    if last is not None:
        day = last + dt.timedelta(days=1)
    else:
        first = Entry.objects.order_by("seq").values_list("created_at", flat=True).first()
        if first is None:
            return 0
        day = timezone.localdate(first)
    published = 0
    while day < today and published < most:
        publish_digest(day, today=today)
        published += 1
        day += dt.timedelta(days=1)
    return published
