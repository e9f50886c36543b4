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


def test_a_refusal_is_logged_as_one_line_without_a_traceback(client, caregiver, caplog):
    """The logging configuration of settings.py, as the server runs it (pytest's caplog sees
    the records after the django.request logger's filters)."""
    import logging

    client.force_login(caregiver)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        r = client.get("/audit/")
    assert r.status_code == 403
    refusals = [rec for rec in caplog.records if rec.name == "django.request"]
    assert len(refusals) == 1
    assert refusals[0].exc_info is None and "Forbidden" in refusals[0].getMessage()
    formatted = logging.Formatter("%(message)s").format(refusals[0])
    assert "Traceback" not in formatted and "\n" not in formatted


def test_a_server_error_keeps_its_traceback_in_the_log():
    import logging

    from kangyang.lib.logs import RefusalsWithoutTraceback

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        info = sys.exc_info()
    for status, kept in ((500, True), (403, False), (404, False)):
        rec = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), info)
        rec.status_code = status
        assert RefusalsWithoutTraceback().filter(rec)
        assert (rec.exc_info is not None) == kept


def test_a_refusal_offers_the_page_the_reader_came_from_and_the_start_page(client, caregiver):
    client.force_login(caregiver)
    r = client.get("/audit/", HTTP_REFERER="http://testserver/services/route/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<a href="http://testserver/services/route/" data-back>Back to the previous page</a>' in r.text
    assert 'href="/"' in r.text


def test_a_refusal_never_links_back_to_another_site(client, caregiver):
    client.force_login(caregiver)
    r = client.get("/audit/", HTTP_REFERER="https://evil.example/phish")
    assert r.status_code == 403
    assert "evil.example" not in r.text and 'href="/"' in r.text


def test_the_favicon_is_served_at_the_address_browsers_ask_for(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in r.content


def test_every_page_links_its_icon(client, worker_a):
    client.force_login(worker_a)
    r = client.get("/registry/")
    assert 'rel="icon"' in r.text and "favicon.svg" in r.text


@pytest.mark.parametrize("lang, other", [("zh-hans", "English"), ("en", "简体中文")])
def test_the_language_switch_names_the_other_language_in_itself(client, lang, other):
    r = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=lang)
    switch = r.text.split('class="lang"', 1)[1].split("</form>", 1)[0]
    assert f">{other}</button>" in switch
    assert "英语" not in switch and "Simplified Chinese" not in switch
