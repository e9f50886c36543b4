"""Fixtures of the notification tests: a local HTTP server on 127.0.0.1 standing in for an SMS
provider or a push service (never the internet), and a fixed clock."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone


class LocalServer:
    """Answers each request with the next scripted (status, body, headers), and keeps what it
    received: method, path, headers and body."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[tuple[int, object, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.received.append({"method": self.command, "path": self.path,
                                       "headers": {k.lower(): v for k, v in self.headers.items()}, "body": self.rfile.read(length)})
                status, body, headers = outer.answers.pop(0) if outer.answers else (200, {}, {})
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server():
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def aliyun(settings, local_server):
    """The Alibaba Cloud SMS transport, configured as the README says, sending to the local server."""
    settings.SMS_TRANSPORT = "aliyun"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "testId"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "testSecret"
    settings.ALIYUN_SMS_SIGN_NAME = "康养平台"
    settings.ALIYUN_SMS_TEMPLATES = {"alarm.escalated": "SMS_100001", "alarm.family": "SMS_100002", "test": "SMS_100009"}
    settings.ALIYUN_SMS_ENDPOINT = local_server.url
    return local_server


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """actions.notify as a committed request would run it: the send task runs after commit
    (the immediate backend of the tests runs it at once)."""
    from kangyang.notify import actions

    def call(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.notify(*args, **kwargs)

    return call
