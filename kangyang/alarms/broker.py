"""The embedded MQTT broker for the demo and the tests: amqtt (pure Python, MQTT 3.1.1).

Production uses Mosquitto or any MQTT broker (README); this one exists so that
`kangyang demo` works on a machine with nothing installed. It listens on loopback only,
keeps sessions in memory (a persistent session survives an ingester restart, not a broker
restart) and allows anonymous clients, which is why it never binds to a public address.
"""

import asyncio
import dataclasses
import logging
import socket
from urllib.parse import unquote, urlsplit

from django.conf import settings

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """Where and how to reach the broker: MQTT_URL taken apart. `mqtts://` means TLS (port
    8883 by default), checked against `ca_file` or else the system's certificates."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    ca_file: str = ""

    def configure(self, client) -> None:
        """Give a paho client the credentials and TLS of this endpoint (before connect)."""
        if self.username is not None:
            client.username_pw_set(self.username, self.password)
        if self.tls:
            client.tls_set(ca_certs=self.ca_file or None)


def endpoint(url: str | None = None, *, ca_file: str | None = None) -> Endpoint:
    """MQTT_URL (or `url`) as an Endpoint; a URL we cannot use raises ValueError."""
    parts = urlsplit(url or settings.MQTT_URL)
    if parts.scheme not in ("mqtt", "tcp", "mqtts", "ssl", ""):
        raise ValueError(f"only mqtt:// and mqtts:// URLs are supported, not {parts.scheme!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError:
        raise ValueError("the port of MQTT_URL is not a number") from None
    return Endpoint(
        host=parts.hostname or "127.0.0.1", port=port, tls=tls,
        username=unquote(parts.username) if parts.username is not None else None,
        password=unquote(parts.password) if parts.password is not None else None,
        ca_file=settings.MQTT_CA_FILE if ca_file is None else ca_file,
    )


def broker_address(url: str | None = None) -> tuple[str, int]:
    """(host, port) of an mqtt:// or mqtts:// URL (MQTT_URL by default)."""
    e = endpoint(url)
    return e.host, e.port


def device_topic(device_id: str, kind: str) -> str:
    """The topic a device publishes `kind` (alarm, heartbeat) to (CONTRACTS.md)."""
    return f"{settings.MQTT_TOPIC_PREFIX}/devices/{device_id}/{kind}"


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
