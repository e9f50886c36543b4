"""Error pages are written for the person who meets them: in their language, in words, with a
way back; never Django's pages for developers."""

import pytest
from django.test import Client


@pytest.mark.parametrize("lang, words", [("zh-hans", "没有这个页面"), ("en", "There is no such page")])
def test_an_unknown_address_says_so_in_the_readers_language(client, worker_a, lang, words):
    client.force_login(worker_a)
    r = client.get("/registry/no-such-page/", HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 404
    assert words in r.text and 'href="/"' in r.text
    assert "Not Found" not in r.text and "requested resource" not in r.text


def test_a_page_outside_the_role_is_refused_in_chinese(client, caregiver):
    client.force_login(caregiver)
    r = client.get("/audit/")
    assert r.status_code == 403
    assert "您无权打开此页面" in r.text and "403 Forbidden" not in r.text


def test_a_form_with_an_expired_csrf_token_says_nothing_was_saved(worker_a, elder_in_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)
    r = client.post(f"/registry/elders/{elder_in_a.pk}/reveal/", {"reason": "回访"})
    assert r.status_code == 403
    assert "表单已过期" in r.text and "未保存任何内容" in r.text
    assert "CSRF verification failed" not in r.text


def test_the_server_error_page_tells_what_to_do_without_showing_internals(rf):
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        r = server_error(rf.get("/"))
    assert r.status_code == 500
    text = r.content.decode()
    assert "平台出现了问题" in text and "12349" in text and "Traceback" not in text
