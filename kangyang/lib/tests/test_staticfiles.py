"""Static files a phone keeps: {% static %} URLs carry the content's hash, and that version is
served with a year-long immutable Cache-Control; other requests keep WhiteNoise's revalidation."""

import pytest
from django.template import Context, Template

from kangyang.lib import staticfiles


@pytest.fixture
def versioned(settings):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "kangyang.lib.staticfiles.VersionedStaticFilesStorage"}}


def test_static_urls_carry_the_content_hash(versioned):
    url = Template("{% load static %}{% static 'css/app.css' %}").render(Context())
    version = staticfiles.version_of("css/app.css")
    assert len(version) == 12 and url == f"/static/css/app.css?v={version}"
    assert Template("{% load static %}{% static 'no/such.css' %}").render(Context()) == "/static/no/such.css"


def test_the_current_version_is_kept_a_year_others_revalidate(client, versioned):
    version = staticfiles.version_of("js/app.js")
    r = client.get(f"/static/js/app.js?v={version}")
    assert r.status_code == 200
    assert r["Cache-Control"] == "public, max-age=31536000, immutable"
    for url in ("/static/js/app.js", "/static/js/app.js?v=000000000000"):
        r = client.get(url)
        assert r.status_code == 200 and "immutable" not in r.get("Cache-Control", ""), url


def test_a_new_content_is_a_new_version(tmp_path):
    a = tmp_path / "a.css"
    a.write_text("body{}")
    first = staticfiles._digest(str(a), 1, 6)
    a.write_text("main{}")
    assert staticfiles._digest(str(a), 2, 6) != first
