"""The message templates: a code, a subject (e-mail and push title) and a body with named
placeholders, in English source strings translated by the catalogue (zh-hans first), and
rendered in the recipient's language. SMS bodies stay short (one 70-character Chinese SMS
where possible) and name no more of a person than the recipient needs.

A real SMS provider in China sends only templates approved in its console: each code maps
to the provider's template id by a setting (README, KANGYANG_ALIYUN_SMS_TEMPLATES), and the
provider gets the same placeholders as template parameters.
"""

from dataclasses import dataclass

from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override


@dataclass(frozen=True)
class Template:
    subject: Promise
    body: Promise


TEMPLATES: dict[str, Template] = {
    # Alarm escalation (kangyang/alarms/notifications.py): the staff hear the alarm's number,
    # type, community and wait; only the family hears the elder's name.
    "alarm.escalated": Template(
        _("Alarm waiting"),
        _("Alarm %(alarm)s (%(type)s) in %(community)s has waited %(minutes)s min without an answer. "
          "Please take it in the alarm console now."),
    ),
    "alarm.worker": Template(
        _("Alarm in your community"),
        _("Alarm %(alarm)s (%(type)s) in %(community)s is not answered yet. "
          "Please be ready to visit; the alarm centre will call you."),
    ),
    "alarm.family": Template(
        _("Alarm of your relative"),
        _("%(elder)s raised an alarm (%(type)s) at %(time)s. The alarm centre is handling it "
          "and may call you."),
    ),
    # The family bound to the elder in the app, at once when the alarm is raised (issue 14):
    # her name, the type and the time in words, the app's address; nothing else.
    "alarm.family_app": Template(
        _("Alarm of your relative"),
        _("%(elder)s raised an alarm (%(type)s) at %(time)s. The alarm centre is handling it. "
          "See it in the app: %(link)s"),
    ),
    # Other uses (orders, payment rolls, licences): functions of their own, see README.
    "order.dispatched": Template(
        _("New order"),
        _("Order %(order)s for %(day)s %(window)s has been assigned to you."),
    ),
    # To the elder (kangyang/services/notifications.py): her caregiver's name, the service.
    "order.on_the_way": Template(
        _("Caregiver on the way"),
        _("%(caregiver)s is on the way to you for %(item)s (order %(order)s)."),
    ),
    "order.checked_in": Template(
        _("Caregiver arrived"),
        _("%(caregiver)s checked in at %(time)s for %(item)s (order %(order)s)."),
    ),
    "roll.ready": Template(
        _("Payment roll ready"),
        _("The payment roll %(roll)s for %(month)s is ready for your review."),
    ),
    # To the organisation's managers and its district's bureau (kangyang/accounts/licences.py).
    "licence.expiring": Template(
        _("Licence expiring"),
        _("The licence %(licence)s of %(organisation)s expires on %(date)s."),
    ),
    "licence.expired": Template(
        _("Licence expired"),
        _("The licence %(licence)s of %(organisation)s expired on %(date)s. Please renew it."),
    ),
    # The app's one-time sign-in code (kangyang/portal/sign_in.py): the code and its minutes only.
    "sign_in.code": Template(
        _("Your sign-in code"),
        _("Your Kangyang sign-in code is %(code)s, valid for %(minutes)s minutes. Do not tell it to anyone."),
    ),
    # To the community workers of the elder's community (kangyang/visits/actions/follow_ups.py): the
    # follow-up's number, what it is, the community; the elder's name is in the app.
    "visit.follow_up": Template(
        _("Follow-up of a care visit"),
        _("Follow-up %(follow_up)s (%(kind)s) was opened after a care visit in %(community)s. "
          "Please see it through in the app."),
    ),
    # To the community worker (kangyang/visits/actions/calls.py): the visit's number, the
    # community, how many calls, the deadline; no name (the worker opens the visit to see her).
    "care_call.no_answer": Template(
        _("Care calls not answered"),
        _("An elder living alone in %(community)s did not answer %(attempts)s care calls. "
          "A home visit is due by %(due)s (visit %(visit)s)."),
    ),
    "care_call.needs_help": Template(
        _("Help asked on a care call"),
        _("An elder living alone in %(community)s asked for help on a care call. "
          "A home visit is due by %(due)s (visit %(visit)s)."),
    ),
    # To a visitor (kangyang/visits/actions/plans.py remind_overdue): how many, since when; no names.
    "visit.overdue": Template(
        _("Care visits overdue"),
        _("%(count)s of your care visits are overdue, the first since %(date)s. Please visit or tell your "
          "community worker."),
    ),
    # Supervision of institutions (kangyang/institutions), to the district's bureau admins: a
    # medical agreement or liability insurance that ends soon or ended (actions/register.py).
    "institution.document_expiring": Template(
        _("Institution's document ending"),
        _("The %(document)s of %(institution)s (%(organisation)s) ends on %(date)s."),
    ),
    "institution.document_expired": Template(
        _("Institution's document ended"),
        _("The %(document)s of %(institution)s (%(organisation)s) ended on %(date)s. Please have it renewed."),
    ),
    # A hazard past its deadline (to the subdistrict, then the district) and a serious one found
    # (to the district at once), from actions/hazards.py: the hazard's number, never a person.
    "hazard.overdue": Template(
        _("Hazard overdue"),
        _("Hazard %(hazard)s at %(institution)s was to be put right by %(deadline)s and is %(days)s days "
          "overdue (escalation level %(level)s). Please follow it up."),
    ),
    "hazard.serious": Template(
        _("Serious hazard found"),
        _("A serious hazard %(hazard)s was found at %(institution)s, to be put right by %(deadline)s."),
    ),
    # Sent by hand from the preferences page, to check an address.
    "test": Template(_("Test message"), _("This is a test message from %(site)s.")),
    # A family-doctor contract ending soon (health, issue 17 §2): to the team and the elder.
    "health.contract_renewal": Template(
        _("Family-doctor contract ending"),
        _("The family-doctor contract of %(elder)s with %(team)s ends on %(date)s. Please renew it in time."),
    ),
    # Health alerts (kangyang/health/actions/alerts.py), Kind.HEALTH_ALERT: the staff hear the
    # alert's number, the kind of reading, the community (and the wait); only the family hears
    # the elder's name, when she agreed that they be told.
    "health.alert": Template(
        _("Health alert"),
        _("Health alert %(alert)s: a %(kind)s reading in %(community)s needs urgent attention. "
          "Please acknowledge it: %(link)s"),
    ),
    "health.alert_escalated": Template(
        _("Health alert waiting"),
        _("Health alert %(alert)s (%(kind)s) in %(community)s has waited %(minutes)s min without an "
          "acknowledgement. Please follow it up: %(link)s"),
    ),
    "health.alert_family": Template(
        _("Health alert of your relative"),
        _("A %(kind)s reading of %(elder)s at %(time)s needs urgent attention. Her family-doctor team "
          "has been told."),
    ),
}

# Who a recipient is to the sender, as the delivery log shows it.
AUDIENCES = {
    "second_group": _("second operator group"),
    "duty_officer": _("duty officer"),
    "community_worker": _("community worker"),
    "family": _("family"),
    "caregiver": _("caregiver"),
    "elder": _("elder"),
    "self": _("self"),
    "reviewer": _("reviewer"),
    "organisation": _("the organisation's manager"),
    "bureau": _("bureau admin"),
    "sign_in": _("person signing in to the app"),
    "visitor": _("visitor"),
    "health_team": _("family-doctor team"),
    "subdistrict_officer": _("subdistrict officer"),
}


def audience_label(code: str) -> str:
    return force_str(AUDIENCES.get(code, code))


def render(code: str, context: dict, *, language: str) -> tuple[str, str]:
    """(subject, body) of the template in the language. Unknown codes raise KeyError."""
    template = TEMPLATES[code]
    with override(language):
        values = {k: force_str(v) for k, v in context.items()}
        return force_str(template.subject), force_str(template.body) % values
