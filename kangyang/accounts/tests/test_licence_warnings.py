"""Expiring licences tell the organisation's managers and the bureau of its district: at 30
days (KANGYANG_LICENCE_WARNING_DAYS), at 7 and on the day, each once per licence (issue 12 §2)."""

import datetime as dt
import json

import pytest
from django.utils import translation

from kangyang.accounts import licences
from kangyang.accounts.models import Licence, LicenceWarning, Organisation, User
from kangyang.accounts.organisations import add_licence
from kangyang.audit.labels import labels
from kangyang.audit.models import AuditEntry
from kangyang.audit.presentation import describe
from kangyang.lib import crypto
from kangyang.notify import messages
from kangyang.notify.actions import save_preference
from kangyang.notify.models import Delivery
from kangyang.regions.models import Region
from kangyang.services.actions import register_provider
from kangyang.services.notifications import warn_expiring_provider_licences

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def told(admin, provider, worker_a, subdistrict):
    """The provider's manager and the district's bureau admin, each with a phone for messages;
    a community worker and a subdistrict officer with phones too, who must hear nothing."""
    for user, phone in ((provider, "13907910006"), (admin, "13907910001"), (worker_a, "13907910004"),
                        (subdistrict, "13907910003")):
        save_preference(user, by=user, phone=phone, sms=True)
    return provider, admin


@pytest.fixture
def filing(provider_org):
    return add_licence(provider_org, by=None, kind=Licence.Kind.ELDER_CARE, number="赣民养1234567",
                       expires=TODAY + dt.timedelta(days=20))


def sent(template: str = "") -> list[tuple[str, str]]:
    """(template, recipient's masked phone) of every message queued, in order."""
    rows = Delivery.objects.filter(kind="licence").order_by("pk")
    if template:
        rows = rows.filter(template=template)
    return list(rows.values_list("template", "address_masked"))


def test_the_manager_and_the_district_bureau_hear_at_30_days_7_days_and_on_the_day_once_each(told, filing):
    assert licences.warn_expiring_licences(today=TODAY) == 1  # 20 days left: the 30-day warning
    assert sent() == [("licence.expiring", "139****0006"), ("licence.expiring", "139****0001")]
    assert licences.warn_expiring_licences(today=TODAY) == 0  # the same day again: nothing
    assert licences.warn_expiring_licences(today=TODAY + dt.timedelta(days=5)) == 0  # 15 days: told already
    assert len(sent()) == 2

    assert licences.warn_expiring_licences(today=filing.expires - dt.timedelta(days=7)) == 1
    assert licences.warn_expiring_licences(today=filing.expires - dt.timedelta(days=3)) == 0
    assert licences.warn_expiring_licences(today=filing.expires) == 1
    assert licences.warn_expiring_licences(today=filing.expires) == 0
    assert licences.warn_expiring_licences(today=filing.expires + dt.timedelta(days=1)) == 0
    assert [t for t, _phone in sent()] == ["licence.expiring"] * 4 + ["licence.expired"] * 2
    assert list(LicenceWarning.objects.order_by("sent_at", "pk").values_list("threshold", "recipients")) == [
        (30, 2), (7, 2), (0, 2)]
    # What the manager reads: the licence's kind (in her language, zh-hans) and number, the
    # organisation and the date.
    delivery = Delivery.objects.filter(template="licence.expired").first()
    subject, body = messages.render(delivery.template, json.loads(crypto.decrypt(delivery.context_encrypted)),
                                    language="en")
    assert subject == "Licence expired"
    assert body == (f"The licence 养老机构备案 赣民养1234567 of {filing.organisation.name} "
                    f"expired on {filing.expires.isoformat()}. Please renew it.")


