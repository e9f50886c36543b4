"""Reads of credit: what each organisation's score is computed from, and the credit page's rows."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, JSONField, Max, OuterRef, Q, Subquery
from django.utils import timezone

from kangyang.accounts import scope
from kangyang.accounts.models import Organisation, barred_filter
from kangyang.institutions import credit
from kangyang.institutions.models import CreditScore, Hazard, Inspection, Institution, overdue_filter


def scored_organisations():
    """Organisations that run an institution or a home-service provider."""
    return Organisation.objects.filter(Q(institutions__isnull=False) | Q(provider__isnull=False)).distinct()


def counts_for(organisation_ids, *, today: dt.date) -> dict[int, credit.Counts]:
    """The counts behind the score of each organisation, over the window before `today`."""
    from kangyang.services.models import Complaint

    since = today - dt.timedelta(days=credit.WINDOW_DAYS)
    ids = list(organisation_ids)
    inspections = defaultdict(lambda: {"problems": 0, "serious": 0})
    for org, outcome, n in (Inspection.objects.filter(
            institution__organisation_id__in=ids, done_on__gt=since, done_on__lte=today,
            outcome__in=[Inspection.Outcome.PROBLEMS, Inspection.Outcome.SERIOUS])
            .values_list("institution__organisation_id", "outcome").annotate(n=Count("id")).order_by()):
        inspections[org][outcome] += n
    hazards = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    found = Hazard.objects.filter(institution__organisation_id__in=ids, created_at__date__gt=since,
                                  created_at__date__lte=today)
    for org, severity, n, late in (found.values_list("institution__organisation_id", "severity")
                                   .annotate(n=Count("id"), late=Count("id", filter=overdue_filter(today)))
                                   .order_by()):
        hazards[org][severity][0] += n
        hazards[org][severity][1] += late
    complaints = dict(Complaint.objects.filter(provider__organisation_id__in=ids, created_at__date__gt=since,
                                               created_at__date__lte=today)
                      .values_list("provider__organisation_id").annotate(n=Count("id")).order_by())
    stars = dict(Institution.objects.filter(organisation_id__in=ids).values_list("organisation_id")
                 .annotate(best=Max("stars")).order_by())
    return {
        org: credit.Counts(
            inspection_problems=inspections[org]["problems"], inspection_serious=inspections[org]["serious"],
            hazards={s: tuple(v) for s, v in hazards[org].items()}, complaints=complaints.get(org, 0),
            stars=stars.get(org) or 0)
        for org in ids
    }


def credit_rows_for(user, *, status: str = "", barred: str = ""):
    """The credit page: organisations the user may see (scored ones), filtered in the database,
    each annotated with its latest score (`latest_score`, `latest_on`), in name order."""
    organisations = (scored_organisations().filter(scope.organisation_filter(user))
                     .select_related("region").order_by("name", "pk"))
    if status:
        organisations = organisations.filter(credit_status=status)
    if barred in ("yes", "no"):
        bar = barred_filter(on=timezone.localdate())
        organisations = organisations.filter(bar) if barred == "yes" else organisations.exclude(bar)
    latest = CreditScore.objects.filter(organisation=OuterRef("pk")).order_by("-computed_on", "-id")
    return organisations.annotate(latest_score=Subquery(latest.values("score")[:1]),
                                  latest_on=Subquery(latest.values("computed_on")[:1]),
                                  latest_parts=Subquery(latest.values("parts")[:1], output_field=JSONField()))


def history_of(organisation, *, limit: int = 30):
    return organisation.credit_scores.order_by("-computed_on", "-id")[:limit]
