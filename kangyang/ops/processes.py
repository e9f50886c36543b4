"""Running `kangyang` sub-commands side by side (the demo's web server and worker)."""

import signal
import subprocess
import sys
import time
from collections.abc import Sequence

STOP_TIMEOUT = 10  # seconds a child gets to finish its request or task before it is killed


class Stop(Exception):
    """SIGTERM or SIGHUP reached the supervisor."""


def _raise_stop(signum, frame):
    raise Stop


def kangyang(*args: str) -> list[str]:
    """The argv that runs `kangyang <args>` with this interpreter."""
    return [sys.executable, "-m", "kangyang", *args]


def supervise(commands: Sequence[Sequence[str]], *, poll: float = 0.5) -> int:
    """Start every command, wait until Ctrl-C, SIGTERM or until one of them exits, then stop
    the others: SIGTERM (each one's own graceful shutdown), SIGKILL after STOP_TIMEOUT.

    The children get process groups of their own, so that a Ctrl-C in the terminal reaches
    only this process and each child is asked to stop exactly once. Returns the exit code of
    a child that stopped by itself (non-zero means trouble), or 0 when asked to stop."""
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    children: list[subprocess.Popen] = []
    code = 0
    try:
        for command in commands:
            children.append(subprocess.Popen(list(command), process_group=0))
        while True:
            ended = [c for c in children if c.poll() is not None]
            if ended:
                code = ended[0].returncode or 1
                break
            time.sleep(poll)
    except (KeyboardInterrupt, Stop):
        code = 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _stop(children)
    return code


def _stop(children: list[subprocess.Popen]) -> None:
    try:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    except KeyboardInterrupt:  # a second Ctrl-C: no more waiting
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
