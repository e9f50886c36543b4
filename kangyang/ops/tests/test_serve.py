"""`kangyang serve` as a real process: it answers pages and static files, and stops on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

START_TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")


@pytest.fixture
def server_env(tmp_path):
    """A fresh SQLite database with migrations applied, in a data dir of its own."""
    env = {
        **os.environ,
        "KANGYANG_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kangyang.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "kangyang.settings",
    }
    subprocess.run([sys.executable, "-m", "kangyang", "migrate", "-v0"], env=env, check=True,
                   cwd=settings.BASE_DIR, timeout=180)
    return env


def test_serve_answers_the_login_page_and_static_files(server_env, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "kangyang", "serve", "--port", str(port)],
            env=server_env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                status, _type, body = get(f"{base}/accounts/login/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "serve did not answer in time"
                time.sleep(0.2)
        assert status == 200
        assert 'name="password"' in body
        assert "demo-banner" not in body  # a database the demo did not seed is no demo
        status, content_type, body = get(f"{base}/static/admin/css/base.css")  # via whitenoise finders
        assert status == 200 and content_type.startswith("text/css") and body

        # The demo seeds the same data dir: `serve` now behaves as `demo` does.
        subprocess.run([sys.executable, "-m", "kangyang", "demo", "--no-serve", "--elders", "0"],
                       env=server_env, cwd=settings.BASE_DIR, check=True, timeout=300,
                       stdout=subprocess.DEVNULL)
        status, _type, body = get(f"{base}/accounts/login/")
        assert status == 200 and "demo-banner" in body
        request = urllib.request.Request(
            f"{base}/api/v1/auth/token", data=b'{"username": "worker_a", "password": "kangyang-demo"}',
            headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as r:
            assert r.status == 200
    finally:
        server.terminate()
        try:
            # uvicorn shuts down gracefully, then re-raises the signal it caught
            assert server.wait(timeout=15) in (0, -signal.SIGTERM)
            assert "Finished server process" in log_path.read_text()
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()


def test_demo_refuses_a_port_in_use_before_touching_the_database(db):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        with pytest.raises(CommandError, match=str(s.getsockname()[1])):
            call_command("demo", "--port", str(s.getsockname()[1]), stdout=StringIO())
