"""Hazards (issue 16 §6): the lifecycle open → rectified → closed, who may do each step, no
closing without a re-check photo, photos checked and streamed only within scope, the lists'
page, and the escalation of overdue hazards once per level."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from kangyang.institutions.actions import hazards as actions
from kangyang.institutions.models import Hazard, HazardPhoto, Institution
from kangyang.institutions.queries import hazards as queries
from kangyang.notify.models import Delivery

S = Hazard.Status


def png(name: str = "photo.png", colour=(200, 40, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def make_institution(organisation, community, name: str = "桃花颐养院", **extra) -> Institution:
    return Institution.objects.create(
        organisation=organisation, name=name, kind=Institution.Kind.CARE_HOME, ownership="private",
        operating_model="private_run", community=community, region_code=community.code, beds_total=60,
        beds_nursing=40, **extra)


@pytest.fixture
def home(provider_org, community_a):
    return make_institution(provider_org, community_a)


@pytest.fixture
def hazard(home, inspector, today):
    return actions.open_hazard(institution=home, description="楼道堆放杂物，堵塞消防通道", severity="major",
                               responsible_person="王院长（院长）", deadline=today + dt.timedelta(days=10),
                               evidence_required="清理后的通道照片", by=inspector)


def test_opening_a_hazard_is_audited_and_one_put_right_awaiting_recheck_is_not_overdue(hazard, provider, today):
    from kangyang.audit.models import AuditEntry
    from kangyang.institutions.models import Hazard

    assert AuditEntry.objects.filter(verb="hazard.open", target_id=str(hazard.pk)).exists()
    Hazard.objects.filter(pk=hazard.pk).update(deadline=today - dt.timedelta(days=2))
    assert Hazard.objects.overdue(today).filter(pk=hazard.pk).exists()
    actions.rectify_hazard(Hazard.objects.get(pk=hazard.pk), by=provider, text="已清理")
    assert not Hazard.objects.overdue(today).filter(pk=hazard.pk).exists()  # the bureau's re-check is due, not hers


def test_the_lifecycle_closes_only_with_a_recheck_photo(hazard, provider, inspector):
    hazard = actions.rectify_hazard(hazard, by=provider, text="已清理杂物，张贴禁放标识", photos=[png()])
    assert hazard.status == S.RECTIFIED and hazard.rectified_at is not None
    assert list(hazard.photos.values_list("kind", flat=True)) == [HazardPhoto.Kind.RECTIFIED]

    with pytest.raises(ValidationError) as refused:
        actions.recheck_hazard(hazard, by=inspector, passed=True, note="通道畅通")
    assert refused.value.error_dict["photos"][0].code == "photo_required"
    assert Hazard.objects.get(pk=hazard.pk).status == S.RECTIFIED

    hazard = actions.recheck_hazard(hazard, by=inspector, passed=True, note="通道畅通", photos=[png(colour=(0, 90, 0))])
    assert hazard.status == S.CLOSED and hazard.rechecked_by == inspector
    assert hazard.photos.filter(kind=HazardPhoto.Kind.RECHECK).count() == 1
    with pytest.raises(ValidationError) as again:
        actions.recheck_hazard(hazard, by=inspector, passed=True, photos=[png()])
    assert again.value.code == "wrong_status"


def test_a_failed_recheck_sends_it_back_with_a_new_deadline(hazard, provider, admin, today):
    hazard = actions.rectify_hazard(hazard, by=provider, text="已清理")
    Hazard.objects.filter(pk=hazard.pk).update(escalation=1)
    hazard.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.recheck_hazard(hazard, by=admin, passed=False, note="")  # says what is still wrong
    new = today + dt.timedelta(days=5)
    hazard = actions.recheck_hazard(hazard, by=admin, passed=False, note="仍有杂物", new_deadline=new)
    assert (hazard.status, hazard.deadline, hazard.escalation, hazard.recheck_note) == (S.OPEN, new, 0, "仍有杂物")
    with pytest.raises(ValidationError) as past:
        actions.recheck_hazard(actions.rectify_hazard(hazard, by=provider, text="再次清理"), by=admin, passed=False,
                               note="x" * 3, new_deadline=today - dt.timedelta(days=1))
    assert "deadline" in past.value.error_dict


def test_who_may_do_what(hazard, provider, inspector, admin, subdistrict, worker_b, caregiver):
    # Putting right: the running organisation's manager or the bureau on its behalf; not the inspector.
    for outsider in (inspector, subdistrict, caregiver):
        with pytest.raises(PermissionDenied):
            actions.rectify_hazard(hazard, by=outsider, text="已整改")
    actions.rectify_hazard(hazard, by=admin, text="代为登记：已整改")
    hazard.refresh_from_db()
    # The re-check: an inspector or the bureau of the area; not the institution itself, not the subdistrict.
    for outsider in (provider, subdistrict):
        with pytest.raises(PermissionDenied):
            actions.recheck_hazard(hazard, by=outsider, passed=True, photos=[png()])
    # Reading: the area's supervisors and the organisation; others get a 404.
    for reader in (provider, inspector, admin, subdistrict):
        assert queries.get_hazard_for(reader, hazard.pk) == hazard
    for outsider in (worker_b, caregiver):
        with pytest.raises(Http404):
            queries.get_hazard_for(outsider, hazard.pk)


def test_another_organisations_manager_neither_sees_nor_rectifies(hazard, community_b):
    from kangyang.accounts.models import Organisation, User

    other = Organisation.objects.create(name="朝阳养老服务中心", kind="institution", region=community_b.parent)
    manager = User.objects.create_user(username="other", password="x", role="provider_manager", organisation=other)
    assert not Hazard.objects.visible_to(manager).exists()
    with pytest.raises(PermissionDenied):
        actions.rectify_hazard(hazard, by=manager, text="已整改")


def test_a_file_that_is_no_image_is_refused_in_words(hazard, provider):
    fake = SimpleUploadedFile("report.png", b"%PDF-1.4 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        actions.rectify_hazard(hazard, by=provider, text="已整改", photos=[fake])
    error = refused.value.error_dict["photos"][0]
    assert error.code == "photo_type" and "report.png" in error.messages[0]
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(ValidationError):
        actions.rectify_hazard(hazard, by=provider, text="已整改", photos=[SimpleUploadedFile("a.gif", gif.getvalue())])
    assert Hazard.objects.get(pk=hazard.pk).status == S.OPEN and not HazardPhoto.objects.exists()


def test_photos_are_streamed_only_to_those_who_see_the_hazard(client, hazard, provider, worker_b, inspector):
    actions.rectify_hazard(hazard, by=provider, text="已整改", photos=[png()])
    photo = hazard.photos.get()
    url = f"/institutions/hazards/photos/{photo.pk}/"
    client.force_login(inspector)
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert b"".join(r.streaming_content).startswith(b"\x89PNG")
    assert "private" in r["Cache-Control"]
    client.force_login(worker_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(provider)
    page = client.get(f"/institutions/hazards/{hazard.pk}/").content.decode()
    assert url in page and photo.image.url not in page


def test_the_three_lists_show_overdue_in_words(client, home, inspector, admin, today):
    late = actions.open_hazard(institution=home, description="床边无护栏", severity="major",
                               responsible_person="李护理部主任", deadline=today - dt.timedelta(days=4),
                               evidence_required="护栏安装照片")
    actions.open_hazard(institution=home, description="消毒记录缺页", severity="minor", responsible_person="赵主任",
                        deadline=today + dt.timedelta(days=3))
    client.force_login(admin)
    for which, expected in (("hazards", "床边无护栏"), ("rectification", "护栏安装照片"),
                            ("responsibility", "李护理部主任")):
        r = client.get("/institutions/hazards/", {"list": which})
        assert r.status_code == 200
        body = r.content.decode()
        assert expected in body and "逾期4天" in body
    only_late = client.get("/institutions/hazards/", {"overdue": "yes"}).content.decode()
    assert "床边无护栏" in only_late and "消毒记录缺页" not in only_late
    assert client.get("/institutions/hazards/", {"severity": "bogus", "list": "x"}).status_code == 200
    detail = client.get(f"/institutions/hazards/{late.pk}/")
    assert detail.status_code == 200 and "床边无护栏" in detail.content.decode()


def test_the_pages_steps_rectify_then_recheck(client, hazard, provider, inspector):
    client.force_login(provider)
    r = client.post(f"/institutions/hazards/{hazard.pk}/rectify/", {"text": "已清理", "photos": [png()]})
    assert r.status_code == 302
    client.force_login(inspector)
    refused = client.post(f"/institutions/hazards/{hazard.pk}/recheck/", {"passed": "yes", "note": "好"})
    assert refused.status_code == 422 and Hazard.objects.get(pk=hazard.pk).status == S.RECTIFIED
    done = client.post(f"/institutions/hazards/{hazard.pk}/recheck/", {"passed": "yes", "photos": [png(), png()]})
    assert done.status_code == 302 and Hazard.objects.get(pk=hazard.pk).status == S.CLOSED
    client.force_login(provider)
    assert client.post(f"/institutions/hazards/{hazard.pk}/recheck/", {"passed": "yes"}).status_code == 403


# -- escalation -------------------------------------------------------------------------------
def _told(key_prefix: str) -> set[str]:
    return set(Delivery.objects.filter(key__startswith=key_prefix).values_list("key", flat=True))


@pytest.fixture
def with_addresses(admin, subdistrict):
    for user in (admin, subdistrict):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])


def test_an_overdue_hazard_escalates_once_per_level(home, admin, subdistrict, with_addresses, settings, today):
    settings.HAZARD_ESCALATE_DAYS = 7
    hazard = actions.open_hazard(institution=home, description="燃气报警器失效", severity="major",
                                 responsible_person="后勤主管", deadline=today - dt.timedelta(days=2))
    not_late = actions.open_hazard(institution=home, description="a", severity="minor", responsible_person="b",
                                   deadline=today + dt.timedelta(days=60))
    assert actions.escalate_overdue_hazards_once(today) == 1
    hazard.refresh_from_db()
    assert hazard.escalation == 1 and hazard.escalated_at is not None
    assert _told(f"hazard.overdue:{hazard.pk}:") == {f"hazard.overdue:{hazard.pk}:1:{hazard.deadline}:user:{subdistrict.pk}"}
    assert actions.escalate_overdue_hazards_once(today) == 0  # once per level
    assert actions.escalate_overdue_hazards_once(today + dt.timedelta(days=5)) == 0  # 7 days late: not yet level 2
    assert actions.escalate_overdue_hazards_once(today + dt.timedelta(days=6)) == 1  # 8 days late
    hazard.refresh_from_db()
    assert hazard.escalation == 2
    assert f"hazard.overdue:{hazard.pk}:2:{hazard.deadline}:user:{admin.pk}" in _told(f"hazard.overdue:{hazard.pk}:")
    assert actions.escalate_overdue_hazards_once(today + dt.timedelta(days=30)) == 0
    assert Hazard.objects.get(pk=not_late.pk).escalation == 0
    assert len(_told(f"hazard.overdue:{hazard.pk}:")) == 2


def test_a_hazard_very_late_reaches_both_levels_in_one_pass_and_closed_ones_never(home, with_addresses, today):
    late = actions.open_hazard(institution=home, description="x", severity="minor", responsible_person="y",
                               deadline=today - dt.timedelta(days=30))
    assert actions.escalate_overdue_hazards_once(today) == 2
    late.refresh_from_db()
    assert late.escalation == 2
    Hazard.objects.filter(pk=late.pk).update(status=S.CLOSED, escalation=0)
    assert actions.escalate_overdue_hazards_once(today) == 0


def test_a_serious_hazard_tells_the_district_bureau_at_once(home, admin, with_addresses, today):
    hazard = actions.open_hazard(institution=home, description="电线私拉乱接", severity="serious",
                                 responsible_person="院长", deadline=today + dt.timedelta(days=3))
    assert _told(f"hazard.serious:{hazard.pk}") == {f"hazard.serious:{hazard.pk}:user:{admin.pk}"}
    minor = actions.open_hazard(institution=home, description="y", severity="minor", responsible_person="z",
                                deadline=today)
    assert not _told(f"hazard.serious:{minor.pk}")


@pytest.mark.django_db(transaction=True)
def test_the_daily_housekeeping_pass_escalates_and_scores(home, with_addresses, today):
    from kangyang.institutions.models import CreditScore
    from kangyang.ops.housekeeping import institutions_once

    actions.open_hazard(institution=home, description="x", severity="minor", responsible_person="y",
                        deadline=today - dt.timedelta(days=1))
    assert institutions_once(today=today) == 1
    assert CreditScore.objects.filter(organisation=home.organisation, computed_on=today).exists()
