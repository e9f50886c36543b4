"""Demo data of the institutions' credit topic (kangyang/institutions/demo.py calls it): the
day's credit scores of every organisation running an institution or a provider, and one
organisation blacklisted by the bureau (the worst-scoring one running an institution and no
home services: the services demo bars a provider of its own)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from kangyang.accounts.models import Organisation
from kangyang.institutions.actions import credit as actions
from kangyang.institutions.models import CreditScore

# The organisation of the demo's `provider` account (kangyang/ops/demo.py PROVIDER_NAME): its
# manager must see orders, so the demo never bars it.
DEMO_PROVIDER_NAME = "康乐居家养老服务有限公司"
REASON = "监督检查发现重大安全隐患逾期未整改，经集体研究列入失信名单（演示）"


def seed(*, district, rng, elders: int) -> str:
    today = timezone.localdate()
    scored = actions.compute_scores(today)
    if not scored:
        return ""
    prefix = district.code[:6]
    candidates = (CreditScore.objects.filter(computed_on=today, organisation__institutions__region_code__startswith=prefix)
                  .exclude(organisation__name=DEMO_PROVIDER_NAME)
                  # not one that also delivers home services: the services demo bars its own
                  .filter(organisation__provider__isnull=True).select_related("organisation", "organisation__region")
                  .order_by("score", "organisation_id").distinct())
    barred = ""
    already = Organisation.objects.filter(institutions__region_code__startswith=prefix, blacklisted_at__isnull=False)
    if not any(o.is_barred() for o in already):
        for candidate in candidates[:5]:
            if not candidate.organisation.is_barred():
                actions.blacklist(candidate.organisation, by=None, reason=REASON)
                barred = candidate.organisation.name
                break
    text = _("credit scores of %(n)d organisations") % {"n": scored}
    if barred:
        text += _(", one blacklisted (%(name)s)") % {"name": barred}
    return text
