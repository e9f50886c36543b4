"""Mosquitto's password and ACL files, written from the device registry (`kangyang mqtt_auth`).

No database access and no domain rules here: the command hands in the accounts, this module
formats and writes them. The formats are Mosquitto 2.0's own:

* password file: `username:$7$<iterations>$<base64 salt>$<base64 hash>` per line, the hash
  being PBKDF2-HMAC-SHA512 of the password (64 bytes) with a 12-byte salt, as written by
  `mosquitto_passwd` (checked against its output: the tests log a device in with a hash made
  here). Storing this hash in the database lets the file be written with no plaintext kept.
* ACL file: `user NAME` then `topic read|write|readwrite FILTER` lines. What a user is not
  granted is refused: a device publishing to another device's topic is dropped by the
  broker (MQTT 3.1.1 has no way to tell the publisher; MQTT 5 answers "not authorised").

Both files are written atomically (a temporary file in the same directory, then rename), so
a broker reloading at the wrong moment reads the old file or the new one, never half of one.
"""

import base64
import dataclasses
import hashlib
import hmac
import os
import pwd
import secrets
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path

ITERATIONS = 101  # mosquitto_passwd 2.0's default; the salted hash is what matters here
SALT_BYTES = 12


def new_password() -> str:
    """A device password: 24 URL-safe characters (144 bits), nothing a vendor must escape."""
    return secrets.token_urlsafe(18)


def password_hash(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """Mosquitto 2.0's `$7$` hash of a password."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, hashed: str) -> bool:
    """Whether `password` matches a `$7$` hash (for tests and support, never for sign-in:
    the broker checks devices itself)."""
    try:
        _empty, kind, iterations, salt, digest = hashed.split("$")
        if kind != "7":
            return False
        expected = password_hash(password, salt=base64.b64decode(salt), iterations=int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(expected.rsplit("$", 1)[1], digest)


@dataclasses.dataclass(frozen=True)
class Account:
    """One broker account: its name, its password hash, and what it may read and write."""

    username: str
    password_hash: str
    write: tuple[str, ...] = ()
    read: tuple[str, ...] = ()


def valid_username(name: str) -> bool:
    """A name the password file can hold: no colon (the separator), no whitespace or control
    characters, and not empty."""
    return bool(name) and ":" not in name and not any(c.isspace() or ord(c) < 32 for c in name)


def password_file(accounts: Iterable[Account]) -> str:
    return "".join(f"{a.username}:{a.password_hash}\n" for a in accounts)


def acl_file(accounts: Iterable[Account]) -> str:
    """Per-user rules only: nothing is granted to anonymous clients or by pattern."""
    lines = ["# Written by `kangyang mqtt_auth`; edits here are overwritten.\n"]
    for a in accounts:
        lines.append(f"\nuser {a.username}\n")
        lines += [f"topic write {t}\n" for t in a.write]
        lines += [f"topic read {t}\n" for t in a.read]
    return "".join(lines)


def write_atomically(path: Path, text: str, *, mode: int) -> None:
    """Write `text` to `path` through a temporary file in the same directory and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def reload(pidfile: Path) -> int:
    """Ask the Mosquitto whose pid is in `pidfile` to re-read its password and ACL files
    (SIGHUP: no restart, connected clients stay). Returns the pid."""
    pid = int(Path(pidfile).read_text().split()[0])
    os.kill(pid, signal.SIGHUP)
    return pid


# Lines of a production configuration that a private test broker replaces.
_TLS_OPTIONS = ("certfile", "keyfile", "cafile", "capath", "tls_version", "require_certificate")


def adapt_config(text: str, *, port: int, directory: Path, overrides: dict[str, str] | None = None) -> str:
    """deploy/mosquitto.conf made into a private broker for tests and benches: one listener
    on 127.0.0.1:`port` (no TLS listener: no certificate here), every file in `directory`,
    log to stderr; `overrides` replaces (or adds) options, e.g. {"max_queued_messages": "1000"}.
    Everything else is the shipped configuration as it is."""
    overrides = dict(overrides or {})
    paths = {
        "password_file": directory / "passwd", "acl_file": directory / "acl",
        "pid_file": directory / "mosquitto.pid", "persistence_location": f"{directory}/",
    }
    out, seen_listener = [], False
    for line in text.splitlines():
        words = line.split()
        key = words[0] if words and not line.startswith("#") else ""
        if key == "listener":
            if not seen_listener:
                out.append(f"listener {port} 127.0.0.1")
                seen_listener = True
            continue
        if key in _TLS_OPTIONS or key in ("log_dest",):
            continue
        if key in overrides:
            out.append(f"{key} {overrides.pop(key)}")
            continue
        if key in paths:
            out.append(f"{key} {paths[key]}")
            continue
        out.append(line)
    out.append("log_dest stderr")
    # Started as root, Mosquitto would become the `mosquitto` user and not write our files.
    out.append(f"user {pwd.getpwuid(os.getuid()).pw_name}")
    out += [f"{k} {v}" for k, v in overrides.items()]
    return "\n".join(out) + "\n"
