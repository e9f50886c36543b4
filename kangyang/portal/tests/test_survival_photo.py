"""The survival certification's photo sent from the elder's or the family's own page, and the
community worker's review of it on the survival list (issue 12 §3): the photo is personal data,
seen only by the worker whose area covers the elder, each view audited."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kangyang.audit.models import AuditEntry
from kangyang.allowances.models import SurvivalCheck

PAGE = "/app/survival/"
REFUSED = "您无权打开此页面"


def photo(kind: str = "JPEG", name: str = "me.jpg", size: tuple[int, int] = (64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 170, 150)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def send(client, elder_record, upload, note: str = ""):
    return client.post(PAGE, {"elder": elder_record.pk, "photo": upload, "note": note})


def test_the_family_sends_a_photo_and_the_worker_accepts_it_on_the_survival_list(
    client, family, worker_a, elder_in_a,
):
    client.force_login(family)
    page = client.get(PAGE).content.decode()
    assert "张桂兰" in page and 'type="file"' in page
    assert PAGE in client.get("/app/").content.decode()
    r = send(client, elder_in_a, photo(), note="女儿在家中拍摄")
    assert r.status_code == 302 and r["Location"] == PAGE
    check = SurvivalCheck.objects.get()
    assert (check.elder, check.method, check.status, check.recorded_by, check.evidence) == (
        elder_in_a, "photo", "submitted", family, "女儿在家中拍摄")
    assert check.photo.name.startswith("survival/") and "张" not in check.photo.name
    with open(check.photo.path, "rb") as stored:
        assert not stored.read().startswith(b"\xff\xd8\xff")  # encrypted at rest
    assert "待审核" in client.get(PAGE).content.decode()  # the family sees it waits for review

    client.force_login(worker_a)
    survival = client.get("/allowances/survival/").content.decode()
    photo_url = f"/allowances/survival/checks/{check.pk}/photo/"
    assert "张桂兰" in survival and photo_url in survival
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown.content.startswith(b"\xff\xd8\xff") and "no-store" in shown["Cache-Control"]
    viewed = AuditEntry.objects.get(verb="survival.photo_view")
    assert viewed.actor == worker_a and viewed.action == "view_full" and viewed.target_id == str(check.pk)
    client.post(f"/allowances/survival/checks/{check.pk}/review/", {"accept": "yes", "note": ""})
    check.refresh_from_db()
    assert check.status == "accepted" and check.reviewed_by == worker_a
    assert photo_url not in client.get("/allowances/survival/").content.decode()  # reviewed: off the list


def test_a_rejected_photo_says_why_to_the_family_who_may_send_another(client, family, worker_a, elder_in_a):
    client.force_login(family)
    send(client, elder_in_a, photo())
    check = SurvivalCheck.objects.get()
    second = send(client, elder_in_a, photo())
    assert second.status_code == 200 and "已有一张照片在等待社区工作人员审核" in second.content.decode()
    assert SurvivalCheck.objects.count() == 1  # one waiting at a time
    client.force_login(worker_a)
    client.post(f"/allowances/survival/checks/{check.pk}/review/", {"accept": "no", "note": ""})
    check.refresh_from_db()
    assert check.status == "submitted"  # a rejection needs its reason
    client.post(f"/allowances/survival/checks/{check.pk}/review/", {"accept": "no", "note": "照片模糊，看不清面部"})
    check.refresh_from_db()
    assert check.status == "rejected" and check.review_note == "照片模糊，看不清面部"
    client.force_login(family)
    page = client.get(PAGE).content.decode()
    assert "照片模糊，看不清面部" in page
    assert send(client, elder_in_a, photo()).status_code == 302  # another one, after the rejection
    assert list(SurvivalCheck.objects.order_by("pk").values_list("status", flat=True)) == ["rejected", "submitted"]


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("note.jpg", b"%PDF-1.4 not a photo at all" * 10, content_type="image/jpeg"),
     "这不是照片"),
    (SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"\0" * (9 * 1024 * 1024), content_type="image/jpeg"),
     "照片太大"),
])
def test_a_file_that_is_no_photo_or_too_large_is_refused_in_chinese(client, elder, elder_in_a, upload, message):
    client.force_login(elder)  # the elder herself
    r = send(client, elder_in_a, upload)
    assert r.status_code == 200 and message in r.content.decode()
    assert not SurvivalCheck.objects.exists()


def test_only_the_elder_and_her_family_send_and_only_for_their_own(
    client, family, elder_in_b, worker_a, elder_in_a,
):
    client.force_login(family)
    r = send(client, elder_in_b, photo())  # not her relative: not a choice
    assert r.status_code == 200 and not SurvivalCheck.objects.exists()
    assert "李建国" not in client.get(PAGE).content.decode()
    client.force_login(worker_a)  # staff have no own page
    r = client.get(PAGE)
    assert r.status_code == 403 and REFUSED in r.content.decode()


def test_only_the_worker_of_the_area_sees_or_reviews_the_photo(
    client, family, elder_in_a, worker_a, worker_b, subdistrict, admin, operator,
):
    client.force_login(family)
    send(client, elder_in_a, photo("PNG", "me.png"))
    check = SurvivalCheck.objects.get()
    photo_url = f"/allowances/survival/checks/{check.pk}/photo/"
    review_url = f"/allowances/survival/checks/{check.pk}/review/"
    client.force_login(worker_b)  # another community: the certification does not exist for her
    assert client.get(photo_url).status_code == 404
    assert client.post(review_url, {"accept": "yes"}).status_code == 404
    for user in (subdistrict, admin):  # their area covers it, but a face is the worker's to see
        client.force_login(user)
        assert photo_url not in client.get("/allowances/survival/").content.decode()
        r = client.get(photo_url)
        assert r.status_code == 403 and REFUSED in r.content.decode()
        client.post(review_url, {"accept": "yes"})
    client.force_login(operator)
    assert client.get(photo_url).status_code == 403
    check.refresh_from_db()
    assert check.status == "submitted" and not AuditEntry.objects.filter(verb="survival.photo_view").exists()
    client.force_login(worker_a)
    r = client.get(photo_url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert AuditEntry.objects.filter(verb="survival.photo_view").count() == 1


def test_a_photo_whose_file_is_lost_is_told_not_a_server_error(client, family, elder_in_a, worker_a):
    client.force_login(family)
    send(client, elder_in_a, photo())
    check = SurvivalCheck.objects.get()
    os.remove(check.photo.path)
    client.force_login(worker_a)
    r = client.get(f"/allowances/survival/checks/{check.pk}/photo/", follow=True)
    assert r.status_code == 200 and "照片文件已丢失" in r.content.decode()
    assert not AuditEntry.objects.filter(verb="survival.photo_view").exists()


def test_a_key_rotation_re_encrypts_the_photos_too(client, family, elder_in_a, worker_a, settings):
    from django.core.management import call_command

    from kangyang.lib import crypto
    from kangyang.lib.crypto import new_field_key

    client.force_login(family)
    send(client, elder_in_a, photo())
    check = SurvivalCheck.objects.get()
    settings.FIELD_KEYS = [new_field_key(), settings.FIELD_KEYS[0]]
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "re-encrypted 1 other stored files" in out.getvalue()
    with open(check.photo.path, "rb") as stored:
        assert crypto.is_current_bytes(stored.read())
    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]  # the old key dropped: still readable
    client.force_login(worker_a)
    assert client.get(f"/allowances/survival/checks/{check.pk}/photo/").content.startswith(b"\xff\xd8\xff")
