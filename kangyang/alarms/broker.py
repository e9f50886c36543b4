"""The embedded MQTT broker for the demo and the tests: amqtt (pure Python, MQTT 3.1.1).

Production uses Mosquitto or any MQTT broker (README); this one exists so that
`kangyang demo` works on a machine with nothing installed. It listens on loopback only,
keeps sessions in memory (a persistent session survives an ingester restart, not a broker
restart) and allows anonymous clients, which is why it never binds to a public address.
"""

import asyncio
import logging
import socket
from urllib.parse import urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def broker_address(url: str | None = None) -> tuple[str, int]:
    """(host, port) of an mqtt:// URL (MQTT_URL by default)."""
    parts = urlsplit(url or settings.MQTT_URL)
    if parts.scheme not in ("mqtt", "tcp", ""):
        raise ValueError(f"only mqtt:// URLs are supported, not {parts.scheme!r}")
    return parts.hostname or "127.0.0.1", parts.port or 1883


def answers(host: str, port: int, *, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections there (a broker, we assume)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config(host: str, port: int) -> dict:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


def _quiet_disconnects(loop, context) -> None:
    """amqtt lets a client that hangs up early end in an unhandled OSError; that is routine."""
    if isinstance(context.get("exception"), (OSError, asyncio.CancelledError)):
        log.debug("client went away: %s", context.get("exception"))
        return
    loop.default_exception_handler(context)


async def serve(host: str, port: int, stop: asyncio.Event) -> None:
    """Run the broker until `stop` is set."""
    from amqtt.broker import Broker

    if host not in LOOPBACK:
        raise ValueError("the embedded broker allows anonymous clients: loopback only")
    broker = Broker(config(host, port))
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet_disconnects)
    await broker.start()
    log.info("embedded MQTT broker on %s:%d", host, port)
    try:
        await stop.wait()
    finally:
        await broker.shutdown()