def test_a_licence_first_seen_a_few_days_before_hears_the_7_day_warning_only(told, provider_org):
    licence = add_licence(provider_org, by=None, kind=Licence.Kind.BUSINESS, number="91360103MA00000000",
                          expires=TODAY + dt.timedelta(days=5))
    licences.warn_expiring_licences(today=TODAY)
    licences.warn_expiring_licences(today=TODAY + dt.timedelta(days=1))
    assert list(LicenceWarning.objects.values_list("threshold", flat=True)) == [7]
    assert licence.days_left(TODAY) == 5 and len(sent()) == 2


def test_nobody_else_hears_another_district_s_bureau_other_organisations_workers(
    told, filing, district, community_a,
):
    other = Region.objects.create(code="360104000000", name="青云谱区", level="district", parent=district.parent)
    admin2 = User.objects.create_user(username="admin2", password="x", role="bureau_admin", region=other)
    save_preference(admin2, by=admin2, phone="13907910009", sms=True)
    stranger_org = Organisation.objects.create(name="别家服务公司", kind="provider", region=community_a)
    stranger = User.objects.create_user(username="mgr2", password="x", role="provider_manager",
                                        organisation=stranger_org)
    save_preference(stranger, by=stranger, phone="13907910010", sms=True)
    licences.warn_expiring_licences(today=TODAY)
    assert sorted(phone for _t, phone in sent()) == ["139****0001", "139****0006"]
    assert sorted(u.username for u in licences.recipients_of(filing.organisation)) == ["admin", "provider"]


def test_a_renewed_licence_is_told_afresh_and_an_old_lapse_is_not_told_at_all(told, filing, provider_org):
    licences.warn_expiring_licences(today=TODAY)
    Licence.objects.filter(pk=filing.pk).update(expires=TODAY + dt.timedelta(days=25))  # a corrected date
    assert licences.warn_expiring_licences(today=TODAY) == 1
    add_licence(provider_org, by=None, kind=Licence.Kind.FOOD, number="JY13601030000001",
                expires=TODAY - dt.timedelta(days=400))
    add_licence(provider_org, by=None, kind=Licence.Kind.OTHER, number="never", expires=None)
    assert licences.warn_expiring_licences(today=TODAY) == 0
    assert LicenceWarning.objects.count() == 2


def test_the_warning_days_are_a_setting(settings, told, filing):
    settings.LICENCE_WARNING_DAYS = 10
    assert licences.thresholds() == (10, 7, 0)
    assert licences.warn_expiring_licences(today=TODAY) == 0  # 20 days left: not yet
    settings.LICENCE_WARNING_DAYS = 60
    assert licences.warn_expiring_licences(today=filing.expires - dt.timedelta(days=45)) == 1
    assert LicenceWarning.objects.get().threshold == 60


def test_a_provider_s_own_licence_is_told_and_the_same_licence_in_the_register_only_once(
    told, filing, provider_org, community_a,
):
    register_provider(by=None, organisation=provider_org, areas=[community_a], licence_number=filing.number,
                      licence_valid_until=filing.expires)
    assert licences.warn_expiring_licences(today=TODAY) + warn_expiring_provider_licences(today=TODAY) == 1
    assert len(sent()) == 2
    filing.delete()  # the register no longer has it: the provider's own record still tells
    assert warn_expiring_provider_licences(today=filing.expires) == 1
    assert [t for t, _p in sent()] == ["licence.expiring"] * 2 + ["licence.expired"] * 2


def test_each_warning_is_in_the_audit_log_in_words(told, filing):
    licences.warn_expiring_licences(today=TODAY)
    entry = AuditEntry.objects.get(verb="licence.warning")
    assert entry.actor is None and entry.region_code == filing.organisation.region.code
    assert entry.changes == {"number": "赣民养1234567", "expires": filing.expires.isoformat(), "threshold": 30,
                             "recipients": 2}
    with translation.override("en"):
        (line,) = describe([entry])
        assert line.what == "told of an expiring licence"
        assert line.record == f"Licence 赣民养1234567 of {filing.organisation.name}"
        assert {c.label for c in line.changes} >= {"days before expiry", "people told"}
    assert "licence.warning" in labels().verbs
